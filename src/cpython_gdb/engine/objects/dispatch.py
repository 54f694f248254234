"""Choosing a decoder for an object, and the entry points for callers."""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..limits import Limits
from ..model import (
    TPFLAGS_BASE_EXC_SUBCLASS,
    TPFLAGS_DICT_SUBCLASS,
    TPFLAGS_LIST_SUBCLASS,
    TPFLAGS_TUPLE_SUBCLASS,
    TPFLAGS_TYPE_SUBCLASS,
    TypeInfo,
)
from ..target import Target
from . import (
    containers,
    datetimes,
    deques,
    descriptors,
    enums,
    instances,
    mappings,
    numbers,
    others,
    partials,
    ranges,
    strings,
)
from .dicts import dict_lookup_str
from .strings import str_or
from .type_table import BY_DOTTED_NAME, BY_FLAG, BY_FLAG_PY2, BY_NAME, BY_NAME_PY2, TEXTS
from .writer import MAX_DEPTH, OutputFull, Writer, cut_to

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional

    from .writer import Choice, WriteFn

# What a container prints when it contains itself.
_CYCLE = {
    TPFLAGS_LIST_SUBCLASS: "[...]",
    TPFLAGS_DICT_SUBCLASS: "{...}",
    TPFLAGS_TUPLE_SUBCLASS: "(...)",
}

# What a container prints in place of its items past max-depth.
_ELIDED: Dict[WriteFn, str] = {
    containers.write_list: "[...]",
    containers.write_tuple: "(...)",
    containers.write_dict: "{...}",
    containers.write_set: "{...}",
}
# Writers that print other objects: past max-depth they print only their
# type and address. The others (numbers, strings, names of things) print in full at any depth.
_NESTING = frozenset(
    [
        *_ELIDED,
        instances.write_instance,
        instances.write_classic_instance,
        others.write_exception,
        others.write_method,
        others.write_cell,
        ranges.write_range,
        ranges.write_slice,
        descriptors.write_wrapping,
        mappings.write_mappingproxy,
        mappings.write_ordered_dict,
        mappings.write_defaultdict,
        mappings.write_counter,
        deques.write_deque,
        partials.write_partial,
        datetimes.write_time,
        datetimes.write_datetime,
        datetimes.write_timezone,
        enums.write_enum_member,
    ]
)
# The values an instance of a subclass shows first: `<MyInt(5) at ...>`.
_VALUE_WRITERS = frozenset(
    [
        numbers.write_long,
        numbers.write_int27,
        numbers.write_long27,
        strings.write_unicode27,
        numbers.write_float,
        numbers.write_complex,
        strings.write_str,
        strings.write_bytes,
        strings.write_bytearray,
        containers.write_list,
        containers.write_tuple,
        containers.write_dict,
        containers.write_set,
    ]
)


# The builtin each flag-chosen writer is made for. An instance of another
# type written in C (collections.OrderedDict, a struct sequence) shows its
# type name around the value: `collections.OrderedDict({'a': 1})`.
_EXACT: Dict[WriteFn, str] = {
    numbers.write_long: "int",
    numbers.write_int27: "int",
    numbers.write_long27: "long",
    strings.write_unicode27: "unicode",
    containers.write_list: "list",
    containers.write_tuple: "tuple",
    strings.write_bytes: "bytes",
    strings.write_str: "str",
    containers.write_dict: "dict",
}


def _exact(fn: WriteFn, builtins: str) -> Optional[str]:
    """The builtin ``fn`` writes; 2.7's str is bytes' writer."""
    if builtins == "py2" and fn is strings.write_bytes:
        return "str"
    return _EXACT.get(fn)


def _write_value(w: Writer, fn: WriteFn, obj: int, tp: TypeInfo) -> None:
    exact = _exact(fn, w.target.scheme.builtins)
    if exact is None or tp.name == exact or tp.is_heap:
        fn(w, obj, tp)
        return
    w.write(tp.name)
    if fn is containers.write_tuple:
        fn(w, obj, tp)  # its parentheses serve as the call's
        return
    w.write("(")
    fn(w, obj, tp)
    w.write(")")


def _choice(t: Target, tp: TypeInfo) -> Choice:
    """How write_object writes the objects of type ``tp``, decided once per type at a stop.

    (the type, its writer or None for a corrupt type, the function that
    makes its whole text where that is one piece, whether the writer prints
    other objects, whether _write_value would call it as it is).
    """
    builtins = t.scheme.builtins
    if not _looks_like_type(tp):
        return (tp, None, None, False, False)
    fn = choose(tp, builtins)
    if fn is instances.write_instance:
        fn = _python_class_writer(t, tp) or fn
    exact = _exact(fn, builtins)
    plain = exact is None or tp.name == exact or tp.is_heap
    # Where it is not plain, _write_value puts the type's name around it.
    return (tp, fn, TEXTS.get(fn) if plain else None, fn in _NESTING, plain)


def _python_class_writer(t: Target, tp: TypeInfo) -> Optional[WriteFn]:
    """The writer of the instances of a class written in Python that repr() shows
    in a form of its own: enum members, collections.Counter."""
    try:
        if enums.is_enum_class(t, tp):
            return enums.write_enum_member
        if tp.name == "Counter" and tp.flags & TPFLAGS_DICT_SUBCLASS and tp.dict_address:
            module = dict_lookup_str(t, tp.dict_address, "__module__")
            if module and str_or(t, module, None, 20) == "collections":
                return mappings.write_counter
    except CpythonGdbError:
        pass
    return None


