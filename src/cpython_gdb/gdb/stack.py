"""A thread's C stack with its Python frames placed on the eval-loop frames.

Python frames come from the thread state, not from the C variable
``frame`` that optimized builds lose. Each C call of the eval loop ran one
group of Python frames (a group ends at an entry frame); the groups are
matched to the eval-loop C frames from the innermost outwards.
"""

from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import gdb

from ..engine.frames.walk import decode_one
from ..engine.model import PyFrame, PyThread
from ..engine.record import replace
from ..engine.runtime.os_thread import read_os_thread
from ..engine.target import Target
from ..errors import CpythonGdbError
from . import state
from .cframes import EVAL_FUNCTIONS, CFrame, CFrames, base_name
from .tstates import find_thread_states

__all__ = ["CFrame", "ThreadStack", "base_name", "newest_python_frame", "python_thread", "selected_level",
           "settled_python_cframe", "thread_stack"]

@dataclass
class ThreadStack:
    thread: Optional[PyThread]
    cframes: List[CFrame] = field(default_factory=list)
    # Python frames with no eval-loop C frame to stand on (unwinding failed).
    unplaced: Tuple[PyFrame, ...] = ()
    note: str = ""
    # False when the unwinding stopped at the oldest Python frame's C frame.
    whole: bool = True

    def python_cframes(self) -> List[CFrame]:
        return [c for c in self.cframes if c.kind == "eval" and c.python]


def _read_nested(target: Target, tstates: List[int]) -> PyThread:
    """One PyThread for all the thread states of an OS thread, newest first."""
    return read_os_thread(target, tstates, state.limits())


def _groups(frames: Tuple[PyFrame, ...]) -> List[Tuple[PyFrame, ...]]:
    groups: List[Tuple[PyFrame, ...]] = []
    current: List[PyFrame] = []
    for frame in frames:
        current.append(frame)
        if frame.is_entry:
            groups.append(tuple(current))
            current = []
    if current:
        groups.append(tuple(current))
    return groups


def _entering(target: Target, frame: "gdb.Frame") -> Tuple[PyFrame, ...]:
    """The frame an eval-loop call was given but has not linked in yet.

    Only for those calls: read from the C argument when gdb still has it
    (often it is optimized out, and then nothing is shown for the call).
    """
    name = "f" if target.scheme.frame == "frameobject" else "frame"
    try:
        value = frame.read_var(name)
        if value.is_optimized_out:
            return ()
        address = int(value)
    except (gdb.error, ValueError, RuntimeError):
        return ()
    if not address:
        return ()
    try:
        pyframe = decode_one(target, address, unstarted=True)
        # At a function's entry gdb may report a stale register for the
        # argument: believe it only if it leads to a code object.
        if pyframe is None or target.type_of(pyframe.code.address).name != "code":
            return ()
    except CpythonGdbError:
        return ()
    return (replace(pyframe, is_entry=True),)


def _pythread_key(thread: "gdb.InferiorThread") -> str:
    return f"pythread:{thread.global_num}"


def python_thread(target: Target) -> Optional[PyThread]:
    """The Python thread of the selected gdb thread (None if it has none).

    Read from memory only: no C frame is unwound. Kept for the stop.
    """
    thread = gdb.selected_thread()
    if thread is None:
        raise CpythonGdbError("no thread selected")
    key = _pythread_key(thread)
    if key in target.cache:
        return target.cache[key]  # type: ignore[return-value]
    tstates = find_thread_states(target, thread)
    pythread = _read_nested(target, tstates) if tstates else None
    target.cache[key] = pythread
    return pythread


def _settled(target: Target, at_newest: bool = True) -> bool:
    """Whether the selected thread's stack can be read without unwinding it all.

    Unwinding the C stack is the costly part of a command (gdb reads the
    debug info of each function it passes). When the selected frame is the
    newest one and it runs outside CPython's own code (in the C library,
    asleep or blocked), every eval-loop call on the stack has linked its
    Python frame, so the calls and the Python frames match from the newest
    on. Inside CPython's code an eval-loop call may be entering or
    returning: False there, and wherever unsure, and once thread_stack()
    has the whole stack anyway. With ``at_newest``, also False unless the
    newest frame is the selected one.
    """
    thread = gdb.selected_thread()
    if thread is None or f"stack:{thread.global_num}" in target.cache:
        return False
    try:
        newest = gdb.newest_frame()
        if at_newest and gdb.selected_frame() != newest:
            return False
        library = gdb.solib_name(newest.pc())
        return library is not None and library != gdb.solib_name(state.runtime())
    except (gdb.error, RuntimeError):
        return False


def newest_python_frame(target: Target) -> Optional[PyFrame]:
    """The Python frame thread_stack() places first, when that is sure without unwinding (see _settled)."""
    if not _settled(target):
        return None
    pythread = python_thread(target)
    if pythread is None or not pythread.frames:
        return None
    return pythread.frames[0]


