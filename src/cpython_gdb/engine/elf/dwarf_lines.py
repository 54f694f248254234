"""The source file and line of a code address, from one unit of DWARF's line-number program (``.debug_line``).

Versions 2 to 5 of the line-number program are read: version 5's
directory and file entry formats (``DW_FORM_string``, ``line_strp``,
``strp``, ``udata``, ``data1``-``data16``, ``block``), with the strings of
``.debug_line_str`` and ``.debug_str``. Only the unit of the compilation
unit that holds an address is run (dwarf_info.py finds it: a libpython's
whole program takes half a second to run, one unit milliseconds).

The answer is gdb's (13), which does not simply take the last row at or
before an address. gdb files the rows by source file, in "subfiles"
named as it names a frame's file (``symtab.filename``), and looks an
address up in each file's rows, in its order of the files, keeping the
nearest row at or before it (the first file's on a tie). So the rows are
recorded here as gdb records them (its lnp_state_machine and
buildsym's record_line):

- a file is named by its entry joined to its directory (a version 4
  entry of directory 0 by its name alone); an absolute name is the same
  file as a relative one that the compilation directory makes it, which
  then keeps the relative name (the unit's own, DW_AT_name, comes first);
- a row is left out when its line is 0, when it changes the file at an
  address that had a statement and is none itself, and when it repeats
  the line of the row before in the same file once that line had a
  non-zero discriminator;
- a change of file, and the end of a sequence, ends the previous file's
  rows with an end marker at the address (line 0), which drops that
  file's rows at the same address first (an end marker right after
  another, or first, is dropped);
- each file's rows are sorted by address, end markers first among rows
  at one address; a look-up in a file takes its last row at or before the
  address and, where that is not a statement, the nearest statement
  before it at the same address, unless an end marker comes between.

The files are looked in as gdb orders them: the unit's own file, then
in the order the unit's file entries name them. An address whose nearest
row is an end marker has no line.

Bad or truncated DWARF keeps the rows read before the damage.
"""

from __future__ import annotations

import bisect

from .dwarf import Cursor as _Reader
from .dwarf import DwarfError, string_at

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Sequence, Tuple, Union

    from .dwarf import Sections

    Row = Tuple[int, int, bool]  # address, line (0: an end marker), is_stmt

# Forms of version 5's entry formats.
DW_FORM_block2, DW_FORM_block4, DW_FORM_data2, DW_FORM_data4, DW_FORM_data8 = 0x03, 0x04, 0x05, 0x06, 0x07
DW_FORM_string, DW_FORM_block, DW_FORM_block1, DW_FORM_data1 = 0x08, 0x09, 0x0A, 0x0B
DW_FORM_sdata, DW_FORM_strp, DW_FORM_udata, DW_FORM_data16, DW_FORM_line_strp = 0x0D, 0x0E, 0x0F, 0x1E, 0x1F
DW_LNCT_path, DW_LNCT_directory_index = 1, 2
_FIXED = {DW_FORM_data1: 1, DW_FORM_data2: 2, DW_FORM_data4: 4, DW_FORM_data8: 8, DW_FORM_data16: 16}


