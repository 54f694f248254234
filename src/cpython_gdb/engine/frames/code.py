"""Code objects: names, local variable names and the line table."""

from __future__ import annotations

import struct

from ...errors import CorruptObject
from ..memory import read_i32
from ..model import CodeInfo
from ..objects.strings import str_or
from ..target import Target
from .linetable import line_for_offset

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Tuple

# co_localspluskinds bits (3.11+, Include/internal/pycore_code.h).
_CO_FAST_LOCAL = 0x20
_CO_FAST_CELL = 0x40
_CO_FAST_FREE = 0x80

_MAX_NAMES = 1 << 16

# co_flags bits for a *args and a **kwargs parameter (the same from 2.7 to 3.15).
_CO_VARARGS = 0x4
_CO_VARKEYWORDS = 0x8


def _text(t: Target, addr: int) -> str:
    return str_or(t, addr, "?", 1000)


def _tuple_strs(t: Target, tup: int) -> List[str]:
    if not tup:
        return []
    size = t.ptr(tup + t.layout.off("PyVarObject.ob_size"))
    if size > _MAX_NAMES:
        raise CorruptObject("name tuple")
    items = t.reader.read(tup + t.layout.off("PyTupleObject.ob_item"), 8 * size) if size else b""
    return [_text(t, p) for p in struct.unpack("<%dQ" % size, items)]


def _bytes(t: Target, obj: int) -> bytes:
    if not obj:
        return b""
    size = t.ptr(obj + t.layout.off("PyVarObject.ob_size"))
    if size > 1 << 26:
        raise CorruptObject("bytes too large")
    return t.reader.read(obj + t.layout.off("PyBytesObject.ob_sval"), size) if size else b""


def _locals(t: Target, code: int) -> Tuple[Tuple[str, ...], Tuple[str, ...]]:
    lay = t.layout
    if t.scheme.localsplus == "kinds":
        names = _tuple_strs(t, t.field_ptr(code, "PyCodeObject.co_localsplusnames"))
        kinds_raw = _bytes(t, t.field_ptr(code, "PyCodeObject.co_localspluskinds"))
        kinds = []
        for k in kinds_raw[: len(names)]:
            if k & _CO_FAST_FREE:
                kinds.append("free")
            elif k & _CO_FAST_CELL:
                kinds.append("cell")
            elif k & _CO_FAST_LOCAL:
                kinds.append("local")
            else:
                kinds.append("other")
        return tuple(names), tuple(kinds)
    nlocals = read_i32(t.reader, code + lay.off("PyCodeObject.co_nlocals"))
    varnames = _tuple_strs(t, t.field_ptr(code, "PyCodeObject.co_varnames"))[:nlocals]
    cells = _tuple_strs(t, t.field_ptr(code, "PyCodeObject.co_cellvars"))
    frees = _tuple_strs(t, t.field_ptr(code, "PyCodeObject.co_freevars"))
    # Slot order of f_localsplus: locals, then cells, then free variables.
    names = varnames + cells + frees
    kinds = ["local"] * len(varnames) + ["cell"] * len(cells) + ["free"] * len(frees)
    return tuple(names), tuple(kinds)


def _arguments(t: Target, code: int, names: Tuple[str, ...]) -> Tuple[str, ...]:
    """The parameters' names in the order of the signature: positional, *args, keyword-only, **kwargs.

    CPython puts the parameters first among the fast locals, in another
    order: positional (co_argcount, which counts the positional-only ones
    too), keyword-only, then *args and **kwargs where co_flags has them.
    """
    lay = t.layout
    positional = read_i32(t.reader, code + lay.off("PyCodeObject.co_argcount"))
    keyword_only = 0
    if lay.has("PyCodeObject.co_kwonlyargcount"):  # not in 2.7
        keyword_only = read_i32(t.reader, code + lay.off("PyCodeObject.co_kwonlyargcount"))
    flags = read_i32(t.reader, code + lay.off("PyCodeObject.co_flags"))
    star = 1 if flags & _CO_VARARGS else 0
    double_star = 1 if flags & _CO_VARKEYWORDS else 0
    if min(positional, keyword_only) < 0 or positional + keyword_only + star + double_star > len(names):
        return ()  # counts that do not fit the names: show every slot as a plain local
    after = positional + keyword_only
    order = list(names[:positional])
    order += names[after:after + star]
    order += names[positional:after]
    order += names[after + star:after + star + double_star]
    return tuple(order)


def read_code(t: Target, code: int) -> CodeInfo:
    cached = t.codes.get(code)
    if cached is not None:
        return cached
    lay = t.layout
    scheme = t.scheme
    name = _text(t, t.field_ptr(code, "PyCodeObject.co_name"))
    qualname = name
    if lay.has("PyCodeObject.co_qualname"):
        qualname = _text(t, t.field_ptr(code, "PyCodeObject.co_qualname"))
    table_key = "PyCodeObject.co_lnotab" if scheme.linetable.startswith("lnotab") else "PyCodeObject.co_linetable"
    first_traceable = 0
    if lay.has("PyCodeObject._co_firsttraceable"):
        first_traceable = 2 * read_i32(t.reader, code + lay.off("PyCodeObject._co_firsttraceable"))
    names, kinds = _locals(t, code)
    info = CodeInfo(
        address=code,
        filename=_text(t, t.field_ptr(code, "PyCodeObject.co_filename")),
        name=name,
        qualname=qualname,
        firstlineno=read_i32(t.reader, code + lay.off("PyCodeObject.co_firstlineno")),
        local_names=names,
        local_kinds=kinds,
        arguments=_arguments(t, code, names),
        linetable=_bytes(t, t.field_ptr(code, table_key)),
        first_traceable=first_traceable,
    )
    t.codes[code] = info
    return info


def line_of(t: Target, code: CodeInfo, offset: int) -> Optional[int]:
    """The line being run at byte ``offset`` of the code, None if unknown.

    Kept for the stop: a deep recursion asks for the same place of the same
    code in every frame.
    """
    if offset < 0:
        return code.firstlineno
    key = (code.address, offset)
    if key in t.lines:
        return t.lines[key]
    try:
        line = line_for_offset(t.scheme.linetable, code.linetable, code.firstlineno, offset)
    except ValueError:
        line = None
    t.lines[key] = line
    return line
