"""_Py_DebugOffsets: the offsets CPython 3.13+ publishes for debuggers.

The struct sits at offset 0 of ``_PyRuntime``: an 8-byte cookie
``xdebugpy``, the ``PY_VERSION_HEX`` of the build, a free-threaded flag,
then sections of uint64 values, one section per CPython struct. In each
section ``size`` is sizeof the struct and (nearly) every other value is an
offsetof in it. Which fields exist, and so where each value sits in the
struct, changes between minor versions: that comes from the generated
tables ("debug_offsets" there: position of "section.field" in the struct),
never from a list typed in here.

What this module adds is the meaning: which canonical layout key each
published value is, and checks that the values are sane before any of them
is trusted.
"""

from __future__ import annotations

import struct

from ...errors import CorruptObject, MemoryReadError, UnsupportedVersion
from ..record import frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Mapping, Optional, Tuple

    from ..memory import Reader

COOKIE = b"xdebugpy"
_HEADER = struct.Struct("<8sQQ")  # cookie, version, free_threaded
# pystack's bound too: no CPython struct is anywhere near this big.
MAX_STRUCT = 1 << 20
FIRST_MINOR = 13

# Published field ("section.field") -> canonical layout key, an offsetof.
OFFSETS: Dict[str, str] = {
    "runtime_state.interpreters_head": "_PyRuntimeState.interpreters_head",
    "interpreter_state.id": "PyInterpreterState.id",
    "interpreter_state.next": "PyInterpreterState.next",
    "interpreter_state.threads_head": "PyInterpreterState.threads_head",
    "thread_state.next": "PyThreadState.next",
    "thread_state.interp": "PyThreadState.interp",
    "thread_state.current_frame": "PyThreadState.current_frame",
    "thread_state.thread_id": "PyThreadState.thread_id",
    "thread_state.native_thread_id": "PyThreadState.native_thread_id",
    "thread_state.current_exception": "PyThreadState.current_exception",
    "interpreter_frame.previous": "_PyInterpreterFrame.previous",
    "interpreter_frame.executable": "_PyInterpreterFrame.executable",
    "interpreter_frame.instr_ptr": "_PyInterpreterFrame.instr_ptr",
    "interpreter_frame.localsplus": "_PyInterpreterFrame.localsplus",
    "interpreter_frame.owner": "_PyInterpreterFrame.owner",
    "code_object.filename": "PyCodeObject.co_filename",
    "code_object.name": "PyCodeObject.co_name",
    "code_object.qualname": "PyCodeObject.co_qualname",
    "code_object.linetable": "PyCodeObject.co_linetable",
    "code_object.firstlineno": "PyCodeObject.co_firstlineno",
    "code_object.argcount": "PyCodeObject.co_argcount",
    "code_object.localsplusnames": "PyCodeObject.co_localsplusnames",
    "code_object.localspluskinds": "PyCodeObject.co_localspluskinds",
    "code_object.co_code_adaptive": "PyCodeObject.co_code_adaptive",
    "pyobject.ob_type": "PyObject.ob_type",
    "type_object.tp_name": "PyTypeObject.tp_name",
    "type_object.tp_flags": "PyTypeObject.tp_flags",
    "type_object.tp_basicsize": "PyTypeObject.tp_basicsize",
    "type_object.tp_dictoffset": "PyTypeObject.tp_dictoffset",
    "heap_type_object.ht_cached_keys": "PyHeapTypeObject.ht_cached_keys",
    "tuple_object.ob_item": "PyTupleObject.ob_item",
    "tuple_object.ob_size": "PyVarObject.ob_size",
    "list_object.ob_item": "PyListObject.ob_item",
    "set_object.used": "PySetObject.used",
    "set_object.table": "PySetObject.table",
    "set_object.mask": "PySetObject.mask",
    "dict_object.ma_keys": "PyDictObject.ma_keys",
    "dict_object.ma_values": "PyDictObject.ma_values",
    "float_object.ob_fval": "PyFloatObject.ob_fval",
    "long_object.lv_tag": "PyLongObject.lv_tag",
    "long_object.ob_digit": "PyLongObject.ob_digit",
    "bytes_object.ob_sval": "PyBytesObject.ob_sval",
    "unicode_object.state": "PyASCIIObject.state",
    "unicode_object.length": "PyASCIIObject.length",
    "gen_object.gi_name": "PyGenObject.gi_name",
    "gen_object.gi_iframe": "PyGenObject.gi_iframe",
}

