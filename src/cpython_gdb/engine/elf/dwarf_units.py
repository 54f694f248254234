"""The units and entries of DWARF's ``.debug_info``, read where asked (the look-ups are dwarf_info.py's).

Versions 2 to 5 of the units are read: the forms of DWARF 5 (``strx``,
``addrx``, ``rnglistx``, ``implicit_const``...), ``.debug_ranges`` and
``.debug_rnglists``, location lists, references within a unit and across
units (``DW_FORM_ref_addr``: link-time optimised code, as Debian builds
CPython, refers to the functions of other units). An entry's attributes
are read by a plan made once per abbreviation (dwarf_forms.py): the
values of the attributes wanted here, the others skipped. Every read is
bounded by its section; bad DWARF raises :class:`DwarfError`.
"""

from __future__ import annotations

import bisect
import mmap

from .dwarf import Cursor, DwarfError, string_at
from .dwarf_forms import (
    ADDRX,
    CSTRING,
    DATA,
    F_ADDR,
    F_ADDRX,
    F_BLOCK,
    F_BLOCK1,
    F_BLOCK2,
    F_BLOCK4,
    F_DATA4,
    F_DATA8,
    F_EXPRLOC,
    F_FLAG_PRESENT,
    F_GNU_ADDR_INDEX,
    F_GNU_REF_ALT,
    F_GNU_STR_INDEX,
    F_GNU_STRP_ALT,
    F_IMPLICIT_CONST,
    F_INDIRECT,
    F_LINE_STRP,
    F_LOCLISTX,
    F_REF_ADDR,
    F_REF_UDATA,
    F_RNGLISTX,
    F_SDATA,
    F_SEC_OFFSET,
    F_STRING,
    F_STRP,
    F_STRP_SUP,
    F_STRX,
    F_UDATA,
    FIXED,
    LOCAL_REFS,
    SKIP,
    STRX,
    ULEB,
    WANT,
    read_plan,
)
from .dwarf_ranges import range_list, ranges_v4, read_aranges

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple, Union

    from .dwarf import Data, Sections

    Step = Tuple[int, int, int, int]  # _plan's: operation, attribute (or a size), form, constant
    Abbrev = Tuple[int, bool, List[Step], List[Step]]  # tag, has children, plan, skimming plan


# Tags and attributes read here.
DW_TAG_lexical_block, DW_TAG_compile_unit, DW_TAG_inlined_subroutine = 0x0B, 0x11, 0x1D
DW_TAG_subprogram, DW_TAG_namespace, DW_TAG_partial_unit = 0x2E, 0x39, 0x3C
DW_AT_sibling, DW_AT_name, DW_AT_stmt_list, DW_AT_low_pc, DW_AT_high_pc = 0x01, 0x03, 0x10, 0x11, 0x12
DW_AT_comp_dir, DW_AT_abstract_origin, DW_AT_specification, DW_AT_ranges = 0x1B, 0x31, 0x47, 0x55
DW_AT_call_file, DW_AT_call_line, DW_AT_linkage_name, DW_AT_MIPS_linkage_name = 0x58, 0x59, 0x6E, 0x2007
DW_AT_str_offsets_base, DW_AT_addr_base, DW_AT_rnglists_base = 0x72, 0x73, 0x74
DW_AT_location, DW_AT_frame_base, DW_AT_loclists_base = 0x02, 0x40, 0x8C
DW_TAG_formal_parameter, DW_TAG_variable = 0x05, 0x34
WANTED = frozenset((DW_AT_sibling, DW_AT_name, DW_AT_comp_dir, DW_AT_stmt_list, DW_AT_low_pc, DW_AT_high_pc,
                    DW_AT_abstract_origin, DW_AT_specification, DW_AT_ranges, DW_AT_call_file, DW_AT_call_line,
                    DW_AT_linkage_name, DW_AT_MIPS_linkage_name, DW_AT_location, DW_AT_frame_base,
                    DW_AT_str_offsets_base, DW_AT_addr_base, DW_AT_rnglists_base, DW_AT_loclists_base))
