"""The records ``.eh_frame`` and ``.debug_frame`` share: CIEs, encoded pointers, LEB128 numbers, and the
errors of reading them (cfi.py reads ``.eh_frame``, debug_frame.py ``.debug_frame``).

Format: https://refspecs.linuxfoundation.org/LSB_5.0.0/LSB-Core-generic/LSB-Core-generic/ehframechpt.html
and DWARF 5 section 6.4.1.
"""

from __future__ import annotations

import struct

from ...errors import CpythonGdbError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Tuple

RA = 16  # DWARF number of x86-64's return address column (rip)


class Unsupported(CpythonGdbError):
    """The CFI at this pc uses something this unwinder does not evaluate (the debugger's case)."""


class NoRules(Unsupported):
    """No FDE covers the pc, in ``.eh_frame`` or ``.debug_frame``: the file's CFI says nothing of that code."""


def leb(data: bytes, pos: int, signed: bool = False) -> Tuple[int, int]:
    """A LEB128 number at ``pos``: (value, next pos)."""
    result = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            if signed and byte & 0x40:
                result -= 1 << shift
            return result, pos


def uleb(data: bytes, pos: int) -> Tuple[int, int]:
    return leb(data, pos)


def sleb(data: bytes, pos: int) -> Tuple[int, int]:
    return leb(data, pos, signed=True)


# DW_EH_PE value formats (udata2/4/8, sdata2/4/8): struct code
_FORMATS = {0x02: "<H", 0x03: "<I", 0x04: "<Q", 0x0A: "<h", 0x0B: "<i", 0x0C: "<q"}


def pointer(data: bytes, pos: int, encoding: int, vaddr_of_data: int) -> Tuple[int, int]:
    """An encoded pointer at ``pos``: (value, next pos). Only absolute and pc-relative."""
    if encoding == 0xFF:
        return 0, pos
    fmt = encoding & 0x0F
    if fmt == 0x00:
        fmt = 0x04
    if fmt in (0x01, 0x09):
        value, end = leb(data, pos, signed=fmt == 0x09)
    else:
        code = _FORMATS.get(fmt)
        if code is None:
            raise Unsupported(f"pointer encoding {encoding:#x}")
        value = struct.unpack_from(code, data, pos)[0]
        end = pos + struct.calcsize(code)
    application = encoding & 0x70
    if application == 0x10:  # pcrel
        value += vaddr_of_data + pos
    elif application != 0x00:
        raise Unsupported(f"pointer encoding {encoding:#x}")
    return value & 0xFFFF_FFFF_FFFF_FFFF, end


class Cie:
    __slots__ = ("code_align", "data_align", "ra", "encoding", "initial", "signal", "sized")

    def __init__(self, data: bytes, pos: int, vaddr: int) -> None:
        length = struct.unpack_from("<I", data, pos)[0]
        if length == 0xFFFF_FFFF:
            raise Unsupported("64-bit CIE")
        end = pos + 4 + length
        pos += 8  # length and CIE id
        version = data[pos]
        pos += 1
        nul = data.index(b"\0", pos)
        augmentation = data[pos:nul].decode("ascii", "replace")
        pos = nul + 1
        if "eh" in augmentation:
            raise Unsupported("old GCC augmentation")
        if version == 4:
            if data[pos] != 8 or data[pos + 1] != 0:
                raise Unsupported("CIE address or segment size")
            pos += 2  # address size, segment selector size
        self.code_align, pos = uleb(data, pos)
        self.data_align, pos = sleb(data, pos)
        if version == 1:
            self.ra = data[pos]
            pos += 1
        else:
            self.ra, pos = uleb(data, pos)
        if self.ra != RA:
            raise Unsupported(f"return address in column {self.ra}")
        self.encoding = 0x00
        self.signal = False
        self.sized = augmentation.startswith("z")  # FDEs then say the size of their augmentation data
        if self.sized:
            size, pos = uleb(data, pos)
            after = pos + size
            for letter in augmentation[1:]:
                if letter == "R":
                    self.encoding = data[pos]
                    pos += 1
                elif letter == "P":
                    _, pos = pointer(data, pos + 1, data[pos] & 0x7F, vaddr)
                elif letter == "L":
                    pos += 1
                elif letter == "S":
                    self.signal = True
            pos = after
        self.initial = data[pos:end]
