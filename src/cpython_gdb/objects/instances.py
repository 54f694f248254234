"""Instances of classes defined in Python: their attributes, without calls.

Where the attributes live changed several times:
- a __dict__ pointer at tp_dictoffset (every version, any class without
  Py_TPFLAGS_MANAGED_DICT);
- 3.11: a managed dict, or split values, just before the object
  (gh-89503 moved them out of the object);
- 3.12: one tagged "dict or values" word before the object (gh-103094);
- 3.13: a dict pointer before the object, or values inline after the
  object's fixed part (gh-115776).
"""

from typing import Iterator, Optional, Tuple

from ..errors import CorruptObject
from ..memory import read_u8
from ..model import TPFLAGS_INLINE_VALUES, TPFLAGS_MANAGED_DICT, TypeInfo
from ..target import Target
from .dicts import dict_items, iter_keys_values
from .writer import Writer

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
    scheme = t.scheme.managed_dict
    if not tp.flags & TPFLAGS_MANAGED_DICT or scheme == "none":
        dict_addr = _dict_at_offset(t, obj, tp)
        return dict_items(t, dict_addr, limit) if dict_addr else iter(())
    if scheme == "311":
        values = t.ptr(obj - 4 * _PTR)
        if values:
            return _split(t, tp, values, limit)
        dict_addr = t.ptr(obj - 3 * _PTR)
        return dict_items(t, dict_addr, limit) if dict_addr else iter(())
    if scheme == "312":
        dorv = t.ptr(obj - 3 * _PTR)
        if dorv & 1:
            return _split(t, tp, dorv + 1, limit)
        return dict_items(t, dorv, limit) if dorv else iter(())
    if scheme == "313":
        dict_addr = t.ptr(obj - 3 * _PTR)
        if dict_addr:
            return dict_items(t, dict_addr, limit)
        if tp.flags & TPFLAGS_INLINE_VALUES:
            values = obj + tp.basicsize
            if read_u8(t.reader, values + 3):  # PyDictValues.valid
                return _split(t, tp, values, limit)
        return iter(())
    raise CorruptObject(f"unknown managed-dict scheme {scheme}")


def write_instance(w: Writer, obj: int, tp: TypeInfo) -> None:
    from .render import write_object
    from .strings import str_text

    attrs = list(instance_attributes(w.target, obj, tp, w.limits.max_items))
    w.write("<" + tp.name)
    if attrs:
        w.write("(")
        for i, (name, value) in enumerate(attrs):
            if i:
                w.write(", ")
            try:
                w.write(str_text(w.target, name, 200))
            except CorruptObject:
                write_object(w, name)
            w.write("=")
            write_object(w, value)
        w.write(")")
    w.write(f" at remote 0x{obj:x}>")
