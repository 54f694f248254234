"""The files the target runs code from, for its C frames: where a pc is, its unwinding rules, its name.

The unwinder's :class:`~cpython_gdb.engine.native.unwind.Modules` over the
mapped files, opened as direct/symbols.py opens them (the first of each
mapping's ``disk`` paths that exists: a live process's own mapping under
/proc, or the name). Functions are named by their ELF symbols
(engine/elf/symbols.py).

A plain dump names only the frames of the CPython image (the file that
defines ``_PyRuntime``), which are the ones that can tell a frame's kind
(the eval loop, a wait for the GIL...; engine/cstack/kinds.py), and names
each from the start of its FDE, without sorting the image's symbol table;
with every frame shown (``--native``) every frame is named, and given the
calls inlined at its pc and their source files and lines, from the DWARF
of its file or of its separate debug file (engine/elf/dwarf_places.py),
read only then, and only for what no earlier run asked (answer_cache.py).
"""

from __future__ import annotations

import os

from ..engine.elf.image import ElfError
from ..engine.elf.symbols import FunctionSymbols, function_symbols
from ..engine.native.cfi import EhFrame
from ..engine.native.cfi_records import Unsupported
from ..engine.native.unwind import Modules
from ..errors import CpythonGdbError
from .vdso import NAME as VDSO

UNKNOWN = object()  # a name not looked up yet (None is a name looked up and not found)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence, Tuple

    from ..engine.elf.dwarf_places import Place
    from .answer_cache import FileAnswers
    from .symbols import Mapping


