"""Struct offsets and sizes from the target's DWARF, through gdb's types."""

import os
from typing import Dict, Optional, Tuple

import gdb

from ..engine.runtime.anchor import RUNTIME_SYMBOL, TSTATE_CURRENT


def runtime_block(runtime: int) -> "Optional[gdb.Block]":
    """The global block of the debug info that defines _PyRuntime, if any.

    Extension modules built with CPython carry DWARF for its structs and
    even a declaration of _PyRuntime, so a type or symbol found anywhere
    does not mean the interpreter itself has debug info: the symbol must
    come from the file that holds the runtime's address. 2.7 and 3.6 have
    no _PyRuntime: their _PyThreadState_Current, a global of the same
    file as the runtime's statics, stands for it.
    """
    for name in (RUNTIME_SYMBOL, TSTATE_CURRENT):
        try:
            symbol = gdb.lookup_global_symbol(name)
        except gdb.error:
            continue
        if symbol is not None and symbol.symtab is not None:
            return _own_block(symbol, runtime)
    return None


def _own_block(symbol: "gdb.Symbol", runtime: int) -> "Optional[gdb.Block]":
    objfile = symbol.symtab.objfile
    owner = getattr(objfile, "owner", None) or objfile
    holder = gdb.solib_name(runtime)
    if holder is None:
        progspace = gdb.current_progspace()
        holder = progspace.filename if progspace is not None else None
    if not holder or not owner.filename:
        return None
    if os.path.realpath(owner.filename) != os.path.realpath(holder):
        return None
    return symbol.symtab.global_block()


class DwarfTypeInfo:
    """The core's TypeSource protocol, answered by gdb.lookup_type."""

    def __init__(self, block: "gdb.Block") -> None:
        self._block = block
        self._types: Dict[str, Optional["gdb.Type"]] = {}

    def _type(self, name: str) -> Optional["gdb.Type"]:
        if name not in self._types:
            try:
                found: Optional[gdb.Type] = gdb.lookup_type(name, self._block).strip_typedefs()
            except gdb.error:
                found = None
            if found is not None and found.code not in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
                found = None
            self._types[name] = found
        return self._types[name]

    @staticmethod
    def _member(struct: "gdb.Type", name: str) -> Optional[Tuple[int, "gdb.Type"]]:
        """Bit offset and type of a member, looking into anonymous members."""
        for field in struct.fields():
            ftype, bitpos = field.type, field.bitpos
            if ftype is None or bitpos is None:
                continue  # no data member: gdb leaves these unset only on static and enum fields
            if field.name == name:
                return bitpos, ftype.strip_typedefs()
            if not field.name and ftype.strip_typedefs().code in (
                gdb.TYPE_CODE_STRUCT,
                gdb.TYPE_CODE_UNION,
            ):
                inner = DwarfTypeInfo._member(ftype.strip_typedefs(), name)
                if inner is not None:
                    return bitpos + inner[0], inner[1]
        return None

    def field_offset(self, ctype: str, path: str) -> Optional[int]:
        current = self._type(ctype)
        if current is None:
            return None
        bits = 0
        for part in path.split("."):
            if current.code not in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
                return None
            found = self._member(current, part)
            if found is None:
                return None
            bits += found[0]
            current = found[1]
        return bits // 8

    def type_size(self, ctype: str) -> Optional[int]:
        found = self._type(ctype)
        if found is None:
            try:  # a scalar type: 2.7's Py_UNICODE
                scalar = gdb.lookup_type(ctype, self._block).strip_typedefs()
            except gdb.error:
                return None
            return int(scalar.sizeof) if scalar.code in (gdb.TYPE_CODE_INT, gdb.TYPE_CODE_CHAR) else None
        return int(found.sizeof)
