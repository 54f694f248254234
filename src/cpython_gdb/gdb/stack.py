"""A thread's C stack with its Python frames placed on the eval-loop frames.

Python frames come from the thread state, not from the C variable
``frame`` that optimized builds lose. Each C call of the eval loop ran one
group of Python frames (a group ends at an entry frame); the groups are
matched to the eval-loop C frames from the innermost outwards.
"""

import dataclasses
from dataclasses import dataclass, field
from typing import List, Optional, Tuple

import gdb

from ..errors import CpythonGdbError
from ..frames.walk import decode_one
from ..model import PyFrame, PyThread
from ..objects import object_repr
from ..runtime import all_thread_states, read_thread
from ..target import Target
from . import state

EVAL_FUNCTIONS = frozenset({"_PyEval_EvalFrameDefault"})
GC_FUNCTIONS = frozenset(
    {"collect", "collect_with_callback", "gc_collect_main", "gc_collect_young",
     "gc_collect_increment", "gc_collect_full"}
)
_MAX_C_FRAMES = 200_000


@dataclass
class CFrame:
    level: int
    frame: "gdb.Frame"
    kind: str  # "eval", "builtin", "gil", "gc" or "other"
    python: Tuple[PyFrame, ...] = ()
    text: str = ""


@dataclass
class ThreadStack:
    thread: Optional[PyThread]
    cframes: List[CFrame] = field(default_factory=list)
    # Python frames with no eval-loop C frame to stand on (unwinding failed).
    unplaced: Tuple[PyFrame, ...] = ()
    note: str = ""

    def python_cframes(self) -> List[CFrame]:
        return [c for c in self.cframes if c.kind == "eval" and c.python]


def _thread_keys(thread: "gdb.InferiorThread") -> Tuple[int, List[int]]:
    """The LWP of a gdb thread and the pthread_t values it may go by."""
    lwp = thread.ptid[1]
    handles: List[int] = []
    try:
        handles.append(int.from_bytes(thread.handle(), "little"))
    except (gdb.error, AttributeError, TypeError):
        pass
    try:
        # On x86-64 glibc, pthread_self() is the thread pointer in fs_base.
        handles.append(int(gdb.newest_frame().read_register("fs_base")))
    except (gdb.error, ValueError):
        pass
    return lwp, handles


def find_thread_state(target: Target, thread: "gdb.InferiorThread") -> Optional[int]:
    lwp, handles = _thread_keys(thread)
    for tstate in all_thread_states(target, state.runtime()):
        layout = target.layout
        if layout.has("PyThreadState.native_thread_id"):
            if target.field_ptr(tstate, "PyThreadState.native_thread_id") == lwp:
                return tstate
        if target.field_ptr(tstate, "PyThreadState.thread_id") in handles:
            return tstate
    return None


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
    return (dataclasses.replace(pyframe, is_entry=True),)


def _builtin_text(target: Target, frame: "gdb.Frame") -> str:
    try:
        func = frame.read_var("func")
        if func.is_optimized_out:
            return ""
        address = int(func)
    except (gdb.error, ValueError, RuntimeError):
        return ""
    if not address:
        return ""
    return object_repr(target, address, state.limits())


def _classify(name: Optional[str], frame: "gdb.Frame") -> str:
    if not name:
        return "other"
    if name in EVAL_FUNCTIONS and frame.type() != gdb.INLINE_FRAME:
        return "eval"
    if name.startswith("cfunction_") or name == "PyCFunction_Call":
        return "builtin"
    if name == "take_gil":
        return "gil"
    if name in GC_FUNCTIONS:
        return "gc"
    return "other"


def thread_stack(target: Target, thread: Optional["gdb.InferiorThread"] = None) -> ThreadStack:
    thread = thread or gdb.selected_thread()
    if thread is None:
        raise CpythonGdbError("no thread selected")
    key = f"stack:{thread.global_num}"
    cached = target.cache.get(key)
    if isinstance(cached, ThreadStack):
        return cached
    tstate = find_thread_state(target, thread)
    if tstate is None:
        stack = ThreadStack(thread=None, note="no Python thread state for this thread")
        target.cache[key] = stack
        return stack
    pythread = read_thread(target, tstate, state.limits())
    stack = ThreadStack(thread=pythread)
    try:
        frame: Optional[gdb.Frame] = gdb.newest_frame()
    except gdb.error:
        frame = None
    level = 0
    while frame is not None and level < _MAX_C_FRAMES:
        try:
            name = frame.name()
        except gdb.error:
            name = None
        kind = _classify(name, frame)
        cframe = CFrame(level=level, frame=frame, kind=kind)
        if kind == "builtin":
            cframe.text = _builtin_text(target, frame)
        stack.cframes.append(cframe)
        try:
            frame = frame.older()
        except gdb.error:
            break
        level += 1
    groups = _groups(pythread.frames)
    evals = [c for c in stack.cframes if c.kind == "eval"]
    if len(evals) > len(groups):
        # The newest eval-loop calls have not linked their frame into the
        # thread state yet (stopped at the function's entry) or have already
        # unlinked it (returning). Older calls are settled, so match from
        # the oldest: the extra newest C frames run no Python frame yet.
        for cframe in evals[: len(evals) - len(groups)]:
            cframe.python = _entering(target, cframe.frame)
        evals = evals[len(evals) - len(groups):]
    for cframe, group in zip(evals, groups):
        cframe.python = group
    if len(groups) > len(evals):
        stack.unplaced = tuple(f for g in groups[len(evals):] for f in g)
        if not evals:
            stack.note = "no eval-loop C frames found; Python frames are shown without C frame numbers"
    target.cache[key] = stack
    return stack


def selected_level() -> int:
    frame = gdb.selected_frame()
    level = getattr(frame, "level", None)
    if callable(level):
        return int(level())
    count = 0
    while frame is not None:
        frame = frame.newer()
        count += 1
    return count - 1
