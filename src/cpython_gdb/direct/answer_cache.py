"""What a file's DWARF and symbols said of its code addresses, kept on disk from one run to the next.

Decoding DWARF is most of what a ``dump --native`` costs: libc6-dbg's
compressed ``.debug_info`` inflated as far as the unit looked up, the
eval loop's line-number program run, a unit's entries read to the
function; and naming a frame first sorts its file's symbol table. Yet
every run asks the same binaries about the same few addresses (a deep
stack returns to a handful of call sites; a thread waits in the same
call). So the answers are kept, as gdb keeps its symbol indexes with
``set index-cache on``: each file's in ``CACHE/files/BUILDID``, as
``marshal`` data (standard library; loads in
microseconds), where CACHE is ``$CPYTHON_GDB_CACHE_DIR``, else
``$XDG_CACHE_HOME/cpython-gdb``, else ``~/.cache/cpython-gdb``.
``CPYTHON_GDB_CACHE=0`` turns it off.

Answers hold for the files they were read from and the code that read
them: a cache file records the mapped file's size and time of change, its
separate debug file's (the one its build id names, if any: installing
a ``-dbg`` package changes the answers), and the readers' own files'
(engine/elf/, and engine/native/ whose call frame information tells
where a function starts). A cache file that does not match, cannot be read or holds
anything but what this module writes is ignored and written anew. It
is written after the target has been let go (:func:`save_all`), through
a temporary file renamed over the old one, and holds at most
MAX_ANSWERS answers; a directory that cannot be written leaves it
unsaved, silently: the cache only saves time.
"""

from __future__ import annotations

import marshal
import os

from ..engine.elf.image import ElfFile, file_identity
from ..errors import CpythonGdbError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

    from ..engine.elf.dwarf_places import Place, Places

    Variables = Tuple[Dict[str, bytes], Optional[bytes]]
    _K = TypeVar("_K")
    _T = TypeVar("_T")

FORMAT = 2  # of the files written here
MAX_ANSWERS = 20000  # per file: beyond, answers are kept for the run only
MAX_FILE = 32 << 20  # bytes of a cache file read at most (20,000 answers take a few MB)
_ENGINE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "engine")
_READERS = (os.path.join(_ENGINE, "elf"), os.path.join(_ENGINE, "native"))


def _directory() -> Optional[str]:
    if os.environ.get("CPYTHON_GDB_CACHE", "1") == "0":
        return None
    found = os.environ.get("CPYTHON_GDB_CACHE_DIR")
    if not found:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        found = os.path.join(base, "cpython-gdb")
    return os.path.join(found, "files")


def _readers_stamp() -> Tuple[Tuple[str, str, int, int], ...]:
    """The readers' files (engine/elf/ and engine/native/), each with its size and time of change."""
    out = []
    try:
        for directory in _READERS:
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.name.endswith(".py"):
                        info = entry.stat()
                        out.append((os.path.basename(directory), entry.name, info.st_size, info.st_mtime_ns))
    except OSError:
        return ()
    return tuple(sorted(out))


def _stamp_of(path: str) -> Optional[Tuple[Any, ...]]:
    """What the answers for the file at ``path`` hold for; None where it has no build id."""
    from ..engine.elf.debugfile import debug_file

    with open(path, "rb") as f:
        elf = ElfFile(f, path)
        build_id = elf.build_id()
        if not build_id:
            return None
        other = debug_file(elf)
    mine = file_identity(path)[3:]
    theirs = None if other is None else file_identity(other)[3:]
    return FORMAT, build_id.hex(), mine, other, theirs, _readers_stamp()


