"""Which CPython a target runs, from what its backend found.

Every backend decides the same way, best source first: ``Py_Version``
(3.11+, the exact release), else the header of ``_Py_DebugOffsets`` at the
start of ``_PyRuntime`` (3.13+), else a ``libpythonX.Y`` or ``pythonX.Y``
file name (major and minor only). Finding the addresses and the names is
the backend's part: gdb's symbol tables, or the ELF files a process mapped.
"""

from __future__ import annotations

import os

from ...errors import CpythonGdbError, NoInterpreter
from ..layout.debug_offsets import read_header, split_hexversion

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Sequence, Tuple

    from ..memory import Reader

    Version = Tuple[int, int, int, str]  # major, minor, micro (-1: unknown), release suffix


def detect_version(reader: Reader, runtime: int, py_version: Optional[int], names: Sequence[str],
                   what: str) -> Version:
    """The version of the CPython whose ``_PyRuntime`` is at ``runtime``.

    ``py_version``: where ``Py_Version`` is, if the backend found it;
    ``names``: the files that may name the version (the one defining the
    runtime, the executable); ``what`` names the target in NoInterpreter's
    message, raised if nothing tells.
    """
    found = _from_py_version(reader, py_version) or _from_debug_offsets(reader, runtime) or version_from_names(names)
    if found is None:
        raise NoInterpreter(f"cannot tell which CPython {what} is (no Py_Version, no pythonX.Y file name)")
    return found


def _from_py_version(reader: Reader, address: Optional[int]) -> Optional[Version]:
    if address is None:
        return None
    try:
        major, minor, micro, release = split_hexversion(int.from_bytes(reader.read(address, 4), "little"))
    except CpythonGdbError:
        return None
    # Anything else is not a Py_Version (a symbol of the same name elsewhere, or unreadable memory).
    return (major, minor, micro, release) if major == 3 else None


def _from_debug_offsets(reader: Reader, runtime: int) -> Optional[Version]:
    try:
        header = read_header(reader, runtime)
    except CpythonGdbError:
        return None
    return split_hexversion(header[0]) if header is not None else None


def version_from_names(names: Sequence[str]) -> Optional[Version]:
    """The version a libpythonX.Y (best) or pythonX.Y base name says, micro unknown.

    Base names only: a directory may be named after another Python.
    """
    bases = [os.path.basename(name) for name in names]
    for base in sorted(bases, key=lambda base: "libpython" not in base):
        minor = _minor_of(base)
        if minor is not None:
            return minor[0], minor[1], -1, ""
    return None


def _minor_of(base: str) -> Optional[Tuple[int, int]]:
    """(3, 12) from "libpython3.12.so.1.0" or "python3.12" (string work: no re to import and compile)."""
    for prefix in ("libpython", "python"):
        rest = base[len(prefix):] if base.startswith(prefix) else ""
        if "0" <= rest[:1] <= "9" and rest[1:2] == ".":
            minor = rest[2:2 + len(rest) - 2 - len(rest[2:].lstrip("0123456789"))]
            if minor:
                return int(rest[0]), int(minor)
    return None
