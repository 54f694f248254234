"""Placing a thread's Python frames on the C calls of the eval loop that run them.

Python frames come from the thread state, not from the C variable
``frame`` that optimized builds lose. Each C call of the eval loop runs
one group of Python frames (a group ends at an entry frame); the groups
are matched to the eval-loop C frames from the oldest outwards, since the
newest calls may not have linked their frame in yet, or may have unlinked
it already.
"""

from __future__ import annotations

from . import kinds

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, List, Sequence, Tuple

    from ..model import PyFrame
    from .frame import CFrame, ThreadStack

    Group = Tuple[PyFrame, ...]


def python_groups(frames: Sequence[PyFrame]) -> List[Group]:
    """The thread's Python frames (newest first) cut into one group per eval-loop call."""
    groups: List[Group] = []
    current: List[PyFrame] = []
    for frame in frames:
        current.append(frame)
        if frame.is_entry:
            groups.append(tuple(current))
            current = []
    if current:
        groups.append(tuple(current))
    return groups


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
        stack.unplaced = tuple(f for g in groups[len(evals):] for f in g)
