"""list, tuple, dict, set and frozenset."""

from __future__ import annotations

import itertools
import struct

from ...errors import CorruptObject, CpythonGdbError
from ..memory import read_rows
from ..model import TypeInfo
from ..target import FieldCut, Target
from .dicts import dict_len, iter_keys_values, table_items
from .writer import Writer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Iterator, Optional, Tuple

_MAX_LEN = 1 << 40
_MAX_SET_SLOTS = 1 << 28
_BATCH = 256
_DICT_HEADER = (("PyDictObject.ma_keys", "Q"), ("PyDictObject.ma_values", "Q"), ("PyDictObject.ma_used", "Q"))
_LIST_HEADER = (("PyVarObject.ob_size", "Q"), ("PyListObject.ob_item", "Q"))


def _size(w: Writer, obj: int) -> int:
    size = w.target.ptr(obj + w.target.layout.off("PyVarObject.ob_size"))
    if size > _MAX_LEN:
        raise CorruptObject("sequence size")
    return size


def _seq(w: Writer, items_at: int, size: int) -> Iterable[int]:
    """The item pointers to show, then -1 if some are left out.

    Up to one batch, read at once (every caller starts to consume them
    at once); past that, in batches as the caller consumes them, so a huge
    sequence costs only what the output limits let through.
    """
    count = min(size, w.limits.max_items)
    if count <= _BATCH:
        ptrs = list(struct.unpack("<%dQ" % count, w.target.reader.read(items_at, 8 * count))) if count else []
        if size > count:
            ptrs.append(-1)  # marks "more items than shown"
        return ptrs
    return _batches(w, items_at, size, count)


def _batches(w: Writer, items_at: int, size: int, count: int) -> Iterator[int]:
    for start in range(0, count, _BATCH):
        n = min(_BATCH, count - start)
        yield from struct.unpack("<%dQ" % n, w.target.reader.read(items_at + 8 * start, 8 * n))
    if size > count:
        yield -1  # marks "more items than shown"


def write_items(w: Writer, ptrs: Iterable[int]) -> bool:
    """Write the items, comma-separated; whether some were left out (the -1 mark).

    The caller says so after its closing bracket (see cut_mark).
    """
    reprs = w.reprs
    active = w.active
    write_object = w.write_object
    first = True
    cut = False
    for item in ptrs:
        separator = "" if first else ", "
        first = False
        if item == -1:
            cut = True
            continue
        # write_object's first case, inlined: a text kept whole at this
        # stop, written with the separator in one piece (the output is cut
        # at the same character either way).
        kept = reprs.get(item)
        if kept is not None and kept[1] < 0 and item not in active:
            w.write(separator + kept[0])
        else:
            if separator:
                w.write(separator)
            write_object(w, item)
    return cut


def cut_mark(w: Writer, cut: bool, length: int) -> None:
    """After a container's closing bracket: ``... (N items)`` where items were left out.

    Outside the brackets, so the text shown stays a literal of what it shows.
    """
    if cut:
        w.write(f"... ({length} items)")


def write_list(w: Writer, obj: int, _tp: TypeInfo) -> None:
    t = w.target
    cut = t.list_header
    if cut is None:
        cut = t.list_header = FieldCut(t.layout, _LIST_HEADER)
    size, items = cut.read(t.reader, obj)
    if size > _MAX_LEN:
        raise CorruptObject("sequence size")
    w.write("[")
    left_out = write_items(w, _seq(w, items, size))
    w.write("]")
    cut_mark(w, left_out, size)


def tuple_items(w: Writer, obj: int) -> Iterable[int]:
    return _seq(w, obj + w.target.layout.off("PyTupleObject.ob_item"), _size(w, obj))


def write_tuple(w: Writer, obj: int, _tp: TypeInfo) -> None:
    size = _size(w, obj)
    w.write("(")
    cut = write_items(w, tuple_items(w, obj))
    w.write(",)" if size == 1 else ")")
    cut_mark(w, cut, size)


def dict_pairs(w: Writer, obj: int, limit: Optional[int] = None) -> Tuple[Iterable[Tuple[int, int]], int]:
    """The (key, value) pairs to show (``limit``: how many, max_items by default), and the dict's
    live entry count."""
    t = w.target
    if limit is None:
        limit = w.limits.max_items
    if t.scheme.dict_keys == "table":  # 2.7
        return table_items(t, obj, limit), dict_len(t, obj)
    # What dict_items and dict_len read, in one read.
    cut = t.dict_header
    if cut is None:
        cut = t.dict_header = FieldCut(t.layout, _DICT_HEADER)
    keys, values, used = cut.read(t.reader, obj)
    if not keys:
        return (), used
    return iter_keys_values(t, keys, values or None, limit, used=used), used