class Images(Modules):
    """The target's mapped files; ``executable`` and ``runtime`` name the program's and CPython's (as mapped).

    ``every_name``: name the frames of every file, not only CPython's.
    """

    def __init__(self, mappings: Sequence[Mapping], executable: Optional[str], runtime: str,
                 every_name: bool, vdso: Optional[Tuple[int, bytes]] = None) -> None:
        self._disks: Dict[str, Tuple[str, ...]] = {m.name: m.disk for m in mappings}
        spans = [(m.start, m.end, m.offset, m.name) for m in mappings]
        if vdso is not None:  # the kernel's image (vdso.py): read from memory, not from a file
            spans.append((vdso[0], vdso[0] + len(vdso[1]), 0, VDSO))
        super().__init__(spans, self._disk_path)
        self._vdso = vdso
        self.executable = executable
        self.runtime = runtime
        self.every_name = every_name
        self._names: Dict[Tuple[int, bool], Optional[str]] = {}
        self._code: Dict[int, bool] = {}
        self._answers_of: Dict[str, Optional[FileAnswers]] = {}  # by the path of the file (answer_cache.py)
        self._dwarf_at: Dict[Tuple[int, bool], Optional[Tuple[FileAnswers, int]]] = {}
        self._paths: Dict[str, str] = {}
        self._tables: Dict[str, FunctionSymbols] = {}  # by path: function_symbols() checks the file each time
        # (pc, exact) -> the name, library and signal flag of a frame there (cframes.py): a deep stack
        # returns to a few addresses again and again.
        self.frames: Dict[Tuple[int, bool], Tuple[Optional[str], Optional[str], bool]] = {}

    def _disk_path(self, pc: int, name: str) -> Optional[str]:
        """The first of the mapping's places to open that exists."""
        path = self._paths.get(name)
        if path is None:
            candidates = self._disks.get(name) or (name,)
            path = next((c for c in candidates if os.path.exists(c)), candidates[-1])
            self._paths[name] = path
        return path

    def _symbols(self, path: str) -> FunctionSymbols:
        found = self._tables.get(path)
        if found is None:
            if path == VDSO and self._vdso is not None:
                found = FunctionSymbols(VDSO, self._vdso[1])
            else:
                found = function_symbols(path)
            self._tables[path] = found
        return found

    def _file(self, pc: int) -> Tuple[EhFrame, int, int, str]:
        if self._vdso is not None and self.file_name(pc) == VDSO:
            found = self._files.get(self._vdso[0])
            if found is None:
                try:
                    found = (EhFrame(VDSO, self._vdso[1]), self._vdso[0], 0, VDSO)
                except Unsupported as exc:
                    found = exc
                self._files[self._vdso[0]] = found
            if isinstance(found, Unsupported):
                raise Unsupported(str(found))
            return found
        return super()._file(pc)

    def defines(self, name: str, symbols: Sequence[str]) -> bool:
        """Whether the mapped file ``name`` defines one of ``symbols`` (its own tables, or its debug file's)."""
        for start, _, _, mapped in self._mappings:
            if mapped == name:
                try:
                    return bool(function_symbols(self._disk_path(start, name) or name).defined(symbols))
                except ElfError:
                    return False
        return False

    def file_name(self, pc: int) -> Optional[str]:
        """The name of the file mapped at ``pc``, as the process saw it; None if none is."""
        mapping = self.mapping_at(pc)
        return None if mapping is None else mapping[3]

    def library(self, pc: int) -> Optional[str]:
        """The shared library ``pc`` runs in, as gdb reports it: None in the executable, the vDSO or no file."""
        name = self.file_name(pc)
        return None if name in (self.executable, VDSO) else name

    def code(self, pc: int) -> bool:
        """Whether ``pc`` is in the code of a mapped file (is_code(), kept per pc)."""
        found = self._code.get(pc)
        if found is None:
            found = self._code[pc] = self.is_code(pc)
        return found

    def function(self, pc: int, exact: bool) -> Optional[str]:
        """The function that runs at ``pc`` (a return address unless ``exact``: the call is before it),
        by its ELF symbol; None where no symbol names it, or where it is not looked up (see the module
        docstring)."""
        key = (pc, exact)
        try:
            return self._names[key]
        except KeyError:
            pass
        name = None
        lookup = pc if exact else pc - 1
        if self.every_name or self.file_name(lookup) == self.runtime:
            try:
                frame, bias = self.locate(lookup)
                path = self._file(lookup)[3]
                address = lookup - bias
                known = self._answers(path)
                kept: object = UNKNOWN if known is None else known.name(address, self.every_name, UNKNOWN)
                if kept is not UNKNOWN:
                    name = kept if isinstance(kept, str) else None
                else:
                    symbols = self._symbols(path)
                    if self.every_name:
                        name = symbols.name_at(address)
                    else:
                        start = frame.function_start(address)
                        name = None if start is None else symbols.name_of_start(start)
                    if known is not None:
                        known.learn_name(address, self.every_name, name)
            except (Unsupported, ElfError):
                name = None
        self._names[key] = name
        return name

    def inlined(self, pc: int, exact: bool) -> List[Optional[str]]:
        """The names of the calls inlined at ``pc`` (as places(), innermost first), without their places."""
        dwarf = self.dwarf(pc, exact)
        return [] if dwarf is None else dwarf[0].inlined(dwarf[1])

    def dwarf(self, pc: int, exact: bool) -> Optional[Tuple[FileAnswers, int]]:
        """The DWARF of the file at ``pc`` and the link-time address to look up there; None if none."""
        key = (pc, exact)
        if key not in self._dwarf_at:  # a deep stack returns to a few addresses thousands of times
            self._dwarf_at[key] = self._find_dwarf(pc, exact)
        return self._dwarf_at[key]

    def _find_dwarf(self, pc: int, exact: bool) -> Optional[Tuple[FileAnswers, int]]:
        lookup = pc if exact else pc - 1
        if self.file_name(lookup) in (None, VDSO):
            return None
        try:
            _, bias = self.locate(lookup)
            path = self._file(lookup)[3]
        except CpythonGdbError:  # Unsupported, ElfError: no rules, no DWARF
            return None
        dwarf = self._answers(path)
        return None if dwarf is None else (dwarf, lookup - bias)

    def _answers(self, path: str) -> Optional[FileAnswers]:
        """What the file at ``path`` answered in earlier runs (answer_cache.py), kept for the run."""
        if path in self._answers_of:
            return self._answers_of[path]
        if path == VDSO:  # read from memory: no file to keep answers for
            return None
        from .answer_cache import file_answers  # here: only a frame named or a DWARF answer reads it

        found = self._answers_of[path] = file_answers(path)
        return found

    def places(self, pc: int, exact: bool) -> List[Place]:
        """What DWARF says of the code at ``pc`` (a return address unless ``exact``: the call is before
        it): the calls inlined there, innermost first, then the function, each with its source file and
        line as gdb shows them (engine/elf/dwarf_places.py); [] where the file has no DWARF."""
        dwarf = self.dwarf(pc, exact)  # both kept: per pc here, per address in answer_cache.py
        return [] if dwarf is None else dwarf[0].at(dwarf[1])
