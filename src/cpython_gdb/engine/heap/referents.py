"""The objects an object refers to, for the layouts the census knows.

Followed: list and tuple items, dict keys and values (combined and split
tables), set entries, a cell's content, a function's code, names,
defaults, doc and __dict__, a code object's constants and names, and an instance's __dict__, its values where the
dict is not made (3.11's and 3.12's split values, 3.13's inline values)
and its __slots__. That is how the census finds the objects the collector
does not track (str, int, float, bytes, and tuples and dicts of those).

``references(obj, shape)`` is the fast form the census calls for every
container; ``labelled(obj, shape)`` says how each reference is held
(``list item 3``, ``dict value for key 'cache'``, ``attribute 'parent'``),
for py-refs, which calls it only for the objects that hold its target.
"""

from __future__ import annotations

import struct

from ...errors import CpythonGdbError
from ..memory import read_i32
from ..model import TPFLAGS_INLINE_VALUES, TPFLAGS_MANAGED_DICT

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, List, Tuple

    from ..target import Target
    from .blocks import BlockReader
    from .shapes import Shape

_MAX_ITEMS = 1 << 28
_MAX_MEMBERS = 1024
# PyMemberDef.type of an object slot: T_OBJECT (6) and T_OBJECT_EX (16), Py_T_* in 3.12+.
_OBJECT_MEMBERS = (6, 16)
_DK_GENERAL = 0


def _usable_fraction(size: int) -> int:
    return (size << 1) // 3


def _index_width(size: int) -> int:
    if size <= 0xFF:
        return 1
    if size <= 0xFFFF:
        return 2
    if size <= 0xFFFFFFFF:
        return 4
    return 8


