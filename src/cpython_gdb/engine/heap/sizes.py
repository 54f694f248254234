"""Object sizes as ``sys.getsizeof`` counts them, read from memory.

``sys.getsizeof(o)`` is ``o.__sizeof__()`` plus the pre-header
(_PySys_GetSizeOf): the PyGC_Head of a GC type, and two more words for a
type with a managed dict (3.11) or managed dict or weakref (3.12+); a
static type object has none. ``__sizeof__`` is, by kind:

- most objects: ``tp_basicsize + tp_itemsize * |ob_size|`` (tuple, bytes);
- list: ``tp_basicsize + allocated * 8`` (the item array);
- dict: ``tp_basicsize``, plus a split table's values array, plus the keys
  table when the dict alone owns it (``dk_refcnt == 1``): the keys shared
  by the instances of a class are not counted;
- set, frozenset: ``tp_basicsize`` plus the table when it is not the
  embedded small table;
- str: the compact header and the characters, plus a separate UTF-8 copy
  (and, up to 3.11, a separate wchar_t copy);
- int: the digits, ``max(|digits|, 1)`` from 3.11;
- bytearray: ``tp_basicsize + ob_alloc``;
- a class: ``PyHeapTypeObject`` and the keys table its instances share;
  a static type, ``PyTypeObject`` (with a PyGC_Head in 3.11 and 3.12);
- code: rounded up to a word.

Not counted, as getsizeof does not count them: 3.13+'s inline values of
an instance (after its fixed part), the keys a class's instances share,
anything an object points to (an instance's __dict__ is an object of its own).
"""

from __future__ import annotations

import struct

from ...errors import CpythonGdbError
from ..model import TPFLAGS_HEAPTYPE

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, Sequence

    from ..target import Target
    from .blocks import BlockReader
    from .referents import Referents
    from .shapes import Shape

_KIND_SHIFT = 2
_COMPACT = 1 << 5
_ASCII = 1 << 6
_SIGN = 1 << 63
_MAX_ITEMS = 1 << 40
_U32_FROM = struct.Struct("<I").unpack_from


def _signed(value: int) -> int:
    return value - (1 << 64) if value & _SIGN else value


