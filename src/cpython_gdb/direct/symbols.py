"""Where ``_PyRuntime`` is, and which CPython it is, from the mapped ELF files.

No debugger: the symbol tables (``.dynsym``, looked up through its GNU hash
table when it has one, then ``.symtab``; :mod:`cpython_gdb.engine.elf.image`
reads them) of the files that may hold the interpreter (a ``libpython*``
shared library, then the executable) give the link-time address of
``_PyRuntime`` and ``Py_Version``; the file's load bias, from where its
segments are mapped, turns that into a run-time address. Without the
symbol, the ``.PyRuntime`` section (3.10+) names the same address.

The version is decided from there by :mod:`cpython_gdb.engine.runtime.version`.
"""

from __future__ import annotations

import os
import struct

from ..engine.elf.image import ET_EXEC, PT_LOAD, ElfError, ElfFile
from ..engine.record import frozen
from ..engine.runtime.version import detect_version
from ..errors import NoInterpreter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO, List, Optional, Sequence, Tuple

    from ..engine.memory import Reader
    from ..engine.runtime.version import Version

PAGE = 4096


@frozen
class Mapping:
    """A file mapped at [start, end) from byte ``offset``: ``name`` as the process saw it.

    ``disk``: where to open it, best first.
    """

    start: int
    end: int
    offset: int
    name: str
    disk: Tuple[str, ...]


@frozen
class Runtime:
    address: int  # of _PyRuntime
    version: Version
    image: str  # the file that defines it, as the process saw it


class ElfImage(ElfFile):
    """A mapped file that may define the runtime: its load segments, sections and runtime symbols.

    Opened from the first of ``paths`` that opens; everything it needs is
    read here, and the file closed.
    """

    def __init__(self, paths: Sequence[str]) -> None:
        with _open_first(paths) as f:
            super().__init__(f, paths[0])
            if self.wordsize != 8 or self.order != "<":
                raise ElfError(f"{self.path} is not a 64-bit little-endian ELF file")
            self.loads = self.segments(PT_LOAD)
            self.symbols = self.lookup(("_PyRuntime", "Py_Version"))

    def load_bias(self, mappings: Sequence[Mapping]) -> Optional[int]:
        """What was added to this file's link-time addresses, from where it is mapped.

        Told by a mapping that starts at the first page of a load segment;
        a part of a segment whose protection changed after loading (RELRO)
        starts elsewhere and is passed over.
        """
        if self.type == ET_EXEC:
            return 0
        for mapping in mappings:
            for offset, vaddr, *_ in self.loads:
                if offset & ~(PAGE - 1) == mapping.offset:
                    return mapping.start - (vaddr & ~(PAGE - 1))
        return None


def _open_first(paths: Sequence[str]) -> BinaryIO:
    for path in paths[:-1]:
        try:
            return open(path, "rb")
        except OSError:
            continue
    return open(paths[-1], "rb")


def _candidates(mappings: Sequence[Mapping], executable: Optional[str]) -> List[str]:
    """Mapped files that may define the runtime: libpython first, then the executable."""
    names: List[str] = []
    for mapping in mappings:
        if os.path.basename(mapping.name).startswith("libpython") and mapping.name not in names:
            names.append(mapping.name)
    if executable is not None and executable not in names and any(m.name == executable for m in mappings):
        names.append(executable)
    return names


def find_runtime(reader: Reader, mappings: Sequence[Mapping], executable: Optional[str]) -> Runtime:
    """_PyRuntime's address and the CPython version, or NoInterpreter saying what was searched."""
    searched: List[str] = []
    for name in _candidates(mappings, executable):
        own = [m for m in mappings if m.name == name]
        try:
            image = ElfImage(own[0].disk)
        except (OSError, ElfError, ValueError, struct.error) as exc:
            searched.append(f"{name} ({getattr(exc, 'strerror', None) or exc})")
            continue
        bias = image.load_bias(own)
        link = image.symbols.get("_PyRuntime") or image.section_address(".PyRuntime")
        if bias is None or link is None:
            searched.append(os.path.basename(name))
            continue
        runtime = link + bias
        py_version = image.symbols.get("Py_Version")
        version = detect_version(reader, runtime, None if py_version is None else py_version + bias,
                                 [name, executable or ""], name)
        return Runtime(address=runtime, version=version, image=name)
    if not searched:
        raise NoInterpreter("no _PyRuntime: neither the executable nor a libpython is among the mapped files")
    raise NoInterpreter(f"no _PyRuntime in {', '.join(searched)}")