class FileAnswers:
    """One file's answers, those of earlier runs first: ``at``, ``inlined`` and ``variables`` answer as
    engine/elf/dwarf_places.py's :class:`Places` does, reading DWARF only for what no run has asked yet;
    ``name`` gives a function's name found before (direct/images.py looks it up and ``learn_name``s it)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._places: Optional[Places] = None
        self._read = False
        self._at: Dict[int, List[Place]] = {}
        self._inlined: Dict[int, List[Optional[str]]] = {}
        self._variables: Dict[Tuple[int, Tuple[str, ...]], Variables] = {}
        self._names: Dict[Tuple[int, bool], Optional[str]] = {}
        self._new = 0  # answers found in this run
        self._file: Optional[str] = None
        self._stamp: Optional[Tuple[Any, ...]] = None
        directory = _directory()
        if directory is None:
            return
        try:
            self._stamp = _stamp_of(path)
        except (OSError, ValueError, CpythonGdbError):  # ElfError: not a file whose answers can be kept
            return
        if self._stamp is None:
            return
        self._file = os.path.join(directory, self._stamp[1])
        self._load()

    def _load(self) -> None:
        assert self._file is not None
        try:
            with open(self._file, "rb") as f:
                raw = f.read(MAX_FILE + 1)
            if len(raw) > MAX_FILE:
                return
            data = marshal.loads(raw)
        except Exception:  # noqa: BLE001 - damaged data may fail to load in any way marshal has
            return
        if not (isinstance(data, tuple) and len(data) == 5 and data[0] == self._stamp):
            return
        _, at, inlined, variables, names = data
        if _valid(at, inlined, variables, names):
            self._at, self._inlined, self._variables, self._names = at, inlined, variables, names

    def _dwarf(self) -> Optional[Places]:
        if not self._read:
            self._read = True
            from ..engine.elf.dwarf_places import places  # here: only what no run has asked reads DWARF

            self._places = places(self.path)
        return self._places

    def _answer(self, table: Dict[_K, _T], key: _K, ask: Callable[[Places], _T], none: _T) -> _T:
        """``table``'s answer for ``key``, else ``ask`` the file's DWARF (``none`` where it has none or
        cannot say) and keep the answer."""
        found = table.get(key)
        if found is None:
            from ..engine.elf.dwarf import BAD_DWARF

            dwarf = self._dwarf()
            try:
                found = none if dwarf is None else ask(dwarf)
            except BAD_DWARF:
                found = none
            table[key] = found
            self._new += 1
        return found

    def at(self, address: int) -> List[Place]:
        return self._answer(self._at, address, lambda dwarf: dwarf.at(address), [])

    def inlined(self, address: int) -> List[Optional[str]]:
        return self._answer(self._inlined, address, lambda dwarf: dwarf.inlined(address), [])

    def variables(self, address: int, names: Sequence[str]) -> Variables:
        """The location expressions of the function's variables ``names`` at ``address``, and its frame
        base's (engine/elf/dwarf_info.py's ``variables``); none where the DWARF cannot say."""
        return self._answer(self._variables, (address, tuple(names)),
                            lambda dwarf: ({}, None) if dwarf.info is None else dwarf.info.variables(address, names),
                            ({}, None))

    def name(self, address: int, every: bool, unknown: Any) -> Any:
        """The name of the function at link-time ``address`` as found before (images.py's function(): by
        the symbol that holds it if ``every``, else by the one at its FDE's start; None where none names
        it), or ``unknown`` where it was not looked up."""
        return self._names.get((address, every), unknown)

    def learn_name(self, address: int, every: bool, name: Optional[str]) -> None:
        self._names[(address, every)] = name
        self._new += 1

    def save(self) -> None:
        """Write the answers found in this run with those of earlier runs, if there are new ones."""
        if not self._new or self._file is None:
            return
        self._new = 0
        if len(self._at) + len(self._inlined) + len(self._variables) + len(self._names) > MAX_ANSWERS:
            return
        data = marshal.dumps((self._stamp, self._at, self._inlined, self._variables, self._names))
        temporary = f"{self._file}.{os.getpid()}"
        try:
            os.makedirs(os.path.dirname(self._file), mode=0o700, exist_ok=True)
            with open(temporary, "wb") as f:
                f.write(data)
            os.replace(temporary, self._file)
        except OSError:
            try:
                os.unlink(temporary)
            except OSError:
                pass


def _valid(at: Any, inlined: Any, variables: Any, names: Any) -> bool:
    """Whether a cache file's tables are those this module writes (a damaged file may load as anything)."""
    if not all(isinstance(table, dict) for table in (at, inlined, variables, names)):
        return False
    for key, name in names.items():
        if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], int) and isinstance(key[1], bool)
                and (name is None or isinstance(name, str))):
            return False
    for address, places in at.items():
        if not (isinstance(address, int) and isinstance(places, list) and all(_place(p) for p in places)):
            return False
    for address, names in inlined.items():
        if not (isinstance(address, int) and isinstance(names, list)
                and all(n is None or isinstance(n, str) for n in names)):
            return False
    for key, value in variables.items():
        if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[0], int) and isinstance(key[1], tuple)
                and all(isinstance(n, str) for n in key[1])):
            return False
        if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], dict)
                and (value[1] is None or isinstance(value[1], bytes))
                and all(isinstance(k, str) and isinstance(v, bytes) for k, v in value[0].items())):
            return False
    return True


def _place(place: Any) -> bool:
    return (isinstance(place, tuple) and len(place) == 3 and (place[0] is None or isinstance(place[0], str))
            and (place[1] is None or isinstance(place[1], str))
            and (place[2] is None or isinstance(place[2], int)))


_KNOWN: Dict[Any, FileAnswers] = {}  # by file identity, for the run


def file_answers(path: str) -> Optional[FileAnswers]:
    """The answers for the ELF file at ``path``; None where it cannot be opened."""
    try:
        key = file_identity(path)
    except (OSError, ValueError):
        return None
    found = _KNOWN.get(key)
    if found is None:
        found = _KNOWN[key] = FileAnswers(path)
    return found


def save_all() -> None:
    """Keep what this run's files answered, for the next runs (after the target was let go)."""
    for known in _KNOWN.values():
        known.save()
