"""Mappings beside dict: mappingproxy, and collections' OrderedDict, defaultdict and Counter."""

from __future__ import annotations

from ...errors import CorruptObject, CpythonGdbError
from ..model import TPFLAGS_INT_SUBCLASS, TPFLAGS_LONG_SUBCLASS, TypeInfo
from .containers import cut_mark, dict_pairs, write_items, write_pairs
from .numbers import int_value
from .words import word
from .writer import Writer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterable, List, Tuple


def write_mappingproxy(w: Writer, obj: int, tp: TypeInfo) -> None:
    """mappingproxy(MAPPING); 2.7 calls its dictproxy dict_proxy in repr()."""
    w.write(("dict_proxy" if tp.name == "dictproxy" else tp.name) + "(")
    w.write_object(w, word(w.target, obj, 0))
    w.write(")")


# An OrderedDict past this many entries is shown in its dict's order (the
# same unless move_to_end() or a re-insertion reordered it): its own order
# means reading every pair first.
_ORDER_READ_LIMIT = 100_000


def write_ordered_dict(w: Writer, obj: int, tp: TypeInfo) -> None:
    """OrderedDict({...}) from 3.12, OrderedDict([(key, value), ...]) before (the scheme says),
    in the order of its own linked list of keys (Objects/odictobject.c), which
    move_to_end() changes without touching the dict's."""
    pairs, used = dict_pairs(w, obj)
    if used and used <= _ORDER_READ_LIMIT:
        pairs = _in_list_order(w, obj, tp, used) or pairs
    if not used:
        w.write("OrderedDict()")
        return
    w.write("OrderedDict(")
    if w.target.scheme.ordered_dict_repr == "dict":
        cut = write_pairs(w, pairs, used)
    else:
        cut = _write_pair_list(w, pairs)
    w.write(")")
    cut_mark(w, cut, used)


def _in_list_order(w: Writer, obj: int, tp: TypeInfo, used: int) -> List[Tuple[int, int]]:
    """The pairs in the OrderedDict's order, up to max_items; [] where its list cannot be followed.

    The C OrderedDict is a dict followed by ``od_first``, the first node of a
    doubly linked list of {key, hash, next, prev}: found past the dict's own
    struct, whose size is the basic size of the dict type it derives from.
    """
    t = w.target
    try:
        dict_type = tp
        for _ in range(64):
            if dict_type.name == "dict" and not dict_type.is_heap:
                break
            if not dict_type.base:
                return []
            dict_type = t.type_info(dict_type.base)
        else:
            return []
        # Every pair, to look up each key of the list: a count bounded by _ORDER_READ_LIMIT.
        values = dict(dict_pairs(w, obj, used)[0])
        out: List[Tuple[int, int]] = []
        node = t.ptr(obj + dict_type.basicsize)
        for _ in range(min(used, w.limits.max_items)):
            if not node:
                break
            key = t.ptr(node)
            if key not in values:
                return []  # a list that is not the dict's: keep the dict's order
            out.append((key, values[key]))
            node = t.ptr(node + 16)  # after key and hash: next
        return out if len(out) == min(used, w.limits.max_items) else []
    except CpythonGdbError:
        return []


def _write_pair_list(w: Writer, pairs: Iterable[Tuple[int, int]]) -> bool:
    w.write("[")
    first = True
    shown = 0
    for key, value in pairs:
        w.write("(" if first else ", (")
        first = False
        write_items(w, (key, value))
        w.write(")")
        shown += 1
    w.write("]")
    return shown >= w.limits.max_items


def write_defaultdict(w: Writer, obj: int, tp: TypeInfo) -> None:
    """defaultdict(FACTORY, {...}): its default_factory is the one field after the dict's
    (the type's basic size is theirs together)."""
    t = w.target
    factory = t.ptr(obj + tp.basicsize - 8)
    pairs, used = dict_pairs(w, obj)
    w.write("defaultdict(")
    if factory:
        w.write_object(w, factory)
    else:
        w.write("None")
    w.write(", ")
    cut = write_pairs(w, pairs, used)
    w.write(")")
    cut_mark(w, cut, used)


def write_counter(w: Writer, obj: int, _tp: TypeInfo) -> None:
    """Counter({...}), most common first as its repr() orders them, where every count
    shown is an int and none is left out; in dict order otherwise."""
    pairs, used = dict_pairs(w, obj)
    if not used:
        w.write("Counter()")
        return
    items: List[Tuple[int, int]] = list(pairs)
    if len(items) == used:
        try:
            counts = [_count(w, value) for _, value in items]
        except CpythonGdbError:
            pass
        else:
            order = sorted(range(len(items)), key=lambda i: -counts[i])  # stable: ties keep dict order
            items = [items[i] for i in order]
    w.write("Counter(")
    cut = write_pairs(w, items, used)
    w.write(")")
    cut_mark(w, cut, used)


def _count(w: Writer, obj: int) -> int:
    # 2.7's int has its own bit, which 3.12 gave to another meaning.
    ints = TPFLAGS_LONG_SUBCLASS | (TPFLAGS_INT_SUBCLASS if w.target.scheme.builtins == "py2" else 0)
    if not w.target.type_of(obj).flags & ints:
        raise CorruptObject("not an int count")  # shown in dict order
    return int_value(w, obj)
