"""A core file read without a debugger: its memory, threads and mapped files.

Memory comes from the ``PT_LOAD`` segments as far as the file holds them.
A core leaves out pages that the mapped files hold unchanged (program
text, read-only data: the kernel's default ``coredump_filter``, and gdb's
``gcore``, skip them), and a truncated core loses its tail: those pages
are read from the files that ``NT_FILE`` says were mapped there, at the
recorded file offset. The notes are parsed by :mod:`cpython_gdb.engine.elf.corefile`.
"""

from __future__ import annotations

import bisect
import os

from ..engine.elf.corefile import CoreFile
from ..engine.memory import check_address
from ..engine.report.source import on_disk
from ..errors import MemoryReadError
from .symbols import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence

DELETED = " (deleted)"


def core_mappings(core: CoreFile, executable: Optional[str], exe_on_disk: Optional[str],
                  sysroot: Optional[str] = None) -> List[Mapping]:
    """NT_FILE's mappings; the executable's (named ``executable`` there: see :meth:`CoreFile.executable`)
    is opened at ``exe_on_disk``, the others under ``sysroot`` where it has them (as gdb's sysroot)."""
    out = []
    for mapped in core.files:
        name = mapped.path[: -len(DELETED)] if mapped.path.endswith(DELETED) else mapped.path
        disk = exe_on_disk if exe_on_disk is not None and mapped.path == executable else name
        if disk == name and sysroot and os.path.isfile(on_disk(name, sysroot)):
            disk = on_disk(name, sysroot)
        out.append(Mapping(mapped.start, mapped.end, mapped.offset, name, (disk,)))
    return out


class CoreMemory:
    """A Reader over a core file's segments, backed by the mapped files for what it lacks."""

    def __init__(self, core: CoreFile, mappings: Sequence[Mapping]) -> None:
        self._fd = os.open(core.path, os.O_RDONLY | os.O_CLOEXEC)
        self._size = core.size
        self._segments = sorted((s.vaddr, s.vaddr + s.memsz, s.offset, s.filesz) for s in core.segments)
        self._segment_starts = [s[0] for s in self._segments]
        self._mappings = sorted((m.start, m.end, m.offset, m.disk[0]) for m in mappings)
        self._mapping_starts = [m[0] for m in self._mappings]
        self._files: Dict[str, Optional[int]] = {}

    def _file(self, path: str) -> Optional[int]:
        if path not in self._files:
            try:
                self._files[path] = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
            except OSError:
                self._files[path] = None
        return self._files[path]

    def _from_core(self, address: int, size: int) -> Optional[bytes]:
        i = bisect.bisect_right(self._segment_starts, address) - 1
        if i < 0:
            return None
        start, end, offset, filesz = self._segments[i]
        if not start <= address < min(end, start + filesz):
            return None
        where = offset + address - start
        count = min(size, start + filesz - address, self._size - where)
        return os.pread(self._fd, count, where) if count > 0 else None

    def _from_file(self, address: int, size: int) -> Optional[bytes]:
        i = bisect.bisect_right(self._mapping_starts, address) - 1
        if i < 0:
            return None
        start, end, offset, path = self._mappings[i]
        if not start <= address < end:
            return None
        fd = self._file(path)
        if fd is None:
            return None
        return os.pread(fd, min(size, end - address), offset + address - start) or None

    def read(self, address: int, size: int) -> bytes:
        check_address(address, size)
        parts: List[bytes] = []
        done = 0
        while done < size:
            at = address + done
            try:
                piece = self._from_core(at, size - done) or self._from_file(at, size - done)
            except (OSError, OverflowError):
                # A file offset from a corrupt note: past the file, or more than an off_t holds.
                piece = None
            if piece is None:
                raise MemoryReadError(address, size)
            parts.append(piece)
            done += len(piece)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def close(self) -> None:
        for fd in [self._fd, *self._files.values()]:
            if fd is not None:
                os.close(fd)
        self._files.clear()

    def __enter__(self) -> "CoreMemory":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