# Published field -> canonical size key (sizeof).
SIZES: Dict[str, str] = {
    "pyobject.size": "PyObject",
    "type_object.size": "PyTypeObject",
    "interpreter_frame.size": "_PyInterpreterFrame",
    "unicode_object.asciiobject_size": "PyASCIIObject",
    "unicode_object.compactunicodeobject_size": "PyCompactUnicodeObject",
}


@frozen
class DebugOffsets:
    hexversion: int
    free_threaded: bool
    offsets: Mapping[str, int]
    sizes: Mapping[str, int]

    @property
    def version(self) -> Tuple[int, int, int]:
        major, minor, micro, _ = split_hexversion(self.hexversion)
        return major, minor, micro


def split_hexversion(hexversion: int) -> Tuple[int, int, int, str]:
    """(major, minor, micro, release suffix) of a PY_VERSION_HEX ("b2", "" for final)."""
    level, serial = (hexversion >> 4) & 0xF, hexversion & 0xF
    suffix = {0xA: "a", 0xB: "b", 0xC: "rc"}.get(level, "")
    return hexversion >> 24, (hexversion >> 16) & 0xFF, (hexversion >> 8) & 0xFF, f"{suffix}{serial}" if suffix else ""


def read_header(reader: Reader, runtime: int) -> Optional[Tuple[int, bool]]:
    """(PY_VERSION_HEX, free-threaded) if _PyRuntime starts with the cookie."""
    try:
        cookie, version, free_threaded = _HEADER.unpack(reader.read(runtime, _HEADER.size))
    except MemoryReadError:
        return None
    if cookie != COOKIE:
        return None
    if version >> 24 != 3 or (version >> 16) & 0xFF < FIRST_MINOR or free_threaded > 1:
        raise CorruptObject(f"_Py_DebugOffsets with version 0x{version:x}, free_threaded {free_threaded}")
    return version, bool(free_threaded)


def read_debug_offsets(reader: Reader, runtime: int, fields: Mapping[str, int]) -> Optional[DebugOffsets]:
    """Parse the struct at ``runtime``; ``fields``: its field positions.

    None when there is no cookie (CPython < 3.13, or not a runtime).
    Raises UnsupportedVersion for values that cannot be right, so that a
    misread struct is never used as a layout.
    """
    header = read_header(reader, runtime)
    if header is None:
        return None
    hexversion, free_threaded = header
    if not fields:
        raise UnsupportedVersion("no field list for this _Py_DebugOffsets")
    end = max(fields.values()) + 8
    raw = reader.read(runtime, end)

    def value(name: str) -> int:
        return int.from_bytes(raw[fields[name] : fields[name] + 8], "little")

    offsets: Dict[str, int] = {}
    sizes: Dict[str, int] = {}
    problems = []
    for name in fields:
        field = name.partition(".")[2]
        if field == "size" or field.endswith("_size"):
            size = value(name)
            if not 0 < size <= MAX_STRUCT:
                problems.append(f"{name}={size}")
            if name in SIZES:
                sizes[SIZES[name]] = size
    for name, key in OFFSETS.items():
        if name not in fields:
            continue
        off = value(name)
        bound_name = name.split(".")[0] + ".size"
        bound = value(bound_name) if bound_name in fields else MAX_STRUCT
        if off >= bound:
            problems.append(f"{name}={off}")
        offsets[key] = off
    if problems:
        raise UnsupportedVersion("the _Py_DebugOffsets of this CPython look wrong: " + ", ".join(problems[:5]))
    return DebugOffsets(hexversion=hexversion, free_threaded=free_threaded, offsets=offsets, sizes=sizes)
