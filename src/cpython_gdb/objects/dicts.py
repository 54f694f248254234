"""Reading dict contents: combined and split tables, every key layout.

The walk yields (key, value) object addresses in insertion order and never
calls into the target.
"""

import struct
from typing import Iterator, List, Optional, Tuple

from ..errors import CorruptObject, CpythonGdbError
from ..memory import read_u8
from ..target import Target

_MAX_ENTRIES = 1 << 28

# dk_kind values (3.11+): DICT_KEYS_GENERAL, DICT_KEYS_UNICODE, DICT_KEYS_SPLIT.
_KEYS_GENERAL = 0


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
    lay = t.layout
    nentries = t.ptr(keys + lay.off("PyDictKeysObject.dk_nentries"))
    indices = keys + lay.off("PyDictKeysObject.dk_indices")
    if t.scheme.dict_keys == "log2":
        log2_index_bytes = read_u8(t.reader, keys + lay.off("PyDictKeysObject.dk_log2_index_bytes"))
        kind = read_u8(t.reader, keys + lay.off("PyDictKeysObject.dk_kind"))
        if log2_index_bytes > 40:
            raise CorruptObject("dict keys")
        entries = indices + (1 << log2_index_bytes)
        if kind == _KEYS_GENERAL:
            entry_size = lay.size("PyDictKeyEntry")
        else:
            entry_size = lay.size("PyDictUnicodeEntry")
    else:
        size = t.ptr(keys + lay.off("PyDictKeysObject.dk_size"))
        if size <= 0 or size > _MAX_ENTRIES:
            raise CorruptObject("dict keys")
        entries = indices + size * _index_width(size)
        entry_size = lay.size("PyDictKeyEntry")
    if nentries < 0 or nentries > _MAX_ENTRIES:
        raise CorruptObject("dict keys")
    return entries, nentries, entry_size


def _values_array(t: Target, values: int) -> int:
    if t.scheme.split_values == "struct":
        return values + t.layout.off("PyDictValues.values")
    return values


def iter_keys_values(
    t: Target, keys: int, values: Optional[int], limit: int
) -> Iterator[Tuple[int, int]]:
    """Yield up to ``limit`` (key, value) pairs of a keys object.

    With ``values`` set, the values come from that split-table array
    (indexed by entry position) instead of the entries themselves.
    """
    entries, nentries, entry_size = keys_entries(t, keys)
    # Entries of 16 bytes are {key, value}; of 24, {hash, key, value}.
    key_off = entry_size - 16
    values_at = _values_array(t, values) if values else 0
    batch = 64
    produced = 0
    for start in range(0, nentries, batch):
        count = min(batch, nentries - start)
        raw = t.reader.read(entries + start * entry_size, count * entry_size)
        vals: List[int] = []
        if values_at:
            vals = list(struct.unpack("<%dQ" % count, t.reader.read(values_at + 8 * start, 8 * count)))
        for i in range(count):
            base = i * entry_size + key_off
            key, value = struct.unpack_from("<QQ", raw, base)
            if values_at:
                value = vals[i]
            if key and value:
                yield key, value
                produced += 1
                if produced >= limit:
                    return


def dict_items(t: Target, obj: int, limit: int) -> Iterator[Tuple[int, int]]:
    lay = t.layout
    keys = t.ptr(obj + lay.off("PyDictObject.ma_keys"))
    values = t.ptr(obj + lay.off("PyDictObject.ma_values"))
    if not keys:
        return iter(())
    return iter_keys_values(t, keys, values or None, limit)


def dict_len(t: Target, obj: int) -> int:
    return t.ptr(obj + t.layout.off("PyDictObject.ma_used"))


def dict_lookup_str(t: Target, obj: int, name: str) -> Optional[int]:
    """Find the value for a str key by reading keys (no hashing, no calls)."""
    from .strings import str_text

    for key, value in dict_items(t, obj, _MAX_ENTRIES):
        try:
            if str_text(t, key, len(name) + 1) == name:
                return value
        except CpythonGdbError:
            continue
    return None
