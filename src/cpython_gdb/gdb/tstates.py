"""Which CPython thread states belong to a gdb thread (see os_threads.py).

gdb knows the LWP and, through libthread_db or the fs_base register, the
pthread_t.
"""

from typing import List, Optional, Tuple

import gdb

from ..engine.runtime.os_thread import match_thread_states
from ..engine.target import Target
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
    """Every thread state of an OS thread, the innermost interpreter's first."""
    lwp, handles = _thread_keys(thread)
    return match_thread_states(target, state.runtime_anchor(), lwp, handles)


def find_thread_state(target: Target, thread: "gdb.InferiorThread") -> Optional[int]:
    """The thread state of the innermost interpreter the thread runs in."""
    found = find_thread_states(target, thread)
    return found[0] if found else None
