"""Bytecode offset -> source line, for each CPython line-table encoding.

Kinds of table (``kind`` argument of :func:`line_for_offset`):

``"lnotab"``
    CPython 3.6 to 3.9 ``co_lnotab``: pairs of bytes (address increment,
    line increment).  The address increment is unsigned, the line increment
    is a signed byte (bpo-26107).  The line of an offset is ``co_firstlineno`` plus every
    line increment whose cumulative address is at or before the offset.

``"lnotab27"``
    CPython 2.7 ``co_lnotab``: the same pairs, the line increment unsigned
    too (lines only ever grow along the bytecode).

``"linetable310"``
    CPython 3.10 ``co_linetable`` (PEP 626): pairs (range length in bytes,
    signed line delta).  Consecutive ranges start at offset 0; a line delta
    of -128 marks a range that has no line and leaves the running line as it
    was.  Ranges of length 0 only carry line changes.

``"locations311"``
    CPython 3.11, 3.12 and 3.13 location table (PEP 657).  Each entry starts
    with a byte whose bit 7 is set; bits 3-6 are the entry form and bits 0-2
    the number of code units covered minus one.  Forms 0-9 ("short") keep the
    line and give columns in one more byte; 10-12 add 0, 1 or 2 to the line
    and give the start and end columns as two bytes; 13 adds a signed varint
    to the line and has no columns; 14 gives everything as varints (line
    delta, end-line delta, column + 1, end column + 1); 15 means "no
    location".  Varints are little-endian 6-bit groups, 0x40 meaning "more
    follows"; signed varints keep the sign in bit 0.

Every offset handled here is a byte offset from the start of the bytecode
(3.8/3.9: ``f_lasti``; 3.10: ``f_lasti * 2``; 3.11+: code-unit index * 2).
A negative offset (a frame that has not started) gives ``co_firstlineno``,
like ``PyCode_Addr2Line``.  ``None`` means the interpreter has no line for
that offset (an artificial instruction, or an offset past the table).

Tables come from the memory of a possibly crashed process, so they may be
garbage.  The decoders only ever raise ``ValueError``, never loop forever, and
do work linear in the table length.  A decoded table is cached, so asking for
many frames of the same code object costs one decode plus a binary search per
frame.  Structural damage (an odd-length pair table, an entry that does not
start with a marked byte, a truncated varint) makes lookups at or past the
damaged place raise ``ValueError``; offsets before it are still answered.

Standard library only, Python 3.8 compatible: this runs inside gdb.
"""

from __future__ import annotations

from bisect import bisect_right
from functools import lru_cache

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Tuple

__all__ = ["KINDS", "line_for_offset", "positions_for_offset"]

KINDS = ("lnotab27", "lnotab", "linetable310", "locations311")

# (line, end_line, column, end_column); columns are 0-based UTF-8 byte offsets.
if TYPE_CHECKING:
    Positions = Tuple[Optional[int], Optional[int], Optional[int], Optional[int]]

_NO_POSITIONS: Positions = (None, None, None, None)

# Decoded tables kept; one entry holds a few lists proportional to the table.
_CACHE_SIZE = 128

# CPython stores lines and columns in C ints: 32 bits, plus a sign bit for
# signed varints, fit in 6 groups of 6 bits.  Longer varints are garbage.
_MAX_VARINT_GROUPS = 6

# Location-table entry forms.
_FORM_ONE_LINE0 = 10
_FORM_ONE_LINE2 = 12
_FORM_NO_COLUMNS = 13
_FORM_LONG = 14
_FORM_NONE = 15

# Line/column relative to co_firstlineno, before co_firstlineno is added.
if TYPE_CHECKING:
    _RelPositions = Tuple[Optional[int], Optional[int], Optional[int], Optional[int]]


class _PairTable:
    """A decoded lnotab: cumulative addresses and cumulative line deltas.

    ``lines[i]`` is the line delta (from co_firstlineno) once pair ``i`` has
    been applied, ``addrs[i]`` the address at which that happens.  ``limit``
    is the first offset whose line cannot be known because the table is
    damaged (``None`` when the table is sound).
    """

    __slots__ = ("addrs", "lines", "limit", "error")

    def __init__(self, addrs: List[int], lines: List[int], limit: Optional[int], error: str) -> None:
        self.addrs = addrs
        self.lines = lines
        self.limit = limit
        self.error = error


