"""Which CPython the target runs, and where its runtime is."""

import os
import re
from typing import Optional, Tuple

import gdb

from ..engine.layout.debug_offsets import read_header, split_hexversion
from ..errors import CpythonGdbError, NoInterpreter
from .reader import GdbReader

# Matched against a file's base name only: a directory may be named after
# another Python.
_SONAME = re.compile(r"^(?:libpython|python)(\d)\.(\d+)")
# A line of `info files`: "0x... - 0x... is .PyRuntime in /path/libpython3.so"
_SECTION = re.compile(r"^\s*(0x[0-9a-f]+) - 0x[0-9a-f]+ is \.PyRuntime(?: in (.*))?$", re.M)

Version = Tuple[int, int, int, str]  # major, minor, micro (-1: unknown), release suffix


def symbol_address(name: str) -> Optional[int]:
    """Address of a data symbol, from debug info or the ELF symbol tables."""
    try:
        value = gdb.parse_and_eval(f"(unsigned long)&{name}")
    except gdb.error:
        return None
    address = int(value)
    return address or None


def _section_address() -> Optional[int]:
    """Where the ``.PyRuntime`` section (3.10+) was loaded, without any symbol."""
    try:
        text = gdb.execute("info files", to_string=True)
    except gdb.error:
        return None
    match = _SECTION.search(text)
    return int(match.group(1), 16) if match else None


def runtime_address() -> int:
    address = symbol_address("_PyRuntime") or _section_address()
    if address is None:
        raise NoInterpreter("no CPython runtime (_PyRuntime) in this program")
    return address


def _from_py_version() -> Optional[Version]:
    address = symbol_address("Py_Version")
    if address is None:
        return None
    try:
        data = bytes(gdb.selected_inferior().read_memory(address, 4))
    except gdb.error:
        return None
    major, minor, micro, release = split_hexversion(int.from_bytes(data, "little"))
    if major != 3:
        return None
    return major, minor, micro, release


def _from_debug_offsets(runtime: int) -> Optional[Version]:
    try:
        header = read_header(GdbReader(gdb.selected_inferior()), runtime)
    except CpythonGdbError:
        return None
    return split_hexversion(header[0]) if header is not None else None


def _from_file_names() -> Optional[Version]:
    names = [o.filename or "" for o in gdb.objfiles()]
    progspace = gdb.current_progspace()
    if progspace is not None and progspace.filename:
        names.append(progspace.filename)
    # libpython names the version precisely; the executable only may.
    for name in sorted(names, key=lambda n: "libpython" not in n):
        match = _SONAME.search(os.path.basename(name))
        if match:
            return int(match.group(1)), int(match.group(2)), -1, ""
    return None


def detect_version(runtime: int) -> Version:
    found = _from_py_version() or _from_debug_offsets(runtime) or _from_file_names()
    if found is None:
        raise NoInterpreter("cannot tell which CPython this is (no Py_Version, no pythonX.Y file)")
    return found
