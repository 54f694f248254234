"""list, tuple, dict, set and frozenset."""

from __future__ import annotations

import itertools
import struct

from ..errors import CorruptObject
from ..model import TypeInfo
from .dicts import dict_len, iter_keys_values
from .writer import Writer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, Iterator

_MAX_LEN = 1 << 40
_MAX_SET_SLOTS = 1 << 28
_BATCH = 256


def _size(w: Writer, obj: int) -> int:
    size = w.target.ptr(obj + w.target.layout.off("PyVarObject.ob_size"))
    if size > _MAX_LEN:
        raise CorruptObject("sequence size")
    return size


def _seq(w: Writer, items_at: int, size: int) -> Iterator[int]:
    """The item pointers to show, then -1 if some are left out.

    Reads in batches as the caller consumes them, so a huge sequence costs
    only what the output limits let through.
    """
    count = min(size, w.limits.max_items)
    for start in range(0, count, _BATCH):
        n = min(_BATCH, count - start)
        yield from struct.unpack("<%dQ" % n, w.target.reader.read(items_at + 8 * start, 8 * n))
    if size > count:
        yield -1  # marks "more items than shown"


def write_items(w: Writer, ptrs: Iterable[int]) -> None:
    from .render import write_object

    first = True
    for item in ptrs:
        if first:
            first = False
        else:
            w.write(", ")
        if item == -1:
            w.write("...")
        else:
            write_object(w, item)


def write_list(w: Writer, obj: int, _tp: TypeInfo) -> None:
    size = _size(w, obj)
    items = w.target.ptr(obj + w.target.layout.off("PyListObject.ob_item"))
    w.write("[")
    write_items(w, _seq(w, items, size))
    w.write("]")


def tuple_items(w: Writer, obj: int) -> Iterator[int]:
    return _seq(w, obj + w.target.layout.off("PyTupleObject.ob_item"), _size(w, obj))


def write_tuple(w: Writer, obj: int, _tp: TypeInfo) -> None:
    size = _size(w, obj)
    w.write("(")
    write_items(w, tuple_items(w, obj))
    w.write(",)" if size == 1 else ")")


def write_dict(w: Writer, obj: int, _tp: TypeInfo) -> None:
    from .render import write_object

    t = w.target
    w.write("{")
    shown = 0
    # dict_items, with the ma_used it reads kept for the end.
    keys = t.ptr(obj + t.layout.off("PyDictObject.ma_keys"))
    values = t.ptr(obj + t.layout.off("PyDictObject.ma_values"))
    used = None
    if keys:
        used = dict_len(t, obj)
        for key, value in iter_keys_values(t, keys, values or None, w.limits.max_items, used=used):
            if shown:
                w.write(", ")
            write_object(w, key)
            w.write(": ")
            write_object(w, value)
            shown += 1
    if (dict_len(t, obj) if used is None else used) > shown and shown >= w.limits.max_items:
        w.write(", ...")
    w.write("}")


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
    shown = 0
    for start in range(0, slots, _BATCH):
        count = min(_BATCH, slots - start)
        raw = t.reader.read(table + entry_size * start, entry_size * count)
        for i in range(count):
            # setentry is {key, hash}.
            key, hash_ = struct.unpack_from("<Qq", raw, i * entry_size)
            # A deleted slot keeps a dummy key with hash -1, which no real
            # object hash can be.
            if key and hash_ != -1:
                if shown >= w.limits.max_items:
                    yield -1
                    return
                yield key
                shown += 1
                if shown >= used:
                    return


def write_set(w: Writer, obj: int, tp: TypeInfo) -> None:
    keys = _set_keys(w, obj)
    first = next(keys, None)
    frozen = tp.name == "frozenset"
    if first is None:
        w.write("frozenset()" if frozen else "set()")
        return
    w.write("frozenset({" if frozen else "{")
    write_items(w, itertools.chain([first], keys))
    w.write("})" if frozen else "}")
