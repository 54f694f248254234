"""What gdb's symbol tables and loaded files say: where data symbols and the
CPython runtime are, and (through the engine's one decision) which CPython it is."""

import re
from typing import TYPE_CHECKING, List, Optional

import gdb

from ..engine.runtime import anchor
from ..engine.runtime.anchor import Runtime
from ..engine.runtime.version import detect_version
from ..errors import NoInterpreter
from .reader import GdbReader

if TYPE_CHECKING:
    from ..engine.runtime.version import Version  # a type only: not defined at run time

# A line of `info files`: "0x... - 0x... is .PyRuntime in /path/libpython3.so"
_SECTION = re.compile(r"^\s*(0x[0-9a-f]+) - 0x[0-9a-f]+ is \.PyRuntime(?: in (.*))?$", re.M)


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


def find_runtime() -> Runtime:
    """Where the interpreters are: _PyRuntime (3.7+), else 2.7 and 3.6's statics (engine.runtime.anchor)."""
    address = symbol_address(anchor.RUNTIME_SYMBOL) or _section_address()
    if address is not None:
        return Runtime(address)
    head = symbol_address(anchor.INTERP_HEAD)
    if head is None:
        function = symbol_address(anchor.INTERP_HEAD_FUNCTION)
        if function is not None:
            head = anchor.interp_head_from_code(GdbReader(gdb.selected_inferior()), function)
    if head is None:
        raise NoInterpreter("no CPython runtime (_PyRuntime) in this program")
    return Runtime(head, _beside(anchor.TSTATE_CURRENT, head), _beside(anchor.GC_COLLECTING, head))


def _beside(name: str, anchor: int) -> int:
    """The address of the data symbol ``name`` in the file that holds ``anchor`` (0 if none):
    a static's name may be another library's too."""
    address = symbol_address(name)
    if address is None:
        return 0
    try:
        return address if gdb.solib_name(address) == gdb.solib_name(anchor) else 0
    except (gdb.error, RuntimeError):
        return 0


def _file_names() -> List[str]:
    """The files gdb has loaded: the shared libraries, and the program."""
    names = [o.filename or "" for o in gdb.objfiles()]
    progspace = gdb.current_progspace()
    if progspace is not None and progspace.filename:
        names.append(progspace.filename)
    return names


def target_version(runtime: int) -> "Version":
    """The version of the CPython whose runtime is at ``runtime``, in the selected inferior."""
    reader = GdbReader(gdb.selected_inferior())
    return detect_version(reader, runtime, symbol_address("Py_Version"), _file_names(), "this")
