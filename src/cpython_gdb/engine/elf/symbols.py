"""Function names by address, from ELF symbol tables, as gdb names C frames without DWARF.

A file's table is its ``.symtab`` where it kept one. A stripped file
keeps only ``.dynsym`` (the exported functions); where its separate debug
file is installed (debugfile.py: Debian's ``/usr/bin/python3.11``, libc
with libc6-dbg), that file's ``.symtab`` names the rest, as gdb reads
both: of the two, the symbol that starts nearest below the address wins,
the file's own on a tie. Code symbols are functions, and untyped symbols
of executable sections (labels of hand-written assembly).

In one table, the name of an address is the one gdb's minimal symbols
give it: the nearest sized symbol at or before it, if its size holds the
address; else the nearest zero-sized one after that symbol; else none. Of
aliases (one address, several names: glibc's ``sleep`` and ``__sleep``)
the last in byte order of their names, as gdb sorts them; a version
(``clock_nanosleep@GLIBC_2.2.5``) is left out of the name shown.

Reading a table is the costly part (a libpython holds some ten thousand
symbols): :meth:`FunctionSymbols.name_of_start` names a function from its
start without sorting anything, and the index :meth:`FunctionSymbols.name_at`
searches is built on its first use.
"""

from __future__ import annotations

import io
import struct
from bisect import bisect_right
from itertools import compress

from .image import SHT_DYNSYM, SHT_SYMTAB, ElfError, ElfFile, ReadAt, per_file, scan_table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence, Set, Tuple, Union

STT_NOTYPE, STT_FUNC, STT_GNU_IFUNC = 0, 2, 10
SHF_EXECINSTR = 0x4
SHT_RELA = 4
R_X86_64_IRELATIVE = 37
_RELA = 24  # bytes of one Elf64_Rela
PLT_SECTIONS = (".plt", ".plt.sec", ".plt.got")
SHN_LORESERVE = 0xFF00
_ENTRY = 24  # bytes of one 64-bit symbol
_ST_NAME = struct.Struct("<I")
_ST_SHNDX = struct.Struct("<H")
_VALUE_SIZE = struct.Struct("<QQ")
_ADDRESS = struct.Struct("<Q")
NAME_READ = 256  # bytes read for a name at first
# st_info -> 1 where its type (the low four bits) is one code may have.
_CODE_TYPES = bytes(1 if info & 0xF in (STT_NOTYPE, STT_FUNC, STT_GNU_IFUNC) else 0 for info in range(256))
MAX_NAME = 4096
_ZERO_SIZED_BACK = 64  # zero-sized symbols passed over, looking back for a sized one


