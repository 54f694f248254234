"""Every thread of the target at this stop, as the report's JSON document.

Each gdb thread is selected in turn to unwind its C stack; the selection
is restored afterwards. Thread states that no gdb thread matches are
listed last, with their Python frames only.
"""

import os
import re
from typing import Any, Dict, List, Optional, Set

import gdb

from .. import __version__
from ..errors import CpythonGdbError
from ..model import PyFrame, PyThread
from ..objects import safe_object_repr
from ..report import SCHEMA_ID, SCHEMA_VERSION, Document, Entry
from ..runtime import all_thread_states, read_thread
from ..source import source_line
from ..target import Target
from ..threads import InterpreterInfo, all_interpreters, gil_status
from . import state
from .stack import ThreadStack, base_name, thread_stack
from .tstates import find_thread_states

# C functions a thread blocked on a Python-level lock is in: threading.Lock
# and RLock, the import lock (PyThread_acquire_lock_timed), and 3.13's
# PyMutex (its slow path).
LOCK_FUNCTIONS = frozenset({"PyThread_acquire_lock_timed", "_PyMutex_LockTimed", "_PyMutex_LockSlow"})
DROP_GIL = "drop_gil"


def _python_entry(target: Target, frame: PyFrame, level: Optional[int], with_locals: bool) -> Entry:
    text = source_line(frame.code.filename, frame.lineno)
    entry: Entry = {
        "kind": "python",
        "level": level,
        "function": frame.code.name,
        "qualname": frame.code.qualname,
        "file": frame.code.filename,
        "line": frame.lineno,
        "source": None if text is None else text.strip(),
        "address": frame.address,
    }
    if with_locals:
        limits = state.limits()
        entry["locals"] = [
            {"name": local.name, "kind": local.kind, "repr": safe_object_repr(target, local.address, limits)}
            for local in frame.locals
        ]
    return entry


def _native_entry(level: int, frame: "gdb.Frame") -> Entry:
    entry: Entry = {"kind": "native", "level": level, "function": None, "pc": None,
                    "file": None, "line": None, "library": None}
    try:
        entry["function"] = frame.name()
        pc = int(frame.pc())
        entry["pc"] = pc
        entry["library"] = gdb.solib_name(pc)
        sal = frame.find_sal()
        if sal.symtab is not None:
            entry["file"] = sal.symtab.filename
            entry["line"] = sal.line or None
    except (gdb.error, RuntimeError, ValueError):
        pass
    return entry


def frame_entries(target: Target, stack: ThreadStack, native: bool, with_locals: bool) -> List[Entry]:
    out: List[Entry] = []
    for cframe in stack.cframes:
        if cframe.kind == "eval" and cframe.python:
            out.extend(_python_entry(target, f, cframe.level, with_locals) for f in cframe.python)
        elif native:
            out.append(_native_entry(cframe.level, cframe.frame))
        elif cframe.kind == "eval":
            out.append({"kind": "unreadable", "level": cframe.level})
        elif cframe.kind == "builtin" and cframe.text:
            out.append({"kind": "builtin", "level": cframe.level, "repr": cframe.text})
        elif cframe.kind == "gil":
            out.append({"kind": "gil_wait", "level": cframe.level})
        elif cframe.kind == "gc":
            out.append({"kind": "gc", "level": cframe.level})
    out.extend(_python_entry(target, f, None, with_locals) for f in stack.unplaced)
    return out


def _names(stack: ThreadStack) -> Set[str]:
    names: Set[str] = set()
    for cframe in stack.cframes:
        try:
            name = cframe.frame.name()
        except gdb.error:
            continue
        if name:
            names.add(base_name(name))
    return names