# How an entry's DW_AT_location or DW_AT_frame_base is given (in attrs[-attribute]; attrs[attribute] is the
# offset of the expression in .debug_info, of the list, or its index): an expression of that many bytes,
# or a location list.
LOCATION_LIST, LOCATION_LIST_INDEX = -1, -2
EXPRESSIONS = (DW_AT_location, DW_AT_frame_base)
SIBLING = frozenset((DW_AT_sibling,))
# Entries that are no block of code themselves but may hold some: looked into.
TRANSPARENT = frozenset((DW_TAG_lexical_block, DW_TAG_namespace))

MAX_ORIGINS = 8  # abstract_origin/specification links followed for a name (a loop ends there)
MAX_DEPTH = 64  # nested blocks looked into: deeper is corrupt
MAX_ENTRIES = 2_000_000  # entries read for one look-up: a unit's entries end sooner


class Unit:
    """One compilation unit: where its entries are, how their forms are read, and its own attributes."""

    __slots__ = ("offset", "end", "version", "address_size", "offset_size", "abbrevs", "first", "stmt_list",
                 "low_pc", "str_offsets_base", "addr_base", "rnglists_base", "loclists_base", "top", "functions",
                 "name", "comp_dir")

    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.end = offset
        self.version = 0
        self.address_size = 8
        self.offset_size = 4
        self.abbrevs: Dict[int, Abbrev] = {}
        self.first = 0  # the offset of its unit entry
        self.stmt_list: Optional[int] = None
        self.low_pc = 0
        self.str_offsets_base = 8  # DWARF 5's default: past the first contribution's header
        self.addr_base = 8
        self.rnglists_base = 12
        self.loclists_base = 12
        self.top: Optional[int] = None  # the offset of its first child entry; None: it has none
        self.functions: Optional[Tuple[List[int], List[int], List[int]]] = None  # DebugInfo._functions
        self.name: Optional[str] = None  # its DW_AT_name: its own source file
        self.comp_dir: Optional[str] = None