def _fallback(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(f"<{tp.name} at remote 0x{obj:x}>")


def choose(tp: TypeInfo, builtins: str = "py3") -> WriteFn:
    """``builtins``: the scheme's, "py2" for 2.7's types."""
    # Instances of classes written in Python show their attributes, as the
    # reference extension does, even when they subclass a builtin; a class
    # named like a builtin ("cell", "frame") is still a class of the user's.
    if tp.is_heap and not tp.flags & TPFLAGS_TYPE_SUBCLASS:
        dotted = BY_DOTTED_NAME.get(tp.name)
        if dotted is not None:
            return dotted
        if tp.flags & TPFLAGS_BASE_EXC_SUBCLASS:
            return others.write_exception
        return instances.write_instance
    py2 = builtins == "py2"
    fn = BY_NAME_PY2.get(tp.name) if py2 else None
    if fn is None:
        fn = BY_NAME.get(tp.name)
    if fn is not None:
        return fn
    for flag, fn in BY_FLAG_PY2 if py2 else BY_FLAG:
        if tp.flags & flag:
            return fn
    return _fallback


def builtin_value_writer(base: TypeInfo, builtins: str) -> Optional[WriteFn]:
    """How to show the builtin value of an instance whose builtin base is ``base``."""
    fn = choose(base, builtins)
    return fn if fn in _VALUE_WRITERS else None


def _looks_like_type(tp: TypeInfo) -> bool:
    return bool(tp.name) and tp.name != "?" and tp.name.isprintable() and tp.basicsize > 0


# Texts kept per set of limits at one stop: a bound on the cache's memory.
_MAX_CACHED = 1 << 16


def write_object(w: Writer, obj: int) -> None:
    """Write the text of the object at ``obj``.

    An object's text is kept for the rest of the stop (memory cannot change
    before the target runs again) when it depends on nothing but the object
    and the limits: no cycle was cut short in it and nothing in it was
    elided at max-depth. It is then reused wherever the object shows again
    (a local that is also an item of another local, the same value in the
    frames of a deep recursion) if the objects in it that print others
    still fall within max-depth there. Writing the kept text as one piece
    truncates at max-output exactly as writing it piece by piece did.
    """
    if obj == 0:
        w.write("0x0")
        return
    reprs = w.reprs
    kept = reprs.get(obj)
    if kept is not None and obj not in w.active:
        text, nested = kept
        if nested < 0:
            w.write(text)
            return
        if w.depth + nested < w.max_depth:
            w.write(text)
            if w.depth + nested > w.nest_max:
                w.nest_max = w.depth + nested
            return
    choices = w.choices
    try:
        tp_address = w.ptr(obj + w.ob_type)
        chosen = choices.get(tp_address)
        if chosen is None:
            chosen = choices[tp_address] = _choice(w.target, w.target.type_info(tp_address))
    except CpythonGdbError:
        w.write(f"<unreadable object at remote 0x{obj:x}>")
        return
    tp, fn, text_fn, nesting, plain = chosen
    if fn is None:
        w.write(f"<object with a corrupt type at remote 0x{obj:x}>")
        return
    if obj in w.active:
        w.events += 1
        for flag, text in _CYCLE.items():
            if tp.flags & flag:
                w.write(text)
                return
        w.write("...")
        return
    if text_fn is not None:
        # One piece of text that shows no other object: it depends on
        # nothing but the object, as the general path below would find.
        try:
            text = text_fn(w, obj, tp)
        except CpythonGdbError:
            text = f"<unreadable {tp.name} at remote 0x{obj:x}>"
        w.write(text)
        if len(reprs) >= _MAX_CACHED:
            reprs.clear()
        reprs[obj] = (text, -1)
        return
    depth = w.depth
    if nesting and depth >= w.max_depth:
        w.events += 1
        elided = _ELIDED.get(fn)
        if elided is None:
            _fallback(w, obj, tp)
        else:
            w.write(elided)
        return
    events = w.events
    outer_nest = w.nest_max
    w.nest_max = depth if nesting else -1
    mark = len(w.parts)  # what this object writes starts here
    w.active.add(obj)
    w.depth = depth + 1
    try:
        if plain:
            fn(w, obj, tp)
        else:
            _write_value(w, fn, obj, tp)
    except CpythonGdbError:
        # In place of all it wrote: a container that fails part-way has
        # written its opening bracket and maybe some items.
        w.rewind(mark)
        w.write(f"<unreadable {tp.name} at remote 0x{obj:x}>")
    finally:
        w.depth = depth
        w.active.discard(obj)
    # Not reached when the output filled up (OutputFull): a cut text is not kept.
    inner_nest = w.nest_max
    if w.events == events:
        if len(reprs) >= _MAX_CACHED:
            reprs.clear()
        reprs[obj] = ("".join(w.parts[mark:]), inner_nest - depth if inner_nest >= 0 else -1)
    if inner_nest > outer_nest:
        w.nest_max = inner_nest
    else:
        w.nest_max = outer_nest


def object_repr(target: Target, obj: int, limits: Limits) -> str:
    """repr()-like text of the object at ``obj``, bounded by ``limits``."""
    reprs = target.reprs.get(limits)
    if reprs is not None:
        kept = reprs.get(obj)
        if kept is not None and (kept[1] < 0 or kept[1] < min(limits.max_depth, MAX_DEPTH)):
            # What write_object would write from its cache at the top level,
            # without making a Writer (a deep stack shows the same objects
            # in many frames).
            return cut_to(kept[0], limits)
    w = Writer(target, limits, write_object, builtin_value_writer)
    try:
        write_object(w, obj)
    except OutputFull:
        pass
    return w.getvalue()


def safe_object_repr(target: Optional[Target], obj: int, limits: Limits) -> str:
    if target is None:
        return f"0x{obj:x}"
    return object_repr(target, obj, limits)
