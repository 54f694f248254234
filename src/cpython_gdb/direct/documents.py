"""The report document of a live process or a core file, without gdb.

The same document as gdb/snapshot.py's (docs/dump-schema.json, with
``tool.backend`` "direct"): memory read from /proc/PID/mem while every
thread is held stopped (live.py), or from the core and its mapped files
(core.py); each thread's C stack unwound from its registers (cframes.py)
as far as the output needs (stacks.py), which tells frame levels, GIL
and lock waits and the collector, as gdb's C frames do. What needs DWARF
is left out:

- a frame ``level`` counts physical C frames: where gdb shows inlined
  calls (from DWARF) as frames, it numbers them too, and its numbers run
  ahead;
- no ``builtin`` entries: the callable of a built-in call is a C
  variable;
- native frames have no source ``file`` and ``line``;
- an eval-loop call not yet running its frame shows as ``unreadable``.

Threads are numbered as gdb numbers them: a process's main thread first,
then the others as /proc lists them; a core's in the order of its notes.
"""

from __future__ import annotations

import os
import time

from ..engine.asyncio.current import add_running_tasks
from ..engine.cstack.kinds import Conditions
from ..engine.layout import choose_layout
from ..engine.limits import DEFAULT_LIMITS, Limits
from ..engine.memory import CachedReader
from ..engine.record import frozen
from ..engine.report.document import DocumentBuilder, stack_entries, thread_entry
from ..engine.runtime.os_thread import OsThreadKeys, assign_thread_states, read_os_thread
from ..engine.runtime.tstate import all_thread_states
from ..engine.target import Target
from ..errors import CpythonGdbError
from . import vdso
from .images import Images
from .live import ProcessMemory, mapped_ranges, process_mappings, stopped
from .procfs import as_seen_by, process_root
from .registers import RSP_WORD, USER_REGS, fs_base
from .stacks import NATIVE, NO_TSTATE, Stacks
from .symbols import FoundRuntime, Mapping, find_runtime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Sequence, Set, Tuple, Union

    from ..engine.elf.corefile import CoreFile
    from ..engine.memory import Reader
    from ..engine.report.text import Document, Entry

BACKEND = "direct"


@frozen
class OsThread:
    name: Optional[str]
    registers: Optional[Tuple[int, ...]]  # its user_regs_struct (registers.py), None if unknown
    keys: OsThreadKeys  # what matches it to its thread states


def os_thread(lwp: int, name: Optional[str], registers: Optional[Tuple[int, ...]]) -> OsThread:
    # Under glibc, fs_base is the thread's pthread_t.
    base = fs_base(registers)
    sp = int(registers[RSP_WORD]) if registers is not None and len(registers) == USER_REGS else None
    return OsThread(name, registers, OsThreadKeys(lwp, () if base is None else (base,), sp, base))


class Process:
    """What the document says of the target, and where its code is.

    A plain class: a record class (engine/record.py) costs the dump's
    start-up a tenth of a millisecond to make.
    """

    __slots__ = ("fields", "mappings", "executable", "vdso")

    def __init__(self, fields: Entry, mappings: Sequence[Mapping], executable: Optional[str],
                 vdso: Optional[int] = None) -> None:
        self.fields = fields  # the document's "target"
        self.mappings = mappings
        self.executable = executable  # as mapped
        self.vdso = vdso  # the vDSO's address (vdso.py), if known


def _thread(builder: DocumentBuilder, stacks: Stacks, number: int, thread: OsThread,
            tstates: Union[List[int], CpythonGdbError], matched: Set[int]) -> Entry:
    entry = thread_entry(number, thread.keys.lwp, thread.name, number == 1)
    target = builder.target
    try:
        if isinstance(tstates, CpythonGdbError):
            raise tstates
        if not tstates:
            entry["note"] = NO_TSTATE
            return entry
        pythread = read_os_thread(target, tstates, builder.limits)
        matched.update(tstates)
        stack = stacks.thread_stack(pythread, thread.registers)
        says = Conditions(stack.cframes)
        entry.update({
            "gc": says.gc,
            "lock_wait": says.lock_wait,
            "frames": stack_entries(target, stack, stacks.detail == NATIVE, builder.with_locals, builder.limits,
                                    builder.sources),
            "note": stack.note or None,
        })
        entry.update(builder.python_fields(pythread, says.gil_wait, says.gil_drop))
    except CpythonGdbError as exc:
        entry["note"] = f"cannot read its Python state: {exc}"
    return entry


