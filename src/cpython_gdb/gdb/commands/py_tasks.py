"""py-tasks: every asyncio task, where it is suspended, what it awaits and who awaits it."""

import time
from typing import Dict, List, Optional

import gdb

from ...engine.report.tasks import task_lines, tasks_section, tree_lines
from ...engine.runtime.tstate import read_thread
from ...engine.target import Target
from ...errors import CpythonGdbError
from .. import state
from ..snapshot import is_core
from ..tstates import find_thread_states
from .base import PyCommand, argv, write


def _frame_owners(target: Target) -> Dict[int, Optional[int]]:
    """Python frame address -> LWP of the thread running it (gdb's threads, the selection restored)."""
    owners: Dict[int, Optional[int]] = {}
    selected = gdb.selected_thread()
    try:
        frame: Optional[gdb.Frame] = gdb.selected_frame()
    except gdb.error:
        frame = None
    limits = state.limits()
    try:
        for thread in gdb.selected_inferior().threads():
            try:
                thread.switch()
                for tstate in find_thread_states(target, thread):
                    for pyframe in read_thread(target, tstate, limits).frames:
                        owners[pyframe.address] = thread.ptid[1]
            except (CpythonGdbError, gdb.error):
                continue
    finally:
        try:
            if selected is not None and selected.is_valid():
                selected.switch()
            if frame is not None and frame.is_valid():
                frame.select()
        except gdb.error:
            pass
    return owners


class PyTasks(PyCommand):
    """Print every asyncio task: its state, coroutine stack, what it awaits and who awaits it.

Usage: py-tasks [--tree]

Tasks of every event loop of the process (all threads), found without
running code in it. For each task: its address and name; its state
(pending, running on which thread, done, cancelled, failed with which
exception); its coroutine stack, most recent call first; what it waits
for (a task, a gather's tasks, a TaskGroup, asyncio.sleep with the time
left, a Lock, Event, Condition, Semaphore or Queue, a Future); the tasks
awaiting it. Await cycles are found and printed as such.
--tree prints the await graph as `python -m asyncio pstree` (3.14) does.
At most `set cpython max-tasks` tasks (10000) are listed."""

    name = "py-tasks"
    takes_arguments = True

    def run(self, argument: str) -> None:
        words = argv(argument)
        unknown = [w for w in words if w != "--tree"]
        if unknown:
            raise gdb.GdbError(f"py-tasks: unknown option {unknown[0]!r} (expected --tree)")
        target = state.current_target()
        # asyncio's clock is time.monotonic(), the same for gdb on the same machine.
        now = None if is_core() else time.monotonic()
        tasks, cycles, notes = tasks_section(target, state.runtime_anchor(), state.limits(), _frame_owners(target),
                                             now)
        lines: List[str] = (tree_lines if "--tree" in words else task_lines)(tasks, cycles, notes)
        for line in lines:
            write(line)
