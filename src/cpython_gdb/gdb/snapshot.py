"""Every thread of the target at this stop, as the report's JSON document.

What memory alone says is filled in by document.py; this adds what the C
stacks say. Each gdb thread is selected in turn to unwind its C stack;
the selection is restored afterwards. Thread states that no gdb thread matches are
listed last, with their Python frames only.
"""

from __future__ import annotations

import os
import re
from typing import List, Optional, Set

import gdb

from ..direct.procfs import as_seen_by
from ..engine.asyncio.current import add_running_tasks
from ..engine.cstack.kinds import Conditions
from ..engine.report.document import DocumentBuilder, stack_entries, thread_entry
from ..engine.report.text import render
from ..engine.runtime.tstate import all_thread_states
from ..engine.target import Target
from ..errors import CpythonGdbError
from . import state
from .stack import thread_stack
from .stop import stop_state
from .tstates import find_thread_states, restore_selection

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..engine.report.text import Document, Entry


class _Builder(DocumentBuilder):
    def __init__(self, target: Target, native: bool, with_locals: bool) -> None:
        super().__init__(target, state.runtime_anchor(), state.limits(), with_locals)
        self.native = native

    def thread(self, thread: "gdb.InferiorThread", selected: bool) -> Entry:
        stack = thread_stack(self.target, thread, whole=self.native)
        says = Conditions(stack.cframes)
        entry = thread_entry(thread.num, thread.ptid[1], thread.name, selected)
        entry.update({
            "gc": says.gc,
            "lock_wait": says.lock_wait,
            "frames": stack_entries(self.target, stack, self.native, self.with_locals, self.limits, self.sources),
            "note": stack.note or None,
        })
        if stack.thread is not None:
            entry.update(self.python_fields(stack.thread, says.gil_wait, says.gil_drop))
        return entry

    def unreadable(self, thread: "gdb.InferiorThread", selected: bool, reason: str) -> Entry:
        entry = thread_entry(thread.num, thread.ptid[1], thread.name, selected)
        entry["note"] = f"cannot read its Python state: {reason}"
        return entry


def is_core() -> bool:
    """Whether the selected inferior is a core file (not a live process)."""
    return state.is_core(gdb.selected_inferior())


def _target_fields() -> Entry:
    inferior = gdb.selected_inferior()
    kind = "core" if state.is_core(inferior) else "process"
    progspace = gdb.current_progspace()
    executable = progspace.filename if progspace is not None else None
    if executable:
        # gdb names a file of a process in another mount namespace "target:PATH".
        if executable.startswith(state.TARGET_PREFIX):
            executable = executable[len(state.TARGET_PREFIX):]
        executable = os.path.abspath(executable)
        if kind == "process" and inferior.pid and state.is_native(inferior):
            executable = as_seen_by(inferior.pid, executable)
    return {"kind": kind, "pid": inferior.pid or None, "core": _core_file() if kind == "core" else None,
            "executable": executable or None}


def _core_file() -> Optional[str]:
    try:
        text = gdb.execute("info target", to_string=True)
    except gdb.error:
        return None
    found = re.search(r"core dump file:\s*`(.+?)', file type", text)
    return os.path.abspath(found.group(1)) if found else None


def report_lines(native: bool, with_locals: bool) -> List[str]:
    """The text of py-threads (and py-bt -a): every thread at this stop."""
    return render(snapshot(native=native, with_locals=with_locals))


def snapshot(native: bool = False, with_locals: bool = False) -> Document:
    """The report document of the selected inferior at this stop."""
    target = state.current_target()
    builder = _Builder(target, native, with_locals)
    selected = gdb.selected_thread()
    try:
        frame: Optional[gdb.Frame] = gdb.selected_frame()
    except gdb.error:
        frame = None
    threads: List[Entry] = []
    matched: Set[int] = set()
    try:
        for thread in sorted(gdb.selected_inferior().threads(), key=lambda t: t.num):
            thread.switch()
            try:
                threads.append(builder.thread(thread, thread == selected))
                matched.update(find_thread_states(target, thread))
            except CpythonGdbError as exc:
                threads.append(builder.unreadable(thread, thread == selected, str(exc)))
    finally:
        restore_selection(selected, frame)
    for tstate in all_thread_states(target, state.runtime_anchor()):
        if tstate not in matched:
            try:
                threads.append(builder.orphan(tstate))
            except CpythonGdbError:
                continue
    doc = builder.document(_target_fields(), "gdb", native, threads)
    add_running_tasks(target, state.runtime_anchor(), threads)
    stop_state(target).told = len(target.notes)  # the report says them
    return doc
