"""From _PyRuntime to interpreters, thread states and their frames."""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..frames.walk import walk_frames
from ..limits import Limits
from ..memory import read_i64
from ..model import PyThread
from ..target import Target
from .anchor import Runtime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Set, Tuple

    # Each interpreter with its thread states, in the runtime's list order.
    Lists = Tuple[Tuple[int, Tuple[int, ...]], ...]

_MAX_LIST = 10_000


def _chain(t: Target, first: int, next_key: str, what: str, note: bool = True) -> List[int]:
    """The nodes of the linked list ``what`` from ``first``, as far as it can be trusted.

    A node met again (a loop), a node whose link cannot be read, or more
    nodes than any process has ends the walk there: the nodes before are
    kept, and a note on the Target says where the list broke. One broken
    thread state must not hide the others, nor stop a command about a
    thread that can be read.
    """
    nodes: List[int] = []
    seen: Set[int] = set()
    notes = t.notes if note else []
    node = first
    while node:
        if node in seen:
            notes.append(f"the {what} loops ({nodes[-1]:#x} links back to {node:#x}): read up to there")
            break
        if len(nodes) >= _MAX_LIST:
            notes.append(f"the {what} is longer than {_MAX_LIST}: read up to there")
            break
        try:
            link = t.field_ptr(node, next_key)
        except CpythonGdbError:
            notes.append(f"the {what} links to {node:#x}, which cannot be read: read up to there")
            break
        seen.add(node)
        nodes.append(node)
        node = link
    return nodes


def interpreter_id(t: Target, interp: int) -> int:
    """The interpreter's id: 0 for the main one, then counting up as they were made; -1 where it cannot be read."""
    try:
        if t.layout.has("PyInterpreterState.id"):
            return read_i64(t.reader, interp + t.layout.off("PyInterpreterState.id"))
        # 2.7 and 3.6 number no interpreter (3.7 does, bpo-29102): count the
        # ones made before it, which follow it in the list, as 3.7 would.
        # Silent: runtime_lists says once where the list breaks.
        return len(_chain(t, interp, "PyInterpreterState.next", "list of interpreters", note=False)) - 1
    except CpythonGdbError:
        return -1


def _interpreters_head(t: Target, runtime: Runtime) -> int:
    if t.scheme.runtime == "statics":
        return t.ptr(runtime.address)  # 2.7, 3.6: the static interp_head itself
    return t.field_ptr(runtime.address, "_PyRuntimeState.interpreters_head")


def runtime_lists(t: Target, runtime: Runtime) -> Lists:
    """Every interpreter and its thread states, read once a stop; what broke a list is in ``t.notes``."""
    found = t.runtime_lists.get(runtime.address)
    if found is not None:
        return found
    out = []
    # An unreadable runtime raises: nothing of the runtime can be read then.
    for interp in _chain(t, _interpreters_head(t, runtime), "PyInterpreterState.next", "list of interpreters"):
        what = f"thread-state list of interpreter {interpreter_id(t, interp)}"
        try:
            first = t.field_ptr(interp, "PyInterpreterState.threads_head")
        except CpythonGdbError:
            first = 0
            t.notes.append(f"the {what} cannot be read")
        out.append((interp, tuple(_chain(t, first, "PyThreadState.next", what))))
    found = t.runtime_lists[runtime.address] = tuple(out)
    return found


def interpreters(t: Target, runtime: Runtime) -> List[int]:
    """Every interpreter, the newest first (each new one is pushed at the head)."""
    return [interp for interp, _ in runtime_lists(t, runtime)]


def all_thread_states(t: Target, runtime: Runtime) -> List[int]:
    return [tstate for _, tstates in runtime_lists(t, runtime) for tstate in tstates]


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
    interp_id = interpreter_id(t, t.field_ptr(tstate, "PyThreadState.interp"))
    frames, reason = walk_frames(t, innermost_frame(t, tstate), limits.max_frames)
    return PyThread(
        tstate=tstate,
        thread_id=t.field_ptr(tstate, "PyThreadState.thread_id"),
        native_thread_id=native,
        interpreter_id=interp_id,
        frames=frames,
        truncated_reason=reason,
    )
