"""What the census needs to know of each type, worked out once per type.

A Shape names the type as Python does (``module.Class`` for a class
written in Python, ``tp_name`` for the others), says how ``sys.getsizeof``
counts its objects (``kind`` and the pre-header) and which references the
census follows from them. The kind comes from the subclass bits of
``tp_flags`` or from the first builtin base: a subclass of list is sized
and followed as a list, plus its own __dict__ and __slots__.
"""

from __future__ import annotations

from ...errors import CorruptObject, CpythonGdbError
from ..model import (
    TPFLAGS_BYTES_SUBCLASS,
    TPFLAGS_DICT_SUBCLASS,
    TPFLAGS_HEAPTYPE,
    TPFLAGS_LIST_SUBCLASS,
    TPFLAGS_LONG_SUBCLASS,
    TPFLAGS_TUPLE_SUBCLASS,
    TPFLAGS_TYPE_SUBCLASS,
    TPFLAGS_UNICODE_SUBCLASS,
    TypeInfo,
)
from ..record import frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, Tuple

    from ..target import Target

TPFLAGS_HAVE_GC = 1 << 14
_MAX_BASES = 64
_MAX_SIZE = 1 << 24  # a tp_basicsize beyond this is not a type's

# Kinds by the subclass bit of tp_flags, then by the name of the first builtin base.
_BY_FLAG = (
    (TPFLAGS_TYPE_SUBCLASS, "type"),
    (TPFLAGS_LONG_SUBCLASS, "int"),
    (TPFLAGS_LIST_SUBCLASS, "list"),
    (TPFLAGS_TUPLE_SUBCLASS, "tuple"),
    (TPFLAGS_BYTES_SUBCLASS, "var"),
    (TPFLAGS_UNICODE_SUBCLASS, "str"),
    (TPFLAGS_DICT_SUBCLASS, "dict"),
)
_BY_NAME = {
    "set": "set",
    "frozenset": "set",
    "bytearray": "bytearray",
    "cell": "cell",
    "function": "function",
    "code": "code",
    "module": "module",
    # Their tp_itemsize counts frame slots, but ob_size is not where a
    # PyVarObject keeps it (3.11+ embed the frame): counted by tp_basicsize.
    "generator": "fixed",
    "coroutine": "fixed",
    "async_generator": "fixed",
}


@frozen
class Shape:
    address: int  # the type object's
    name: str
    kind: str  # "var" (basicsize + itemsize * |ob_size|), "int", "str", "list", "tuple", "dict", ...
    base_size: int  # tp_basicsize plus the pre-header sys.getsizeof adds
    itemsize: int
    gc: bool  # Py_TPFLAGS_HAVE_GC
    heap: bool  # a class made at run time (class statement, type()): it may have __dict__ and __slots__
    flags: int
    dictoffset: int
    # The heap classes from this one up to the first builtin base: where __slots__ are.
    heap_chain: Tuple[int, ...] = ()
    basicsize: int = 0  # tp_basicsize alone
    follow: bool = False  # whether the census reads references out of its objects (referents.follows)


def _name(t: Target, info: TypeInfo) -> str:
    """``module.qualname`` of a heap type (``qualname`` for builtins), else tp_name."""
    if not info.is_heap:
        return info.name
    from ..objects.dicts import dict_lookup_str
    from ..objects.strings import str_text

    name = info.name
    lay = t.layout
    try:
        if lay.has("PyHeapTypeObject.ht_qualname"):
            name = str_text(t, t.ptr(info.address + lay.off("PyHeapTypeObject.ht_qualname")), 200)
    except CpythonGdbError:
        pass
    try:
        module = dict_lookup_str(t, info.dict_address, "__module__") if info.dict_address else None
        text = str_text(t, module, 200) if module else None
    except CpythonGdbError:
        text = None
    if text and text != "builtins":
        return f"{text}.{name}"
    return name


def read_shape(t: Target, tp: int) -> Shape:
    """The Shape of the type at ``tp``; CorruptObject or MemoryReadError if it is not a readable type."""
    info = t.type_info(tp)
    if not (0 < info.basicsize < _MAX_SIZE and 0 <= info.itemsize < _MAX_SIZE):
        raise CorruptObject("type")
    # The type's own type must be a type (type or a metaclass): a pointer
    # into anything else is not an object header.
    meta = t.type_info(t.type_address(tp))
    if not meta.flags & TPFLAGS_TYPE_SUBCLASS:
        raise CorruptObject("type")
    kind = "var"
    for flag, name in _BY_FLAG:
        if info.flags & flag:
            kind = name
            break
    chain = []
    if kind == "var":
        builtin: Optional[TypeInfo] = info
        for _ in range(_MAX_BASES):
            if builtin is None or not builtin.is_heap:
                break
            chain.append(builtin.address)
            builtin = t.type_info(builtin.base) if builtin.base else None
        if builtin is not None:
            kind = _BY_NAME.get(builtin.name, "var")
    else:
        walk: Optional[TypeInfo] = info
        while walk is not None and walk.is_heap and len(chain) < _MAX_BASES:
            chain.append(walk.address)
            walk = t.type_info(walk.base) if walk.base else None
    gc = bool(info.flags & TPFLAGS_HAVE_GC)
    # A free-threaded build has no PyGC_Head (its GC state is in the object header).
    pre = t.layout.sizes.get("PyGC_Head", 16) if gc and not t.scheme.free_threaded else 0
    if info.flags & t.scheme.sizeof_preheader_flags:
        pre += 16
    from .referents import FOLLOWED_KINDS

    heap = bool(info.flags & TPFLAGS_HEAPTYPE)
    return Shape(address=tp, name=_name(t, info), kind=kind, base_size=info.basicsize + pre,
                 itemsize=info.itemsize, gc=gc, heap=heap, flags=info.flags,
                 dictoffset=info.dictoffset, heap_chain=tuple(chain), basicsize=info.basicsize,
                 follow=heap or kind in FOLLOWED_KINDS)


class Shapes:
    """The Shape of each type met, read once; None for what is not a readable type."""

    def __init__(self, t: Target) -> None:
        self._t = t
        self.by_type: Dict[int, Optional[Shape]] = {}

    def get(self, tp: int) -> Optional[Shape]:
        try:
            return self.by_type[tp]
        except KeyError:
            pass
        shape: Optional[Shape]
        try:
            shape = read_shape(self._t, tp)
        except CpythonGdbError:
            shape = None
        self.by_type[tp] = shape
        return shape
