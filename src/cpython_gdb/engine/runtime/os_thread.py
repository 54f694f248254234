"""Which CPython thread states belong to an OS thread, and its one Python stack.

A thread state records its OS thread as pthread_t (``thread_id``) and,
from 3.11, as the kernel's id (``native_thread_id``). A debugger knows the
LWP and the pthread_t (on x86-64 glibc, the fs_base register). A thread
that runs code in a subinterpreter (run_string, Py_NewInterpreter) has a
thread state in each interpreter it entered; its newest frames belong to
the one entered last, taken to be the interpreter created last: the one
with the highest id.
"""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..limits import Limits
from ..model import PyThread
from ..record import replace
from ..target import Target
from .anchor import Runtime
from .tstate import interpreter_id, read_thread, runtime_lists

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Sequence, Tuple


def _index(target: Target, runtime: Runtime) -> List[Tuple[int, int, int, int]]:
    """(interpreter id, thread state, native thread id or -1, pthread_t) of every thread state, once a stop."""
    cached = target.tstate_index.get(runtime.address)
    if cached is not None:
        return cached
    native = target.layout.has("PyThreadState.native_thread_id")
    index: List[Tuple[int, int, int, int]] = []
    for interp, tstates in runtime_lists(target, runtime):
        ident = interpreter_id(target, interp)
        for tstate in tstates:
            try:
                lwp = target.field_ptr(tstate, "PyThreadState.native_thread_id") if native else -1
                pthread = target.field_ptr(tstate, "PyThreadState.thread_id")
            except CpythonGdbError:
                continue  # its own fields are unreadable: no OS thread can be matched to it
            index.append((ident, tstate, lwp, pthread))
    target.tstate_index[runtime.address] = index
    return index


def match_thread_states(target: Target, runtime: Runtime, lwp: int, handles: Sequence[int]) -> List[int]:
    """Every thread state of the OS thread ``lwp`` (pthread_t one of ``handles``), innermost interpreter first."""
    found = [(ident, tstate) for ident, tstate, native, pthread in _index(target, runtime)
             if native == lwp or pthread in handles]
    found.sort(key=lambda pair: -pair[0])
    return [tstate for _, tstate in found]


def read_os_thread(target: Target, tstates: Sequence[int], limits: Limits) -> PyThread:
    """One PyThread for all the thread states of an OS thread, newest frames first."""
    pythread = read_thread(target, tstates[0], limits)
    for outer in tstates[1:]:
        more = read_thread(target, outer, limits)
        pythread = replace(
            pythread,
            frames=pythread.frames + more.frames,
            truncated_reason=pythread.truncated_reason or more.truncated_reason,
        )
    return pythread
