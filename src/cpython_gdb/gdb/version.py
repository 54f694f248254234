"""Which CPython the target runs, and where its runtime is."""

import re
from typing import Optional, Tuple

import gdb

from ..errors import NoInterpreter

_SONAME = re.compile(r"(?:libpython|/python)(\d)\.(\d+)")


def symbol_address(name: str) -> Optional[int]:
    """Address of a data symbol, from debug info or the ELF symbol tables."""
    try:
        value = gdb.parse_and_eval(f"(unsigned long)&{name}")
    except gdb.error:
        return None
    address = int(value)
    return address or None


def runtime_address() -> int:
    address = symbol_address("_PyRuntime")
    if address is None:
        raise NoInterpreter("no CPython runtime (_PyRuntime) in this program")
    return address


def _from_py_version() -> Optional[Tuple[int, int, int]]:
    address = symbol_address("Py_Version")
    if address is None:
        return None
    try:
        data = bytes(gdb.selected_inferior().read_memory(address, 4))
    except gdb.error:
        return None
    hexversion = int.from_bytes(data, "little")
    major, minor, micro = hexversion >> 24, (hexversion >> 16) & 0xFF, (hexversion >> 8) & 0xFF
    if major != 3:
        return None
    return major, minor, micro


def _from_file_names() -> Optional[Tuple[int, int, int]]:
    names = [o.filename or "" for o in gdb.objfiles()]
    progspace = gdb.current_progspace()
    if progspace is not None and progspace.filename:
        names.append(progspace.filename)
    # libpython names the version precisely; the executable only may.
    for name in sorted(names, key=lambda n: "libpython" not in n):
        match = _SONAME.search(name)
        if match:
            return int(match.group(1)), int(match.group(2)), -1
    return None


def detect_version() -> Tuple[int, int, int]:
    found = _from_py_version() or _from_file_names()
    if found is None:
        raise NoInterpreter("cannot tell which CPython this is (no Py_Version, no pythonX.Y file)")
    return found