class LineProgram:
    """The rows of the line-number program unit at ``offset`` of ``.debug_line``, by file (see the module
    docstring), and the names of its file entries (a DW_AT_call_file's).

    ``name`` and ``comp_dir``: the compilation unit's DW_AT_name and DW_AT_comp_dir, where it has them.
    """

    def __init__(self, sections: Sections, offset: int, name: Optional[str] = None,
                 comp_dir: Optional[str] = None) -> None:
        self.comp_dir = comp_dir
        self.subfiles: List[str] = []  # gdb's subfiles: their names, in the order they were made
        self.rows: List[List[Row]] = []  # each subfile's
        self.entries: List[int] = []  # each file entry's subfile; -1: an entry of no name
        self._entry_names: List[Optional[str]] = []
        self.order: List[int] = []  # the subfiles in the order gdb looks in them
        self._addresses: List[List[int]] = []
        main = -1 if not name else self._subfile(name)
        line = sections.get(".debug_line", offset + 12)  # the unit's length (a compressed section: as far)
        if line is not None and offset + 4 <= len(line):
            length = int.from_bytes(line[offset:offset + 4], "little")
            if length == 0xFFFFFFFF and offset + 12 <= len(line):
                length = int.from_bytes(line[offset + 4:offset + 12], "little") + 8
            line = sections.get(".debug_line", offset + 4 + length) or b""
            strings = (sections.get(".debug_line_str"), sections.get(".debug_str"))
            try:
                self._unit(line, offset, strings)
            except (DwarfError, IndexError, ValueError, UnicodeDecodeError):
                pass  # the rows read before the damage
        self._index(main)

    def file(self, index: int) -> Optional[str]:
        """The name of the unit's file entry ``index`` (version 5 numbers from 0, earlier versions from 1)."""
        return self.subfiles[self.entries[index]] if 0 <= index < len(self.entries) and self.entries[index] >= 0 \
            else None

    def _subfile(self, name: str) -> int:
        """gdb's subfile for a file of this name: an existing one of the same name (an absolute name is the
        same as a relative one in the compilation directory), else a new one."""
        absolute = name.startswith("/")
        for index in range(len(self.subfiles) - 1, -1, -1):
            known = self.subfiles[index]
            if absolute and not known.startswith("/") and self.comp_dir:
                known = _joined(self.comp_dir.encode("utf-8", "surrogateescape"),
                                known.encode("utf-8", "surrogateescape"))
            if known == name:
                return index
        self.subfiles.append(name)
        self.rows.append([])
        return len(self.subfiles) - 1

    def _unit(self, data: bytes, offset: int, strings: Tuple[Optional[bytes], Optional[bytes]]) -> None:
        """Run the unit at ``offset``."""
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
            return
        if version >= 5:
            address_size = r.u(1)
            r.u(1)  # segment selector size
            if address_size != 8:
                return
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
        self._entry_names = self._names(r, version, offset_size, strings)
        self.entries = [-2] * len(self._entry_names)  # -2: no subfile made for it yet
        try:
            self._run(_Reader(data, program, unit_end), min_length, default_stmt, line_base, line_range,
                      opcode_base, lengths)
        finally:
            # After the program, gdb makes the subfiles of the entries not used, in their order.
            for index in range(len(self.entries)):
                self._entry(index)

    def _entry(self, index: int) -> int:
        """The subfile of file entry ``index``, made when first used (as gdb makes it: its name is the
        name of the entry that made it); -1 where there is no such entry."""
        if not 0 <= index < len(self.entries):
            return -1
        found = self.entries[index]
        if found == -2:
            name = self._entry_names[index]
            found = self.entries[index] = -1 if name is None else self._subfile(name)
        return found

    @staticmethod
    def _names(r: _Reader, version: int, offset_size: int,
               strings: Tuple[Optional[bytes], Optional[bytes]]) -> List[Optional[str]]:
        """The names of the unit's file entries, by their index (None: no entry there), each joined to its
        directory as gdb joins them."""
        if version < 5:
            directories: List[bytes] = []  # numbered from 1: directory 0 is none (the name alone)
            while True:
                name = r.cstring()
                if not name:
                    break
                directories.append(name)
            files: List[Optional[str]] = [None]  # numbered from 1
            while True:
                name = r.cstring()
                if not name:
                    break
                index = r.uleb()
                r.uleb()
                r.uleb()
                files.append(_joined(directories[index - 1] if 0 < index <= len(directories) else b"", name))
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
        return [_joined(directories[index] if 0 <= index < len(directories) else b"", path)
                for path, index in entries[1]]

    def _run(self, r: _Reader, min_length: int, default_stmt: bool, line_base: int, line_range: int,
             opcode_base: int, lengths: Sequence[int]) -> None:
        """The rows of a line-number program, by subfile (gdb's lnp_state_machine: see the module docstring).

        The hot loop of a --native dump (a unit of ceval.c is a hundred
        thousand opcodes): the position is a local, LEB128 operands are
        decoded in place, and a special opcode's advances come from tables.
        """
        data, end = r.data, r.end
        pos = r.pos
        tables = self.rows
        const_add = (255 - opcode_base) // line_range * min_length
        add_address = [0] * 256
        add_line = [0] * 256
        for op in range(opcode_base, 256):
            add_address[op] = (op - opcode_base) // line_range * min_length
            add_line[op] = line_base + (op - opcode_base) % line_range
        operands = [0] + list(lengths) + [0] * 256
        while pos < end:
            # A sequence: the state machine starts again, in file 1.
            address, line, stmt = 0, 1, default_stmt
            subfile = self._entry(1)  # gdb's current subfile: that of the last file entry that exists
            valid = subfile >= 0  # whether the current file entry exists (its rows are recorded)
            last_subfile, last_line, last_address, stmt_here = -2, 0, 0, False  # -2: none yet
            discriminator, discriminated = 0, False  # the line had a non-zero discriminator
            recording = True  # False in a sequence at address 0: code the linker dropped
            done = False
            while pos < end and not done:
                opcode = data[pos]
                pos += 1
                if opcode >= opcode_base:
                    address += add_address[opcode]
                    delta = add_line[opcode]
                    line += delta
                    if delta:
                        discriminated = discriminator != 0
                elif opcode == 1:  # copy
                    pass
                elif opcode == 0:  # extended
                    r.pos = pos
                    size = r.uleb()
                    start = r.need(size)
                    pos = r.pos
                    if not size:
                        continue
                    sub = data[start]
                    if sub == 1:  # end_sequence: the end marker of the last file
                        recording = done = True
                        if last_subfile >= 0:
                            _end_marker(tables[last_subfile], address)
                        if last_address != address:
                            last_address, stmt_here = address, False
                        continue
                    if sub == 2:  # set_address
                        address = int.from_bytes(data[start + 1:start + size], "little")
                        if address == 0:
                            recording = False
                    elif sub == 4:  # set_discriminator
                        r.pos = start + 1
                        discriminator = r.uleb()
                        discriminated = discriminated or discriminator != 0
                    continue
                elif opcode == 6:
                    stmt = not stmt
                    continue
                elif opcode == 8:
                    address += const_add
                    continue
                elif opcode == 9:
                    if pos + 2 > end:
                        raise DwarfError("a line-number program runs past its unit")
                    address += data[pos] | data[pos + 1] << 8
                    pos += 2
                    continue
                else:
                    # LEB128 operands: advance_pc (2), advance_line (3, signed), set_file (4); set_column (5),
                    # set_isa and later versions' opcodes: their operands skipped.
                    for _ in range(operands[opcode]):
                        value = shift = 0
                        while True:
                            if pos >= end:
                                raise DwarfError("a LEB128 number runs past its unit")
                            byte = data[pos]
                            pos += 1
                            value |= (byte & 0x7F) << shift
                            shift += 7
                            if byte < 0x80:
                                break
                        if opcode == 2:
                            address += value * min_length
                        elif opcode == 3:
                            delta = value - (1 << shift) if byte & 0x40 else value
                            line += delta
                            if delta:
                                discriminated = discriminator != 0
                        elif opcode == 4:
                            found = self._entry(value)
                            valid = found >= 0
                            if valid:
                                last_subfile, subfile = subfile, found
                                discriminated = discriminator != 0
                    continue
                # A row (special opcodes and copy), as gdb's record_line makes it.
                discriminator = 0
                if valid:
                    changed = last_subfile != subfile
                    ignored = line == 0 or (changed and last_address == address and not stmt and stmt_here)
                    if changed and not ignored and last_subfile >= 0 and recording:
                        _end_marker(tables[last_subfile], address)
                    if not ignored:
                        if (changed or line != last_line or not discriminated) and recording:
                            tables[subfile].append((address, line, stmt))
                        last_subfile, last_line = subfile, line
                if last_address != address:
                    last_address, stmt_here = address, False
                stmt_here = stmt_here or stmt

    def _index(self, main: int) -> None:
        """Each subfile's rows sorted (end markers first at an address), and the order gdb looks in them."""
        for rows in self.rows:
            rows.sort(key=_sort_key)
        self._addresses = [[row[0] for row in rows] for rows in self.rows]
        order = [] if main < 0 else [main]
        for index in self.entries:
            if index >= 0 and index not in order:
                order.append(index)
        if main >= 0 and main not in self.entries:
            # No entry names the unit's own file: gdb takes the one file of its base name for it.
            base = self.subfiles[main].rsplit("/", 1)[-1]
            alias = [i for i in order[1:] if self.subfiles[i].rsplit("/", 1)[-1] == base]
            if len(alias) == 1:
                order.remove(alias[0])
                order[0] = alias[0]
        self.order = order

    def find(self, address: int) -> Optional[Tuple[str, int]]:
        """(file, line) of link-time ``address`` as gdb finds it (see the module docstring), or None."""
        best: Optional[Tuple[int, int, int]] = None  # address, subfile, index of the row
        for subfile in self.order:
            addresses = self._addresses[subfile]
            i = bisect.bisect_right(addresses, address) - 1
            if i < 0:
                continue
            rows = self.rows[subfile]
            if best is not None and (addresses[i] < best[0] or (addresses[i] == best[0] and (
                    rows[i][1] == 0 or self.rows[best[1]][best[2]][1] != 0))):
                continue  # the first file's row on a tie, but an end marker gives way to a line
            if not rows[i][2]:  # not a statement: one before it at the address, if no end marker is between
                k = i
                while k > 0 and rows[k - 1][0] == rows[k][0] and rows[k - 1][1] != 0 and not rows[k][2]:
                    k -= 1
                if rows[k][2]:
                    i = k
            best = (addresses[i], subfile, i)
        if best is None:
            return None
        line = self.rows[best[1]][best[2]][1]
        return None if line == 0 else (self.subfiles[best[1]], line)


def _sort_key(row: Row) -> Tuple[int, bool]:
    return row[0], row[1] != 0


def _end_marker(rows: List[Row], address: int) -> None:
    """gdb's end marker at ``address`` in a subfile's rows: its rows at the address go first; none is
    added after another marker, or to no rows."""
    last: Optional[int] = None
    while rows:
        last = rows[-1][1]
        if rows[-1][0] != address:
            break
        rows.pop()
    if last is None or last == 0:
        return
    rows.append((address, 0, True))


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
        return string_at(strings[0], r.u(offset_size))
    if form == DW_FORM_strp:
        return string_at(strings[1], r.u(offset_size))
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
