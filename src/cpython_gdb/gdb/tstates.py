"""Which CPython thread states belong to a gdb thread (see engine/runtime/os_thread.py).

gdb knows the LWP and, through libthread_db or the fs_base register, the
pthread_t. Where the target has more than one interpreter, the thread
states are matched to threads by what lies on each thread's stack, which
needs every thread's stack pointer: each thread is selected once a stop to
read its registers, and the selection is restored.
"""

from typing import List, Optional, Tuple

import gdb

from ..engine.runtime.os_thread import (
    OsThreadKeys,
    assign_thread_states,
    match_thread_states,
    several_interpreters,
)
from ..engine.target import Target
from . import state
from .stop import stop_state


def _register(frame: "gdb.Frame", name: str) -> Optional[int]:
    try:
        return int(frame.read_register(name))
    except (gdb.error, ValueError):
        return None


def _thread_keys(thread: "gdb.InferiorThread") -> OsThreadKeys:
    """What identifies a gdb thread, and where its stack is: the thread must be the selected one."""
    handles: List[int] = []
    try:
        handles.append(int.from_bytes(thread.handle(), "little"))
    except (gdb.error, AttributeError, TypeError, RuntimeError):  # RuntimeError: no libthread_db
        pass
    sp = tls = None
    try:
        newest = gdb.newest_frame()
    except gdb.error:
        newest = None
    if newest is not None:
        # On x86-64 glibc, pthread_self() is the thread pointer in fs_base.
        tls = _register(newest, "fs_base")
        sp = _register(newest, "sp")
    if tls is not None:
        handles.append(tls)
    return OsThreadKeys(thread.ptid[1], tuple(handles), sp, tls)


def restore_selection(thread: "Optional[gdb.InferiorThread]", frame: "Optional[gdb.Frame]") -> None:
    try:
        if thread is not None and thread.is_valid():
            thread.switch()
        if frame is not None and frame.is_valid():
            frame.select()
    except gdb.error:
        pass


def _every_thread(target: Target) -> List[Tuple[int, OsThreadKeys]]:
    """(global number, keys) of every thread of the inferior, once a stop."""
    known = stop_state(target).os_threads
    if known is not None:
        return known
    selected = gdb.selected_thread()
    try:
        frame: Optional[gdb.Frame] = gdb.selected_frame()
    except gdb.error:
        frame = None
    found: List[Tuple[int, OsThreadKeys]] = []
    try:
        for thread in sorted(gdb.selected_inferior().threads(), key=lambda t: t.num):
            thread.switch()
            found.append((thread.global_num, _thread_keys(thread)))
    finally:
        restore_selection(selected, frame)
    stop_state(target).os_threads = found
    return found


def find_thread_states(target: Target, thread: "gdb.InferiorThread") -> List[int]:
    """Every thread state of an OS thread, the one running its newest frames first (the selected thread)."""
    runtime = state.runtime_anchor()
    if not several_interpreters(target, runtime):
        keys = _thread_keys(thread)
        return match_thread_states(target, runtime, keys.lwp, keys.handles)
    every = _every_thread(target)
    assigned = assign_thread_states(target, runtime, [keys for _, keys in every])
    for (number, _), tstates in zip(every, assigned):
        if number == thread.global_num:
            return tstates
    return []


def find_thread_state(target: Target, thread: "gdb.InferiorThread") -> Optional[int]:
    """The thread state running the thread's newest frames."""
    found = find_thread_states(target, thread)
    return found[0] if found else None
