"""Pretty-printers for PyObject* and the other CPython pointer types."""

import os
import re
from typing import Optional, Set

import gdb
import gdb.printing

from ..engine.objects import object_repr
from ..errors import CpythonGdbError
from . import state
from .charset import for_target

COLLECTION = "cpython-gdb"
_PYTHON_FILE = re.compile(r"(lib)?python\d")

# Pointer targets printed as Python objects, by typedef name or struct tag.
OBJECT_TYPES = frozenset(
    {
        "PyObject", "_object", "PyVarObject",
        "PyLongObject", "_longobject",
        "PyUnicodeObject", "PyASCIIObject", "PyCompactUnicodeObject",
        "PyBytesObject", "PyByteArrayObject", "PyFloatObject", "PyComplexObject",
        "PyDictObject", "PyListObject", "PyTupleObject", "PySetObject",
        "PyFrameObject", "_frame", "PyCodeObject", "PyTypeObject", "_typeobject",
        "PyHeapTypeObject", "_heaptypeobject",
        "PyModuleObject", "PyFunctionObject", "PyMethodObject", "PyCFunctionObject",
        "PyCellObject", "PyGenObject", "PyCoroObject", "PyBaseExceptionObject",
    }
)


class PyObjectPointerPrinter:
    """Shows a CPython object pointer as the object's repr()."""

    def __init__(self, value: "gdb.Value") -> None:
        self._value = value

    def to_string(self) -> str:
        try:
            address = int(self._value)
        except (gdb.error, ValueError):
            return "<unreadable pointer>"
        if address == 0:
            return "0x0"
        try:
            target = state.current_target()
        except CpythonGdbError as exc:
            return for_target(f"0x{address:x} ({exc})")
        # gdb converts the text to the target charset; a repr holds the
        # target's names as they are (`<code object ...>`'s file name).
        text = object_repr(target, address, state.limits())
        return for_target(text)


def _pointee_names(value_type: "gdb.Type") -> Optional[Set[Optional[str]]]:
    base = value_type
    # Look through typedefs of the pointer itself.
    while base.code == gdb.TYPE_CODE_TYPEDEF:
        base = base.target()
    if base.code != gdb.TYPE_CODE_PTR:
        return None
    pointee = base.target().unqualified()
    names: Set[Optional[str]] = {pointee.name}
    stripped = pointee.strip_typedefs()
    names.add(stripped.tag)
    names.add(stripped.name)
    return names


class CPythonPrinters(gdb.printing.PrettyPrinter):
    """The printer collection, so `info/disable pretty-printer` list it."""

    def __init__(self) -> None:
        # `disable pretty-printer global cpython-gdb;PyObject*` turns it off.
        self._pointers = gdb.printing.SubPrettyPrinter("PyObject*")
        super().__init__(COLLECTION, [self._pointers])

    def __call__(self, value: "gdb.Value") -> Optional[PyObjectPointerPrinter]:
        if not self.enabled or not self._pointers.enabled:
            return None
        try:
            names = _pointee_names(value.type)
        except gdb.error:
            return None
        if names and names & OBJECT_TYPES and state.unknown_version() is None:
            return PyObjectPointerPrinter(value)
        # Not ours to print, or a CPython we do not know: other printers
        # (CPython's python-gdb.py) may know it.
        return None


_printer: Optional[CPythonPrinters] = None


def _is_python_objfile(objfile: "gdb.Objfile") -> bool:
    name = os.path.basename(objfile.filename or "")
    return bool(_PYTHON_FILE.match(name))


def register_printers(objfile: "Optional[gdb.Objfile]" = None) -> None:
    """Register our collection globally, or first on a Python objfile.

    gdb asks an objfile's own printers before the global ones, and CPython's
    python-gdb.py registers on the interpreter's objfile: on those objfiles
    ours go to the front of the list too.
    """
    global _printer
    if _printer is None:
        _printer = CPythonPrinters()
    if objfile is not None and not _is_python_objfile(objfile):
        return
    gdb.printing.register_pretty_printer(objfile, _printer, replace=True)