def settled_python_cframe(target: Target, min_level: int) -> Optional[CFrame]:
    """The first eval-loop C frame at or above ``min_level``, with its Python frames, unwinding only as far as it.

    Only at a settled stop (see _settled), where the k-th eval-loop frame
    from the newest runs the k-th group of Python frames; on 3.12+ the
    group's entry shim must also lie in that C frame's stack frame. None
    where unsure or when no such frame runs Python: thread_stack() then
    decides. py-up asks for the frame past the selected one; py-print,
    py-list and py-locals for the selected one.
    """
    if not _settled(target, at_newest=False):
        return None
    pythread = python_thread(target)
    if pythread is None:
        return None
    groups = _groups(pythread.frames)
    evals = 0
    for cframe in CFrames(target):
        if cframe.kind == "eval":
            if cframe.level >= min_level:
                if evals < len(groups) and _runs_group(target, cframe, groups[evals]):
                    cframe.python = groups[evals]
                    return cframe
                return None
            evals += 1
    return None


def _runs_group(target: Target, cframe: CFrame, group: Tuple[PyFrame, ...]) -> bool:
    """Whether the eval-loop call at ``frame`` is the one running ``group``, where memory can tell.

    3.12+: the call keeps the group's entry shim in its own stack frame.
    While a call's first frame is being cleared on its way out, the thread
    state already points past it (at the shim), so counting calls from the
    newest would be one off: the shim does not match then.
    """
    if target.scheme.entry != "owner":
        return True
    shim = group[-1].entry_shim
    if not shim:
        return False
    span = cframe.stack_span()
    return span is not None and span[0] <= shim < span[1]


def thread_stack(target: Target, thread: Optional["gdb.InferiorThread"] = None, whole: bool = False) -> ThreadStack:
    """The selected thread's C frames with its Python frames placed on them, kept for the stop.

    At a settled stop (see _settled) the unwinding ends at the eval-loop
    call that runs the oldest Python frame: the C frames older than it
    (the program's start, a thread's bootstrap) run no Python, and gdb
    reads the debug info of each function it passes. ``whole`` asks for
    every C frame (mixed native and Python backtraces).
    """
    selected = gdb.selected_thread()
    thread = thread or selected
    if thread is None:
        raise CpythonGdbError("no thread selected")
    if thread != selected:
        # Registers and frames below come from the selected thread.
        raise RuntimeError("thread_stack() reads the selected thread: switch to it first")
    key = f"stack:{thread.global_num}"
    cached = target.cache.get(key)
    if isinstance(cached, ThreadStack) and (cached.whole or not whole):
        return cached
    settled = not whole and _settled(target, at_newest=False)
    pythread = python_thread(target)
    if pythread is None:
        stack = ThreadStack(thread=None, note="no Python thread state for this thread")
        target.cache[key] = stack
        return stack
    stack = ThreadStack(thread=pythread)
    groups = _groups(pythread.frames)
    seen = 0
    walk = CFrames(target, fast=not whole, evals=None if whole else len(groups))
    for cframe in walk:
        stack.cframes.append(cframe)
        if cframe.kind == "eval":
            seen += 1
            if settled and seen == len(groups) and _runs_group(target, cframe, groups[-1]):
                stack.whole = False
                break
    if walk.cut:
        stack.whole = False
    if sum(c.kind == "eval" for c in stack.cframes) < len(groups):
        _eval_frames_by_shim(stack.cframes, groups)
    evals = [c for c in stack.cframes if c.kind == "eval"]
    if len(evals) > len(groups):
        # The newest eval-loop calls have not linked their frame into the
        # thread state yet (stopped at the function's entry) or have already
        # unlinked it (returning). Older calls are settled, so match from
        # the oldest: the extra newest C frames run no Python frame yet.
        for cframe in evals[: len(evals) - len(groups)]:
            try:
                cframe.python = _entering(target, cframe.frame)
            except CpythonGdbError:
                cframe.python = ()  # gdb cannot reach that frame (its backtrace limit)
        evals = evals[len(evals) - len(groups):]
    for cframe, group in zip(evals, groups):
        cframe.python = group
    if len(groups) > len(evals):
        stack.unplaced = tuple(f for g in groups[len(evals):] for f in g)
        if not evals:
            stack.note = _no_eval_reason()
    target.cache[key] = stack
    return stack


def _eval_frames_by_shim(cframes: List[CFrame], groups: List[Tuple[PyFrame, ...]]) -> None:
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
        if cframe.kind != "other" or cframe.inline:
            continue
        span = cframe.stack_span()
        if span is not None and any(span[0] <= shim < span[1] for shim in shims):
            cframe.kind = "eval"


def _no_eval_reason() -> str:
    """Why no C frame of this thread was recognised as the eval loop's."""
    for name in sorted(EVAL_FUNCTIONS):
        try:
            gdb.parse_and_eval(f"(unsigned long)&{name}")
        except gdb.error:
            continue
        return (f"no {name} frame found on the C stack (unwinding failed?): "
                "Python frames only, without C frame numbers")
    return ("no symbol names the eval loop (_PyEval_EvalFrameDefault) in .symtab or .dynsym, "
            "so its C frames cannot be recognised: Python frames only, without C frame numbers")


def frame_level(frame: "gdb.Frame") -> int:
    """gdb's number of a frame (Frame.level() exists from gdb 11)."""
    level = getattr(frame, "level", None)
    if callable(level):
        return int(level())
    count = -1
    current: Optional[gdb.Frame] = frame
    while current is not None:
        current = current.newer()
        count += 1
    return count


def selected_level() -> int:
    return frame_level(gdb.selected_frame())
