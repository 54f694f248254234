"""Reading dict contents: combined and split tables, every key layout.

The walk yields (key, value) object addresses in insertion order and never
calls into the target.
"""

from __future__ import annotations

import struct

from ...errors import CorruptObject, CpythonGdbError
from ..memory import read_rows, read_u8
from ..model import TPFLAGS_UNICODE_SUBCLASS
from ..target import FieldCut, Target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Iterator, List, Optional, Tuple

_MAX_ENTRIES = 1 << 28
_MAX_LOG2_SIZE = 28

# dk_kind values (3.11+): DICT_KEYS_GENERAL, DICT_KEYS_UNICODE, DICT_KEYS_SPLIT.
_KEYS_GENERAL = 0
_GENERAL_ENTRY = "PyDictKeyEntry"
_UNICODE_ENTRY = "PyDictUnicodeEntry"
_KEYS_HEADER = (("PyDictKeysObject.dk_nentries", "Q"), ("PyDictKeysObject.dk_log2_size", "B"),
                ("PyDictKeysObject.dk_log2_index_bytes", "B"), ("PyDictKeysObject.dk_kind", "B"))
# An entry's key and value pointers.
_PAIR_FROM = struct.Struct("<QQ").unpack_from


def _index_width(size: int) -> int:
    if size <= 0xFF:
        return 1
    if size <= 0xFFFF:
        return 2
    if size <= 0xFFFFFFFF:
        return 4
    return 8


def keys_entries(t: Target, keys: int) -> Tuple[int, int, int]:
    """Return (address of the entry array, entry count, entry size)."""
    entries, nentries, entry_size, _ = keys_table(t, keys)
    return entries, nentries, entry_size


def keys_table(t: Target, keys: int) -> Tuple[int, int, int, int]:
    """Return (address of the entry array, entry count, entry size, capacity).

    The index array (one slot per unit of capacity) runs from dk_indices to
    the entries. The count is checked against the capacity, so a corrupt
    header cannot make a walk read more entries than the table can hold.
    """
    lay = t.layout
    if t.scheme.dict_keys == "log2":
        # What does not change for the stop, looked up once (an entry size
        # the layout lacks is None: looked up, and so raises, where needed);
        # the four fields read at once.
        known = t.dict_keys_log2
        if known is None:
            known = t.dict_keys_log2 = (FieldCut(lay, _KEYS_HEADER), lay.off("PyDictKeysObject.dk_indices"),
                                        lay.sizes.get(_GENERAL_ENTRY), lay.sizes.get(_UNICODE_ENTRY))
        cut, indices_off, general_size, unicode_size = known
        nentries, log2_size, log2_index_bytes, kind = cut.read(t.reader, keys)
        if log2_size > _MAX_LOG2_SIZE or log2_index_bytes > log2_size + 3:
            raise CorruptObject("dict keys")
        capacity = 1 << log2_size
        entries = keys + indices_off + (1 << log2_index_bytes)
        if kind == _KEYS_GENERAL:
            entry_size = lay.size(_GENERAL_ENTRY) if general_size is None else general_size
        else:
            entry_size = lay.size(_UNICODE_ENTRY) if unicode_size is None else unicode_size
    else:
        indices = keys + lay.off("PyDictKeysObject.dk_indices")
        nentries = t.ptr(keys + lay.off("PyDictKeysObject.dk_nentries"))
        size = t.ptr(keys + lay.off("PyDictKeysObject.dk_size"))
        if size <= 0 or size > _MAX_ENTRIES:
            raise CorruptObject("dict keys")
        capacity = size
        entries = indices + size * _index_width(size)
        entry_size = lay.size("PyDictKeyEntry")
    if nentries > capacity:
        raise CorruptObject("dict keys")
    return entries, nentries, entry_size, capacity


def _values_array(t: Target, values: int) -> int:
    if t.scheme.split_values == "struct":
        return values + t.layout.off("PyDictValues.values")
    return values


