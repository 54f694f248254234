"""Where a Layout comes from, chosen in one place: :func:`choose_layout`.

Three sources exist, best first:

- the target's DWARF, read by the debugger adapter through the small
  :class:`TypeSource` protocol (so the core never imports a debugger);
- ``_Py_DebugOffsets`` (3.13+), read from the target's memory, over the
  generated table of its minor version for what it does not publish;
- the tables that tools/gen_layouts.py generates from the DWARF of real
  interpreters, one per minor version.
"""

from __future__ import annotations

from ...errors import CpythonGdbError, UnsupportedVersion
from ..record import frozen
from .debug_offsets import read_debug_offsets, read_header
from .offsets import Layout
from .schemes import SUPPORTED, Scheme, free_threaded, known_range, scheme_for

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Mapping, Optional, Protocol, Tuple

    from ..memory import Reader

DWARF = "DWARF"
DEBUG_OFFSETS = "_Py_DebugOffsets"
TABLE = "generated table"


if TYPE_CHECKING:
    # What DWARF answers (gdb/dwarf.py); a type only, as typing is not imported at run time.
    class TypeSource(Protocol):
        def field_offset(self, ctype: str, path: str) -> Optional[int]:
            """Byte offset of ``path`` (dotted, nested) in ``ctype``, or None."""
            ...

        def type_size(self, ctype: str) -> Optional[int]:
            """sizeof(ctype), or None when the type is unknown."""
            ...


@frozen
class Table:
    offsets: Mapping[str, int]
    sizes: Mapping[str, int]
    # Position of each "section.field" in _Py_DebugOffsets (3.13+).
    debug_fields: Mapping[str, int]


_tables: Dict[Tuple[int, int, str], Table] = {}


def load_table(major: int, minor: int, free_threaded: bool = False) -> Table:
    """The generated table of a minor version (``free_threaded``: of its ``t`` build)."""
    suffix = "t" if free_threaded else ""
    cached = _tables.get((major, minor, suffix))
    if cached is not None:
        return cached
    name = f"{__package__}.tables.cpython_{major}_{minor}{suffix}"
    try:
        module = __import__(name, fromlist=["OFFSETS"])
        table = Table(offsets=dict(module.OFFSETS), sizes=dict(module.SIZES),
                      debug_fields=dict(module.DEBUG_OFFSETS))
    except (ImportError, AttributeError) as exc:
        raise UnsupportedVersion(f"no layout table for CPython {major}.{minor}{suffix}: {exc}") from None
    _tables[(major, minor, suffix)] = table
    return table


def resolve(types: TypeSource) -> Tuple[Dict[str, int], Dict[str, int]]:
    """Every canonical key that ``types`` knows: (offsets, sizes)."""
    from .dwarf_names import FIELDS, SIZES  # only with DWARF: not a cost of the gdb-free dump

    offsets: Dict[str, int] = {}
    for key, candidates in FIELDS.items():
        for ctype, path in candidates:
            off = types.field_offset(ctype, path)
            if off is not None:
                offsets[key] = off
                break
    sizes: Dict[str, int] = {}
    for key, ctypes in SIZES.items():
        for ctype in ctypes:
            size = types.type_size(ctype)
            if size is not None:
                sizes[key] = size
                break
    return offsets, sizes


def build_layout(version: Tuple[int, int, int], types: TypeSource, source: str = DWARF) -> Layout:
    offsets, sizes = resolve(types)
    return Layout(version=version, source=source, scheme=scheme_for(version[0], version[1]),
                  offsets=offsets, sizes=sizes)


def table_layout(version: Tuple[int, int, int]) -> Layout:
    """The generated table of a minor version, for a target without DWARF."""
    scheme = scheme_for(version[0], version[1])
    table = load_table(version[0], version[1])
    return Layout(version=version, source=TABLE, scheme=scheme, offsets=table.offsets, sizes=table.sizes)


def _read_as(version: Tuple[int, int, int]) -> Tuple[Scheme, int, Optional[str]]:
    """The scheme and table minor to read ``version`` with, and a warning if it is newer than we know."""
    major, minor = version[0], version[1]
    newest = SUPPORTED[-1][1]
    if major == 3 and minor > newest:
        warning = (f"CPython 3.{minor} is newer than this cpython-gdb knows ({known_range()}): "
                   f"reading it as 3.{newest}, some output may be wrong")
        return scheme_for(3, newest), newest, warning
    return scheme_for(major, minor), minor, None


def choose_layout(
    version: Tuple[int, int, int],
    reader: Reader,
    runtime: int,
    types: Optional[TypeSource] = None,
    release: str = "",
) -> Layout:
    """The layout of the CPython whose ``_PyRuntime`` is at ``runtime``.

    DWARF when the adapter has it (``types``); else ``_Py_DebugOffsets``
    merged over the generated table; else the table alone. A minor version
    newer than the schemes know is read as the newest one, with a warning,
    only when DWARF or debug offsets give its offsets.
    """
    scheme, minor, warning = _read_as(version)
    table = load_table(version[0], minor)
    # A free-threaded build says so in its _Py_DebugOffsets (3.13+, the
    # first versions that have such builds): its own scheme and table.
    try:
        header = read_header(reader, runtime) if table.debug_fields else None
    except CpythonGdbError:
        if types is None:
            raise
        header = None  # DWARF gives the offsets; a damaged header only hides the build kind
    if header is not None and header[1]:
        scheme = free_threaded(scheme)
        if types is None:
            table = load_table(version[0], minor, free_threaded=True)

    def make(source: str, offsets: Mapping[str, int], sizes: Mapping[str, int]) -> Layout:
        return Layout(version=version, source=source, scheme=scheme, offsets=offsets, sizes=sizes,
                      release=release, warning=warning)

    if types is not None:
        return make(DWARF, *resolve(types))
    debug = read_debug_offsets(reader, runtime, table.debug_fields) if header is not None else None
    if debug is not None:
        return make(DEBUG_OFFSETS, {**table.offsets, **debug.offsets}, {**table.sizes, **debug.sizes})
    if warning is not None:
        raise UnsupportedVersion(f"CPython 3.{version[1]} is not supported without debug info or _Py_DebugOffsets")
    return make(TABLE, table.offsets, table.sizes)
