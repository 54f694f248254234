"""Which writer prints an object of each type: by its exact name, by its module's dotted name, by the
subclass bits of its flags; 2.7's own names and bits first on 2.7 (dispatch.py chooses among them)."""

from __future__ import annotations

from ..model import (
    TPFLAGS_BASE_EXC_SUBCLASS,
    TPFLAGS_BYTES_SUBCLASS,
    TPFLAGS_DICT_SUBCLASS,
    TPFLAGS_INT_SUBCLASS,
    TPFLAGS_LIST_SUBCLASS,
    TPFLAGS_LONG_SUBCLASS,
    TPFLAGS_TUPLE_SUBCLASS,
    TPFLAGS_TYPE_SUBCLASS,
    TPFLAGS_UNICODE_SUBCLASS,
)
from . import (
    containers,
    datetimes,
    decimals,
    deques,
    descriptors,
    instances,
    mappings,
    numbers,
    others,
    partials,
    ranges,
    strings,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict

    from .writer import TextFn, WriteFn

# The writers of objects that print as one piece of text and show no other
# object, with the function that makes that text: write_object writes it
# and keeps it without the bookkeeping that objects printing others need.
TEXTS: Dict[WriteFn, TextFn] = {
    numbers.write_long: numbers.long_text,
    numbers.write_int27: numbers.int27_text,
    numbers.write_long27: numbers.long27_text,
    strings.write_unicode27: strings.unicode27_text,
    numbers.write_bool: numbers.bool_text,
    numbers.write_float: numbers.float_text,
    numbers.write_complex: numbers.complex_text,
    strings.write_str: strings.str_repr_text,
    strings.write_bytes: strings.bytes_text,
    strings.write_bytearray: strings.bytearray_text,
}


def _singleton(text: str) -> WriteFn:
    fn = others.write_singleton(text)
    TEXTS[fn] = lambda _w, _obj, _tp: text
    return fn


# Exact builtin types, by tp_name. These come first: several of them are
# also flagged as subclasses of something else (bool of int).
BY_NAME: Dict[str, WriteFn] = {
    "NoneType": _singleton("None"),
    "ellipsis": _singleton("Ellipsis"),
    "NotImplementedType": _singleton("NotImplemented"),
    "bool": numbers.write_bool,
    "float": numbers.write_float,
    "complex": numbers.write_complex,
    "bytearray": strings.write_bytearray,
    "set": containers.write_set,
    "frozenset": containers.write_set,
    "function": others.write_function,
    "method": others.write_method,
    "builtin_function_or_method": others.write_builtin,
    "module": others.write_module,
    "code": others.write_code,
    "frame": others.write_frame,
    "cell": others.write_cell,
    "generator": others.write_generator,
    "coroutine": others.write_generator,
    "async_generator": others.write_generator,
    "range": ranges.write_range,
    "slice": ranges.write_slice,
    "memoryview": others.write_memoryview,
    "property": descriptors.write_property,
    "classmethod": descriptors.write_wrapping,
    "staticmethod": descriptors.write_wrapping,
    "method_descriptor": descriptors.write_method_descriptor,
    "wrapper_descriptor": descriptors.write_slot_wrapper,
    "method-wrapper": descriptors.write_method_wrapper,
    "mappingproxy": mappings.write_mappingproxy,
}

# Types of extension modules, by their dotted tp_name. Those a module makes
# as heap types (collections.defaultdict and functools.partial from 3.12,
# ...) are found here too: a class written in Python has no dot in its
# tp_name.
BY_DOTTED_NAME: Dict[str, WriteFn] = {
    "collections.deque": deques.write_deque,
    "collections.OrderedDict": mappings.write_ordered_dict,
    "collections.defaultdict": mappings.write_defaultdict,
    "functools.partial": partials.write_partial,
    "datetime.date": datetimes.write_date,
    "datetime.time": datetimes.write_time,
    "datetime.datetime": datetimes.write_datetime,
    "datetime.timedelta": datetimes.write_timedelta,
    "datetime.timezone": datetimes.write_timezone,
    "decimal.Decimal": decimals.write_decimal,
}
BY_NAME.update(BY_DOTTED_NAME)

# 2.7's own types, and those it names otherwise, before BY_NAME.
BY_NAME_PY2: Dict[str, WriteFn] = {
    "int": numbers.write_int27,
    "long": numbers.write_long27,
    "str": strings.write_bytes,
    "unicode": strings.write_unicode27,
    "instance": instances.write_classic_instance,
    "classobj": others.write_classic_class,
    "instancemethod": others.write_method,
    "xrange": ranges.write_xrange,
    "dictproxy": mappings.write_mappingproxy,
}

# Then the subclass bits of tp_flags, for builtins and C subclasses.
BY_FLAG = (
    (TPFLAGS_LONG_SUBCLASS, numbers.write_long),
    (TPFLAGS_LIST_SUBCLASS, containers.write_list),
    (TPFLAGS_TUPLE_SUBCLASS, containers.write_tuple),
    (TPFLAGS_BYTES_SUBCLASS, strings.write_bytes),
    (TPFLAGS_UNICODE_SUBCLASS, strings.write_str),
    (TPFLAGS_DICT_SUBCLASS, containers.write_dict),
    (TPFLAGS_BASE_EXC_SUBCLASS, others.write_exception),
    (TPFLAGS_TYPE_SUBCLASS, others.write_type),
)

# 2.7's: its int and long; its str has 3.x's bytes bit, its unicode the str one.
BY_FLAG_PY2 = (
    (TPFLAGS_INT_SUBCLASS, numbers.write_int27),
    (TPFLAGS_LONG_SUBCLASS, numbers.write_long27),
    (TPFLAGS_BYTES_SUBCLASS, strings.write_bytes),
    (TPFLAGS_UNICODE_SUBCLASS, strings.write_unicode27),
    *((flag, fn) for flag, fn in BY_FLAG if flag not in (TPFLAGS_LONG_SUBCLASS, TPFLAGS_BYTES_SUBCLASS,
                                                          TPFLAGS_UNICODE_SUBCLASS)),
)
