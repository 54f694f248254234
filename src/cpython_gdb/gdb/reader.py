"""The memory reader over gdb's inferior, and what the inferior has mapped."""

from typing import Dict, List, Optional, Tuple

import gdb

from ..engine.memory import Mapped, check_address
from ..errors import MemoryReadError

# A line of `info proc mappings`: start, end, file offset, permissions
# ("" where gdb prints none: before gdb 12), file name ("" if none).
Row = Tuple[int, int, int, str, str]

_PERMS = set("rwxps-")
# By inferior number, for this stop: state.forget_stop clears it.
_rows: Dict[int, List[Row]] = {}


def forget_mappings() -> None:
    _rows.clear()


def proc_mappings() -> List[Row]:
    """What the selected inferior has mapped, as `info proc mappings` lists it (once a stop).

    A live process's /proc/PID/maps (also through gdbserver), or a core's
    NT_FILE entries (files only); [] where gdb lists none.
    """
    inferior = gdb.selected_inferior().num
    rows = _rows.get(inferior)
    if rows is not None:
        return rows
    rows = _rows[inferior] = []
    try:
        text = gdb.execute("info proc mappings", to_string=True)
    except gdb.error:
        return rows
    for line in text.splitlines():
        fields = line.split()
        if len(fields) < 4 or not fields[0].startswith("0x"):
            continue
        try:
            start, end, offset = int(fields[0], 16), int(fields[1], 16), int(fields[3], 16)
        except ValueError:
            continue
        rest = fields[4:]
        perms = rest.pop(0) if rest and len(rest[0]) == 4 and set(rest[0]) <= _PERMS else ""
        rows.append((start, end, offset, perms, " ".join(rest)))
    return rows


def _live_mappings(inferior: "gdb.Inferior") -> Optional[Mapped]:
    """What a live inferior has mapped, that it can access (not the ``---p`` guard pages); None for a core
    (read from the file: no side effect to avoid) or where gdb does not say."""
    connection = getattr(inferior, "connection", None)  # gdb 12+; before, whether it is a core is not known
    if connection is None or connection.type == "core" or inferior.pid == 0:
        return None
    if inferior.num != gdb.selected_inferior().num:  # `info proc mappings` lists the selected one's
        return None
    rows = proc_mappings()
    spans = [(start, end) for start, end, _, perms, _ in rows if not perms.startswith("---")]
    return Mapped(spans) if spans else None


class GdbReader:
    """Reads through gdb; one per stop, as the Target that holds it.

    gdb reads a live process through /proc/PID/mem or ptrace, which grow
    the main thread's stack to cover an address just below it (see
    engine.memory.Mapped): reads outside the inferior's mappings, listed
    once at the first read, are refused before gdb is asked.
    """

    def __init__(self, inferior: "gdb.Inferior") -> None:
        self._inferior = inferior
        self._mapped: Optional[Mapped] = None
        self._listed = False

    def read(self, address: int, size: int) -> bytes:
        check_address(address, size)
        if not self._listed:
            self._listed = True
            self._mapped = _live_mappings(self._inferior)
        if self._mapped is not None:
            self._mapped.check(address, size)
        try:
            return bytes(self._inferior.read_memory(address, size))
        except (gdb.MemoryError, gdb.error, OverflowError, ValueError) as exc:
            raise MemoryReadError(address, size) from exc
