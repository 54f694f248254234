"""Where ``_PyRuntime`` is, and which CPython it is, from the mapped ELF files.

No debugger: the symbol tables (``.dynsym``, looked up through its GNU hash
table when it has one, then ``.symtab``; :mod:`cpython_gdb.engine.elf.image`
reads them) of the files that may hold the interpreter (a ``libpython*``
shared library, then the executable) give the link-time address of
``_PyRuntime`` and ``Py_Version``; the file's load bias, from where its
segments are mapped, turns that into a run-time address. Without the
symbol, the ``.PyRuntime`` section (3.10+) names the same address. 2.7 and
3.6 have no ``_PyRuntime``: their statics stand for it
(:mod:`cpython_gdb.engine.runtime.anchor`).

The version is decided from there by :mod:`cpython_gdb.engine.runtime.version`.
"""

from __future__ import annotations

import os
import struct

from ..engine.elf.image import ET_EXEC, PT_LOAD, ElfError, ElfFile
from ..engine.record import frozen
from ..engine.runtime import anchor
from ..engine.runtime.anchor import Runtime
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
class FoundRuntime:
    runtime: Runtime
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
            self.symbols = self.lookup((anchor.RUNTIME_SYMBOL, "Py_Version"))
            if anchor.RUNTIME_SYMBOL not in self.symbols and self.section_address(".PyRuntime") is None:
                # 2.7, 3.6 (looked up only then: the statics are in .symtab, read whole).
                self.symbols.update(self.lookup((anchor.INTERP_HEAD, anchor.INTERP_HEAD_FUNCTION, anchor.TSTATE_CURRENT,
                                                 anchor.GC_COLLECTING)))

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


def _runtime(reader: Reader, image: ElfImage, bias: int) -> Optional[Runtime]:
    """Where the image's runtime is, with the load bias ``bias``; None if it has none."""
    symbols = image.symbols
    link = symbols.get(anchor.RUNTIME_SYMBOL) or image.section_address(".PyRuntime")
    if link is not None:
        return Runtime(link + bias)
    head = symbols.get(anchor.INTERP_HEAD)
    if head is not None:
        head += bias
    elif anchor.INTERP_HEAD_FUNCTION in symbols:
        head = anchor.interp_head_from_code(reader, symbols[anchor.INTERP_HEAD_FUNCTION] + bias)
    if head is None:
        return None
    statics = [symbols[name] + bias if name in symbols else 0 for name in (anchor.TSTATE_CURRENT, anchor.GC_COLLECTING)]
    return Runtime(head, *statics)


def find_runtime(reader: Reader, mappings: Sequence[Mapping], executable: Optional[str]) -> FoundRuntime:
    """Where the runtime is and the CPython version, or NoInterpreter saying what was searched."""
    searched: List[str] = []
    for name in _candidates(mappings, executable):
        own = [m for m in mappings if m.name == name]
        try:
            image = ElfImage(own[0].disk)
        except (OSError, ElfError, ValueError, struct.error) as exc:
            searched.append(f"{name} ({getattr(exc, 'strerror', None) or exc})")
            continue
        bias = image.load_bias(own)
        runtime = _runtime(reader, image, bias) if bias is not None else None
        if bias is None or runtime is None:
            searched.append(os.path.basename(name))
            continue
        py_version = image.symbols.get("Py_Version")
        version = detect_version(reader, runtime.address, None if py_version is None else py_version + bias,
                                 [name, executable or ""], name)
        return FoundRuntime(runtime=runtime, version=version, image=name)
    where = ", ".join(searched) if searched else "neither the executable nor a libpython"
    raise NoInterpreter(f"no _PyRuntime (nor 2.7 and 3.6's interp_head) in {where}")