def split_order(t: Target, values: int) -> Optional[List[int]]:
    """Entry indices of a split table's values, in insertion order.

    Up to 3.10 a split table is converted to a combined one when an
    attribute is added out of the keys' order, so the keys' order is the
    insertion order (None here). From 3.11 each PyDictValues keeps its own
    order as one byte per set value: before the values, counted by the byte
    at values[-2] and stored backwards from values[-3] (3.11, 3.12), or after
    values[capacity], counted by ``size`` (3.13+).
    """
    lay = t.layout
    if t.scheme.split_values != "struct":
        return None
    if not lay.has("PyDictValues.capacity") and lay.off("PyDictValues.values"):
        # A header before the values whose fields this layout lacks: fall
        # back to the keys' order rather than guess.
        return None
    if lay.has("PyDictValues.capacity"):
        capacity = read_u8(t.reader, values + lay.off("PyDictValues.capacity"))
        size = read_u8(t.reader, values + lay.off("PyDictValues.size"))
        start = values + lay.off("PyDictValues.values") + 8 * capacity
        return list(t.reader.read(start, size)) if size else []
    size = read_u8(t.reader, values - 2)
    if not size:
        return []
    return list(reversed(t.reader.read(values - 2 - size, size)))


def iter_keys_values(
    t: Target, keys: int, values: Optional[int], limit: int, used: Optional[int] = None
) -> Iterator[Tuple[int, int]]:
    """Yield up to ``limit`` (key, value) pairs of a keys object.

    With ``values`` set, the values come from that split-table array
    (indexed by entry position) instead of the entries themselves.
    ``used``, the live entry count when the caller knows it (a dict's
    ma_used), ends the walk once that many pairs were found.
    """
    entries, nentries, entry_size, _ = keys_table(t, keys)
    if used is not None:
        limit = min(limit, used)
    if limit <= 0:
        return
    # Entries of 16 bytes are {key, value}; of 24, {hash, key, value}.
    key_off = entry_size - 16
    if values:
        yield from _split_pairs(t, entries, nentries, entry_size, values, limit)
        return
    produced = 0
    for raw, offsets in read_rows(t.reader, entries, nentries, entry_size):
        for at in offsets:
            key, value = _PAIR_FROM(raw, at + key_off)
            if key and value:
                yield key, value
                produced += 1
                if produced >= limit:
                    return


def _split_pairs(
    t: Target, entries: int, nentries: int, entry_size: int, values: int, limit: int
) -> Iterator[Tuple[int, int]]:
    key_off = entry_size - 16
    values_at = _values_array(t, values)
    order = split_order(t, values)
    if order is None:
        order = list(range(nentries))
    produced = 0
    for index in order:
        if index >= nentries:
            raise CorruptObject("split dict order")
        key = t.ptr(entries + index * entry_size + key_off)
        value = t.ptr(values_at + 8 * index)
        if key and value:
            yield key, value
            produced += 1
            if produced >= limit:
                return


def table_items(t: Target, obj: int, limit: int) -> Iterator[Tuple[int, int]]:
    """2.7's dict (scheme dict_keys "table"): (key, value) of each live entry of its one table.

    In table order, as 2.7 iterates and prints a dict. A deleted entry
    keeps a dummy key and a NULL value; a free one has a NULL key.
    """
    lay = t.layout
    mask = t.field_ptr(obj, "PyDictObject.ma_mask")
    table = t.field_ptr(obj, "PyDictObject.ma_table")
    used = dict_len(t, obj)
    slots = mask + 1
    if slots > _MAX_ENTRIES or slots & mask or used > slots:
        raise CorruptObject("dict table")
    limit = min(limit, used)
    if limit <= 0:
        return
    size = lay.size("PyDictEntry")
    key_off, value_off = lay.off("PyDictEntry.me_key"), lay.off("PyDictEntry.me_value")
    produced = 0
    for raw, offsets in read_rows(t.reader, table, slots, size):
        for at in offsets:
            (key,) = _PTR_FROM(raw, at + key_off)
            (value,) = _PTR_FROM(raw, at + value_off)
            if key and value:
                yield key, value
                produced += 1
                if produced >= limit:
                    return


_PTR_FROM = struct.Struct("<Q").unpack_from


def dict_items(t: Target, obj: int, limit: int) -> Iterator[Tuple[int, int]]:
    lay = t.layout
    if t.scheme.dict_keys == "table":
        return table_items(t, obj, limit)
    keys = t.ptr(obj + lay.off("PyDictObject.ma_keys"))
    values = t.ptr(obj + lay.off("PyDictObject.ma_values"))
    if not keys:
        return iter(())
    return iter_keys_values(t, keys, values or None, limit, used=dict_len(t, obj))


def dict_len(t: Target, obj: int) -> int:
    """ma_used, the dict's live entry count (an unsigned read: corrupt ones are huge)."""
    return t.ptr(obj + t.layout.off("PyDictObject.ma_used"))