class _RangeTable:
    """Contiguous ranges from offset 0: range ``i`` is ``[ends[i-1], ends[i])``.

    ``values[i]`` holds the positions of range ``i`` relative to
    co_firstlineno.  ``error`` is set when decoding stopped at damage; offsets
    at or past ``ends[-1]`` then raise instead of answering "no line".
    """

    __slots__ = ("ends", "values", "error")

    def __init__(self, ends: List[int], values: List[_RelPositions], error: Optional[str]) -> None:
        self.ends = ends
        self.values = values
        self.error = error


def _signed_byte(b: int) -> int:
    return b - 256 if b >= 128 else b


def _byte_pairs(table: bytes) -> "zip[Tuple[int, int]]":
    """The (even, odd) byte pairs of a 3.9- or 3.10-style table; an odd last byte is left out."""
    end = len(table) - len(table) % 2
    return zip(table[0:end:2], table[1:end:2])


@lru_cache(maxsize=_CACHE_SIZE)
def _decode_lnotab(table: bytes, signed: bool = True) -> _PairTable:
    addrs: List[int] = []
    lines: List[int] = []
    addr = 0
    line = 0
    for step, delta in _byte_pairs(table):
        addr += step
        line += _signed_byte(delta) if signed else delta
        addrs.append(addr)
        lines.append(line)
    if len(table) % 2:
        # The last pair lost its line increment: it would apply from
        # ``addr + table[-1]`` on, so nothing from there can be trusted.
        limit = addr + table[-1]
        return _PairTable(addrs, lines, limit, f"lnotab has an odd length {len(table)}")
    return _PairTable(addrs, lines, None, "")


@lru_cache(maxsize=_CACHE_SIZE)
def _decode_linetable310(table: bytes) -> _RangeTable:
    ends: List[int] = []
    values: List[_RelPositions] = []
    end = 0
    line = 0
    for length, delta in _byte_pairs(table):
        value: Optional[int]
        if delta == 0x80:  # -128: this range has no line
            value = None
        else:
            line += _signed_byte(delta)
            value = line
        if length:
            end += length
            ends.append(end)
            values.append((value, None, None, None))
    error = None
    if len(table) % 2:
        error = f"3.10 line table has an odd length {len(table)}"
    return _RangeTable(ends, values, error)


def _read_payload_byte(table: bytes, i: int) -> int:
    if i >= len(table):
        raise ValueError(f"location table truncated at byte {i}")
    b = table[i]
    if b & 0x80:
        raise ValueError(f"location table: entry ends early at byte {i}")
    return b


def _read_varint(table: bytes, i: int) -> Tuple[int, int]:
    """Decode an unsigned varint at ``i``; return (value, index after it)."""
    value = 0
    shift = 0
    for _ in range(_MAX_VARINT_GROUPS):
        b = _read_payload_byte(table, i)
        i += 1
        value |= (b & 0x3F) << shift
        shift += 6
        if not b & 0x40:
            return value, i
    raise ValueError(f"location table: varint too long at byte {i}")


def _read_svarint(table: bytes, i: int) -> Tuple[int, int]:
    raw, i = _read_varint(table, i)
    return (-(raw >> 1) if raw & 1 else raw >> 1), i


