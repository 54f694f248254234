"""The source file and line of a code address, from an ELF file's DWARF line-number program (``.debug_line``).

Versions 2 to 5 of the line-number program are read: version 5's
directory and file entry formats (``DW_FORM_string``, ``line_strp``,
``strp``, ``udata``, ``data1``-``data16``, ``block``), with the strings of
``.debug_line_str`` and ``.debug_str``. The sections are the file's own,
or its separate debug file's (debugfile.py: by build id, as Debian's
``-dbg`` packages install them), compressed (``SHF_COMPRESSED``, zlib) or
not. The whole program is run once per file, into one table sorted by
address; a look-up bisects it.

A file is named as gdb (13) names the symbol table of a C frame (its
``symtab.filename``): joined to its directory, but the unit's primary file
in an absolute compilation directory by its own name (as the compiler was
given it), and a version 4 file of directory 0 by its name alone.
Rows are recorded as gdb records them (a change of file ends the previous
file's rows at that address); where several share an address, the one gdb
picks is kept: the last one with a line, or before it a statement at the same
address in the same file; an address after the end of a sequence has no
line.

Every read is bounded by its section: bad or truncated DWARF raises
:class:`DwarfError` (an ElfError) out of :func:`line_table`, and a unit
cut short keeps the rows read before the cut.
"""

from __future__ import annotations

import bisect
import struct
import zlib

from .image import MAX_READ, ElfError, ElfFile, file_identity

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence, Tuple, Union

    Row = Tuple[int, int, int, bool]  # address, file (a global index), line (0: no line), is_stmt

SHF_COMPRESSED = 0x800
ELFCOMPRESS_ZLIB = 1
_CHDR64 = struct.Struct("<IIQQ")  # type, reserved, size, alignment

# Forms of version 5's entry formats.
DW_FORM_block2, DW_FORM_block4, DW_FORM_data2, DW_FORM_data4, DW_FORM_data8 = 0x03, 0x04, 0x05, 0x06, 0x07
DW_FORM_string, DW_FORM_block, DW_FORM_block1, DW_FORM_data1 = 0x08, 0x09, 0x0A, 0x0B
DW_FORM_sdata, DW_FORM_strp, DW_FORM_udata, DW_FORM_data16, DW_FORM_line_strp = 0x0D, 0x0E, 0x0F, 0x1E, 0x1F
DW_LNCT_path, DW_LNCT_directory_index = 1, 2
_FIXED = {DW_FORM_data1: 1, DW_FORM_data2: 2, DW_FORM_data4: 4, DW_FORM_data8: 8, DW_FORM_data16: 16}


class DwarfError(ElfError):
    """DWARF that cannot be read (one-line message)."""


class _Reader:
    """Bounded reads in one buffer, from ``pos`` up to ``end``."""

    __slots__ = ("data", "pos", "end")

    def __init__(self, data: bytes, pos: int, end: int) -> None:
        self.data = data
        self.pos = pos
        self.end = min(end, len(data))

    def need(self, size: int) -> int:
        pos = self.pos
        if size < 0 or pos + size > self.end:
            raise DwarfError("a line-number program runs past its unit")
        self.pos = pos + size
        return pos

    def u(self, size: int) -> int:
        pos = self.need(size)
        return int.from_bytes(self.data[pos:pos + size], "little")

    def uleb(self) -> int:
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
                return value

    def sleb(self) -> int:
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
                return value - (1 << shift) if byte & 0x40 else value

    def cstring(self) -> bytes:
        data, pos = self.data, self.pos
        stop = data.find(b"\0", pos, self.end)
        if stop < 0:
            raise DwarfError("a string runs past its unit")
        self.pos = stop + 1
        return data[pos:stop]


def _string_at(section: Optional[bytes], offset: int) -> bytes:
    if section is None or not 0 <= offset < len(section):
        raise DwarfError("a string offset outside its section")
    stop = section.find(b"\0", offset)
    return section[offset:stop if stop >= 0 else len(section)]


