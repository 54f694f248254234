"""From _PyRuntime to interpreters, thread states and their frames."""

from __future__ import annotations

from ...errors import CorruptObject, CpythonGdbError
from ..frames.walk import walk_frames
from ..limits import Limits
from ..memory import read_i64
from ..model import PyThread
from ..target import Target
from .anchor import Runtime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator, List, Optional, Set

_MAX_LIST = 10_000


def _chain(t: Target, first: int, next_key: str) -> Iterator[int]:
    seen: Set[int] = set()
    node = first
    while node:
        if node in seen or len(seen) >= _MAX_LIST:
            raise CorruptObject(f"{next_key} list loops")
        seen.add(node)
        yield node
        node = t.field_ptr(node, next_key)


def interpreters(t: Target, runtime: Runtime) -> Iterator[int]:
    """Every interpreter, the newest first (each new one is pushed at the head)."""
    if t.scheme.runtime == "statics":
        head = t.ptr(runtime.address)  # the static interp_head itself
    else:
        head = t.field_ptr(runtime.address, "_PyRuntimeState.interpreters_head")
    return _chain(t, head, "PyInterpreterState.next")


def interpreter_id(t: Target, interp: int) -> int:
    """The interpreter's id: 0 for the main one, then counting up as they were made."""
    if t.layout.has("PyInterpreterState.id"):
        return read_i64(t.reader, interp + t.layout.off("PyInterpreterState.id"))
    # 2.7 and 3.6 number no interpreter (3.7 does, bpo-29102): count the
    # ones made before it, which follow it in the list, as 3.7 would.
    return sum(1 for _ in _chain(t, t.field_ptr(interp, "PyInterpreterState.next"), "PyInterpreterState.next"))


def thread_states(t: Target, interp: int) -> Iterator[int]:
    head = t.field_ptr(interp, "PyInterpreterState.threads_head")
    return _chain(t, head, "PyThreadState.next")


def all_thread_states(t: Target, runtime: Runtime) -> List[int]:
    return [ts for interp in interpreters(t, runtime) for ts in thread_states(t, interp)]


def innermost_frame(t: Target, tstate: int) -> int:
    if t.layout.has("PyThreadState.cframe") and t.layout.has("_PyCFrame.current_frame"):
        # 3.11 and 3.12 keep it in the C-stack record tstate->cframe.
        cframe = t.field_ptr(tstate, "PyThreadState.cframe")
        return t.field_ptr(cframe, "_PyCFrame.current_frame") if cframe else 0
    return t.field_ptr(tstate, "PyThreadState.current_frame")


def read_thread(t: Target, tstate: int, limits: Limits) -> PyThread:
    lay = t.layout
    native: Optional[int] = None
    if lay.has("PyThreadState.native_thread_id"):
        native = t.field_ptr(tstate, "PyThreadState.native_thread_id")
    interp = t.field_ptr(tstate, "PyThreadState.interp")
    interp_id = -1
    try:
        interp_id = interpreter_id(t, interp)
    except CpythonGdbError:
        pass
    frames, reason = walk_frames(t, innermost_frame(t, tstate), limits.max_frames)
    return PyThread(
        tstate=tstate,
        thread_id=t.field_ptr(tstate, "PyThreadState.thread_id"),
        native_thread_id=native,
        interpreter_id=interp_id,
        frames=frames,
        truncated_reason=reason,
    )
