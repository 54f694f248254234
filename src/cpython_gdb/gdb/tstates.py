"""Which CPython thread states belong to a gdb thread.

A thread state records its OS thread as pthread_t (thread_id) and, from
3.11, as the kernel's id (native_thread_id); gdb knows the LWP and, through
libthread_db or the fs_base register, the pthread_t.
"""

from typing import List, Optional, Tuple

import gdb

from ..memory import read_i64
from ..runtime import interpreters, thread_states
from ..target import Target
from . import state


def _thread_keys(thread: "gdb.InferiorThread") -> Tuple[int, List[int]]:
    """The LWP of a gdb thread and the pthread_t values it may go by."""
    lwp = thread.ptid[1]
    handles: List[int] = []
    try:
        handles.append(int.from_bytes(thread.handle(), "little"))
    except (gdb.error, AttributeError, TypeError, RuntimeError):  # RuntimeError: no libthread_db
        pass
    try:
        # On x86-64 glibc, pthread_self() is the thread pointer in fs_base.
        handles.append(int(gdb.newest_frame().read_register("fs_base")))
    except (gdb.error, ValueError):
        pass
    return lwp, handles


def find_thread_states(target: Target, thread: "gdb.InferiorThread") -> List[int]:
    """Every thread state of an OS thread, the innermost interpreter's first.

    A thread that runs code in a subinterpreter (run_string,
    Py_NewInterpreter) has a thread state in each interpreter it entered.
    Its newest frames belong to the one entered last, taken to be the
    interpreter created last: the one with the highest id.
    """
    lwp, handles = _thread_keys(thread)
    layout = target.layout
    found: List[Tuple[int, int]] = []
    for interp in interpreters(target, state.runtime()):
        ident = read_i64(target.reader, interp + layout.off("PyInterpreterState.id"))
        for tstate in thread_states(target, interp):
            if layout.has("PyThreadState.native_thread_id"):
                if target.field_ptr(tstate, "PyThreadState.native_thread_id") == lwp:
                    found.append((ident, tstate))
                    continue
            if target.field_ptr(tstate, "PyThreadState.thread_id") in handles:
                found.append((ident, tstate))
    found.sort(key=lambda pair: -pair[0])
    return [tstate for _, tstate in found]


def find_thread_state(target: Target, thread: "gdb.InferiorThread") -> Optional[int]:
    """The thread state of the innermost interpreter the thread runs in."""
    found = find_thread_states(target, thread)
    return found[0] if found else None
