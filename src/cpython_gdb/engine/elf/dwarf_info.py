"""The calls inlined at a code address, and the unit that holds it, from DWARF's ``.debug_info``.

gdb shows each call the compiler inlined into a function as a frame of
its own (an inline frame): DWARF describes it by a
``DW_TAG_inlined_subroutine`` entry with the code addresses it covers, the
function it is a copy of (``DW_AT_abstract_origin``) and the place of the
call (``DW_AT_call_file``, ``DW_AT_call_line``). Here an address is found
as gdb finds it: its compilation unit from ``.debug_aranges`` (else from
each unit's own ranges), then, in that unit's tree of entries, the
function (``DW_TAG_subprogram``) whose ranges hold it and, nested in it,
the inlined calls whose ranges hold it, outermost first. Entries that do
not hold it are jumped over (``DW_AT_sibling``), so a look-up reads the
unit's top-level entries and one function's, not the whole unit.

The variables of a function are found the same way, for the
``<built-in ...>`` lines: its parameters' location expressions at an
address (:meth:`DebugInfo.variables`). The units and their entries are
read by dwarf_units.py; bad DWARF raises :class:`DwarfError` out of a
look-up, never anything else.
"""

from __future__ import annotations

import bisect

from .dwarf import Cursor, DwarfError
from .dwarf_ranges import location_v4, location_v5
from .dwarf_units import (
    BLOCKS,
    LOCATION_LIST_INDEX,
    MAX_DEPTH,
    MAX_ENTRIES,
    TRANSPARENT,
    DW_AT_call_file,
    DW_AT_call_line,
    DW_AT_frame_base,
    DW_AT_location,
    DW_AT_sibling,
    DW_TAG_formal_parameter,
    DW_TAG_inlined_subroutine,
    DW_TAG_subprogram,
    DW_TAG_variable,
    Unit,
    UnitReader,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence, Tuple

    from .dwarf import Sections


class Inlined:
    """A call inlined at the address: the function it is a copy of, and where it was called."""

    __slots__ = ("name", "call_file", "call_line")

    def __init__(self, name: Optional[str], call_file: Optional[int], call_line: Optional[int]) -> None:
        self.name = name
        self.call_file = call_file  # an index in the unit's line-program file names
        self.call_line = call_line


class DebugInfo(UnitReader):
    """One file's ``.debug_info``: what its entries say of a code address."""

    def __init__(self, sections: Sections) -> None:
        super().__init__(sections)
        self._variables: Dict[Tuple[int, Tuple[str, ...]], Tuple[Dict[str, bytes], Optional[bytes]]] = {}

    def at(self, address: int) -> Optional[Tuple[Unit, Optional[str], List[Inlined]]]:
        """The unit holding link-time ``address``, the name of the function whose code it is, and the calls
        inlined there, outermost first; None where no unit holds it. DwarfError if the DWARF is bad."""
        unit = self.unit_at(address)
        if unit is None:
            return None
        found = self._function_entry(unit, address)
        if found is None:
            return unit, None, []
        r, children, attrs = found
        inlined: List[Inlined] = []
        if children:
            self._descend(unit, r, address, inlined)
        return unit, self.name_of(unit, attrs), inlined

    def _function_entry(self, unit: Unit, address: int) -> Optional[Tuple[Cursor, bool, Dict[int, int]]]:
        """The entry of the unit's function whose code holds ``address``, read: a cursor past it (at its
        children), whether it has any, and its attributes; None where no function's code holds it."""
        starts, ends, entries = self._functions(unit)
        i = bisect.bisect_right(starts, address) - 1
        # Ranges may nest or overlap (a function's cold part): look back a little.
        found = next((entries[j] for j in range(i, max(i - 8, -1), -1) if starts[j] <= address < ends[j]), None)
        if found is None:
            return None
        r = Cursor(self.info, found, unit.end)
        _, children, attrs = self._entry(unit, r)
        return r, children, attrs

    def _functions(self, unit: Unit) -> Tuple[List[int], List[int], List[int]]:
        """The code ranges of the unit's functions (its top-level DW_TAG_subprogram entries), sorted: starts,
        ends and the offsets of their entries. Read once per unit: a look-up then reads one function's."""
        if unit.functions is not None:
            return unit.functions
        rows: List[Tuple[int, int, int]] = []
        if unit.top is not None:
            r = Cursor(self.info, unit.top, unit.end)
            depth = 0  # transparent entries looked into, whose lists of children are still open
            for _ in range(MAX_ENTRIES):
                if r.pos >= unit.end:
                    break
                at = r.pos
                tag, children, attrs = self._entry(unit, r, skim=True)
                if tag == 0:
                    if depth == 0:
                        break
                    depth -= 1
                    continue
                if tag == DW_TAG_subprogram:
                    rows.extend((start, end, at) for start, end in self._code_ranges(unit, attrs))
                elif children and tag in TRANSPARENT:
                    depth = _deeper(depth)
                    continue
                if children:
                    self._skip_children(unit, r, attrs.get(DW_AT_sibling))
        rows.sort()
        unit.functions = ([row[0] for row in rows], [row[1] for row in rows], [row[2] for row in rows])
        return unit.functions

    def _descend(self, unit: Unit, r: Cursor, address: int, inlined: List[Inlined]) -> None:
        """Into the children of the entry just read: the calls inlined there that hold ``address``, into
        ``inlined``, outermost first."""
        depth = 0  # transparent entries looked into, whose lists of children are still open
        for _ in range(MAX_ENTRIES):
            if r.pos >= unit.end:
                return
            tag, children, attrs = self._entry(unit, r)
            if tag == 0:
                if depth == 0:
                    return
                depth -= 1
                continue
            holds = self._holds(unit, attrs, address) if tag in BLOCKS else None
            if holds:
                if tag == DW_TAG_inlined_subroutine:
                    inlined.append(Inlined(self.name_of(unit, attrs), attrs.get(DW_AT_call_file),
                                           attrs.get(DW_AT_call_line)))
                    if len(inlined) > MAX_DEPTH:
                        raise DwarfError("inlined calls nested too deep")
                if not children:
                    return
                depth = 0  # the rest of the enclosing lists hold nothing more of it
                continue  # into its children
            if children and holds is None and tag in TRANSPARENT:
                depth = _deeper(depth)
                continue
            if children:
                self._skip_children(unit, r, attrs.get(DW_AT_sibling))

    def variables(self, address: int, names: Sequence[str]) -> Tuple[Dict[str, bytes], Optional[bytes]]:
        """The DWARF expressions that locate the function's parameters and variables of these ``names`` at
        link-time ``address`` (those with a location there), and the function's frame base expression.
        gdb reads a frame's variable so (``frame.read_var``); dwarf_locations.py evaluates them. Kept for
        the run: fifty threads asleep in one call ask fifty times."""
        key = (address, tuple(names))
        found = self._variables.get(key)
        if found is None:
            found = self._variables[key] = self._read_variables(address, names)
        return found

    def _read_variables(self, address: int, names: Sequence[str]) -> Tuple[Dict[str, bytes], Optional[bytes]]:
        unit = self.unit_at(address)
        found = None if unit is None else self._function_entry(unit, address)
        if unit is None or found is None:
            return {}, None
        r, children, attrs = found
        frame_base = self._located(unit, attrs, DW_AT_frame_base, address)
        out: Dict[str, bytes] = {}
        for _ in range(MAX_ENTRIES if children else 0):
            tag, has_children, child = self._entry(unit, r)
            if tag == 0:
                break
            if tag in (DW_TAG_formal_parameter, DW_TAG_variable) and DW_AT_location in child:
                name = self.name_of(unit, child)
                if name is not None and name in names and name not in out:
                    expression = self._located(unit, child, DW_AT_location, address)
                    if expression is not None:
                        out[name] = expression
            if has_children:
                self._skip_children(unit, r, child.get(DW_AT_sibling))
        return out, frame_base

    def _located(self, unit: Unit, attrs: Dict[int, int], attribute: int, address: int) -> Optional[bytes]:
        """The expression of an entry's location attribute in effect at ``address``; None if none is."""
        if attribute not in attrs:
            return None
        value, kind = attrs[attribute], attrs[-attribute]
        if kind >= 0:
            return self.info[value:value + kind]
        if unit.version < 5:
            return location_v4(self._section(".debug_loc") or b"", value, unit.low_pc, address)
        if kind == LOCATION_LIST_INDEX:
            value = unit.loclists_base + self._indexed(".debug_loclists", unit.loclists_base, value,
                                                       unit.offset_size)
        data, start, _ = self._view(".debug_loclists")
        return location_v5(data, start + value, unit.low_pc, address,
                           lambda index: self._indexed(".debug_addr", unit.addr_base, index, 8))


def _deeper(depth: int) -> int:
    """One more transparent entry looked into (a lexical block without code ranges of its own)."""
    if depth >= MAX_DEPTH:
        raise DwarfError("entries nested too deep")
    return depth + 1