def write_dict(w: Writer, obj: int, _tp: TypeInfo) -> None:
    pairs, used = dict_pairs(w, obj)
    cut_mark(w, write_pairs(w, pairs, used), used)


def write_pairs(w: Writer, pairs: Iterable[Tuple[int, int]], used: int) -> bool:
    """``{key: value, ...}``; whether some of the ``used`` pairs were left out."""
    w.write("{")
    shown = 0
    if pairs:
        reprs = w.reprs
        active = w.active
        write_object = w.write_object
        for key, value in pairs:
            # write_object's first case, inlined for the keys (mostly str
            # already shown): a text kept whole at this stop, written with
            # the separators around it in one piece (the output is cut at
            # the same character either way).
            kept = reprs.get(key)
            if kept is not None and kept[1] < 0 and key not in active:
                w.write((", " if shown else "") + kept[0] + ": ")
            else:
                if shown:
                    w.write(", ")
                write_object(w, key)
                w.write(": ")
            write_object(w, value)
            shown += 1
    w.write("}")
    return used > shown and shown >= w.limits.max_items


def _set_keys(w: Writer, obj: int) -> Iterator[int]:
    """The keys to show, then -1 if some are left out.

    The walk ends once all ``used`` keys were seen, and the table size
    (mask + 1) must be a power of two no larger than _MAX_SET_SLOTS, so a
    corrupt header costs a bounded number of reads.
    """
    t = w.target
    lay = t.layout
    mask = t.ptr(obj + lay.off("PySetObject.mask"))
    used = t.ptr(obj + lay.off("PySetObject.used"))
    table = t.ptr(obj + lay.off("PySetObject.table"))
    slots = mask + 1
    if slots > _MAX_SET_SLOTS or slots & mask or used > slots:
        raise CorruptObject("set")
    if not used:
        return
    entry_size = lay.size("setentry")
    # setentry is {key, hash} (3.x), {hash, key} in 2.7.
    key_off = lay.off("setentry.key") if lay.has("setentry.key") else 0
    hash_off = lay.off("setentry.hash") if lay.has("setentry.hash") else 8
    # 2.7 leaves a deleted slot's hash as it was, with a str "<dummy key>"
    # for key: where the table has such slots (fill > used), that str is
    # the dummy.
    dummies = t.scheme.builtins == "py2" and t.ptr(obj + lay.off("PySetObject.fill")) > used
    shown = 0
    for raw, offsets in read_rows(t.reader, table, slots, entry_size, _BATCH):
        for at in offsets:
            (key,) = _PTR_FROM(raw, at + key_off)
            (hash_,) = _HASH_FROM(raw, at + hash_off)
            if dummies and key and _is_dummy_key(t, key):
                continue
            # A deleted slot keeps a dummy key with hash -1, which no real
            # object hash can be (3.x).
            if key and hash_ != -1:
                if shown >= w.limits.max_items:
                    yield -1
                    return
                yield key
                shown += 1
                if shown >= used:
                    return


_PTR_FROM = struct.Struct("<Q").unpack_from
_HASH_FROM = struct.Struct("<q").unpack_from


def _is_dummy_key(t: Target, key: int) -> bool:
    from .strings import bytes_value  # 2.7's str

    try:
        return t.type_of(key).name == "str" and bytes_value(t, key, 12) == b"<dummy key>"
    except CpythonGdbError:
        return False


def write_set(w: Writer, obj: int, tp: TypeInfo) -> None:
    keys = _set_keys(w, obj)
    first = next(keys, None)
    frozen = tp.name == "frozenset"
    cut = False
    if w.target.scheme.builtins == "py2":  # set([1, 2]), set([])
        w.write("frozenset([" if frozen else "set([")
        if first is not None:
            cut = write_items(w, itertools.chain([first], keys))
        w.write("])")
    elif first is None:
        w.write("frozenset()" if frozen else "set()")
    else:
        w.write("frozenset({" if frozen else "{")
        cut = write_items(w, itertools.chain([first], keys))
        w.write("})" if frozen else "}")
    if cut:
        cut_mark(w, cut, w.target.ptr(obj + w.target.layout.off("PySetObject.used")))