class UnitReader:
    """One file's ``.debug_info``, read where asked: its units, their entries and attribute values."""

    def __init__(self, sections: Sections) -> None:
        self.sections = sections
        # The section (its bytes at positions base to base + size of info): the file mapped in memory, or a
        # compressed section decompressed as far as a look-up needs (base 0). Positions in info are used
        # throughout: offsets in the section (.debug_aranges's, DW_FORM_ref_addr's) get base added.
        self.info: Union[bytes, mmap.mmap] = b""
        self.base = 0
        self._size: Optional[int] = None  # the section's size where it is mapped
        self._views: Dict[str, Tuple[Data, int, int]] = {}
        try:
            found = sections.mapped(".debug_info")
        except (OSError, ValueError):
            found = None
        if found is not None:
            self.info, self.base, self._size = found
        self.abbrev = sections.get(".debug_abbrev") or b""
        self._whole = False
        self._strings: Dict[str, Optional[bytes]] = {}
        self._units: Dict[int, Unit] = {}
        self._starts: Optional[List[int]] = None  # units' offsets, as far as read (references across units)
        self._next_start: Optional[int] = 0  # the offset of the next unit to list; None: all listed
        self._ranges: Optional[Tuple[List[int], List[int], List[int]]] = None  # starts, ends, unit offsets
        self._abbrev_tables: Dict[Tuple[int, int, bool], Dict[int, Abbrev]] = {}

    # -- units --

    def _limit(self) -> int:
        """The position in info where the section ends (or what is read of it)."""
        return len(self.info) if self._size is None else self.base + self._size

    def _need(self, end: int) -> None:
        """Have .debug_info read up to ``end`` at least (or to its end)."""
        if end > len(self.info) and not self._whole and self._size is None:
            self.info = self.sections.get(".debug_info", end) or b""
            self._whole = end > len(self.info)  # asked past it: it is all there

    def unit_at(self, address: int) -> Optional[Unit]:
        """The compilation unit whose code holds link-time ``address``; None if none does."""
        if self._ranges is None:
            self._ranges = self._unit_ranges()
        starts, ends, units = self._ranges
        i = bisect.bisect_right(starts, address) - 1
        # Ranges may nest or overlap (aranges of one unit are not merged): look back a little.
        for j in range(i, max(i - 8, -1), -1):
            if starts[j] <= address < ends[j]:
                return self.unit(units[j])  # (a position in info: _unit_ranges)
        return None

    def unit(self, offset: int) -> Unit:
        found = self._units.get(offset)
        if found is None:
            found = self._units[offset] = self._read_unit(offset)
        return found

    def _read_unit(self, offset: int) -> Unit:
        unit = Unit(offset)
        self._need(offset + 12)
        r = Cursor(self.info, offset, self._limit())
        length = r.u(4)
        if length == 0xFFFFFFFF:
            length, unit.offset_size = r.u(8), 8
        elif length >= 0xFFFFFFF0:
            raise DwarfError("a reserved unit length in .debug_info")
        unit.end = r.pos + length
        self._need(unit.end)
        r.data, r.end = self.info, self._limit()
        if unit.end > self._limit():
            raise DwarfError("a unit runs past .debug_info")
        unit.version = r.u(2)
        if not 2 <= unit.version <= 5:
            raise DwarfError(f"a DWARF {unit.version} unit")
        if unit.version >= 5:
            kind = r.u(1)
            unit.address_size = r.u(1)
            abbrev_offset = r.u(unit.offset_size)
            if kind not in (1, 3):  # DW_UT_compile, DW_UT_partial: type and split units hold no code here
                return unit
        else:
            abbrev_offset = r.u(unit.offset_size)
            unit.address_size = r.u(1)
        if unit.address_size != 8:
            raise DwarfError(f"an address size of {unit.address_size}")
        unit.abbrevs = self._abbrevs(abbrev_offset, unit.offset_size, unit.version)
        unit.first = r.pos
        r.end = unit.end
        tag, children, attrs = self._entry(unit, r)
        if tag not in (DW_TAG_compile_unit, DW_TAG_partial_unit):
            return unit
        unit.stmt_list = attrs.get(DW_AT_stmt_list)
        unit.low_pc = attrs.get(DW_AT_low_pc) or 0
        unit.str_offsets_base = attrs.get(DW_AT_str_offsets_base, unit.str_offsets_base)
        unit.addr_base = attrs.get(DW_AT_addr_base, unit.addr_base)
        unit.rnglists_base = attrs.get(DW_AT_rnglists_base, unit.rnglists_base)
        unit.loclists_base = attrs.get(DW_AT_loclists_base, unit.loclists_base)
        unit.top = r.pos if children else None
        unit.name = self.string(attrs[DW_AT_name]) if DW_AT_name in attrs else None
        unit.comp_dir = self.string(attrs[DW_AT_comp_dir]) if DW_AT_comp_dir in attrs else None
        return unit

    def _unit_ranges(self) -> Tuple[List[int], List[int], List[int]]:
        """(start, end, unit offset) of the code of every unit: .debug_aranges's, else each unit's own."""
        rows: List[Tuple[int, int, int]] = []
        aranges = self.sections.get(".debug_aranges")
        if aranges:
            try:
                read_aranges(aranges, rows)
            except DwarfError:
                pass  # the sets read before the damage
            rows = [(start, end, unit + self.base) for start, end, unit in rows]
        if not rows:
            for offset in self._unit_starts():
                try:
                    unit = self.unit(offset)
                    entry = self._entry(unit, Cursor(self.info, unit.first, unit.end))[2]
                    rows.extend((start, end, offset) for start, end in self._code_ranges(unit, entry))
                except DwarfError:
                    continue
        rows.sort()
        return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]

    def _unit_starts(self, upto: Optional[int] = None) -> List[int]:
        """The positions of the units in info, in order: all of them, or as far as the one holding ``upto``."""
        if self._starts is None:
            self._starts, self._next_start = [], self.base
        starts = self._starts
        while self._next_start is not None and (upto is None or not starts or starts[-1] <= upto):
            offset = self._next_start
            self._need(offset + 12)
            info = self.info
            if offset + 11 > self._limit():
                self._next_start = None
                break
            length = int.from_bytes(info[offset:offset + 4], "little")
            if length == 0xFFFFFFFF:
                length = int.from_bytes(info[offset + 4:offset + 12], "little") + 8
            elif length >= 0xFFFFFFF0 or length == 0:
                self._next_start = None
                break
            starts.append(offset)
            self._next_start = offset + 4 + length
        return starts

    def _unit_holding(self, offset: int) -> Unit:
        """The unit whose entries include the one at ``offset`` of .debug_info (a DW_FORM_ref_addr's)."""
        starts = self._unit_starts(offset)
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0:
            raise DwarfError("a reference before the first unit")
        unit = self.unit(starts[i])
        if not unit.first <= offset < unit.end:
            raise DwarfError("a reference outside every unit")
        return unit

    # -- entries --

    def _abbrevs(self, offset: int, offset_size: int, version: int) -> Dict[int, Abbrev]:
        """The abbreviation table at ``offset`` of .debug_abbrev, each entry's attributes made into a plan
        of reads for units of this offset size and version (see _plan)."""
        key = (offset, offset_size, version >= 3)
        table = self._abbrev_tables.get(key)
        if table is not None:
            return table
        table = {}
        r = Cursor(self.abbrev, offset, len(self.abbrev))
        while True:
            code = r.uleb()
            if code == 0:
                break
            tag = r.uleb()
            children = r.u(1) != 0
            specs = []
            while True:
                attribute, form = r.uleb(), r.uleb()
                if attribute == 0 and form == 0:
                    break
                specs.append((attribute, form, r.sleb() if form == F_IMPLICIT_CONST else 0))
            plan = read_plan(specs, offset_size, version, WANTED)
            # Skimming a unit's top level for its functions needs nothing but the siblings of the others.
            skim = plan if tag == DW_TAG_subprogram else read_plan(specs, offset_size, version, SIBLING)
            table[code] = (tag, children, plan, skim)
        self._abbrev_tables[key] = table
        return table

    def _entry(self, unit: Unit, r: Cursor, skim: bool = False) -> Tuple[int, bool, Dict[int, int]]:
        """The entry at ``r`` (its tag 0 for a null entry, ending a list of children), with the values of
        its WANTED attributes (see _value), or if ``skim`` of its DW_AT_sibling only, but a function's;
        ``r`` moves past it."""
        code = r.uleb()
        if code == 0:
            return 0, False, {}
        found = unit.abbrevs.get(code)
        if found is None:
            raise DwarfError(f"an entry of unknown abbreviation {code}")
        tag, children, plan = found[0], found[1], (found[3] if skim else found[2])
        attrs: Dict[int, int] = {}
        data, end = r.data, r.end
        pos = r.pos
        for op, attribute, form, constant in plan:
            if op == SKIP:
                pos += attribute
            elif op == ULEB:
                while True:
                    if pos >= end:
                        raise DwarfError("a LEB128 number runs past its unit")
                    pos += 1
                    if data[pos - 1] < 0x80:
                        break
            elif op == CSTRING:
                stop = data.find(b"\0", pos, end)
                if stop < 0:
                    raise DwarfError("a string runs past its unit")
                pos = stop + 1
            else:  # READ: a wanted attribute, or a form read to be skipped
                if pos > end:
                    raise DwarfError("an entry runs past its unit")
                r.pos = pos
                if op == WANT and attribute in EXPRESSIONS:
                    self._expression(unit, r, form, attribute, attrs)
                    pos = r.pos
                    continue
                value = self._value(unit, r, form, constant)
                pos = r.pos
                if op == WANT:
                    attrs[attribute] = value
                    if attribute == DW_AT_high_pc and form in DATA:
                        attrs[-DW_AT_high_pc] = 1  # an offset from low_pc, not an address
                    elif attribute == DW_AT_ranges and form == F_RNGLISTX:
                        attrs[-DW_AT_ranges] = 1  # an index in the unit's offsets table
        if pos > end:
            raise DwarfError("an entry runs past its unit")
        r.pos = pos
        return tag, children, attrs

    def _expression(self, unit: Unit, r: Cursor, form: int, attribute: int, attrs: Dict[int, int]) -> None:
        """A DW_AT_location or DW_AT_frame_base: where its expression is, or its location list."""
        if form in (F_EXPRLOC, F_BLOCK):
            size = r.uleb()
        elif form in (F_BLOCK1, F_BLOCK2, F_BLOCK4):
            size = r.u({F_BLOCK1: 1, F_BLOCK2: 2, F_BLOCK4: 4}[form])
        elif form == F_LOCLISTX:
            attrs[attribute], attrs[-attribute] = r.uleb(), LOCATION_LIST_INDEX
            return
        elif form in (F_SEC_OFFSET, F_DATA4, F_DATA8):  # a location list (DWARF 2-3 give it as data)
            attrs[attribute], attrs[-attribute] = r.u(unit.offset_size if form == F_SEC_OFFSET else
                                                      (4 if form == F_DATA4 else 8)), LOCATION_LIST
            return
        else:
            self._value(unit, r, form, 0)
            return
        attrs[attribute], attrs[-attribute] = r.need(size), size

    def _value(self, unit: Unit, r: Cursor, form: int, constant: int) -> int:
        """An attribute's value: a number, an address, an offset in .debug_info (references), or a string as
        ~offset in .debug_str (~~offset: in .debug_line_str; -1: a string kept elsewhere)."""
        size = FIXED.get(form)
        if size is not None:
            value = r.u(size) if size <= 8 else r.need(size) and 0
            return value + unit.offset if form in LOCAL_REFS else value
        if form == F_ADDR:
            return r.u(unit.address_size)
        if form == F_UDATA:
            return r.uleb()
        if form == F_REF_UDATA:
            return r.uleb() + unit.offset
        if form == F_SDATA:
            return r.sleb()
        if form in (F_SEC_OFFSET, F_STRP_SUP, F_GNU_REF_ALT):
            return r.u(unit.offset_size)
        if form == F_STRP:
            return ~r.u(unit.offset_size)
        if form == F_LINE_STRP:
            return ~self._line_string(r.u(unit.offset_size))
        if form == F_GNU_STRP_ALT:
            r.u(unit.offset_size)
            return -1
        if form == F_REF_ADDR:  # an offset in the section: a position in info
            return r.u(unit.offset_size if unit.version >= 3 else unit.address_size) + self.base
        if form == F_STRING:
            start = r.pos
            r.cstring()
            return ~self._inline_string(start)
        if form == F_FLAG_PRESENT:
            return 1
        if form == F_IMPLICIT_CONST:
            return constant
        if form in (F_EXPRLOC, F_BLOCK):
            r.need(r.uleb())
            return 0
        if form in (F_BLOCK1, F_BLOCK2, F_BLOCK4):
            r.need(r.u({F_BLOCK1: 1, F_BLOCK2: 2, F_BLOCK4: 4}[form]))
            return 0
        if form in (F_STRX, F_GNU_STR_INDEX) or form in STRX:
            index = r.uleb() if form in (F_STRX, F_GNU_STR_INDEX) else r.u(STRX[form])
            return ~self._indexed(".debug_str_offsets", unit.str_offsets_base, index, unit.offset_size)
        if form in (F_ADDRX, F_GNU_ADDR_INDEX) or form in ADDRX:
            index = r.uleb() if form in (F_ADDRX, F_GNU_ADDR_INDEX) else r.u(ADDRX[form])
            return self._indexed(".debug_addr", unit.addr_base, index, unit.address_size)
        if form in (F_LOCLISTX, F_RNGLISTX):
            return r.uleb()
        if form == F_INDIRECT:
            return self._value(unit, r, r.uleb(), constant)
        raise DwarfError(f"an attribute of unknown form {form:#x}")

    def _indexed(self, name: str, base: int, index: int, size: int) -> int:
        data, start, length = self._view(name)
        at = base + index * size
        if not 0 <= at <= length - size:
            raise DwarfError(f"an index outside {name}")
        return int.from_bytes(data[start + at:start + at + size], "little")

    def _view(self, name: str) -> Tuple[Data, int, int]:
        """Section ``name`` as (data, where it starts in data, its size): the file mapped in memory where
        the section is stored as it is (the range and location lists are megabytes), else its bytes."""
        found = self._views.get(name)
        if found is None:
            try:
                mapped = self.sections.mapped(name)
            except (OSError, ValueError):
                mapped = None
            if mapped is not None:
                found = (mapped[0], mapped[1], mapped[2])
            else:
                data = self._section(name) or b""
                found = (data, 0, len(data))
            self._views[name] = found
        return found

    # Strings as ~offset: .debug_str's offsets as they are; the few elsewhere (DW_FORM_string, .debug_line_str)
    # get offsets past .debug_str's end, mapped to their section.
    def _inline_string(self, offset: int) -> int:
        return (1 << 40) + offset

    def _line_string(self, offset: int) -> int:
        return (2 << 40) + offset

    def string(self, value: int) -> Optional[str]:
        """The text of a string attribute (a value from _value)."""
        if value >= 0 or value == -1:
            return None
        offset = ~value
        if offset >= 2 << 40:
            raw = string_at(self._section(".debug_line_str"), offset - (2 << 40))
        elif offset >= 1 << 40:
            raw = string_at(self.info, offset - (1 << 40))
        else:
            raw = string_at(self._section(".debug_str"), offset)
        return raw.decode("utf-8", "surrogateescape")

    def _section(self, name: str) -> Optional[bytes]:
        if name not in self._strings:
            self._strings[name] = self.sections.get(name)
        return self._strings[name]

    # -- code ranges --

    def _code_ranges(self, unit: Unit, attrs: Dict[int, int]) -> List[Tuple[int, int]]:
        """The [start, end) address ranges of an entry's code; [] if it has none."""
        low = attrs.get(DW_AT_low_pc)
        if low is not None and DW_AT_high_pc in attrs:
            high = attrs[DW_AT_high_pc]
            return [(low, low + high if -DW_AT_high_pc in attrs else high)]
        if DW_AT_ranges in attrs:
            return self._range_list(unit, attrs[DW_AT_ranges], -DW_AT_ranges in attrs)
        return []

    def _range_list(self, unit: Unit, value: int, indexed: bool) -> List[Tuple[int, int]]:
        if unit.version < 5:
            return ranges_v4(self._section(".debug_ranges") or b"", value, unit.low_pc)
        if indexed:
            value = unit.rnglists_base + self._indexed(".debug_rnglists", unit.rnglists_base, value,
                                                       unit.offset_size)
        data, start, _ = self._view(".debug_rnglists")
        return range_list(data, start + value, unit.low_pc,
                          lambda index: self._indexed(".debug_addr", unit.addr_base, index, 8))

    def _holds(self, unit: Unit, attrs: Dict[int, int], address: int) -> Optional[bool]:
        """Whether an entry's code holds ``address``; None if it has no code ranges."""
        low = attrs.get(DW_AT_low_pc)
        if low is not None and DW_AT_high_pc in attrs:
            high = attrs[DW_AT_high_pc]
            return low <= address < (low + high if -DW_AT_high_pc in attrs else high)
        if DW_AT_ranges in attrs:
            return any(start <= address < end for start, end in self._range_list(unit, attrs[DW_AT_ranges],
                                                                                   -DW_AT_ranges in attrs))
        return None

    # -- look-ups --

    def _skip_children(self, unit: Unit, r: Cursor, sibling: Optional[int]) -> None:
        """Move ``r`` past the children of the entry just read (to its DW_AT_sibling where it has one)."""
        if sibling is not None and r.pos <= sibling <= unit.end:
            r.pos = sibling
            return
        depth = 1
        for _ in range(MAX_ENTRIES):
            tag, children, attrs = self._entry(unit, r, skim=True)
            if tag == 0:
                depth -= 1
                if depth == 0:
                    return
            elif children:
                sibling = attrs.get(DW_AT_sibling)
                if sibling is not None and r.pos <= sibling <= unit.end:
                    r.pos = sibling
                else:
                    depth += 1
                    if depth > 4 * MAX_DEPTH:
                        raise DwarfError("entries nested too deep")
        raise DwarfError("a unit's entries do not end")

    def name_of(self, unit: Unit, attrs: Dict[int, int]) -> Optional[str]:
        """An entry's name as gdb names a C function: its linkage name (libc's ``__GI_`` aliases) where it or
        the entries it is an instance or the definition of has one, else its name or theirs."""
        name: Optional[int] = None
        for _ in range(MAX_ORIGINS):
            linkage = attrs.get(DW_AT_linkage_name, attrs.get(DW_AT_MIPS_linkage_name))
            if linkage is not None:
                return self.string(linkage)
            if name is None:
                name = attrs.get(DW_AT_name)
            target = attrs.get(DW_AT_abstract_origin, attrs.get(DW_AT_specification))
            if target is None:
                break
            if not unit.first <= target < unit.end:
                unit = self._unit_holding(target)
            attrs = self._entry(unit, Cursor(self.info, target, unit.end))[2]
        return None if name is None else self.string(name)


BLOCKS = frozenset((DW_TAG_subprogram, DW_TAG_inlined_subroutine, DW_TAG_lexical_block))
