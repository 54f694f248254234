"""The report's entries (docs/dump-schema.json), built from memory and C stacks: the model every command prints.

Every command and ``dump`` go the same way: the decoders' records (a
thread, its Python frames, their locals) and a backend's C stack
(:class:`~..cstack.frame.ThreadStack`) become entries here, and text.py
turns entries into text (``json`` into JSON). Both snapshots fill the
whole document through :class:`DocumentBuilder`: the gdb adapter's
(gdb/snapshot.py), with what the C stack tells (frame levels, GIL waits,
locks, the collector, built-in calls), and the gdb-free one
(direct/documents.py), from memory only.
"""

from __future__ import annotations

from ... import __version__
from ...errors import CpythonGdbError
from ..frames.walk import frame_locals
from ..limits import Limits
from ..model import PyFrame, PyThread
from ..runtime.anchor import Runtime
from ..runtime.interpreter import InterpreterInfo, all_interpreters, gil_status
from ..runtime.tstate import read_thread
from ..target import Target
from .source import clip_line, source_lines
from .text import SCHEMA_ID, SCHEMA_VERSION

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence

    from ..cstack.frame import CFrame, ThreadStack
    from .text import Document, Entry

NO_OS_THREAD = "no OS thread of the target matches this thread state"


if TYPE_CHECKING:
    SourceCache = Dict[str, Optional[List[str]]]


def python_entry(target: Target, frame: PyFrame, level: Optional[int], with_locals: bool,
                 limits: Limits, sources: Optional[SourceCache] = None, with_source: bool = True) -> Entry:
    """``sources``: the files' lines read so far for this document (each file is read once).
    ``with_source``: False for an entry whose source line will not be shown (py-locals)."""
    code = frame.code
    lineno = frame.lineno
    text = None
    if with_source and lineno is not None and lineno >= 1:
        if sources is None:
            lines = source_lines(code.filename)
        elif code.filename in sources:
            lines = sources[code.filename]
        else:
            lines = sources[code.filename] = source_lines(code.filename)
        if lines is not None and lineno <= len(lines):
            text = lines[lineno - 1]
    entry: Entry = {
        "kind": "python",
        "level": level,
        "function": code.name,
        "qualname": code.qualname,
        "file": code.filename,
        "line": lineno,
        "source": None if text is None else clip_line(text.strip(), limits.max_source_line),
        "address": frame.address,
    }
    if with_locals:
        try:
            local_vars = frame_locals(target, frame)
        except CpythonGdbError as exc:
            local_vars = ()  # the frame is shown; its slots are not readable
            entry["locals_error"] = str(exc)
        from ..objects.dispatch import safe_object_repr  # only here: dump without --locals shows no object

        entry["locals"] = [
            {"name": local.name, "kind": local.kind, "repr": safe_object_repr(target, local.address, limits)}
            for local in local_vars
        ]
    return entry


def native_entry(cframe: CFrame) -> Entry:
    function, pc, file, line, library = cframe.native()
    return {"kind": "native", "level": cframe.level, "function": function, "pc": pc,
            "file": file, "line": line, "library": library}


def stack_entries(target: Target, stack: ThreadStack, native: bool, with_locals: bool, limits: Limits,
                  sources: Optional[SourceCache] = None) -> List[Entry]:
    """A thread's frame entries, newest first: its Python frames where the eval loop runs them.

    ``native``: every C frame, the eval loop's replaced by the Python frames
    they run; otherwise only the C frames py-bt names.
    """
    from ..cstack import kinds  # here: the gdb-free dump has no C frames, and imports stay lean

    # Where one call passes through two functions of its kind, each a frame
    # (3.6's _PyCFunction_FastCallKeywords calls _PyCFunction_FastCallDict,
    # 3.7's collect_with_callback calls collect), the inner one shows it, as
    # CPython's own python-gdb.py shows it.
    once = (kinds.BUILTIN, kinds.GC)
    out: List[Entry] = []
    newer = kinds.OTHER  # the kind of the frame before
    for cframe in stack.cframes:
        kind = cframe.kind
        repeated, newer = kind == newer, kind
        if repeated and kind in once and not native:
            continue
        if kind == kinds.EVAL and cframe.python:
            out.extend(python_entry(target, f, cframe.level, with_locals, limits, sources) for f in cframe.python)
        elif native:
            out.append(native_entry(cframe))
        elif kind == kinds.EVAL:
            out.append({"kind": "unreadable", "level": cframe.level})
        elif kind == kinds.BUILTIN and cframe.text:
            out.append({"kind": "builtin", "level": cframe.level, "repr": cframe.text})
        elif kind == kinds.GIL:
            out.append({"kind": "gil_wait", "level": cframe.level})
        elif kind == kinds.GC:
            out.append({"kind": "gc", "level": cframe.level})
    out.extend(python_entry(target, f, None, with_locals, limits, sources) for f in stack.unplaced)
    return out


