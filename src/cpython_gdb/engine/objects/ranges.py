"""range, 2.7's xrange and slice, as repr() shows them."""

from __future__ import annotations

from ...errors import CorruptObject
from ..model import TypeInfo
from .numbers import long_value
from .words import signed_word, word
from .writer import Writer


def write_range(w: Writer, obj: int, _tp: TypeInfo) -> None:
    """range(start, stop[, step]): its start, stop and step are int objects (3.x).

    repr() leaves the step out where it is 1.
    """
    t = w.target
    start, stop, step = word(t, obj, 0), word(t, obj, 1), word(t, obj, 2)
    if not (start and stop and step):
        raise CorruptObject("range")
    w.write("range(")
    w.write_object(w, start)
    w.write(", ")
    w.write_object(w, stop)
    if long_value(w, step) != 1:
        w.write(", ")
        w.write_object(w, step)
    w.write(")")


def write_xrange(w: Writer, obj: int, _tp: TypeInfo) -> None:
    """2.7's xrange keeps C longs: start, step and length; repr() works out the stop."""
    t = w.target
    start, step, length = signed_word(t, obj, 0), signed_word(t, obj, 1), signed_word(t, obj, 2)
    stop = start + length * step
    if start == 0 and step == 1:
        w.write(f"xrange({stop})")
    elif step == 1:
        w.write(f"xrange({start}, {stop})")
    else:
        w.write(f"xrange({start}, {stop}, {step})")


def write_slice(w: Writer, obj: int, _tp: TypeInfo) -> None:
    """slice(start, stop, step): three objects, None where not given."""
    t = w.target
    w.write("slice(")
    for index in range(3):
        if index:
            w.write(", ")
        w.write_object(w, word(t, obj, index))
    w.write(")")
