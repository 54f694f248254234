"""Instances of classes defined in Python: their attributes, without calls.

Where the attributes live changed several times:
- a __dict__ pointer at tp_dictoffset (every version, any class without
  Py_TPFLAGS_MANAGED_DICT);
- 3.11: a managed dict, or split values, just before the object
  (gh-89503 moved them out of the object);
- 3.12: one tagged "dict or values" word before the object (gh-103094);
- 3.13: a dict pointer before the object, or values inline after the
  object's fixed part (gh-115776).

2.7's classic instances (type ``instance``) keep theirs in ``in_dict``, and
name their class (a ``classobj``) by ``in_class``.
"""

from __future__ import annotations

import itertools

from ...errors import CorruptObject
from ..memory import read_c_text, read_i32, read_u8
from ..model import TPFLAGS_INLINE_VALUES, TPFLAGS_MANAGED_DICT, TypeInfo
from ..target import Target
from .dicts import dict_items, iter_keys_values
from .strings import str_or
from .writer import Writer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator, List, Optional, Tuple, Union

_PTR = 8


def _cached_keys(t: Target, tp: TypeInfo) -> int:
    return t.ptr(tp.address + t.layout.off("PyHeapTypeObject.ht_cached_keys"))


def _split(t: Target, tp: TypeInfo, values: int, limit: int) -> Iterator[Tuple[int, int]]:
    keys = _cached_keys(t, tp)
    if not keys:
        return iter(())
    return iter_keys_values(t, keys, values, limit)


def _dict_at_offset(t: Target, obj: int, tp: TypeInfo) -> Optional[int]:
    offset = tp.dictoffset
    if offset == 0:
        return None
    if offset < 0:
        # Relative to the end of a variable-size object (an int subclass).
        size = t.ptr(obj + t.layout.off("PyVarObject.ob_size"))
        if size >= 1 << 63:
            size = (1 << 64) - size
        end = tp.basicsize + size * tp.itemsize + offset
        offset = (end + _PTR - 1) & ~(_PTR - 1)
    return t.ptr(obj + offset) or None


def instance_attributes(t: Target, obj: int, tp: TypeInfo, limit: int) -> Iterator[Tuple[int, int]]:
    """(name, value) addresses of an object's attributes, in dict order."""
    scheme = t.scheme
    if not tp.flags & TPFLAGS_MANAGED_DICT or scheme.managed_dict == "none":
        dict_addr = _dict_at_offset(t, obj, tp)
        return dict_items(t, dict_addr, limit) if dict_addr else iter(())
    if scheme.managed_dict == "311":
        values = t.ptr(obj + scheme.managed_values_offset)
        if values:
            return _split(t, tp, values, limit)
        dict_addr = t.ptr(obj + scheme.managed_dict_offset)
        return dict_items(t, dict_addr, limit) if dict_addr else iter(())
    if scheme.managed_dict == "312":
        dorv = t.ptr(obj + scheme.managed_dict_offset)
        if dorv & 1:
            return _split(t, tp, dorv + 1, limit)
        return dict_items(t, dorv, limit) if dorv else iter(())
    if scheme.managed_dict == "313":
        dict_addr = t.ptr(obj + scheme.managed_dict_offset)
        if dict_addr:
            return dict_items(t, dict_addr, limit)
        if tp.flags & TPFLAGS_INLINE_VALUES:
            values = obj + tp.basicsize
            if read_u8(t.reader, values + t.layout.off("PyDictValues.valid")):
                return _split(t, tp, values, limit)
        return iter(())
    raise CorruptObject(f"unknown managed-dict scheme {scheme.managed_dict}")


# PyMemberDef.type of a __slots__ entry: T_OBJECT_EX (Py_T_OBJECT_EX in 3.12+).
_T_OBJECT_EX = 16
_MAX_MEMBERS = 1024
_MEMBER_KEYS = ("PyTypeObject.tp_members", "PyMemberDef.name", "PyMemberDef.type", "PyMemberDef.offset")
_MAX_BASES = 64