@lru_cache(maxsize=_CACHE_SIZE)
def _decode_locations311(table: bytes) -> _RangeTable:
    ends: List[int] = []
    values: List[_RelPositions] = []
    n = len(table)
    i = 0
    end = 0
    line = 0
    error: Optional[str] = None
    while i < n:
        head = table[i]
        if not head & 0x80:
            error = f"location table: byte {i} (0x{head:02x}) does not start an entry"
            break
        form = (head >> 3) & 15
        units = (head & 7) + 1
        try:
            j = i + 1
            value: _RelPositions
            if form == _FORM_NONE:
                value = _NO_POSITIONS
            elif form == _FORM_LONG:
                delta, j = _read_svarint(table, j)
                end_delta, j = _read_varint(table, j)
                col, j = _read_varint(table, j)
                end_col, j = _read_varint(table, j)
                line += delta
                # A stored 0 is a missing column (the interpreter's -1).
                value = (
                    line,
                    line + end_delta,
                    col - 1 if col else None,
                    end_col - 1 if end_col else None,
                )
            elif form == _FORM_NO_COLUMNS:
                delta, j = _read_svarint(table, j)
                line += delta
                value = (line, line, None, None)
            elif _FORM_ONE_LINE0 <= form <= _FORM_ONE_LINE2:
                col = _read_payload_byte(table, j)
                end_col = _read_payload_byte(table, j + 1)
                j += 2
                line += form - _FORM_ONE_LINE0
                value = (line, line, col, end_col)
            else:
                second = _read_payload_byte(table, j)
                j += 1
                col = (form << 3) | (second >> 4)
                value = (line, line, col, col + (second & 15))
        except ValueError as exc:
            error = str(exc)
            break
        i = j
        end += 2 * units
        ends.append(end)
        values.append(value)
    return _RangeTable(ends, values, error)


def _check_args(table: bytes, firstlineno: int, offset: int) -> bytes:
    if not isinstance(firstlineno, int) or not isinstance(offset, int):
        raise ValueError("firstlineno and offset must be integers")
    if isinstance(table, bytes):
        return table
    if isinstance(table, (bytearray, memoryview)):
        return bytes(table)
    raise ValueError(f"line table must be bytes, not {type(table).__name__}")


def _find_range(ranges: _RangeTable, offset: int) -> Optional[_RelPositions]:
    idx = bisect_right(ranges.ends, offset)
    if idx < len(ranges.ends):
        return ranges.values[idx]
    if ranges.error is not None:
        raise ValueError(ranges.error)
    return None


def _absolute(rel: Optional[int], firstlineno: int) -> Optional[int]:
    if rel is None:
        return None
    line = firstlineno + rel
    # The interpreter reports a computed line of -1 as "no line".
    return None if line == -1 else line


def line_for_offset(kind: str, table: bytes, firstlineno: int, offset: int) -> Optional[int]:
    """Line run at byte ``offset`` of a code object's bytecode.

    ``kind`` is one of :data:`KINDS`; ``table`` is ``co_lnotab`` for
    ``"lnotab"`` and ``co_linetable`` otherwise.  Returns ``None`` when the
    interpreter would have no line for that offset.  Raises ``ValueError``
    for an unknown kind, arguments of the wrong type, or a damaged table.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown line table kind: {kind!r}")
    table = _check_args(table, firstlineno, offset)
    if offset < 0:
        return firstlineno
    if kind in ("lnotab", "lnotab27"):
        pairs = _decode_lnotab(table, kind == "lnotab")
        if pairs.limit is not None and offset >= pairs.limit:
            raise ValueError(pairs.error)
        idx = bisect_right(pairs.addrs, offset)
        return firstlineno + pairs.lines[idx - 1] if idx else firstlineno
    if kind == "linetable310":
        found = _find_range(_decode_linetable310(table), offset)
    else:
        found = _find_range(_decode_locations311(table), offset)
    return None if found is None else _absolute(found[0], firstlineno)


def positions_for_offset(table: bytes, firstlineno: int, offset: int) -> Positions:
    """(line, end_line, column, end_column) at byte ``offset`` (3.11+ table).

    Matches ``code.co_positions()`` for the code unit at ``offset // 2``:
    absent values are ``None``, columns are 0-based.  An offset past the
    table gives all ``None``; a negative offset gives
    ``(firstlineno, firstlineno, 0, 0)`` as ``PyCode_Addr2Location`` does.
    Raises ``ValueError`` for arguments of the wrong type or a damaged table.
    """
    table = _check_args(table, firstlineno, offset)
    if offset < 0:
        return (firstlineno, firstlineno, 0, 0)
    found = _find_range(_decode_locations311(table), offset)
    if found is None:
        return _NO_POSITIONS
    line, end_line, col, end_col = found
    return (_absolute(line, firstlineno), _absolute(end_line, firstlineno), col, end_col)
