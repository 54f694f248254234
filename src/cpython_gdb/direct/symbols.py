"""Where ``_PyRuntime`` is, and which CPython it is, from the mapped ELF files.

No debugger: the symbol tables (``.dynsym``, looked up through its GNU hash
table when it has one, then ``.symtab``) of the files that may hold the
interpreter (a ``libpython*`` shared library, then the executable) give the
link-time address of ``_PyRuntime`` and ``Py_Version``; the file's load bias, from where its segments are mapped,
turns that into a run-time address. Without the symbol, the ``.PyRuntime``
section (3.10+) names the same address.

The version is decided from there by :mod:`cpython_gdb.engine.runtime.version`.
"""

from __future__ import annotations

import os
import struct

from ..engine.record import frozen
from ..engine.runtime.version import detect_version
from ..errors import NoInterpreter

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import BinaryIO, Dict, List, Optional, Sequence, Tuple

    from ..engine.memory import Reader

PAGE = 4096
_EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
_PHDR = struct.Struct("<IIQQQQQQ")  # type, flags, offset, vaddr, paddr, filesz, memsz, align
_SHDR = struct.Struct("<IIQQQQIIQQ")  # name, type, flags, addr, offset, size, link, info, align, entsize
_SYM = struct.Struct("<IBBHQQ")  # name, info, other, shndx, value, size
_SYM_SIZE = _SYM.size
_GNU_HASH_HEAD = struct.Struct("<IIII")  # nbuckets, symoffset, bloom words, bloom shift
_U32 = struct.Struct("<I")
ET_EXEC = 2
PT_LOAD = 1
SHT_SYMTAB, SHT_DYNSYM = 2, 11
SHT_GNU_HASH = 0x6FFFFFF6
SHN_UNDEF = 0
MAX_TABLE = 256 << 20  # bytes of one symbol or string table read at most

if TYPE_CHECKING:
    from ..engine.runtime.version import Version

    SectionHeader = Tuple[int, ...]  # as _SHDR unpacks it


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