def _members(t: Target, tp: TypeInfo) -> Iterator[Tuple[str, int]]:
    """(name, offset) of the __slots__ a class itself defines, in its order.

    A class's PyMemberDef array lists its slots (sorted by name, as CPython
    stores them) and ends with a NULL name.
    """
    lay = t.layout
    if not all(lay.has(key) for key in _MEMBER_KEYS) or "PyMemberDef" not in lay.sizes:
        return  # a layout without them: no slots shown, the rest still is
    members = t.field_ptr(tp.address, "PyTypeObject.tp_members")
    if not members:
        return
    size = lay.size("PyMemberDef")
    for i in range(_MAX_MEMBERS):
        entry = members + i * size
        name_ptr = t.field_ptr(entry, "PyMemberDef.name")
        if not name_ptr:
            return
        if read_i32(t.reader, entry + lay.off("PyMemberDef.type")) != _T_OBJECT_EX:
            continue
        name = read_c_text(t.reader, name_ptr, 200)
        yield name, t.ptr(entry + lay.off("PyMemberDef.offset"))
    raise CorruptObject("member list")


def heap_bases(t: Target, tp: TypeInfo) -> Tuple[List[TypeInfo], Optional[TypeInfo]]:
    """The classes written in Python from ``tp`` up, and the first builtin base."""
    chain = [tp]
    for _ in range(_MAX_BASES):
        if not chain[-1].base:
            return chain, None
        base = t.type_info(chain[-1].base)
        if not base.is_heap:
            return chain, base
        chain.append(base)
    raise CorruptObject("base chain")


def slot_values(t: Target, obj: int, chain: List[TypeInfo]) -> Iterator[Tuple[str, int]]:
    """(name, value address) of the set __slots__, base classes first."""
    for klass in reversed(chain):
        for name, offset in _members(t, klass):
            value = t.ptr(obj + offset)
            if value:
                yield name, value


def write_instance(w: Writer, obj: int, tp: TypeInfo) -> None:
    write_object = w.write_object
    t = w.target
    chain, builtin = heap_bases(t, tp)
    limit = w.limits.max_items
    attrs: List[Tuple[Union[str, int], int]] = list(itertools.islice(slot_values(t, obj, chain), limit + 1))
    if len(attrs) <= limit:
        attrs.extend(instance_attributes(t, obj, tp, limit + 1 - len(attrs)))
    more = len(attrs) > limit
    del attrs[limit:]
    value_writer = w.value_writer(builtin, t.scheme.builtins) if builtin is not None else None
    w.write("<" + tp.name)
    if attrs or value_writer or more:
        w.write("(")
        if value_writer is not None and builtin is not None:
            # A subclass of int, str, list...: its value, as the base shows it.
            value_writer(w, obj, builtin)
            if attrs or more:
                w.write(", ")
        for i, (name, value) in enumerate(attrs):
            if i:
                w.write(", ")
            if isinstance(name, int):
                text = str_or(t, name, None, 200)
                if text is None:
                    write_object(w, name)
                else:
                    w.write(text)
            else:
                w.write(name)
            w.write("=")
            write_object(w, value)
        if more:
            w.write(", ..." if attrs else "...")
        w.write(")")
    w.write(f" at remote 0x{obj:x}>")


def classic_class_name(t: Target, cls: int) -> str:
    """The name of 2.7's classic class (cl_name, a str)."""
    return str_or(t, t.field_ptr(cls, "PyClassObject.cl_name"), "?", 200)


def write_classic_instance(w: Writer, obj: int, _tp: TypeInfo) -> None:
    """An instance of a 2.7 classic class, shown as other instances are: <Old(x=1) at remote 0x...>."""
    t = w.target
    name = classic_class_name(t, t.field_ptr(obj, "PyInstanceObject.in_class"))
    limit = w.limits.max_items
    namespace = t.field_ptr(obj, "PyInstanceObject.in_dict")
    attrs = list(dict_items(t, namespace, limit + 1)) if namespace else []
    w.write("<" + name)
    if attrs:
        w.write("(")
        for i, (key, value) in enumerate(attrs[:limit]):
            if i:
                w.write(", ")
            text = str_or(t, key, None, 200)
            if text is None:
                w.write_object(w, key)
            else:
                w.write(text)
            w.write("=")
            w.write_object(w, value)
        if len(attrs) > limit:
            w.write(", ..." if limit else "...")
        w.write(")")
    w.write(f" at remote 0x{obj:x}>")