def find_str_key(t: Target, pairs: Iterable[Tuple[int, int]], name: str) -> Optional[int]:
    """The value of the first pair whose key is the str ``name``; keys that
    are not readable str objects are skipped."""
    from .strings import str_text

    for key, value in pairs:
        try:
            if str_text(t, key, len(name) + 1) == name:
                return value
        except CpythonGdbError:
            continue
    return None


def dict_lookup_str(t: Target, obj: int, name: str, secret: Optional[Tuple[int, int]] = None) -> Optional[int]:
    """The value for the str key ``name``, or None; never calls into the target.

    With the process's hash secret (k0, k1) the index table is probed as
    CPython probes it; without it, or when the probe cannot answer, every
    key is read.
    """
    if secret is not None and t.scheme.str_hash != "none":
        try:
            answered, value = _probe(t, obj, name, secret)
        except CpythonGdbError:
            answered, value = False, None
        if answered:
            return value
    limit = min(dict_len(t, obj), _MAX_ENTRIES) + 1
    return find_str_key(t, dict_items(t, obj, limit), name)


_PERTURB_SHIFT = 5


def _probe(t: Target, obj: int, name: str, secret: Tuple[int, int]) -> Tuple[bool, Optional[int]]:
    """(whether the table answered, the value) for ``name`` in a combined dict, found by its hash.

    The answer is trusted only once our hash has been seen to equal the
    hash a key of the target caches (a build with another hash function,
    or a wrong secret, falls back to reading every key).
    """
    from .strhash import str_hash
    from .strings import str_text

    lay = t.layout
    if t.scheme.str_hash == "none":
        return False, None  # 2.7: not PEP 456's hash
    keys = t.ptr(obj + lay.off("PyDictObject.ma_keys"))
    if not keys or t.ptr(obj + lay.off("PyDictObject.ma_values")):
        return False, None  # a split table: its values live elsewhere
    entries, nentries, entry_size, capacity = keys_table(t, keys)
    indices = keys + lay.off("PyDictKeysObject.dk_indices")
    width = (entries - indices) // capacity
    if width not in _INDEX_FORMATS or capacity & (capacity - 1):
        return False, None
    key_off = entry_size - 16
    variant = t.scheme.str_hash
    if not _hash_confirmed(t, entries, nentries, entry_size, variant, secret):
        return False, None
    mask = capacity - 1
    perturb = str_hash(variant, secret[0], secret[1], name) & ((1 << 64) - 1)
    i = perturb & mask
    fmt = _INDEX_FORMATS[width]
    for _ in range(capacity):
        (ix,) = struct.unpack(fmt, t.reader.read(indices + i * width, width))
        if ix == -1:  # an empty slot ends the probe: not in the dict
            return True, None
        if 0 <= ix < nentries:
            key, value = struct.unpack("<QQ", t.reader.read(entries + ix * entry_size + key_off, 16))
            if key and value:
                try:
                    if str_text(t, key, len(name) + 1) == name:
                        return True, value
                except CpythonGdbError:
                    pass
        perturb >>= _PERTURB_SHIFT
        i = (i * 5 + perturb + 1) & mask
    return False, None  # no empty slot met: a corrupt table


_INDEX_FORMATS = {1: "<b", 2: "<h", 4: "<i", 8: "<q"}


def _hash_confirmed(t: Target, entries: int, nentries: int, entry_size: int, variant: str,
                    secret: Tuple[int, int]) -> bool:
    """Whether our str hash is the target's: checked once per stop on a str key's cached hash."""
    from .strhash import str_hash
    from .strings import read_str

    known = t.str_hash_confirmed
    if known is not None:
        return known
    key_off = entry_size - 16
    lay = t.layout
    for ix in range(min(nentries, 64)):
        key = t.ptr(entries + ix * entry_size + key_off)
        if not key:
            continue
        try:
            if not t.type_of(key).flags & TPFLAGS_UNICODE_SUBCLASS:
                continue
            text, length = read_str(t, key, 256)
        except CpythonGdbError:
            continue
        if length != len(text):
            continue  # longer than read: its hash is not ours to check
        cached = t.ptr(key + lay.off("PyASCIIObject.hash"))
        if cached == (1 << 64) - 1:  # -1: not computed yet
            continue
        if cached >= 1 << 63:
            cached -= 1 << 64
        confirmed = str_hash(variant, secret[0], secret[1], text) == cached
        t.str_hash_confirmed = confirmed
        return confirmed
    return False
