"""Placing a thread's Python frames on the C calls of the eval loop that run them.

Python frames come from the thread state, not from the C variable
``frame`` that optimized builds lose. Each C call of the eval loop runs
one group of Python frames (a group ends at an entry frame); the groups
are matched to the eval-loop C frames from the oldest outwards, since the
newest calls may not have linked their frame in yet, or may have unlinked
it already.
"""

from __future__ import annotations

from itertools import chain, compress, count
from operator import attrgetter

from . import kinds

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterable, List, Sequence, Tuple

    from ..model import PyFrame
    from .frame import CFrame, ThreadStack

    Group = Tuple[PyFrame, ...]

_IS_ENTRY = attrgetter("is_entry")


def python_groups(frames: Sequence[PyFrame]) -> List[Group]:
    """The thread's Python frames (newest first) cut into one group per eval-loop call.

    The entry frames are found in C (compress): a dump cuts every thread's
    stack, and 3.11+ runs many Python frames in one call. Up to 3.10 every
    frame is one (a call each): one zip makes the groups.
    """
    ends = list(compress(count(1), map(_IS_ENTRY, frames)))
    if len(ends) == len(frames):
        return list(zip(frames))
    if not ends or ends[-1] != len(frames):
        ends.append(len(frames))
    frames = tuple(frames)
    return [frames[start:end] for start, end in zip([0, *ends], ends) if end > start]


def runs_group(entry_scheme: str, cframe: CFrame, group: Group) -> bool:
    """Whether the eval-loop call ``cframe`` is the one running ``group``, where memory can tell.

    3.12+ (``entry_scheme`` "owner"): the call keeps the group's entry shim
    in its own stack frame. While a call's first frame is being cleared on
    its way out, the thread state already points past it (at the shim), so
    counting calls from the newest would be one off: the shim does not
    match then. Elsewhere nothing tells, and any call may run it.
    """
    if entry_scheme != "owner":
        return True
    shim = group[-1].entry_shim
    if not shim:
        return False
    span = cframe.stack_span()
    return span is not None and span[0] <= shim < span[1]


def _eval_frames_by_shim(cframes: Sequence[CFrame], groups: Sequence[Group]) -> None:
    """Mark as eval-loop calls the C frames whose stack holds a group's shim.

    For when no symbol names the code at the eval loop's pc: a stripped
    build whose compiler moved the calls out to an unnamed ``.cold`` part of
    the function. Each C call of the eval loop (3.12+) keeps its entry shim
    record in its own stack frame, between its stack pointer and its
    caller's.
    """
    shims = [group[-1].entry_shim for group in groups if group and group[-1].entry_shim]
    if not shims:
        return
    for cframe in cframes:
        if cframe.kind != kinds.OTHER or cframe.inline:
            continue
        span = cframe.stack_span()
        if span is not None and any(span[0] <= shim < span[1] for shim in shims):
            cframe.kind = kinds.EVAL


def gather(stack: ThreadStack, cframes: Iterable[CFrame], groups: Sequence[Group], entry_scheme: str,
           settled: bool, needed: int) -> None:
    """Append ``cframes`` (newest first) to ``stack.cframes``, as far as they are needed.

    At a settled stop (the thread waits outside CPython's code) every
    eval-loop call on the stack has linked its Python frames, so the k-th
    eval-loop frame from the newest runs the k-th group: once the frame
    of group ``needed`` (counted from 1) is met, and memory agrees (see
    runs_group), the older frames cannot change what is placed on the
    newer ones, and the walk ends there (``stack.whole`` false). Otherwise
    every frame is taken.
    """
    seen = 0
    for cframe in cframes:
        stack.cframes.append(cframe)
        if cframe.kind == kinds.EVAL:
            seen += 1
            if settled and seen == needed and runs_group(entry_scheme, cframe, groups[needed - 1]):
                stack.whole = False
                return


def place(stack: ThreadStack, groups: Sequence[Group], entering: Callable[[CFrame], Tuple[PyFrame, ...]],
          cut: bool = False) -> None:
    """Set ``python`` on the eval-loop frames of ``stack.cframes``, and ``stack.unplaced``.

    ``entering(cframe)``: the frame an eval-loop call was given but has not
    linked into the thread state yet, as far as the backend can read it
    from the call's arguments (() if it cannot). ``cut``: the walk of the
    thread's frames stopped early (max-frames, a record it cannot read):
    ``groups`` are then the newest ones, matched from the newest call.
    """
    kinds.mark_gil_waits(stack.cframes)
    if sum(c.kind == kinds.EVAL for c in stack.cframes) < len(groups):
        _eval_frames_by_shim(stack.cframes, groups)
    evals = [c for c in stack.cframes if c.kind == kinds.EVAL]
    if cut:
        evals = evals[: len(groups)]
    elif len(evals) > len(groups):
        # The newest eval-loop calls have not linked their frame into the
        # thread state yet (stopped at the function's entry) or have already
        # unlinked it (returning). Older calls are settled, so match from
        # the oldest: the extra newest C frames run no Python frame yet.
        for cframe in evals[: len(evals) - len(groups)]:
            cframe.python = entering(cframe)
        evals = evals[len(evals) - len(groups):]
    for cframe, group in zip(evals, groups):
        cframe.python = group
    if len(groups) > len(evals):
        stack.unplaced = tuple(chain.from_iterable(groups[len(evals):]))
