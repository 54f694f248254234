"""The FDEs of a file's ``.debug_frame``: the unwinding rules of code that ``.eh_frame`` does not cover.

GCC writes CFI to ``.debug_frame`` instead of ``.eh_frame`` where unwind
tables are off (``-fno-asynchronous-unwind-tables -fno-unwind-tables``,
as in some kernels' and embedded builds' objects) and debug info is on;
``strip`` moves it, as all of DWARF, to the separate debug file. gdb
reads both tables; so does cfi.EhFrame, this one for a pc the first has
no FDE for.

The records are those of ``.eh_frame`` (DWARF 5 section 6.4.1) but for
three things: a CIE's id is 0xffffffff (not 0), an FDE names its CIE by
its offset from the start of the section (not back from itself), and
addresses are absolute unless a CIE's augmentation says otherwise. No
sorted table comes with it: the FDEs are indexed here, once, the first
time a pc is looked up.
"""

from __future__ import annotations

import struct
from bisect import bisect_right

from ..elf.dwarf import section
from ..elf.image import ElfError, ElfFile
from .cfi_records import Cie, Unsupported, pointer, uleb

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

CIE_ID = 0xFFFF_FFFF
MAX_FDES = 1 << 20  # indexed at most: a bound on a corrupt section's cost
_U32 = struct.Struct("<I")


class DebugFrame:
    """The FDEs of the ``.debug_frame`` section ``data`` (of the file ``path``), by link-time pc."""

    def __init__(self, data: bytes, path: str) -> None:
        self.path = path
        self._data = data
        self._cies: Dict[int, Optional[Cie]] = {}
        # (start, size, CIE offset, where the FDE's augmentation data or program starts, end), by start
        rows: List[Tuple[int, int, int, int, int]] = []
        pos = 0
        while pos + 8 <= len(data) and len(rows) < MAX_FDES:
            length, cie_at = _U32.unpack_from(data, pos)[0], _U32.unpack_from(data, pos + 4)[0]
            end = pos + 4 + length
            if length == 0xFFFF_FFFF or end > len(data):
                break  # the 64-bit format, or a record past the end: what follows cannot be found
            if length >= 4 and cie_at != CIE_ID:
                covered = self._covered(pos, cie_at, end)
                if covered is not None:
                    rows.append((*covered, cie_at, end))
            pos = end
        rows.sort()
        self._rows = rows
        self._starts = [row[0] for row in rows]

    def _cie(self, pos: int) -> Optional[Cie]:
        """The CIE at offset ``pos``; None where there is none that this unwinder reads."""
        if pos not in self._cies:
            try:
                found: Optional[Cie] = Cie(self._data, pos, 0)
            except (Unsupported, IndexError, ValueError, struct.error):
                found = None
            self._cies[pos] = found
        return self._cies[pos]

    def _covered(self, pos: int, cie_at: int, end: int) -> Optional[Tuple[int, int, int]]:
        """The start and size of the code the FDE at ``pos`` covers, and where what follows them starts;
        None where it cannot be read."""
        cie = self._cie(cie_at)
        if cie is None:
            return None
        try:
            start, at = pointer(self._data, pos + 8, cie.encoding, 0)
            size, at = pointer(self._data, at, cie.encoding & 0x0F, 0)
        except (Unsupported, IndexError, ValueError, struct.error):
            return None
        return (start, size, at) if at <= end and size else None

    def fde(self, pc: int) -> Optional[Tuple[Cie, int, bytes]]:
        """For the FDE that covers link-time ``pc``: its CIE, the start of its code and its CFA program;
        None where none does."""
        index = bisect_right(self._starts, pc) - 1
        if index < 0:
            return None
        start, size, at, cie_at, end = self._rows[index]
        cie = self._cies[cie_at]  # read by _covered() when the FDE was indexed
        if cie is None or not start <= pc < start + size:
            return None
        if cie.sized:  # augmentation data, said to be this long
            try:
                extra, at = uleb(self._data, at)
            except IndexError:
                return None
            at += extra
        return cie, start, self._data[at:end]


def read_debug_frame(path: str) -> Optional[DebugFrame]:
    """The ``.debug_frame`` of the ELF file at ``path``, or of its separate debug file (by build id) where it
    has none; None where neither has one or it cannot be read."""
    try:
        with open(path, "rb") as f:
            elf = ElfFile(f, path)
            data = section(elf, ".debug_frame")
            if data is None:
                from ..elf.debugfile import debug_file

                other = debug_file(elf)
                if other is None:
                    return None
                with open(other, "rb") as g:
                    data = section(ElfFile(g, other), ".debug_frame")
                    path = other
    except (OSError, ElfError):  # DwarfError too: a section that does not inflate
        return None
    return None if data is None else DebugFrame(data, path)