class Sizer:
    """sys.getsizeof of the objects of one stop, by kind."""

    def __init__(self, t: Target, mem: BlockReader, refs: Referents) -> None:
        self.t = t
        self.mem = mem
        self.refs = refs
        lay = t.layout
        scheme = t.scheme
        self.scheme = scheme
        self.ob_size = lay.off("PyVarObject.ob_size")
        self.allocated = lay.off("PyListObject.allocated")
        self.smalltable = lay.off("PySetObject.smalltable")
        self.set_mask = lay.off("PySetObject.mask")
        self.set_table = lay.off("PySetObject.table")
        self.ob_alloc = lay.offsets.get("PyByteArrayObject.ob_alloc")
        self.keys_size = lay.sizes.get("PyDictKeysObject", 0)
        self.dk_usable = lay.offsets.get("PyDictKeysObject.dk_usable")
        self.lv_tag = scheme.long == "lv_tag"
        self.digits_at = lay.off("PyLongObject.ob_digit")
        self.min_digits = scheme.int_min_digits
        self.str_length = lay.off("PyASCIIObject.length")
        self.str_state = lay.off("PyASCIIObject.state")
        self.ascii_size = lay.size("PyASCIIObject")
        self.compact_size = lay.size("PyCompactUnicodeObject")
        self.unicode_size = lay.sizes.get("PyUnicodeObject", self.compact_size + 8)
        self.unicode_data = lay.offsets.get("PyUnicodeObject.data")
        self.utf8 = lay.offsets.get("PyCompactUnicodeObject.utf8")
        self.utf8_length = lay.offsets.get("PyCompactUnicodeObject.utf8_length")
        self.wstr = lay.offsets.get("PyASCIIObject.wstr")
        self.wstr_length = lay.offsets.get("PyCompactUnicodeObject.wstr_length")
        self.heap_type_size = lay.sizes.get("PyHeapTypeObject", 0)
        self.gc_head = 0 if scheme.free_threaded else lay.sizes.get("PyGC_Head", 16)
        self.static_type_size = lay.size("PyTypeObject")
        self.by_kind: Dict[str, Callable[[int, Shape], int]] = {
            "var": self.var_size,
            "fixed": self.fixed_size,
            "tuple": self.var_size,
            "list": self.list_size,
            "dict": self.dict_size,
            "set": self.set_size,
            "str": self.str_size,
            "int": self.int_size,
            "bytearray": self.bytearray_size,
            "type": self.type_size,
            "code": self.code_size,
        }

    def group_bytes(self, shape: Shape, objects: Sequence[int]) -> int:
        """The sum of getsizeof over ``objects``, all of type ``shape``."""
        kind = shape.kind
        if kind in ("var", "tuple") and not shape.itemsize or kind in ("cell", "function", "module", "fixed"):
            return shape.base_size * len(objects)
        fn = self.by_kind.get(kind, self.var_size)
        total = 0
        for obj in objects:
            try:
                total += fn(obj, shape)
            except CpythonGdbError:
                total += shape.base_size
        return total

    def size(self, obj: int, shape: Shape) -> int:
        try:
            return self.by_kind.get(shape.kind, self.var_size)(obj, shape)
        except CpythonGdbError:
            return shape.base_size

    def fixed_size(self, obj: int, shape: Shape) -> int:
        return shape.base_size

    def var_size(self, obj: int, shape: Shape) -> int:
        if not shape.itemsize:
            return shape.base_size
        items = abs(_signed(self.mem.u64(obj + self.ob_size)))
        if items > _MAX_ITEMS:  # not a size: a type whose ob_size is not where PyVarObject has it
            return shape.base_size
        return shape.base_size + shape.itemsize * items

    def list_size(self, obj: int, shape: Shape) -> int:
        return shape.base_size + 8 * self.mem.u64(obj + self.allocated)

    def bytearray_size(self, obj: int, shape: Shape) -> int:
        if self.ob_alloc is None:
            return shape.base_size
        alloc = self.mem.u64(obj + self.ob_alloc)
        return shape.base_size + alloc + (self.scheme.bytearray_bytes_header if alloc else 0)

    def set_size(self, obj: int, shape: Shape) -> int:
        u64 = self.mem.u64
        table = u64(obj + self.set_table)
        if table == obj + self.smalltable:
            return shape.base_size
        return shape.base_size + 16 * (u64(obj + self.set_mask) + 1)

    def int_size(self, obj: int, shape: Shape) -> int:
        word = self.mem.u64(obj + self.ob_size)
        digits = word >> 3 if self.lv_tag else abs(_signed(word))
        return shape.base_size - shape.basicsize + self.digits_at + 4 * max(digits, self.min_digits)

    def str_size(self, obj: int, shape: Shape) -> int:
        mem = self.mem
        u64 = mem.u64
        length = u64(obj + self.str_length)
        state = u64(obj + self.str_state) & 0xFFFF_FFFF
        kind = (state >> _KIND_SHIFT) & 7
        pre = shape.base_size - shape.basicsize
        if state & _COMPACT:
            if state & _ASCII:
                size = self.ascii_size + length + 1
                data = obj + self.ascii_size
            else:
                size = self.compact_size + (length + 1) * kind
                data = obj + self.compact_size
        else:
            data = u64(obj + self.unicode_data) if self.unicode_data is not None else 0
            size = self.unicode_size + ((length + 1) * kind if data else 0)
        if not (state & _COMPACT and state & _ASCII) and self.utf8 is not None and self.utf8_length is not None:
            utf8 = u64(obj + self.utf8)
            if utf8 and utf8 != data:
                size += u64(obj + self.utf8_length) + 1
        if self.wstr is not None:
            wstr = u64(obj + self.wstr)
            if wstr and wstr != data:
                if state & _COMPACT and state & _ASCII or self.wstr_length is None:
                    wlen = length
                else:
                    wlen = u64(obj + self.wstr_length)
                size += (wlen + 1) * 4
        return pre + size

    def keys_bytes(self, keys: int) -> int:
        """_PyDict_KeysSize: the header, the index table and the entries."""
        refs = self.refs
        _, _, entry, capacity = refs.keys_table(keys)
        if refs.log2:
            index_bytes = 1 << self.mem.read(keys + 9, 1)[0]
        else:
            index_bytes = capacity * _index_width(capacity)
        return self.keys_size + index_bytes + ((capacity << 1) // 3) * entry

    def dict_size(self, obj: int, shape: Shape) -> int:
        u64 = self.mem.u64
        refs = self.refs
        keys = u64(obj + refs.ma_keys)
        size = shape.base_size
        if not keys:
            return size
        if u64(obj + refs.ma_values):
            if self.scheme.split_values_size == "usable":
                table = refs.shared_tables.get(keys)
                if table is None:
                    table = refs.shared_tables[keys] = refs.keys_table(keys)
                capacity = table[3]
                size += 8 * ((capacity << 1) // 3)
            elif self.dk_usable is not None:
                size += 8 * (u64(keys + refs.dk_nentries) + u64(keys + self.dk_usable))
        if u64(keys) == 1:  # dk_refcnt: the dict alone owns its keys
            size += self.keys_bytes(keys)
        return size

    def type_size(self, obj: int, shape: Shape) -> int:
        """type.__sizeof__ of a class; a static type counts its PyTypeObject alone, without pre-header."""
        try:
            info = self.t.type_info(obj)
        except CpythonGdbError:
            return shape.base_size
        if not info.flags & TPFLAGS_HEAPTYPE or not self.heap_type_size:
            # sizeof(PyTypeObject); 3.11 and 3.12 add the PyGC_Head even here.
            return self.static_type_size + (self.gc_head if self.scheme.static_type_preheader else 0)
        size = self.gc_head + self.heap_type_size
        cached = self.refs.ht_cached_keys
        keys = self.mem.u64(obj + cached) if cached is not None else 0
        if keys:  # the keys its instances share
            size += self.keys_bytes(keys)
        return size

    def code_size(self, obj: int, shape: Shape) -> int:
        """code.__sizeof__: _PyObject_VAR_SIZE, rounded up to a word."""
        return (self.var_size(obj, shape) + 7) & ~7


def _index_width(size: int) -> int:
    if size <= 0xFF:
        return 1
    if size <= 0xFFFF:
        return 2
    if size <= 0xFFFFFFFF:
        return 4
    return 8