class Referents:
    """Reads references and dict keys tables over one stop's BlockReader."""

    def __init__(self, t: Target, mem: BlockReader) -> None:
        self.t = t
        self.mem = mem
        lay = t.layout
        self.scheme = t.scheme
        self.ob_size = lay.off("PyVarObject.ob_size")
        self.list_items = lay.off("PyListObject.ob_item")
        self.tuple_items = lay.off("PyTupleObject.ob_item")
        self.ma_keys = lay.off("PyDictObject.ma_keys")
        self.ma_values = lay.off("PyDictObject.ma_values")
        self.values_at = lay.offsets.get("PyDictValues.values", 0)
        self.set_mask = lay.off("PySetObject.mask")
        self.set_table = lay.off("PySetObject.table")
        self.dk_nentries = lay.off("PyDictKeysObject.dk_nentries")
        self.dk_indices = lay.off("PyDictKeysObject.dk_indices")
        self.log2 = self.scheme.dict_keys == "log2"
        self.general_entry = lay.sizes.get("PyDictKeyEntry", 24)
        self.unicode_entry = lay.sizes.get("PyDictUnicodeEntry", 16)
        self.ht_cached_keys = lay.offsets.get("PyHeapTypeObject.ht_cached_keys")
        self._fields: Dict[str, Tuple[int, ...]] = {
            kind: tuple(lay.offsets[key] for key in keys if key in lay.offsets)
            for kind, keys in _FIELDS.items()
        }
        self._slots: Dict[int, Tuple[Tuple[str, int], ...]] = {}
        self._shared: Dict[int, int] = {}  # shared (split-table) keys already followed -> dk_nentries
        # (entries, dk_nentries, entry size, capacity) of shared keys, by address (sizes.py)
        self.shared_tables: Dict[int, Tuple[int, int, int, int]] = {}
        self._valid_shift = 8 * lay.offsets.get("PyDictValues.valid", 0)
        self._capacity_shift = 8 * lay.offsets.get("PyDictValues.capacity", 0)
        self.by_kind: Dict[str, Callable[[int, Shape], List[int]]] = {
            "list": self.list_refs,
            "tuple": self.tuple_refs,
            "dict": self.dict_refs,
            "set": self.set_refs,
        }

    # -- helpers ---------------------------------------------------------------

    def words(self, address: int, count: int) -> Tuple[int, ...]:
        if count <= 0:
            return ()
        if count > _MAX_ITEMS:
            raise CpythonGdbError("too many items")
        return struct.unpack("<%dQ" % count, self.mem.read(address, count * 8))

    def keys_table(self, keys: int) -> Tuple[int, int, int, int]:
        """(entries address, dk_nentries, entry size, capacity) of a keys object."""
        u64 = self.mem.u64
        nentries = u64(keys + self.dk_nentries)
        if self.log2:
            head = u64(keys + 8)  # dk_log2_size, dk_log2_index_bytes, dk_kind: bytes 8, 9 and 10
            log2_size, log2_index_bytes, kind = head & 0xFF, (head >> 8) & 0xFF, (head >> 16) & 0xFF
            if log2_size > 40 or log2_index_bytes > log2_size + 3:
                raise CpythonGdbError("dict keys")
            capacity = 1 << log2_size
            entries = keys + self.dk_indices + (1 << log2_index_bytes)
            entry = self.general_entry if kind == _DK_GENERAL else self.unicode_entry
        else:
            capacity = u64(keys + 8)  # dk_size
            if not 0 < capacity <= _MAX_ITEMS:
                raise CpythonGdbError("dict keys")
            entries = keys + self.dk_indices + capacity * _index_width(capacity)
            entry = self.general_entry
        if nentries > capacity:
            raise CpythonGdbError("dict keys")
        return entries, nentries, entry, capacity

    def _entries(self, keys: int) -> Tuple[int, int, Tuple[int, ...]]:
        entries, nentries, entry, _ = self.keys_table(keys)
        return nentries, entry // 8, self.words(entries, nentries * entry // 8)

    # -- by kind ---------------------------------------------------------------

    def list_refs(self, obj: int, shape: Shape) -> List[int]:
        u64 = self.mem.u64
        size = u64(obj + self.ob_size)
        items = u64(obj + self.list_items)
        return [r for r in self.words(items, size) if r] if items and size else []

    def tuple_refs(self, obj: int, shape: Shape) -> List[int]:
        size = self.mem.u64(obj + self.ob_size)
        return [r for r in self.words(obj + self.tuple_items, size) if r]

    def dict_refs(self, obj: int, shape: Shape) -> List[int]:
        u64 = self.mem.u64
        keys = u64(obj + self.ma_keys)
        if not keys:
            return []
        values = u64(obj + self.ma_values)
        if values:
            # A split table: the keys shared by a class's instances are followed once, with the first
            # dict that has them; each dict has its own values.
            nentries = self._shared.get(keys)
            if nentries is not None:
                return [r for r in self.words(values + self.values_at, nentries) if r]
            nentries, step, words = self._entries(keys)
            self._shared[keys] = nentries
            out = [r for r in words[step - 2 :: step] if r]
            out += [r for r in self.words(values + self.values_at, nentries) if r]
            return out
        nentries, step, words = self._entries(keys)
        out = [r for r in words[step - 2 :: step] if r]
        out += [r for r in words[step - 1 :: step] if r]
        return out

    def set_refs(self, obj: int, shape: Shape) -> List[int]:
        u64 = self.mem.u64
        mask = u64(obj + self.set_mask)
        table = u64(obj + self.set_table)
        if not table or mask >= _MAX_ITEMS:
            return []
        return [r for r in self.words(table, 2 * (mask + 1))[0::2] if r]

    def field_refs(self, obj: int, shape: Shape) -> List[int]:
        u64 = self.mem.u64
        return [r for r in (u64(obj + off) for off in self._fields[shape.kind]) if r]

    # -- an instance's own attributes -------------------------------------------

    def slots(self, tp: int) -> Tuple[Tuple[str, int], ...]:
        """(name, offset) of the object __slots__ a class defines itself."""
        found = self._slots.get(tp)
        if found is not None:
            return found
        t = self.t
        lay = t.layout
        out: List[Tuple[str, int]] = []
        try:
            members = t.ptr(tp + lay.off("PyTypeObject.tp_members"))
            size = lay.size("PyMemberDef")
            for i in range(_MAX_MEMBERS if members else 0):
                entry = members + i * size
                name_ptr = t.ptr(entry + lay.off("PyMemberDef.name"))
                if not name_ptr:
                    break
                if read_i32(t.reader, entry + lay.off("PyMemberDef.type")) in _OBJECT_MEMBERS:
                    from ..memory import read_c_text

                    out.append((read_c_text(t.reader, name_ptr, 200), t.ptr(entry + lay.off("PyMemberDef.offset"))))
        except CpythonGdbError:
            pass
        found = self._slots[tp] = tuple(out)
        return found

    def instance_parts(self, obj: int, shape: Shape) -> Tuple[int, int, int, int]:
        """(dict, values, value count, keys) of an instance: its __dict__ (or 0) and split or inline values
        (or 0), with the shared keys those values go with."""
        u64 = self.mem.u64
        scheme = self.scheme
        flags = shape.flags
        if not flags & TPFLAGS_MANAGED_DICT or scheme.managed_dict == "none":
            offset = shape.dictoffset
            if offset == 0:
                return 0, 0, 0, 0
            if offset < 0:
                size = u64(obj + self.ob_size)
                if size >= 1 << 63:
                    size = (1 << 64) - size
                end = self._basicsize(shape) + size * shape.itemsize + offset
                offset = (end + 7) & ~7
            return u64(obj + offset), 0, 0, 0
        keys = u64(shape.address + self.ht_cached_keys) if self.ht_cached_keys is not None else 0
        if scheme.managed_dict == "311":
            values = u64(obj + scheme.managed_values_offset)
            if values:
                return 0, values, self._nentries(keys), keys
            return u64(obj + scheme.managed_dict_offset), 0, 0, 0
        if scheme.managed_dict == "312":
            dorv = u64(obj + scheme.managed_dict_offset)
            if dorv & 1:
                return 0, dorv + 1, self._nentries(keys), keys
            return dorv, 0, 0, 0
        dict_addr = u64(obj + scheme.managed_dict_offset)
        if dict_addr:
            return dict_addr, 0, 0, 0
        if flags & TPFLAGS_INLINE_VALUES:
            values = obj + self._basicsize(shape)
            # capacity and valid are bytes of the values' first word: one read.
            head = u64(values)
            if (head >> self._valid_shift) & 0xFF:
                return 0, values, (head >> self._capacity_shift) & 0xFF, keys
        return 0, 0, 0, 0

    def _basicsize(self, shape: Shape) -> int:
        return shape.basicsize

    def _nentries(self, keys: int) -> int:
        return min(self.mem.u64(keys + self.dk_nentries), _MAX_MEMBERS) if keys else 0

    def instance_refs(self, obj: int, shape: Shape) -> List[int]:
        out: List[int] = []
        u64 = self.mem.u64
        for klass in shape.heap_chain:
            for _, offset in self.slots(klass):
                value = u64(obj + offset)
                if value:
                    out.append(value)
        dict_addr, values, count, _ = self.instance_parts(obj, shape)
        if dict_addr:
            out.append(dict_addr)
        if values and count:
            out += [r for r in self.words(values + self.values_at, count) if r]
        return out

    def references(self, obj: int, shape: Shape) -> List[int]:
        """The object addresses ``obj`` holds (possibly repeated; unchecked)."""
        fn = self.by_kind.get(shape.kind)
        out = fn(obj, shape) if fn is not None else (self.field_refs(obj, shape) if shape.kind in _FIELDS else [])
        if shape.heap:
            out += self.instance_refs(obj, shape)
        return out

    # -- how each reference is held (py-refs) ------------------------------------

    def labelled(self, obj: int, shape: Shape) -> List[Tuple[int, str]]:
        """(address, how ``obj`` holds it) of each reference."""
        out: List[Tuple[int, str]] = []
        kind = shape.kind
        if kind == "list":
            out += [(r, f"list item {i}") for i, r in enumerate(self._items(obj, True))]
        elif kind == "tuple":
            out += [(r, f"tuple item {i}") for i, r in enumerate(self._items(obj, False))]
        elif kind == "dict":
            out += self._dict_labelled(obj)
        elif kind == "set":
            out += [(r, "set member") for r in self.set_refs(obj, shape)]
        elif kind in _FIELDS:
            lay = self.t.layout
            for key in _FIELDS[kind]:
                if key in lay.offsets:
                    r = self.mem.u64(obj + lay.offsets[key])
                    if r:
                        out.append((r, key.split(".", 1)[1]))
        if shape.heap:
            u64 = self.mem.u64
            for klass in shape.heap_chain:
                for name, offset in self.slots(klass):
                    value = u64(obj + offset)
                    if value:
                        out.append((value, f"attribute {name!r} (slot)"))
            dict_addr, values, count, keys = self.instance_parts(obj, shape)
            if dict_addr:
                out.append((dict_addr, "__dict__"))
            if values and count:
                names = self._key_names(keys, count)
                for i, r in enumerate(self.words(values + self.values_at, count)):
                    if r:
                        out.append((r, f"attribute {names[i]!r}" if i < len(names) else f"attribute #{i}"))
        return out

    def _items(self, obj: int, is_list: bool) -> Tuple[int, ...]:
        u64 = self.mem.u64
        size = u64(obj + self.ob_size)
        if is_list:
            items = u64(obj + self.list_items)
            return self.words(items, size) if items else ()
        return self.words(obj + self.tuple_items, size)

    def _key_names(self, keys: int, count: int) -> List[str]:
        from ..objects.strings import str_text

        if not keys:
            return []
        nentries, step, words = self._entries(keys)
        names = []
        for key in words[step - 2 :: step][:count]:
            try:
                names.append(str_text(self.t, key, 100) if key else "?")
            except CpythonGdbError:
                names.append("?")
        return names

    def _dict_labelled(self, obj: int) -> List[Tuple[int, str]]:
        from ..objects.strings import str_text

        u64 = self.mem.u64
        keys = u64(obj + self.ma_keys)
        if not keys:
            return []
        values = u64(obj + self.ma_values)
        nentries, step, words = self._entries(keys)
        key_list = words[step - 2 :: step]
        value_list = self.words(values + self.values_at, nentries) if values else words[step - 1 :: step]
        from ..limits import Limits
        from ..objects.dispatch import object_repr

        short = Limits(max_output=60, max_items=3, max_depth=1, max_string=40)
        out = []
        for key, value in zip(key_list, value_list):
            if not key:
                continue
            try:
                shown = repr(str_text(self.t, key, 100))
            except CpythonGdbError:
                try:
                    shown = object_repr(self.t, key, short)  # not a str: an int, a tuple...
                except CpythonGdbError:
                    shown = f"at 0x{key:x}"
            out.append((key, f"dict key {shown}"))
            if value:
                out.append((value, f"dict value for key {shown}"))
        return out


