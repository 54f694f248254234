"""The heap census of a live process or a core file, without gdb.

A process is held stopped (ptrace) while its heap is walked, then resumed;
its memory is read from /proc/PID/mem in 64 KiB blocks. A core is read
from its segments (and the files it mapped).
"""

from __future__ import annotations

import os
import time

from ..engine.heap.blocks import BlockReader
from ..engine.heap.census import DEFAULT_MAX_OBJECTS, take_census
from ..engine.layout import choose_layout
from ..engine.target import Target
from .live import ProcessMemory, mapped_ranges, process_mappings, stopped
from .procfs import resident_bytes
from .symbols import find_runtime

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional, Tuple

    from ..engine.elf.corefile import CoreFile
    from ..engine.heap.census import Census, HeapWalk
    from ..engine.memory import Reader
    from .symbols import FoundRuntime

class HeapResult:
    def __init__(self, census: Census, walk: HeapWalk, target: Dict[str, Any], layout_warning: Optional[str],
                 extra: Any) -> None:
        self.census = census
        self.walk = walk
        self.target = target
        self.layout_warning = layout_warning
        self.extra = extra  # what ``use`` returned


def _walk(reader: Reader, found: FoundRuntime, max_objects: int, progress: Optional[Callable[[int, str], None]],
          use: Optional[Callable[[HeapWalk], Any]]) -> Tuple[Census, HeapWalk, Optional[str], Any]:
    mem = BlockReader(reader)
    major, minor, micro, release = found.version
    layout = choose_layout((major, minor, micro), mem, found.runtime.address, release=release)
    target = Target(mem, layout)
    census, walk = take_census(target, mem, found.runtime, max_objects, progress)
    extra = use(walk) if use is not None else None
    return census, walk, layout.warning, extra


def _version_text(found: FoundRuntime) -> str:
    major, minor, micro, release = found.version
    return f"{major}.{minor}" + (f".{micro}{release}" if micro >= 0 else "")


def process_heap(pid: int, exe: Optional[str] = None, max_objects: int = DEFAULT_MAX_OBJECTS,
                 progress: Optional[Callable[[int, str], None]] = None,
                 use: Optional[Callable[[HeapWalk], Any]] = None) -> HeapResult:
    mappings, executable = process_mappings(pid)
    if exe is not None:
        from .symbols import Mapping

        mappings = [Mapping(m.start, m.end, m.offset, m.name, (exe,)) if m.name == executable else m
                    for m in mappings]
    with ProcessMemory(pid) as memory:
        runtime = find_runtime(memory, mappings, executable)
        with stopped(pid):
            memory.mapped = mapped_ranges(pid)
            census, walk, warning, extra = _walk(memory, runtime, max_objects, progress, use)
            resident = resident_bytes(pid)
    fields = {"kind": "process", "pid": pid, "core": None, "executable": executable, "resident_bytes": resident,
              "python": _version_text(runtime)}
    return HeapResult(census, walk, fields, warning, extra)


def _core_heap_bytes(core: CoreFile) -> int:
    """What the core holds of writable memory that no file backs: the heaps and stacks it saved."""
    files = sorted((m.start, m.end) for m in core.files)
    total = 0
    for seg in core.segments:
        if not seg.filesz:
            continue
        if any(start <= seg.vaddr < end for start, end in files):
            continue
        total += seg.filesz
    return total


def core_heap(core: CoreFile, exe: str, name: Optional[str], max_objects: int = DEFAULT_MAX_OBJECTS,
              progress: Optional[Callable[[int, str], None]] = None,
              use: Optional[Callable[[HeapWalk], Any]] = None) -> HeapResult:
    from .core import CoreMemory, core_mappings

    mappings = core_mappings(core, name, exe)
    with CoreMemory(core, mappings) as memory:
        runtime = find_runtime(memory, mappings, name)
        census, walk, warning, extra = _walk(memory, runtime, max_objects, progress, use)
    fields = {"kind": "core", "pid": core.pid, "core": os.path.abspath(core.path),
              "executable": os.path.abspath(exe), "mapped_heap_bytes": _core_heap_bytes(core),
              "python": _version_text(runtime)}
    return HeapResult(census, walk, fields, warning, extra)


def stderr_progress(stream: Any) -> Callable[[int, str], None]:
    """A progress line on ``stream`` (a terminal), redrawn at most five times a second."""
    last = [0.0]

    def report(found: int, phase: str) -> None:
        now = time.monotonic()
        if now - last[0] < 0.2:
            return
        last[0] = now
        stream.write(f"\rcpython-gdb heap: {found:,} objects ({phase})\x1b[K")
        stream.flush()

    return report
