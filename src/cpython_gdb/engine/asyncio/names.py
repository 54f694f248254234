"""A task's name as CPython stores it: a str, or (3.12+) the number of "Task-N" until asked for."""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..objects.strings import str_or
from ..target import Target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional


def small_int(t: Target, obj: int) -> Optional[int]:
    """A non-negative int of at most two 30-bit digits (a task counter, a bool), or None for any other."""
    lay = t.layout
    if t.scheme.long == "lv_tag":
        tag = t.ptr(obj + lay.off("PyLongObject.lv_tag"))
        if tag & 3 == 1:  # the sign bits of zero
            return 0
        count, negative = tag >> 3, tag & 3 == 2
    else:
        size = t.ptr(obj + lay.off("PyVarObject.ob_size"))
        count, negative = size, size >= 1 << 63
    if negative or count > 2:
        return None
    if count == 0:
        return 0
    digits = t.ptr(obj + lay.off("PyLongObject.ob_digit"))
    low, high = digits & 0xFFFF_FFFF, digits >> 32
    return low | (high << 30) if count == 2 else low


def name_text(t: Target, name: int) -> Optional[str]:
    """The name a task's name object stands for; None when it is neither a str nor a small int."""
    try:
        tp = t.type_of(name)
        if tp.name == "str":
            return str_or(t, name, None, 200)
        if tp.name == "int":
            number = small_int(t, name)
            return None if number is None else f"Task-{number}"
    except CpythonGdbError:
        return None
    return None