# Pointer fields followed for these kinds (those a layout lacks are skipped).
_FIELDS = {
    "cell": ("PyCellObject.ob_ref",),
    "function": ("PyFunctionObject.func_code", "PyFunctionObject.func_name", "PyFunctionObject.func_qualname",
                 "PyFunctionObject.func_module", "PyFunctionObject.func_globals", "PyFunctionObject.func_closure",
                 "PyFunctionObject.func_defaults", "PyFunctionObject.func_kwdefaults", "PyFunctionObject.func_doc",
                 "PyFunctionObject.func_dict"),
    "code": ("PyCodeObject.co_consts", "PyCodeObject.co_names",
             "PyCodeObject.co_filename", "PyCodeObject.co_name", "PyCodeObject.co_qualname",
             "PyCodeObject.co_linetable", "PyCodeObject.co_lnotab", "PyCodeObject.co_localsplusnames",
             "PyCodeObject.co_varnames", "PyCodeObject.co_cellvars", "PyCodeObject.co_freevars"),
    "module": ("PyModuleObject.md_dict",),
}


FOLLOWED_KINDS = frozenset(("list", "tuple", "dict", "set", *_FIELDS))


def follows(shape: Shape) -> bool:
    """Whether the census reads references out of objects of this shape."""
    return shape.follow