def thread_entry(number: Optional[int], lwp: Optional[int], os_name: Optional[str], selected: bool) -> Entry:
    """A thread with no Python state yet: every field the schema requires."""
    return {"gdb_thread": number, "lwp": lwp, "os_name": os_name, "selected": selected, "python": False,
            "tstate": None, "ident": None, "python_name": None, "interpreter_id": None, "gil": "unknown",
            "gc": False, "lock_wait": False, "frames": [], "truncated": None, "note": None}


class DocumentBuilder:
    def __init__(self, target: Target, runtime: Runtime, limits: Limits, with_locals: bool) -> None:
        self.target = target
        self.runtime = runtime
        self.limits = limits
        self.with_locals = with_locals
        # The main interpreter first: a thread that entered a subinterpreter
        # is named by the interpreter that started it.
        self.interps = tuple(sorted(all_interpreters(target, runtime), key=lambda i: i.id))
        self.by_id: Dict[int, InterpreterInfo] = {i.id: i for i in self.interps}
        self.sources: SourceCache = {}  # source files read for this document

    def name_of(self, pythread: PyThread) -> Optional[str]:
        for interp in self.interps:
            name = interp.thread_names.get(pythread.thread_id)
            if name is not None:
                return name
        return None

    def python_frames(self, frames: Sequence[PyFrame], level: Optional[int] = None) -> List[Entry]:
        return [python_entry(self.target, f, level, self.with_locals, self.limits, self.sources) for f in frames]

    def python_fields(self, pythread: PyThread, waiting: bool, dropping: bool) -> Entry:
        """What a thread's Python state says; ``waiting``/``dropping``: what its C stack says of the GIL."""
        interp = self.by_id.get(pythread.interpreter_id)
        known = interp is not None and interp.gil_locked is not None
        holds = interp is not None and interp.gil_holder == pythread.tstate
        enabled = interp is None or interp.gil_enabled
        return {
            "python": True,
            "tstate": pythread.tstate,
            "ident": pythread.thread_id,
            "python_name": self.name_of(pythread),
            "interpreter_id": pythread.interpreter_id,
            "gil": gil_status(holds, waiting, dropping, known, enabled),
            "truncated": pythread.truncated_reason,
        }

    def orphan(self, tstate: int) -> Entry:
        """A thread state that no OS thread of the target matches."""
        pythread = read_thread(self.target, tstate, self.limits)
        entry = thread_entry(None, pythread.native_thread_id, None, False)
        entry["frames"] = self.python_frames(pythread.frames)
        entry["note"] = NO_OS_THREAD
        entry.update(self.python_fields(pythread, False, False))
        return entry

    def interpreter(self, interp: InterpreterInfo, threads: List[Entry]) -> Entry:
        holder = None
        for thread in threads:
            if interp.gil_holder and thread["tstate"] == interp.gil_holder:
                holder = thread["gdb_thread"]
        return {
            "id": interp.id,
            "gil": {"locked": interp.gil_locked, "holder_thread": holder, "enabled": interp.gil_enabled},
            "gc_collecting": interp.gc_collecting,
        }

    def document(self, target_fields: Entry, backend: str, native: bool, threads: List[Entry]) -> Document:
        major, minor, micro = self.target.layout.version
        return {
            "schema": SCHEMA_ID,
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "cpython-gdb", "version": __version__, "backend": backend},
            "target": target_fields,
            "python": {"version": f"{major}.{minor}" + (f".{micro}" if micro >= 0 else ""),
                       "layout": self.target.layout.source,
                       "free_threaded": self.target.scheme.free_threaded},
            "options": {"native": native, "locals": self.with_locals},
            "interpreters": [self.interpreter(i, threads) for i in self.interps],
            "threads": threads,
            "notes": list(self.target.notes),
        }
