"""A thread's C stack from gdb, with its Python frames placed on the eval-loop frames.

gdb supplies the C frames (cframes.py); the engine says what each is and
places the Python frames on them (engine/cstack/). What is left here is
what only gdb can tell: whether the stop is settled (see _settled), the
argument of an eval-loop call that has not linked its frame in yet, and
why no eval-loop frame was found.
"""

from typing import TYPE_CHECKING, List, Optional, Tuple

import gdb

from ..engine.cstack import kinds
from ..engine.cstack.frame import ThreadStack
from ..engine.cstack.placement import place, python_groups, runs_group
from ..engine.frames.walk import decode_one
from ..engine.model import PyFrame, PyThread
from ..engine.record import replace
from ..engine.runtime.os_thread import read_os_thread
from ..engine.target import Target
from ..errors import CpythonGdbError
from . import state
from .cframes import CFrame, CFrames
from .stop import stop_state
from .tstates import find_thread_states

if TYPE_CHECKING:
    from ..engine.cstack.frame import CFrame as EngineCFrame

__all__ = ["CFrame", "ThreadStack", "newest_python_frame", "python_cframes", "python_thread", "selected_level",
           "settled_python_cframe", "thread_stack"]


def python_cframes(stack: ThreadStack) -> List[CFrame]:
    """The eval-loop C frames of a stack this adapter made, with their Python frames."""
    return [c for c in stack.python_cframes() if isinstance(c, CFrame)]


def _entering(target: Target, cframe: "EngineCFrame") -> Tuple[PyFrame, ...]:
    """The frame an eval-loop call was given but has not linked in yet.

    Only for those calls: read from the C argument when gdb still has it
    (often it is optimized out, and then nothing is shown for the call).
    """
    if not isinstance(cframe, CFrame):
        return ()
    name = "f" if target.scheme.frame == "frameobject" else "frame"
    try:
        frame = cframe.frame
    except CpythonGdbError:
        return ()  # gdb cannot reach that frame (its backtrace limit)
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


def python_thread(target: Target) -> Optional[PyThread]:
    """The Python thread of the selected gdb thread (None if it has none).

    Read from memory only: no C frame is unwound. Kept for the stop.
    """
    thread = gdb.selected_thread()
    if thread is None:
        raise CpythonGdbError("no thread selected")
    known = stop_state(target).pythreads
    if thread.global_num in known:
        return known[thread.global_num]
    tstates = find_thread_states(target, thread)
    # One PyThread for all the thread states of the OS thread, newest first.
    pythread = read_os_thread(target, tstates, state.limits()) if tstates else None
    known[thread.global_num] = pythread
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
    if thread is None or thread.global_num in stop_state(target).stacks:
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
    groups = python_groups(pythread.frames)
    evals = 0
    for cframe in CFrames(target):
        if cframe.kind == kinds.EVAL:
            if cframe.level >= min_level:
                if evals < len(groups) and runs_group(target.scheme.entry, cframe, groups[evals]):
                    cframe.python = groups[evals]
                    return cframe
                return None
            evals += 1
    return None


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
    stacks = stop_state(target).stacks
    cached = stacks.get(thread.global_num)
    if cached is not None and (cached.whole or not whole):
        return cached
    settled = not whole and _settled(target, at_newest=False)
    pythread = python_thread(target)
    if pythread is None:
        stack = stacks[thread.global_num] = ThreadStack(None, "no Python thread state for this thread")
        return stack
    stack = ThreadStack(pythread)
    groups = python_groups(pythread.frames)
    seen = 0
    walk = CFrames(target, fast=not whole, evals=None if whole else len(groups))
    for cframe in walk:
        stack.cframes.append(cframe)
        if cframe.kind == kinds.EVAL:
            seen += 1
            if settled and seen == len(groups) and runs_group(target.scheme.entry, cframe, groups[-1]):
                stack.whole = False
                break
    if walk.cut:
        stack.whole = False
    cut = pythread.truncated_reason is not None
    place(stack, groups, lambda cframe: _entering(target, cframe), cut=cut)
    if cut and not whole:
        # The walk stopped early (max-frames): the older C frames run Python frames it did not read.
        placed = [i for i, cframe in enumerate(stack.cframes) if cframe.python]
        if placed:
            del stack.cframes[placed[-1] + 1:]
            stack.whole = False
    if stack.unplaced and not any(c.kind == kinds.EVAL for c in stack.cframes):
        stack.note = _no_eval_reason(target.scheme.eval_loop)
    stacks[thread.global_num] = stack
    return stack


def _no_eval_reason(name: str) -> str:
    """Why no C frame of this thread was recognised as the eval loop's (function ``name``)."""
    try:
        gdb.parse_and_eval(f"(unsigned long)&{name}")
    except gdb.error:
        return (f"no symbol names the eval loop ({name}) in .symtab or .dynsym, "
                "so its C frames cannot be recognised: Python frames only, without C frame numbers")
    return (f"no {name} frame found on the C stack (unwinding failed?): "
            "Python frames only, without C frame numbers")


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