def build(reader: Reader, found: FoundRuntime, threads: Sequence[OsThread], process: Process, with_locals: bool,
          detail: str, limits: Limits = DEFAULT_LIMITS, source_root: str = "", tasks: bool = False,
          now: Optional[float] = None) -> Tuple[Document, Optional[str]]:
    """The document of a stopped target, and the layout's warning (or None).

    ``detail``: how far C stacks are unwound (stacks.py: STATE, LEVELS or NATIVE).
    ``source_root``: where the target's ``/`` is here, for its source files ("": ours).
    ``tasks``: add the asyncio tasks (``tasks`` and ``cycles``); ``now``:
    the loop clock's time for a live process, None for a core.
    """
    cached = CachedReader(reader)
    major, minor, micro, release = found.version
    layout = choose_layout((major, minor, micro), cached, found.runtime.address, release=release)
    target = Target(cached, layout)
    target.source_root = source_root
    builder = DocumentBuilder(target, found.runtime, limits, with_locals)
    images = Images(process.mappings, process.executable, found.image, every_name=detail == NATIVE,
                    vdso=vdso.image(cached, process.vdso))
    collecting = any(interp.gc_collecting is not False for interp in builder.interps)
    stacks = Stacks(target, cached, images, detail, collecting, limits)
    matched: Set[int] = set()
    assigned: Sequence[Union[List[int], CpythonGdbError]]
    try:
        assigned = assign_thread_states(target, found.runtime, [thread.keys for thread in threads])
    except CpythonGdbError as exc:
        assigned = [exc] * len(threads)  # said of each thread
    entries = [_thread(builder, stacks, number, thread, tstates, matched)
               for number, (thread, tstates) in enumerate(zip(threads, assigned), 1)]
    for tstate in all_thread_states(target, found.runtime):
        if tstate not in matched:
            try:
                entries.append(builder.orphan(tstate))
            except CpythonGdbError:
                continue
    doc = builder.document(process.fields, BACKEND, detail == NATIVE, entries)
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
                     detail: str = "state", tasks: bool = False) -> Tuple[Document, Optional[str]]:
    """A live process's document; its threads are stopped only while it is read."""
    mappings, executable = process_mappings(pid)
    mappings = _with_executable(mappings, executable, exe)
    with ProcessMemory(pid) as memory:
        # Found before anything is stopped: a process without Python is
        # left alone. Its reads are at the mapped files' symbols, never at
        # a pointer read from the target.
        runtime = find_runtime(memory, mappings, executable)
        shown = None if executable is None else as_seen_by(pid, executable)
        fields = {"kind": "process", "pid": pid, "core": None, "executable": shown}
        with stopped(pid) as held:
            # From here on pointers read from the target are followed: only
            # into what it has mapped (listed now, as it can map no more).
            memory.mapped = mapped_ranges(pid)
            threads = [os_thread(t.lwp, t.name, t.registers) for t in held.threads]
            process = Process(fields, mappings, executable, vdso.live_base(pid))
            # asyncio's clock is time.monotonic(), the same on the whole machine.
            now = time.monotonic() if tasks else None
            return build(memory, runtime, threads, process, with_locals, detail, source_root=process_root(pid),
                         tasks=tasks, now=now)


def core_document(core: "CoreFile", exe: str, name: Optional[str], with_locals: bool,
                  detail: str = "state", sysroot: Optional[str] = None,
                  tasks: bool = False) -> Tuple[Document, Optional[str]]:
    """A core file's document; ``exe``: the executable on disk, ``name``: as the core names it
    (both from :meth:`CoreFile.executable`); ``sysroot``: where the core's machine's (or
    container's) ``/`` is here, for its libraries and sources."""
    from .core import CoreMemory, core_mappings  # not needed for a live process

    mappings = core_mappings(core, name, exe, sysroot)
    with CoreMemory(core, mappings) as memory:
        runtime = find_runtime(memory, mappings, name)
        fields = {"kind": "core", "pid": core.pid, "core": os.path.abspath(core.path),
                  "executable": os.path.abspath(exe)}
        threads = [os_thread(t.lwp, None, t.registers) for t in core.threads]
        process = Process(fields, mappings, name, core.auxv.get(vdso.AT_SYSINFO_EHDR))
        return build(memory, runtime, threads, process, with_locals, detail, source_root=sysroot or "",
                     tasks=tasks)