class _Builder:
    def __init__(self, target: Target, native: bool, with_locals: bool) -> None:
        self.target = target
        self.native = native
        self.with_locals = with_locals
        # The main interpreter first: a thread that entered a subinterpreter
        # is named by the interpreter that started it.
        self.interps = tuple(sorted(all_interpreters(target, state.runtime()), key=lambda i: i.id))
        self.by_id: Dict[int, InterpreterInfo] = {i.id: i for i in self.interps}

    def name_of(self, pythread: PyThread) -> Optional[str]:
        for interp in self.interps:
            name = interp.thread_names.get(pythread.thread_id)
            if name is not None:
                return name
        return None

    def python_fields(self, pythread: PyThread, waiting: bool, dropping: bool) -> Entry:
        interp = self.by_id.get(pythread.interpreter_id)
        known = interp is not None and interp.gil_locked is not None
        holds = interp is not None and interp.gil_holder == pythread.tstate
        return {
            "python": True,
            "tstate": pythread.tstate,
            "ident": pythread.thread_id,
            "python_name": self.name_of(pythread),
            "interpreter_id": pythread.interpreter_id,
            "gil": gil_status(holds, waiting, dropping, known),
            "truncated": pythread.truncated_reason,
        }

    def thread(self, thread: "gdb.InferiorThread", selected: bool) -> Entry:
        stack = thread_stack(self.target, thread)
        names = _names(stack)
        entry: Entry = {
            "gdb_thread": thread.num,
            "lwp": thread.ptid[1],
            "os_name": thread.name,
            "selected": selected,
            "python": False,
            "tstate": None,
            "ident": None,
            "python_name": None,
            "interpreter_id": None,
            "gil": "unknown",
            "gc": any(c.kind == "gc" for c in stack.cframes),
            "lock_wait": bool(names & LOCK_FUNCTIONS),
            "frames": frame_entries(self.target, stack, self.native, self.with_locals),
            "truncated": None,
            "note": stack.note or None,
        }
        if stack.thread is not None:
            waiting = any(c.kind == "gil" for c in stack.cframes)
            entry.update(self.python_fields(stack.thread, waiting, DROP_GIL in names))
        return entry

    def unreadable(self, thread: "gdb.InferiorThread", selected: bool, reason: str) -> Entry:
        return {"gdb_thread": thread.num, "lwp": thread.ptid[1], "os_name": thread.name, "selected": selected,
                "python": False, "tstate": None, "ident": None, "python_name": None, "interpreter_id": None,
                "gil": "unknown", "gc": False, "lock_wait": False, "frames": [], "truncated": None,
                "note": f"cannot read its Python state: {reason}"}

    def orphan(self, tstate: int) -> Entry:
        pythread = read_thread(self.target, tstate, state.limits())
        entry: Entry = {
            "gdb_thread": None, "lwp": pythread.native_thread_id, "os_name": None, "selected": False,
            "gc": False, "lock_wait": False,
            "frames": [_python_entry(self.target, f, None, self.with_locals) for f in pythread.frames],
            "note": "no OS thread of the target matches this thread state",
        }
        entry.update(self.python_fields(pythread, False, False))
        return entry

    def interpreter(self, interp: InterpreterInfo, threads: List[Entry]) -> Entry:
        holder = None
        for thread in threads:
            if interp.gil_holder and thread["tstate"] == interp.gil_holder:
                holder = thread["gdb_thread"]
        return {
            "id": interp.id,
            "gil": {"locked": interp.gil_locked, "holder_thread": holder},
            "gc_collecting": interp.gc_collecting,
        }


def _target_fields() -> Entry:
    inferior = gdb.selected_inferior()
    connection = getattr(inferior, "connection", None)
    kind = "core" if connection is not None and connection.type == "core" else "process"
    progspace = gdb.current_progspace()
    executable = progspace.filename if progspace is not None else None
    return {"kind": kind, "pid": inferior.pid or None, "core": _core_file() if kind == "core" else None,
            "executable": os.path.abspath(executable) if executable else None}


def _core_file() -> Optional[str]:
    try:
        text = gdb.execute("info target", to_string=True)
    except gdb.error:
        return None
    found = re.search(r"core dump file:\s*`(.+?)', file type", text)
    return os.path.abspath(found.group(1)) if found else None


def _select(thread: "Optional[gdb.InferiorThread]", frame: "Optional[gdb.Frame]") -> None:
    try:
        if thread is not None and thread.is_valid():
            thread.switch()
        if frame is not None and frame.is_valid():
            frame.select()
    except gdb.error:
        pass


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
        _select(selected, frame)
    for tstate in all_thread_states(target, state.runtime()):
        if tstate not in matched:
            try:
                threads.append(builder.orphan(tstate))
            except CpythonGdbError:
                continue
    layout = target.layout
    major, minor, micro = layout.version
    doc: Dict[str, Any] = {
        "schema": SCHEMA_ID,
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "cpython-gdb", "version": __version__},
        "target": _target_fields(),
        "python": {"version": f"{major}.{minor}" + (f".{micro}" if micro >= 0 else ""),
                   "layout": layout.source},
        "options": {"native": native, "locals": with_locals},
        "interpreters": [builder.interpreter(i, threads) for i in builder.interps],
        "threads": threads,
    }
    return doc