def _section(elf: ElfFile, name: str) -> Optional[bytes]:
    """The contents of section ``name``, decompressed; None where the file has none (or only NOBITS)."""
    for section_name, sh in elf.sections:
        if section_name != name or sh[1] == 8:  # SHT_NOBITS: a debug file's place holder
            continue
        data = elf.read(sh[4], sh[5])
        if not sh[2] & SHF_COMPRESSED:
            return data
        if len(data) < _CHDR64.size:
            raise DwarfError(f"{elf.path}: {name} is too short for its compression header")
        kind, _, size, _ = _CHDR64.unpack_from(data)
        if kind != ELFCOMPRESS_ZLIB or size > MAX_READ:
            raise DwarfError(f"{elf.path}: {name} is compressed in an unknown way ({kind})")
        try:
            out = zlib.decompressobj().decompress(data[_CHDR64.size:], size)
        except zlib.error as exc:
            raise DwarfError(f"{elf.path}: {name}: {exc}") from None
        return out
    return None


class LineTable:
    """Every row of one file's line-number programs, sorted by address (see the module docstring)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.files: List[str] = []
        self.addresses: List[int] = []
        self.places: List[int] = []  # for each address: index into files * 2**32 + line; -1: no line
        with open(path, "rb") as f:
            elf = ElfFile(f, path)
            if elf.wordsize != 8 or elf.order != "<":
                return
            line = _section(elf, ".debug_line")
            if line is not None:
                strings = (_section(elf, ".debug_line_str"), _section(elf, ".debug_str"))
            else:
                from .debugfile import debug_file

                found = debug_file(elf)
                if found is None:
                    return
                with open(found, "rb") as g:
                    debug = ElfFile(g, found)
                    line = _section(debug, ".debug_line")
                    if line is None:
                        return
                    strings = (_section(debug, ".debug_line_str"), _section(debug, ".debug_str"))
        rows: List[Row] = []
        offset = 0
        while offset + 4 <= len(line):  # each unit moves it forward: bounded by the section
            try:
                offset = self._unit(line, offset, strings, rows)
            except (DwarfError, IndexError, ValueError, UnicodeDecodeError):
                break  # a bad unit: its length cannot be trusted, nor what follows
        self._index(rows)

    def _unit(self, data: bytes, offset: int, strings: Tuple[Optional[bytes], Optional[bytes]],
              rows: List[Row]) -> int:
        """Run the unit at ``offset`` into ``rows``; the offset of the next unit."""
        head = _Reader(data, offset, len(data))
        length = head.u(4)
        offset_size = 4
        if length == 0xFFFFFFFF:
            length, offset_size = head.u(8), 8
        elif length >= 0xFFFFFFF0:
            raise DwarfError("a reserved unit length")
        unit_end = head.pos + length
        if unit_end > len(data):
            raise DwarfError("a unit runs past .debug_line")
        r = _Reader(data, head.pos, unit_end)
        version = r.u(2)
        if not 2 <= version <= 5:
            return unit_end
        if version >= 5:
            address_size = r.u(1)
            r.u(1)  # segment selector size
            if address_size != 8:
                return unit_end
        header_length = r.u(offset_size)
        program = r.pos + header_length
        if program > unit_end:
            raise DwarfError("a unit header runs past its unit")
        min_length = r.u(1)
        if version >= 4:
            r.u(1)  # maximum operations per instruction: 1 on the machines read here
        default_stmt = bool(r.u(1))
        line_base = r.u(1)
        line_base -= 256 if line_base >= 128 else 0
        line_range = r.u(1)
        opcode_base = r.u(1)
        if not line_range or not opcode_base:
            raise DwarfError("a line range or opcode base of 0")
        lengths = [r.u(1) for _ in range(opcode_base - 1)]
        names = self._names(r, version, offset_size, strings)
        base = len(self.files)
        self.files.extend(names)
        self._run(_Reader(data, program, unit_end), base, len(names), version, min_length, default_stmt,
                  line_base, line_range, opcode_base, lengths, rows)
        return unit_end

    @staticmethod
    def _names(r: _Reader, version: int, offset_size: int,
               strings: Tuple[Optional[bytes], Optional[bytes]]) -> List[str]:
        """The unit's file names, each as gdb names its symbol table, by their index in the program."""
        if version < 5:
            directories: List[bytes] = [b""]  # 0: the compilation directory, left out
            while True:
                name = r.cstring()
                if not name:
                    break
                directories.append(name)
            files = [""]  # numbered from 1
            while True:
                name = r.cstring()
                if not name:
                    break
                index = r.uleb()
                r.uleb()
                r.uleb()
                files.append(_joined(directories[index] if 0 < index < len(directories) else b"", name))
            return files
        entries: List[List[Tuple[bytes, int]]] = []
        for _ in range(2):  # the directories, then the files
            formats = [(r.uleb(), r.uleb()) for _ in range(r.u(1))]
            count = r.uleb()
            if count > r.end - r.pos:  # each entry takes a byte at least
                raise DwarfError("more entries than the unit holds")
            table: List[Tuple[bytes, int]] = []
            for _ in range(count):
                path, index = b"", 0
                for content, form in formats:
                    value = _form(r, form, offset_size, strings)
                    if content == DW_LNCT_path and isinstance(value, bytes):
                        path = value
                    elif content == DW_LNCT_directory_index and isinstance(value, int):
                        index = value
                table.append((path, index))
            entries.append(table)
        directories = [path for path, _ in entries[0]]
        files = []
        primary = entries[1][0][0] if entries[1] else None
        for path, index in entries[1]:
            if index == 0 and path == primary and directories and directories[0].startswith(b"/"):
                # gdb knows it as the unit's own file, by its own name (DW_AT_name: file 0's)
                files.append(path.decode("utf-8", "surrogateescape"))
            else:
                files.append(_joined(directories[index] if 0 <= index < len(directories) else b"", path))
        return files

    @staticmethod
    def _run(r: _Reader, base: int, count: int, version: int, min_length: int, default_stmt: bool,
             line_base: int, line_range: int, opcode_base: int, lengths: Sequence[int], rows: List[Row]) -> None:
        """The rows of a line-number program (as gdb records them: dwarf2/read.c's lnp_state_machine)."""
        data, end = r.data, r.end
        const_add = (255 - opcode_base) // line_range * min_length
        append = rows.append
        address, file, line, stmt = 0, 1, 1, default_stmt
        last_file, last_address, stmt_here = -1, -1, False
        skip = False  # a sequence at address 0: code the linker dropped
        started = len(rows)  # where this sequence's rows start
        while r.pos < end:
            opcode = data[r.pos]
            r.pos += 1
            if opcode >= opcode_base:
                adjusted = opcode - opcode_base
                address += adjusted // line_range * min_length
                line += line_base + adjusted % line_range
            elif opcode == 0:  # extended
                size = r.uleb()
                start = r.need(size)
                if not size:
                    continue
                sub = data[start]
                if sub == 1:  # end_sequence
                    if not skip:
                        # gdb drops the rows of the sequence's last file at the address where it ends.
                        while len(rows) > started and rows[-1][0] == address and rows[-1][1] == last_file:
                            rows.pop()
                        append((address, -1, 0, True))
                    started = len(rows)
                    address, file, line, stmt = 0, 1, 1, default_stmt
                    last_file, last_address, stmt_here, skip = -1, -1, False, False
                elif sub == 2:  # set_address
                    address = int.from_bytes(data[start + 1:start + size], "little")
                    if last_file < 0 and address == 0:
                        skip = True
                continue
            elif opcode == 1:  # copy
                pass
            elif opcode == 2:
                address += r.uleb() * min_length
                continue
            elif opcode == 3:
                line += r.sleb()
                continue
            elif opcode == 4:
                file = r.uleb()
                continue
            elif opcode == 6:
                stmt = not stmt
                continue
            elif opcode == 8:
                address += const_add
                continue
            elif opcode == 9:
                address += r.u(2)
                continue
            else:  # set_column, set_isa and the opcodes of later versions: their operands skipped
                for _ in range(lengths[opcode - 1]):
                    r.uleb()
                continue
            # A row: special opcodes and copy.
            if skip:
                continue
            index = file  # version 4 numbers from 1: its files[0] is a place holder
            global_file = base + index if 0 <= index < count else -1
            changed = global_file != last_file
            # gdb: a change of file at an address that had a statement, by a non-statement, is left out.
            ignored = line <= 0 or (changed and address == last_address and not stmt and stmt_here)
            if address != last_address:
                last_address, stmt_here = address, False
            stmt_here = stmt_here or stmt
            if ignored:
                continue
            if changed:
                # gdb ends the previous file's lines here: its rows at this address go.
                while len(rows) > started and rows[-1][0] == address and rows[-1][1] == last_file:
                    rows.pop()
            append((address, global_file, line, stmt))
            last_file = global_file

    def _index(self, rows: List[Row]) -> None:
        """One entry per address: the row gdb finds there (see the module docstring)."""
        rows.sort(key=lambda row: row[0])  # stable: rows at one address keep their order
        addresses, places = self.addresses, self.places
        i, total = 0, len(rows)
        while i < total:
            address = rows[i][0]
            j = i + 1
            while j < total and rows[j][0] == address:
                j += 1
            chosen = -1
            for k in range(j - 1, i - 1, -1):
                if rows[k][2]:
                    # A non-statement: a statement before it at the address, in its file.
                    while not rows[k][3] and k > i and rows[k - 1][2] and rows[k - 1][1] == rows[k][1]:
                        k -= 1
                    if rows[k][1] >= 0:
                        chosen = (rows[k][1] << 32) | rows[k][2]
                    break
            addresses.append(address)
            places.append(chosen)
            i = j

    def find(self, address: int) -> Optional[Tuple[str, int]]:
        """(file, line) of link-time ``address``, or None."""
        at = bisect.bisect_right(self.addresses, address) - 1
        if at < 0:
            return None
        place = self.places[at]
        if place < 0:
            return None
        return self.files[place >> 32], place & 0xFFFFFFFF


