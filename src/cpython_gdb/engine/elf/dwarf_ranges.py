"""Code address ranges in DWARF: the units' (``.debug_aranges``), an entry's range list (DWARF 4's
``.debug_ranges``, DWARF 5's ``.debug_rnglists``) and a variable's location list, an expression for each
range (``.debug_loc``, ``.debug_loclists``). Every read is bounded by its section."""

from __future__ import annotations

import struct

from .dwarf import Cursor, DwarfError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Iterator, List, Optional, Tuple

    from .dwarf import Data

MAX_RANGES = 100_000  # ranges of one list: a corrupt list that does not end stops there


def ranges_v4(data: Data, offset: int, base: int) -> List[Tuple[int, int]]:
    """The [start, end) ranges of the .debug_ranges list at ``offset``; ``base``: the unit's low_pc."""
    out: List[Tuple[int, int]] = []
    r = Cursor(data, offset, len(data))
    while len(out) < MAX_RANGES:
        start, end = r.u(8), r.u(8)
        if start == 0 and end == 0:
            break
        if start == 0xFFFFFFFFFFFFFFFF:  # a new base address
            base = end
        elif start < end:
            out.append((base + start, base + end))
    return out


def range_list(data: Data, offset: int, base: int, address: Callable[[int], int]) -> List[Tuple[int, int]]:
    """The [start, end) ranges of the .debug_rnglists list at ``offset``; ``base``: the unit's low_pc;
    ``address``: the unit's address of an index (.debug_addr)."""
    out: List[Tuple[int, int]] = []
    for kind, start, end in _entries(Cursor(data, offset, len(data)), base, address, _RLE):
        if kind < 0:
            raise DwarfError(f"a range list entry of unknown kind {-kind}")
        if start < end:
            out.append((start, end))
    return out


# The entry kinds of DWARF 5's lists that differ (7.25, 7.29): DW_RLE_* and DW_LLE_* number end_of_list,
# base_addressx, startx_endx, startx_length and offset_pair alike (0-4); then a location list has its
# default_location (5), and base_address, start_end and start_length one higher than a range list's.
_RLE = (5, 6, 7)
_LLE = (6, 7, 8)
DW_LLE_DEFAULT_LOCATION = 5


def _entries(r: Cursor, base: int, address: Callable[[int], int],
             kinds: Tuple[int, int, int]) -> Iterator[Tuple[int, int, int]]:
    """(kind, start, end) of each bounded entry of a DWARF 5 range or location list, the base address
    entries applied; (-kind, 0, 0) for an entry of another kind, whose operands the caller reads."""
    base_address, start_end, start_length = kinds
    for _ in range(MAX_RANGES):
        kind = r.u(1)
        if kind == 0:  # end_of_list
            return
        if kind == 1:  # base_addressx
            base = address(r.uleb())
            continue
        if kind == base_address:
            base = r.u(8)
            continue
        if kind == 2:  # startx_endx
            start, end = address(r.uleb()), address(r.uleb())
        elif kind == 3:  # startx_length
            start = address(r.uleb())
            end = start + r.uleb()
        elif kind == 4:  # offset_pair
            start, end = base + r.uleb(), base + r.uleb()
        elif kind == start_end:
            start, end = r.u(8), r.u(8)
        elif kind == start_length:
            start = r.u(8)
            end = start + r.uleb()
        else:
            yield -kind, 0, 0
            continue
        yield kind, start, end


def read_aranges(data: bytes, rows: List[Tuple[int, int, int]]) -> None:
    """The (start, end, unit offset) rows of .debug_aranges, into ``rows`` (a libc has thousands of sets)."""
    offset, size = 0, len(data)
    while offset + _SET32.size <= size:
        length, _, unit, address_size, segment_size = _SET32.unpack_from(data, offset)
        first = offset + _SET32.size
        if length == 0xFFFFFFFF:  # the 64-bit format
            if offset + _SET64.size > size:
                raise DwarfError("a .debug_aranges set cut short")
            length, _, unit, address_size, segment_size = _SET64.unpack_from(data, offset + 4)
            length += 8
            first = offset + 4 + _SET64.size
        elif length >= 0xFFFFFFF0:
            raise DwarfError("a reserved length in .debug_aranges")
        end = min(offset + 4 + length, size)
        if address_size == 8 and segment_size == 0:
            first += -(first - offset) % 16  # tuples are aligned to twice the address size
            last = first + max(0, end - first) // 16 * 16
            for start, span in _PAIR.iter_unpack(data[first:last]):
                if start == 0 and span == 0:
                    break
                if start and span:  # code at 0: dropped by the linker
                    rows.append((start, start + span, unit))
        if end <= offset:
            break
        offset = end


_SET32 = struct.Struct("<IHIBB")  # unit length, version, unit offset, address size, segment selector size
_SET64 = struct.Struct("<QHQBB")
_PAIR = struct.Struct("<QQ")


def location_v4(data: Data, offset: int, base: int, address: int) -> Optional[bytes]:
    """The expression of the .debug_loc list at ``offset`` whose range holds ``address``; None if none does."""
    r = Cursor(data, offset, len(data))
    for _ in range(MAX_RANGES):
        start, end = r.u(8), r.u(8)
        if start == 0 and end == 0:
            return None
        if start == 0xFFFFFFFFFFFFFFFF:  # a new base address
            base = end
            continue
        size = r.u(2)
        at = r.need(size)
        if base + start <= address < base + end:
            return data[at:at + size]
    return None


def location_v5(data: Data, offset: int, base: int, address: int,
                indexed: Callable[[int], int]) -> Optional[bytes]:
    """The expression of the .debug_loclists list at ``offset`` whose range holds ``address`` (or its
    default); None if none does. ``indexed``: the unit's address of an index (.debug_addr)."""
    r = Cursor(data, offset, len(data))
    default: Optional[bytes] = None
    for kind, start, end in _entries(r, base, indexed, _LLE):
        if kind < 0 and -kind != DW_LLE_DEFAULT_LOCATION:
            raise DwarfError(f"a location list entry of unknown kind {-kind}")
        size = r.uleb()
        at = r.need(size)
        if kind < 0:
            default = data[at:at + size]
        elif start <= address < end:
            return data[at:at + size]
    return default
