"""The report document of a live process or a core file, without gdb.

The same document as gdb/snapshot.py's (docs/dump-schema.json, with
``tool.backend`` "direct"), from memory alone: /proc/PID/mem while every
thread is held stopped (live.py), or the core and its mapped files
(core.py). What only C frames tell is left out:

- frame ``level`` is null, and there are no ``gil_wait``, ``gc``,
  ``builtin`` or ``unreadable`` frame entries;
- ``gil`` is "held" or "not held" (a thread waiting for the GIL, or
  dropping it, is "not held");
- ``gc`` and ``lock_wait`` are null (not known).

Threads are numbered as gdb numbers them: a process's main thread first,
then the others as /proc lists them; a core's in the order of its notes.
"""

from __future__ import annotations

import os
import time

from ..engine.asyncio.current import add_running_tasks
from ..engine.layout import choose_layout
from ..engine.limits import DEFAULT_LIMITS, Limits
from ..engine.memory import CachedReader
from ..engine.record import frozen
from ..engine.report.document import DocumentBuilder, thread_entry
from ..engine.runtime.os_thread import match_thread_states, read_os_thread
from ..engine.runtime.tstate import all_thread_states
from ..engine.target import Target
from ..errors import CpythonGdbError
from .live import ProcessMemory, mapped_ranges, process_mappings, stopped
from .symbols import FoundRuntime, Mapping, find_runtime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Sequence, Set, Tuple

    from ..engine.elf.corefile import CoreFile
    from ..engine.memory import Reader
    from ..engine.report.text import Document, Entry

BACKEND = "direct"
NO_TSTATE = "no Python thread state for this thread"


@frozen
class OsThread:
    lwp: int
    name: Optional[str]
    handles: Tuple[int, ...]  # the pthread_t it may go by


def _thread(builder: DocumentBuilder, number: int, thread: OsThread, matched: Set[int]) -> Entry:
    entry = thread_entry(number, thread.lwp, thread.name, number == 1)
    entry.update({"gc": None, "lock_wait": None})
    target = builder.target
    try:
        tstates = match_thread_states(target, builder.runtime, thread.lwp, thread.handles)
        if not tstates:
            entry["note"] = NO_TSTATE
            return entry
        pythread = read_os_thread(target, tstates, builder.limits)
        matched.update(tstates)
        entry["frames"] = builder.python_frames(pythread.frames)
        entry.update(builder.python_fields(pythread, False, False))
    except CpythonGdbError as exc:
        entry["note"] = f"cannot read its Python state: {exc}"
    return entry


def build(reader: Reader, found: FoundRuntime, threads: Sequence[OsThread], target_fields: Entry,
          with_locals: bool, limits: Limits = DEFAULT_LIMITS, tasks: bool = False,
          now: Optional[float] = None) -> Tuple[Document, Optional[str]]:
    """The document of a stopped target, and the layout's warning (or None).

    ``tasks``: add the asyncio tasks (``tasks`` and ``cycles``); ``now``:
    the loop clock's time for a live process, None for a core.
    """
    cached = CachedReader(reader)
    major, minor, micro, release = found.version
    layout = choose_layout((major, minor, micro), cached, found.runtime.address, release=release)
    target = Target(cached, layout)
    builder = DocumentBuilder(target, found.runtime, limits, with_locals)
    matched: Set[int] = set()
    entries = [_thread(builder, number, thread, matched) for number, thread in enumerate(threads, 1)]
    for tstate in all_thread_states(target, found.runtime):
        if tstate not in matched:
            try:
                entries.append(builder.orphan(tstate))
            except CpythonGdbError:
                continue
    doc = builder.document(target_fields, BACKEND, False, entries)
    add_running_tasks(target, found.runtime, entries)
    if tasks:
        from ..engine.report.tasks import add_tasks  # only with --tasks

        add_tasks(doc, target, found.runtime, limits, now, builder.sources)
    return doc, layout.warning


def _with_executable(mappings: List[Mapping], executable: Optional[str], disk: Optional[str]) -> List[Mapping]:
    if disk is None:
        return mappings
    return [Mapping(m.start, m.end, m.offset, m.name, (disk,)) if m.name == executable else m for m in mappings]


def process_document(pid: int, with_locals: bool, exe: Optional[str] = None,
                     tasks: bool = False) -> Tuple[Document, Optional[str]]:
    """A live process's document; its threads are stopped only while it is read."""
    mappings, executable = process_mappings(pid)
    mappings = _with_executable(mappings, executable, exe)
    with ProcessMemory(pid) as memory:
        # Found before anything is stopped: a process without Python is
        # left alone. Its reads are at the mapped files' symbols, never at
        # a pointer read from the target.
        runtime = find_runtime(memory, mappings, executable)
        fields = {"kind": "process", "pid": pid, "core": None, "executable": executable}
        with stopped(pid) as held:
            # From here on pointers read from the target are followed: only
            # into what it has mapped (listed now, as it can map no more).
            memory.mapped = mapped_ranges(pid)
            threads = [OsThread(t.lwp, t.name, () if t.fs_base is None else (t.fs_base,)) for t in held.threads]
            # asyncio's clock is time.monotonic(), the same on the whole machine.
            now = time.monotonic() if tasks else None
            return build(memory, runtime, threads, fields, with_locals, tasks=tasks, now=now)


def core_document(core: "CoreFile", exe: str, name: Optional[str], with_locals: bool,
                  tasks: bool = False) -> Tuple[Document, Optional[str]]:
    """A core file's document; ``exe``: the executable on disk, ``name``: as the core names it
    (both from :meth:`CoreFile.executable`)."""
    from .core import CoreMemory, core_mappings  # not needed for a live process

    mappings = core_mappings(core, name, exe)
    with CoreMemory(core, mappings) as memory:
        runtime = find_runtime(memory, mappings, name)
        fields = {"kind": "core", "pid": core.pid, "core": os.path.abspath(core.path),
                  "executable": os.path.abspath(exe)}
        threads = [OsThread(t.lwp, None, () if t.fs_base is None else (t.fs_base,)) for t in core.threads]
        return build(memory, runtime, threads, fields, with_locals, tasks=tasks)
