"""What every DWARF reader here shares: bounded reads in a section, and the sections of a file.

A file's DWARF sections are its own, or its separate debug file's
(debugfile.py: by build id, as Debian's ``-dbg`` packages install them),
compressed (``SHF_COMPRESSED``, zlib) or not. Every read is bounded by its
buffer: bad or truncated DWARF raises :class:`DwarfError` (an ElfError).
"""

from __future__ import annotations

import mmap
import struct
import zlib

from .image import MAX_READ, ElfError, ElfFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, Tuple, Union

    Data = Union[bytes, mmap.mmap]  # a section's bytes, or the file mapped in memory (Sections.mapped)

SHF_COMPRESSED = 0x800
SHT_NOBITS = 8
ELFCOMPRESS_ZLIB = 1
_CHDR64 = struct.Struct("<IIQQ")  # type, reserved, size, alignment


class DwarfError(ElfError):
    """DWARF that cannot be read (one-line message)."""


# What reading bad DWARF may raise besides DwarfError (a slice or an index past the data, a name that is
# not UTF-8): a look-up that meets any of them has no answer.
BAD_DWARF = (DwarfError, IndexError, ValueError, UnicodeDecodeError)


class Cursor:
    """Bounded reads in one buffer, from ``pos`` up to ``end``."""

    __slots__ = ("data", "pos", "end")

    def __init__(self, data: Data, pos: int, end: int) -> None:
        self.data = data
        self.pos = pos
        self.end = min(end, len(data))

    def need(self, size: int) -> int:
        pos = self.pos
        if size < 0 or pos + size > self.end:
            raise DwarfError("DWARF data runs past its unit")
        self.pos = pos + size
        return pos

    def u(self, size: int) -> int:
        pos = self.need(size)
        return int.from_bytes(self.data[pos:pos + size], "little")

    def uleb(self) -> int:
        return self.leb(False)

    def sleb(self) -> int:
        return self.leb(True)

    def leb(self, signed: bool) -> int:
        """A LEB128 number (DWARF 5, 7.6)."""
        data, pos, end = self.data, self.pos, self.end
        value = shift = 0
        while True:
            if pos >= end:
                raise DwarfError("a LEB128 number runs past its unit")
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                self.pos = pos
                return value - (1 << shift) if signed and byte & 0x40 else value

    def cstring(self) -> bytes:
        data, pos = self.data, self.pos
        stop = data.find(b"\0", pos, self.end)
        if stop < 0:
            raise DwarfError("a string runs past its unit")
        self.pos = stop + 1
        return data[pos:stop]


def string_at(section: Optional[Data], offset: int) -> bytes:
    """The NUL-terminated string at ``offset`` of a string section."""
    if section is None or not 0 <= offset < len(section):
        raise DwarfError("a string offset outside its section")
    stop = section.find(b"\0", offset)
    return section[offset:stop if stop >= 0 else len(section)]


class _Compressed:
    """A compressed section, decompressed as far as asked (a look-up needs the units up to its own)."""

    def __init__(self, path: str, name: str, data: bytes, size: int) -> None:
        self.done = bytearray()
        self.size = size
        self._data = data
        self._inflate = zlib.decompressobj()
        self._name = f"{path}: {name}"
        self._bytes = b""  # what is done, as bytes (copied only when it grows)

    def upto(self, size: int) -> bytes:
        """Its first ``size`` bytes at least (all of it if it is shorter)."""
        if len(self.done) < min(size, self.size):
            # By doubling: few copies into bytes.
            self._inflate_to(min(self.size, max(size, 2 * len(self.done), 1 << 20)))
        if len(self._bytes) != len(self.done):
            self._bytes = bytes(self.done)
        return self._bytes

    def _inflate_to(self, want: int) -> None:
        try:
            while len(self.done) < want and self._data:
                self.done += self._inflate.decompress(self._data, want - len(self.done))
                self._data = self._inflate.unconsumed_tail
        except zlib.error as exc:
            raise DwarfError(f"{self._name}: {exc}") from None


def _read_section(elf: ElfFile, name: str) -> Union[bytes, _Compressed, None]:
    """Section ``name`` as the file has it; None where the file has none (or only NOBITS)."""
    for section_name, sh in elf.sections:
        if section_name != name or sh[1] == SHT_NOBITS:  # a debug file's place holder
            continue
        data = elf.read(sh[4], sh[5])
        if not sh[2] & SHF_COMPRESSED:
            return data
        if len(data) < _CHDR64.size:
            raise DwarfError(f"{elf.path}: {name} is too short for its compression header")
        kind, _, size, _ = _CHDR64.unpack_from(data)
        if kind != ELFCOMPRESS_ZLIB or size > MAX_READ:
            raise DwarfError(f"{elf.path}: {name} is compressed in an unknown way ({kind})")
        return _Compressed(elf.path, name, data[_CHDR64.size:], size)
    return None


def section(elf: ElfFile, name: str) -> Optional[bytes]:
    """The contents of section ``name``, decompressed; None where the file has none (or only NOBITS)."""
    found = _read_section(elf, name)
    return found.upto(found.size) if isinstance(found, _Compressed) else found


class Sections:
    """The DWARF sections of one ELF file, each read when first asked for, and decompressed (where it is
    compressed) as far as asked."""

    def __init__(self, path: str) -> None:
        self.path = path  # the file that holds them: the file itself, or its separate debug file
        self._loaded: Dict[str, Union[bytes, _Compressed, None]] = {}
        self._map: Optional[mmap.mmap] = None  # the whole file, mapped once (mapped())

    def mapped(self, name: str) -> Optional[Tuple[mmap.mmap, int, int]]:
        """Section ``name`` where it is stored as it is (not compressed): the file mapped in memory, and the
        section's offset and size in it (a libpython's .debug_info is 14 MB: a look-up reads a few pages
        of it, where reading it whole would take longer than the rest of a dump). None otherwise."""
        with open(self.path, "rb") as f:
            elf = ElfFile(f, self.path)
            for section_name, sh in elf.sections:
                if section_name == name and sh[1] != SHT_NOBITS and not sh[2] & SHF_COMPRESSED:
                    if self._map is None:
                        self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                    if sh[4] + sh[5] > len(self._map):
                        raise DwarfError(f"{self.path}: {name} runs past the end of the file")
                    return self._map, sh[4], sh[5]
        return None

    def get(self, name: str, size: Optional[int] = None) -> Optional[bytes]:
        """Section ``name`` (None if the file has none); where ``size`` is given, at least its first
        ``size`` bytes (the rest may be left out)."""
        if name not in self._loaded:
            with open(self.path, "rb") as f:
                self._loaded[name] = _read_section(ElfFile(f, self.path), name)
        found = self._loaded[name]
        if isinstance(found, _Compressed):
            return found.upto(found.size if size is None else size)
        return found


def sections(path: str) -> Optional[Sections]:
    """The DWARF sections of the ELF file at ``path``, or of its separate debug file where the file has no
    ``.debug_line`` (a stripped file's); None where neither has DWARF or the file is not 64-bit
    little-endian."""
    with open(path, "rb") as f:
        elf = ElfFile(f, path)
        if elf.wordsize != 8 or elf.order != "<":
            return None
        if _has(elf, ".debug_line"):
            return Sections(path)
        from .debugfile import debug_file

        other = debug_file(elf)
    if other is None:
        return None
    with open(other, "rb") as g:
        return Sections(other) if _has(ElfFile(g, other), ".debug_line") else None


def _has(elf: ElfFile, name: str) -> bool:
    return any(n == name and sh[1] != SHT_NOBITS for n, sh in elf.sections)