class ElfImage:
    """The load segments, sections and symbols of one 64-bit little-endian ELF file."""

    def __init__(self, paths: Sequence[str]) -> None:
        self.path = paths[0]
        with _open_first(paths) as f:
            self._file = f
            head = f.read(_EHDR.size)
            if len(head) < _EHDR.size or head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
                raise ValueError(f"{self.path} is not a 64-bit little-endian ELF file")
            (_, self.type, _, _, _, phoff, shoff, _, _, phentsize, phnum, shentsize, shnum,
             shstrndx) = _EHDR.unpack(head)
            self.loads = [
                ph for ph in (_PHDR.unpack_from(self._read(phoff + i * phentsize, _PHDR.size)) for i in range(phnum))
                if ph[0] == PT_LOAD
            ]
            raw = [_SHDR.unpack_from(self._read(shoff, shentsize * shnum), i * shentsize) for i in range(shnum)]
            names = self._read(raw[shstrndx][4], raw[shstrndx][5]) if 0 < shstrndx < shnum else b""
            self.sections = [(_name_at(names, sh[0]), sh) for sh in raw]
            self.symbols = self._symbols(("_PyRuntime", "Py_Version"))

    def _read(self, offset: int, size: int) -> bytes:
        if size > MAX_TABLE:
            raise ValueError(f"{self.path}: a table of {size} bytes")
        self._file.seek(offset)
        data = self._file.read(size)
        if len(data) != size:
            raise ValueError(f"{self.path} is truncated")
        return data

    def _symbols(self, wanted: Sequence[str], hashed: bool = True) -> Dict[str, int]:
        """Link-time addresses of the ``wanted`` symbols that are defined here.

        ``hashed``: look names up in a GNU hash table where one is attached
        to the symbol table, rather than read the whole table and its strings.
        """
        found: Dict[str, int] = {}
        for kind in (SHT_DYNSYM, SHT_SYMTAB):
            for index, (_, sh) in enumerate(self.sections):
                if sh[1] != kind or not 0 < sh[6] < len(self.sections) or sh[9] != _SYM_SIZE:
                    continue
                strtab = self.sections[sh[6]][1]
                missing = [name for name in wanted if name not in found]
                if not missing:
                    return found
                table_hash = self._gnu_hash_of(index) if hashed else None
                if table_hash is not None:
                    try:
                        found.update(self._hashed(table_hash, sh, strtab, missing))
                        continue
                    except (ValueError, struct.error):
                        pass  # a damaged hash table: read the whole symbol table
                strings = self._read(strtab[4], strtab[5])
                table = self._read(sh[4], sh[5] - sh[5] % _SYM_SIZE)
                found.update(_lookup(table, strings, missing))
        return found

    def _gnu_hash_of(self, table: int) -> Optional[SectionHeader]:
        """The GNU hash table (``.gnu.hash``) of the symbol table in section ``table``, if any."""
        for _, sh in self.sections:
            if sh[1] == SHT_GNU_HASH and sh[6] == table:
                return sh
        return None

    def _hashed(self, table_hash: SectionHeader, symtab: SectionHeader, strtab: SectionHeader,
                names: Sequence[str]) -> Dict[str, int]:
        """:meth:`_symbols` through a GNU hash table: the few entries that may hold each name.

        ``.dynsym`` of libpython has thousands of entries, and reading it
        and its strings whole cost more than half a millisecond of a dump.
        A GNU hash table lists every defined symbol of its table (those
        from ``symoffset`` on): a name it does not have is not defined there.
        """
        nbuckets, symoffset, bloom_words, _ = _GNU_HASH_HEAD.unpack(self._read(table_hash[4], _GNU_HASH_HEAD.size))
        buckets = _GNU_HASH_HEAD.size + 8 * bloom_words  # 64-bit bloom filter words
        chains = buckets + 4 * nbuckets
        count = symtab[5] // _SYM_SIZE
        found: Dict[str, int] = {}
        for name in names:
            if not nbuckets:
                break
            raw = name.encode() + b"\0"
            wanted = _gnu_hash(raw[:-1])
            index = _U32.unpack(self._read_in(table_hash, buckets + 4 * (wanted % nbuckets), 4))[0]
            while symoffset <= index < count:  # an empty bucket holds 0
                value = _U32.unpack(self._read_in(table_hash, chains + 4 * (index - symoffset), 4))[0]
                if value | 1 == wanted | 1:  # the low bit ends a chain
                    st_name, _, _, shndx, address, _ = _SYM.unpack(self._read_in(symtab, index * _SYM_SIZE, _SYM_SIZE))
                    if (shndx != SHN_UNDEF and address and st_name + len(raw) <= strtab[5]
                            and self._read_in(strtab, st_name, len(raw)) == raw):
                        found[name] = int(address)
                        break
                if value & 1:
                    break
                index += 1
        return found

    def _read_in(self, section: SectionHeader, offset: int, size: int) -> bytes:
        """``size`` bytes at ``offset`` in ``section``, which must hold them."""
        if offset + size > section[5]:
            raise ValueError(f"{self.path}: a read past the end of a section")
        return self._read(section[4] + offset, size)

    def section_address(self, name: str) -> Optional[int]:
        for section_name, sh in self.sections:
            if section_name == name and sh[3]:
                return int(sh[3])
        return None

    def load_bias(self, mappings: Sequence[Mapping]) -> Optional[int]:
        """What was added to this file's link-time addresses, from where it is mapped."""
        if self.type == ET_EXEC:
            return 0
        for mapping in mappings:
            for ph in self.loads:
                if ph[2] & ~(PAGE - 1) == mapping.offset:
                    return mapping.start - (int(ph[3]) & ~(PAGE - 1))
        return None


def _open_first(paths: Sequence[str]) -> BinaryIO:
    for path in paths[:-1]:
        try:
            return open(path, "rb")
        except OSError:
            continue
    return open(paths[-1], "rb")


def _gnu_hash(name: bytes) -> int:
    """The GNU hash (dl_new_hash) of a symbol name."""
    value = 5381
    for byte in name:
        value = (value * 33 + byte) & 0xFFFFFFFF
    return value


def _name_at(strings: bytes, offset: int) -> str:
    end = strings.find(b"\0", offset)
    return strings[offset:end if end >= 0 else len(strings)].decode("ascii", "replace")


def _lookup(table: bytes, strings: bytes, names: Sequence[str]) -> Dict[str, int]:
    # Find each name's string first (a linker may share the tail of a longer
    # name), then the defined symbols that point at one of them.
    wanted: Dict[int, str] = {}
    for name in names:
        needle = name.encode() + b"\0"
        start = strings.find(needle)
        while start >= 0:
            wanted[start] = name
            start = strings.find(needle, start + 1)
    if not wanted:
        return {}
    found: Dict[str, int] = {}
    name_column = memoryview(table).cast("I")[0::_SYM_SIZE // 4].tolist()
    for index, st_name in enumerate(name_column):
        symbol = wanted.get(st_name)
        if symbol is not None and symbol not in found:
            _, _, _, shndx, value, _ = _SYM.unpack_from(table, index * _SYM_SIZE)
            if shndx != SHN_UNDEF and value:
                found[symbol] = int(value)
    return found


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
        except (OSError, ValueError, struct.error) as exc:
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
    where = ", ".join(searched) if searched else "neither the executable nor a libpython"
    raise NoInterpreter(f"no _PyRuntime in {where}")
