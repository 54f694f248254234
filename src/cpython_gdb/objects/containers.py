"""list, tuple, dict, set and frozenset."""

import struct
from typing import Iterable, List

from ..errors import CorruptObject
from ..model import TypeInfo
from .dicts import dict_items, dict_len
from .writer import Writer

_MAX_LEN = 1 << 40


def _seq(w: Writer, items_at: int, obj: int) -> List[int]:
    t = w.target
    size = t.ptr(obj + t.layout.off("PyVarObject.ob_size"))
    if size > _MAX_LEN:
        raise CorruptObject("sequence size")
    count = min(size, w.limits.max_items)
    ptrs = list(struct.unpack("<%dQ" % count, t.reader.read(items_at, 8 * count))) if count else []
    if size > count:
        ptrs.append(-1)  # marks "more items than shown"
    return ptrs


def write_items(w: Writer, ptrs: Iterable[int]) -> None:
    from .render import write_object

    for i, item in enumerate(ptrs):
        if i:
            w.write(", ")
        if item == -1:
            w.write("...")
        else:
            write_object(w, item)


def write_list(w: Writer, obj: int, _tp: TypeInfo) -> None:
    items = w.target.ptr(obj + w.target.layout.off("PyListObject.ob_item"))
    w.write("[")
    write_items(w, _seq(w, items, obj))
    w.write("]")


def tuple_items(w: Writer, obj: int) -> List[int]:
    return _seq(w, obj + w.target.layout.off("PyTupleObject.ob_item"), obj)


def write_tuple(w: Writer, obj: int, _tp: TypeInfo) -> None:
    ptrs = tuple_items(w, obj)
    w.write("(")
    write_items(w, ptrs)
    w.write(",)" if len(ptrs) == 1 else ")")


def write_dict(w: Writer, obj: int, _tp: TypeInfo) -> None:
    from .render import write_object

    w.write("{")
    shown = 0
    for key, value in dict_items(w.target, obj, w.limits.max_items):
        if shown:
            w.write(", ")
        write_object(w, key)
        w.write(": ")
        write_object(w, value)
        shown += 1
    if dict_len(w.target, obj) > shown and shown >= w.limits.max_items:
        w.write(", ...")
    w.write("}")


def _set_keys(w: Writer, obj: int) -> List[int]:
    t = w.target
    lay = t.layout
    mask = t.ptr(obj + lay.off("PySetObject.mask"))
    used = t.ptr(obj + lay.off("PySetObject.used"))
    table = t.ptr(obj + lay.off("PySetObject.table"))
    if mask > _MAX_LEN or used > mask + 1:
        raise CorruptObject("set")
    keys: List[int] = []
    batch = 256
    for start in range(0, mask + 1, batch):
        count = min(batch, mask + 1 - start)
        raw = t.reader.read(table + 16 * start, 16 * count)
        for key, hash_ in struct.iter_unpack("<Qq", raw):
            # A deleted slot keeps a dummy key with hash -1, which no real
            # object hash can be.
            if key and hash_ != -1:
                keys.append(key)
                if len(keys) >= w.limits.max_items:
                    if used > len(keys):
                        keys.append(-1)
                    return keys
    return keys


def write_set(w: Writer, obj: int, tp: TypeInfo) -> None:
    keys = _set_keys(w, obj)
    frozen = tp.name == "frozenset"
    if not keys:
        w.write("frozenset()" if frozen else "set()")
        return
    w.write("frozenset({" if frozen else "{")
    write_items(w, keys)
    w.write("})" if frozen else "}")