class SymbolTable:
    """The code symbols of one symbol table (64-bit little-endian), by link-time address.

    The table is read whole; its names (the string table, as large) only
    as they are asked for, from ``path`` (kept open) at ``strings``, the
    string table's offset and size.
    """

    def __init__(self, table: bytes, path: str, strings: Tuple[int, int], executable: Set[int],
                 image: Optional[bytes] = None) -> None:
        self._table = table
        self._strings = strings
        self._pread = ReadAt(path, image)
        self._executable = executable  # indexes of the executable sections
        self._column: Optional[bytes] = None  # the value of each symbol, in table order
        self._starts: Optional[List[int]] = None  # addresses of the code symbols, sorted (built on first use)

    def _code(self, index: int) -> bool:
        """Whether symbol ``index`` names code: a function, or a label in an executable section."""
        kind = self._table[index * _ENTRY + 4] & 0xF
        shndx = _ST_SHNDX.unpack_from(self._table, index * _ENTRY + 6)[0]
        if shndx == 0 or shndx >= SHN_LORESERVE:
            return False
        return kind in (STT_FUNC, STT_GNU_IFUNC) or (kind == STT_NOTYPE and shndx in self._executable)

    def _name(self, index: int) -> bytes:
        """The symbol's name as the table spells it, version included."""
        offset = _ST_NAME.unpack_from(self._table, index * _ENTRY)[0]
        start, size = self._strings
        if offset >= size:
            return b""
        name = b""
        while len(name) < MAX_NAME:
            chunk = self._pread(min(NAME_READ, size - offset - len(name)), start + offset + len(name))
            end = chunk.find(b"\0")
            if end >= 0 or not chunk:
                return name + (chunk[:end] if end >= 0 else chunk)
            name += chunk
        return name[:MAX_NAME]

    def _size(self, index: int) -> int:
        return int(_VALUE_SIZE.unpack_from(self._table, index * _ENTRY + 8)[1])

    def _pick(self, aliases: List[int]) -> str:
        """The name shown for an address these symbols start at (see the module docstring)."""
        name = max(self._name(index) for index in aliases)
        return name.split(b"@", 1)[0].decode("utf-8", "replace")

    def _values(self) -> bytes:
        if self._column is None:
            self._column = memoryview(self._table).cast("Q")[1::3].tobytes()
        return self._column

    def defined(self, names: Sequence[str]) -> Dict[str, int]:
        """The link-time addresses of those of ``names`` the table defines (a scan of the whole table)."""
        start, size = self._strings
        return scan_table(self._table, self._pread(size, start), names)

    def _at(self, address: int) -> List[int]:
        """The code symbols whose value is ``address``, by index: a search of the value column."""
        values = self._values()
        needle = _ADDRESS.pack(address)
        found = []
        at = values.find(needle)
        while at >= 0:
            if at % 8 == 0 and self._code(at // 8):
                found.append(at // 8)
            at = values.find(needle, at + 1)
        return found

    def name_of_start(self, address: int) -> Optional[str]:
        """The name of the code symbols that start at link-time ``address``, or None.

        Without the index: for the few functions a plain dump names, a
        search of the value column each is cheaper than sorting the table.
        """
        found = self._at(address)
        return self._pick(found) if found else None

    def _index(self) -> List[int]:
        """The distinct values of the symbols typed as code (functions and untyped), sorted.

        Made in C, without a loop over the table in Python: which symbols
        are of those types is the info column through a translation table,
        and what else makes a symbol code (its section) is checked only for
        the few a look-up meets.
        """
        values = memoryview(self._values()).cast("Q")
        self._starts = sorted(set(compress(values, self._table[4::_ENTRY].translate(_CODE_TYPES))))
        return self._starts

    def symbol_at(self, address: int) -> Optional[Tuple[int, str]]:
        """(start, name) of the symbol that names link-time ``address`` in this table, or None."""
        starts = self._starts if self._starts is not None else self._index()
        pos = bisect_right(starts, address) - 1
        zero_sized: Optional[int] = None  # the address of the nearest zero-sized symbols passed over
        for _ in range(_ZERO_SIZED_BACK):
            if pos < 0:
                break
            start = starts[pos]
            group = self._at(start)
            sized = [i for i in group if self._size(i)]
            if sized:
                holding = [i for i in sized if address < start + self._size(i)]
                if holding:
                    return start, self._pick(holding)
                break
            if group and zero_sized is None:
                zero_sized = start
            pos -= 1
        if zero_sized is None:
            return None
        return zero_sized, self._pick(self._at(zero_sized))


def _table(elf: ElfFile, kind: int, image: Optional[bytes] = None) -> Optional[SymbolTable]:
    """The file's first symbol table of ``kind`` (SHT_SYMTAB, SHT_DYNSYM), if any."""
    if elf.wordsize != 8 or elf.order != "<":
        return None
    sections = elf.sections
    for _, sh in sections:
        if sh[1] == kind and 0 < sh[6] < len(sections) and sh[9] == _ENTRY:
            strtab = sections[sh[6]][1]
            strings = (strtab[4], max(0, min(strtab[5], elf.size - strtab[4])))
            table = elf.read(sh[4], sh[5] - sh[5] % _ENTRY)
            executable = {i for i, (_, s) in enumerate(sections) if s[2] & SHF_EXECINSTR}
            return SymbolTable(table, elf.path, strings, executable, image)
    return None


class FunctionSymbols:
    """The code symbols that name the functions of one ELF file (see the module docstring)."""

    def __init__(self, path: str, image: Optional[bytes] = None) -> None:
        """The symbols of the file at ``path``, or of an ELF ``image`` read from memory (``path`` names it)."""
        self.path = path
        self.tables: List[SymbolTable] = []  # the file's own first
        self._image = image
        with (io.BytesIO(image) if image is not None else open(path, "rb")) as f:
            elf = ElfFile(f, path)
            # Sections of PLT stubs: (address, size, file offset, entry size).
            self._plts = [(sh[3], sh[5], sh[4], sh[9]) for name, sh in elf.sections
                          if name in PLT_SECTIONS and sh[9] and sh[3]]
            own = _table(elf, SHT_SYMTAB, image)
            if own is not None:
                self.tables.append(own)
                return
            dynamic = _table(elf, SHT_DYNSYM, image)
            if dynamic is not None:
                self.tables.append(dynamic)
            if image is not None:
                return  # an image from memory: no debug file is looked for
            from .debugfile import debug_file  # only for a stripped file

            found = debug_file(elf)
        if found is not None:
            try:
                with open(found, "rb") as f:
                    separate = _table(ElfFile(f, found), SHT_SYMTAB)
            except (OSError, ElfError, struct.error):
                separate = None  # a damaged debug file: the file's own table
            if separate is not None:
                self.tables.append(separate)

    def name_at(self, address: int) -> Optional[str]:
        """The function holding link-time ``address``, or None."""
        for start, size, _, _ in self._plts:
            if start <= address < start + size:
                return self._plt_name(address)
        best: Optional[Tuple[int, str]] = None
        for table in self.tables:
            found = table.symbol_at(address)
            if found is not None and (best is None or found[0] > best[0]):
                best = found
        return None if best is None else best[1]

    def _plt_name(self, address: int) -> Optional[str]:
        """``NAME@plt`` for an address in the PLT stub that jumps to NAME, as gdb (BFD) names it.

        The stub's ``jmp *slot(%rip)`` gives the GOT slot it jumps through;
        the dynamic relocation that fills that slot names the symbol.
        """
        found = [plt for plt in self._plts if plt[0] <= address < plt[0] + plt[1]]
        if not found:
            return None
        start, _, offset, entry = found[0]
        stub = start + (address - start) // entry * entry
        try:
            with (io.BytesIO(self._image) if self._image is not None else open(self.path, "rb")) as f:
                elf = ElfFile(f, self.path)
                code = elf.read_some(offset + stub - start, entry)
                jump = code.find(b"\xff\x25")  # jmp *disp32(%rip)
                if jump < 0 or jump + 6 > len(code):
                    return None
                slot = stub + jump + 6 + struct.unpack_from("<i", code, jump + 2)[0]
                return _relocated_name(elf, slot)
        except (OSError, ElfError, struct.error, ValueError):
            return None

    def name_of_start(self, address: int) -> Optional[str]:
        """The name of the function that starts at link-time ``address`` (SymbolTable.name_of_start), or None."""
        for table in self.tables:
            name = table.name_of_start(address)
            if name is not None:
                return name
        return None

    def defined(self, names: Sequence[str]) -> Dict[str, int]:
        """The link-time addresses of those of ``names`` that a table defines."""
        found: Dict[str, int] = {}
        for table in self.tables:
            found.update((name, address) for name, address in table.defined(names).items() if name not in found)
        return found


def _relocated_name(elf: ElfFile, slot: int) -> Optional[str]:
    """``NAME@plt`` where a dynamic relocation (RELA) of ``elf`` fills the GOT ``slot`` with symbol NAME."""
    sections = elf.sections
    packed = _ADDRESS.pack(slot)
    for _, sh in sections:
        if sh[1] != SHT_RELA or sh[9] != _RELA or not 0 < sh[6] < len(sections):
            continue
        table = elf.read(sh[4], sh[5] - sh[5] % _RELA)
        at = table.find(packed)
        while at >= 0 and at % _RELA:
            at = table.find(packed, at + 1)
        if at < 0:
            continue
        info, addend = struct.unpack_from("<Qq", table, at + 8)
        index = info >> 32
        if info & 0xFFFF_FFFF == R_X86_64_IRELATIVE:
            return f"*ABS*+{addend:#x}@plt"  # an ifunc, named by its resolver's address as BFD names it
        symbols = sections[sh[6]][1]
        names = sections[symbols[6]][1] if 0 < symbols[6] < len(sections) else None
        if not index or names is None:
            return None
        name_offset = _ST_NAME.unpack(elf.read(symbols[4] + index * _ENTRY, 4))[0]
        name = elf.read_some(names[4] + name_offset, MAX_NAME).split(b"\0", 1)[0]
        return name.split(b"@", 1)[0].decode("utf-8", "replace") + "@plt"
    return None


# Each file's symbols for as long as the file is the same (see image.file_identity).
_SYMBOLS: Dict[Tuple[str, int, int, int, int], Union[FunctionSymbols, str]] = {}


def function_symbols(path: str) -> FunctionSymbols:
    """The (cached) code symbols of the ELF file at ``path``; ElfError if it cannot be read."""
    found = per_file(_SYMBOLS, path, FunctionSymbols)
    if isinstance(found, str):
        raise ElfError(found)
    return found
