"""Where in the source a C frame's code is, as gdb's frames say it, from a file's DWARF.

For the code at one address: the calls inlined there, innermost first,
each with its function's name and the source file and line gdb shows for
it, then the function the code belongs to. gdb gives the innermost of
them the line of the address in the line table (dwarf_lines.py), and each
of the others the place where it made the call inlined into it (the
inlined entry's ``DW_AT_call_file`` and ``DW_AT_call_line``,
dwarf_info.py): so the frame of the function itself is at the call of
its outermost inlined callee.

Read only for the frames shown, once per file and address for the run;
a file without DWARF (or with DWARF that cannot be read) has no places.
"""

from __future__ import annotations

from .dwarf import BAD_DWARF, sections
from .dwarf_info import DebugInfo, Inlined
from .dwarf_lines import LineProgram
from .dwarf_units import Unit
from .image import per_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

    # A frame's function name, source file and line.
    Place = Tuple[Optional[str], Optional[str], Optional[int]]


class Places:
    """The DWARF of one ELF file (or of its separate debug file), for frames' places."""

    def __init__(self, path: str) -> None:
        self.sections = sections(path)
        self.info = None if self.sections is None else DebugInfo(self.sections)
        self._programs: Dict[int, LineProgram] = {}
        self._found: Dict[int, List[Place]] = {}
        self._held: Dict[int, Optional[Tuple[Unit, Optional[str], List[Inlined]]]] = {}

    def inlined(self, address: int) -> List[Optional[str]]:
        """The names of the calls inlined at link-time ``address``, innermost first: what at() gives without
        the places, which need the line table (a frame shown gets them; the eval loop's does not)."""
        held = self._calls(address)
        return [] if held is None else [call.name for call in reversed(held[2])]

    def at(self, address: int) -> List[Place]:
        """The places of the code at link-time ``address`` (the byte before a return address: the call), the
        inlined calls' innermost first and the function's last; [] where DWARF says nothing of it."""
        found = self._found.get(address)
        if found is None:
            try:
                found = self._places(address)
            except BAD_DWARF:
                found = []
            self._found[address] = found
        return found

    def _calls(self, address: int) -> Optional[Tuple[Unit, Optional[str], List[Inlined]]]:
        if address not in self._held:
            held = None
            if self.info is not None:
                try:
                    held = self.info.at(address)
                except BAD_DWARF:
                    held = None
            self._held[address] = held
        return self._held[address]

    def _places(self, address: int) -> List[Place]:
        held = self._calls(address)
        if held is None or self.sections is None:
            return []
        unit, function, inlined = held
        program = None
        if unit.stmt_list is not None:
            program = self._programs.get(unit.stmt_list)
            if program is None:
                program = self._programs[unit.stmt_list] = LineProgram(self.sections, unit.stmt_list, unit.name,
                                                                       unit.comp_dir)
        row = None if program is None else program.find(address)
        file, line = row if row is not None else (None, None)
        out: List[Place] = []
        chain = [function] + [call.name for call in inlined]  # outermost first: inlined[k] copies chain[k + 1]
        for k in range(len(chain) - 1, -1, -1):
            out.append((chain[k], file, line))
            if k:  # chain[k - 1]'s frame is where it called chain[k]
                call = inlined[k - 1]
                file = None if program is None or call.call_file is None else program.file(call.call_file)
                line = call.call_line
        return out


_PLACES: Dict[Any, Any] = {}  # by file identity: a rebuilt file is read again


def places(path: str) -> Optional[Places]:
    """The (cached) Places of the ELF file at ``path``; None where it cannot be read."""
    found = per_file(_PLACES, path, Places)
    return found if isinstance(found, Places) else None