def _joined(directory: bytes, name: bytes) -> str:
    """``name`` in ``directory`` as gdb joins them (path_join); the name alone if absolute or no directory."""
    if directory and not name.startswith(b"/"):
        name = directory.rstrip(b"/") + b"/" + name
    return name.decode("utf-8", "surrogateescape")


def _form(r: _Reader, form: int, offset_size: int,
          strings: Tuple[Optional[bytes], Optional[bytes]]) -> Union[bytes, int, None]:
    """One attribute value of an entry format."""
    if form == DW_FORM_string:
        return r.cstring()
    if form == DW_FORM_line_strp:
        return _string_at(strings[0], r.u(offset_size))
    if form == DW_FORM_strp:
        return _string_at(strings[1], r.u(offset_size))
    if form == DW_FORM_udata:
        return r.uleb()
    if form == DW_FORM_sdata:
        return r.sleb()
    size = _FIXED.get(form)
    if size is not None:
        return r.u(size) if size <= 8 else (r.need(size) and None)
    if form == DW_FORM_block:
        r.need(r.uleb())
        return None
    if form in (DW_FORM_block1, DW_FORM_block2, DW_FORM_block4):
        r.need(r.u({DW_FORM_block1: 1, DW_FORM_block2: 2, DW_FORM_block4: 4}[form]))
        return None
    raise DwarfError(f"an entry format of form {form:#x}")


# Each file's table for the run, by the file's identity (a rebuilt file is read again).
_TABLES: Dict[Tuple[str, int, int, int, int], Union[LineTable, str]] = {}


def line_table(path: str) -> Optional[LineTable]:
    """The (cached) line table of the ELF file at ``path``; None where it cannot be read."""
    try:
        key = file_identity(path)
    except (OSError, ValueError):
        return None
    found = _TABLES.get(key)
    if found is None:
        try:
            found = LineTable(path)
        except (OSError, ElfError, struct.error, ValueError, IndexError, MemoryError) as exc:
            found = f"{path}: {exc}"
        _TABLES[key] = found
    return found if isinstance(found, LineTable) else None
