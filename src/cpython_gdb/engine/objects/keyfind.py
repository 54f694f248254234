"""A dict's value for a constant key (py-print's ``d['k']``, ``d[3]``, ``d[None]``).

The key is hashed as the target hashes it and the index table probed as
CPython probes it; each candidate is compared by reading the key object
(equal as Python compares them: 1 == 1.0 == True). Where hashing cannot be
trusted (2.7, a split table, a hash function not confirmed on a str key of
this process), every key is read instead; the answer is the same.
"""

from __future__ import annotations

import struct

from ...errors import CpythonGdbError
from ..memory import read_f64
from ..model import TPFLAGS_BYTES_SUBCLASS, TPFLAGS_LONG_SUBCLASS, TPFLAGS_UNICODE_SUBCLASS
from ..target import Target
from .dicts import _INDEX_FORMATS, _MAX_ENTRIES, _hash_confirmed, dict_items, dict_len, keys_table

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Tuple, Union

    Key = Union[int, str, bytes, None]

_MODULUS = (1 << 61) - 1  # the prime of CPython's numeric hash (sys.hash_info.modulus)
_PERTURB_SHIFT = 5
_MASK64 = (1 << 64) - 1


def _signed(value: int) -> int:
    value &= _MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def int_hash(value: int) -> int:
    """hash() of an int (and of a bool) on a 64-bit CPython 3."""
    result = abs(value) % _MODULUS
    if value < 0:
        result = -result
    return -2 if result == -1 else result


def pointer_hash(address: int) -> int:
    """hash() of an object hashed by identity: its address rotated right by four bits."""
    return _signed(_signed((address >> 4) | (address << 60)))


def key_hash(t: Target, key: Key, secret: Optional[Tuple[int, int]], none_address: int) -> Optional[int]:
    """The target's hash of ``key``, or None where it cannot be computed here."""
    from .strhash import siphash, str_hash

    scheme = t.scheme
    if key is None:
        if scheme.none_hash == "constant":
            return 0xFCA86420
        return pointer_hash(none_address) if none_address else None
    if isinstance(key, int):
        return int_hash(key)
    if secret is None or scheme.str_hash == "none":
        return None
    if isinstance(key, str):
        return str_hash(scheme.str_hash, secret[0], secret[1], key)
    if not key:
        return 0
    # bytes hash their bytes with the same function and key as str.
    value = _signed(siphash(scheme.str_hash, secret[0], secret[1], key))
    return -2 if value == -1 else value


def key_equals(t: Target, obj: int, key: Key) -> bool:
    """Whether the remote object ``obj`` equals ``key`` as Python compares them (never raises on bad memory)."""
    from .numbers import int27_value, long_value_of
    from .strings import read_bytes, str_text

    try:
        tp = t.type_of(obj)
        py2 = t.scheme.builtins == "py2"
        if key is None:
            return tp.name == "NoneType"
        if isinstance(key, int):
            if tp.name == "float":
                return read_f64(t.reader, obj + t.layout.off("PyFloatObject.ob_fval")) == key
            if py2 and tp.name in ("int", "bool"):
                return int27_value(t, obj) == key
            if tp.flags & TPFLAGS_LONG_SUBCLASS and (tp.name in ("int", "bool", "long") or not tp.is_heap):
                return long_value_of(t, obj) == key
            return False
        if isinstance(key, bytes):
            if tp.flags & TPFLAGS_BYTES_SUBCLASS and tp.name in ("bytes", "str"):  # 2.7's str is bytes
                data, length = read_bytes(t, obj, len(key) + 1)
                return data == key
            return False
        if py2 and tp.name == "str":
            # 2.7: 'k' is a str (bytes), equal to the unicode u'k' too.
            return str_text(t, obj, len(key) + 1) == key
        if tp.flags & TPFLAGS_UNICODE_SUBCLASS and tp.name in ("str", "unicode"):
            return str_text(t, obj, len(key) + 1) == key
        return False
    except CpythonGdbError:
        return False


def dict_find(t: Target, obj: int, key: Key, secret: Optional[Tuple[int, int]],
              none_address: int = 0) -> Optional[int]:
    """The value for ``key`` in the dict at ``obj``, or None; reads only."""
    try:
        answered, value = _probe(t, obj, key, secret, none_address)
    except CpythonGdbError:
        answered, value = False, None
    if answered:
        return value
    limit = min(dict_len(t, obj), _MAX_ENTRIES) + 1
    for item_key, item_value in dict_items(t, obj, limit):
        if key_equals(t, item_key, key):
            return item_value
    return None


def _probe(t: Target, obj: int, key: Key, secret: Optional[Tuple[int, int]],
           none_address: int) -> Tuple[bool, Optional[int]]:
    """(whether the index table answered, the value), as CPython's lookdict probes it."""
    lay = t.layout
    if t.scheme.dict_keys == "table":
        return False, None  # 2.7: its own hashes (not PEP 456's), read every key
    keys = t.ptr(obj + lay.off("PyDictObject.ma_keys"))
    if not keys or t.ptr(obj + lay.off("PyDictObject.ma_values")):
        return False, None  # a split table: its values live elsewhere
    wanted = key_hash(t, key, secret, none_address)
    if wanted is None:
        return False, None
    entries, nentries, entry_size, capacity = keys_table(t, keys)
    indices = keys + lay.off("PyDictKeysObject.dk_indices")
    width = (entries - indices) // capacity if capacity else 0
    if width not in _INDEX_FORMATS or capacity & (capacity - 1):
        return False, None
    if isinstance(key, (str, bytes)) and secret is not None and \
            not _hash_confirmed(t, entries, nentries, entry_size, t.scheme.str_hash, secret):
        return False, None
    has_hash = entry_size == 24  # {hash, key, value}; a str-keys-only table keeps {key, value}
    fmt = _INDEX_FORMATS[width]
    mask = capacity - 1
    perturb = wanted & _MASK64
    i = perturb & mask
    for _ in range(capacity):
        (ix,) = struct.unpack(fmt, t.reader.read(indices + i * width, width))
        if ix == -1:  # an empty slot ends the probe: not in the dict
            return True, None
        if 0 <= ix < nentries:
            at = entries + ix * entry_size
            if has_hash:
                stored, item_key, item_value = struct.unpack("<qQQ", t.reader.read(at, 24))
            else:
                stored = wanted
                item_key, item_value = struct.unpack("<QQ", t.reader.read(at, 16))
            if item_key and item_value and stored == wanted and key_equals(t, item_key, key):
                return True, item_value
        perturb >>= _PERTURB_SHIFT
        i = (i * 5 + perturb + 1) & mask
    return False, None  # no empty slot met: a corrupt table
