"""int, bool, float and complex."""

from __future__ import annotations

import struct

from ...errors import CorruptObject
from ..memory import read_f64, read_i64
from ..model import TPFLAGS_INT_SUBCLASS, TypeInfo
from ..target import Target
from .writer import Writer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Tuple

_DIGIT_BITS = 30
# Decimal conversion of very large ints is refused by Python 3.11+
# (int_max_str_digits) and slow before: past this, print hexadecimal.
_MAX_DECIMAL_BITS = 12_000
_MAX_DIGITS = 1 << 20


def _int_fields(t: Target) -> Tuple[bool, int, Optional[int]]:
    """(whether the size is an lv_tag, its offset, the digits' offset or None if the layout lacks it)."""
    lay = t.layout
    digits = lay.off(_DIGITS) if lay.has(_DIGITS) else None
    if t.scheme.long == "lv_tag":
        return True, lay.off("PyLongObject.lv_tag"), digits
    return False, lay.off("PyVarObject.ob_size"), digits


_DIGITS = "PyLongObject.ob_digit"


def long_value(w: Writer, obj: int) -> int:
    return long_value_of(w.target, obj)


def long_value_of(t: Target, obj: int) -> int:
    """The value of an int (3.x) or 2.7's long."""
    # The offsets, looked up once per stop: ints are the commonest locals.
    fields = t.int_fields
    if fields is None:
        fields = t.int_fields = _int_fields(t)
    tagged, size_off, digits_off = fields
    if tagged:
        # lv_tag: digit count << 3 | sign bits (0 positive, 1 zero, 2 negative).
        tag = t.ptr(obj + size_off)
        ndigits = tag >> 3
        sign = 1 - (tag & 3)
    else:
        size = t.ptr(obj + size_off)
        if size >= 1 << 63:
            size -= 1 << 64
        ndigits = abs(size)
        sign = -1 if size < 0 else 1
    if ndigits > _MAX_DIGITS or sign not in (-1, 0, 1):
        raise CorruptObject("int")
    if ndigits == 0 or sign == 0:
        return 0
    if digits_off is None:
        digits_off = t.layout.off(_DIGITS)  # raises UnsupportedVersion
    raw = t.reader.read(obj + digits_off, 4 * ndigits)
    if ndigits == 1:
        return sign * int.from_bytes(raw, "little")
    value = 0
    for digit in reversed(struct.unpack("<%dI" % ndigits, raw)):
        value = (value << _DIGIT_BITS) | digit
    return sign * value


def format_int(value: int) -> str:
    if value.bit_length() > _MAX_DECIMAL_BITS:
        return ("-" if value < 0 else "") + hex(abs(value))
    return str(value)


# Each value prints as one piece of text: a ``*_text`` function makes it
# (objects.dispatch writes it and keeps it without the bookkeeping of objects
# that print others), the ``write_*`` one writes it.


def long_text(w: Writer, obj: int, _tp: TypeInfo) -> str:
    value = long_value_of(w.target, obj)
    # format_int, the common case inlined.
    return str(value) if value.bit_length() <= _MAX_DECIMAL_BITS else format_int(value)


def write_long(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(long_text(w, obj, tp))


def int27_value(t: Target, obj: int) -> int:
    """2.7's int (PyIntObject): a C long."""
    return read_i64(t.reader, obj + t.layout.off("PyIntObject.ob_ival"))


def int_value(w: Writer, obj: int) -> int:
    """The value of an int, bool or (2.7) long."""
    t = w.target
    if t.scheme.builtins == "py2" and t.type_of(obj).flags & TPFLAGS_INT_SUBCLASS:
        return int27_value(t, obj)
    return long_value(w, obj)


def int27_text(w: Writer, obj: int, _tp: TypeInfo) -> str:
    return str(int27_value(w.target, obj))


def write_int27(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(int27_text(w, obj, tp))


def long27_text(w: Writer, obj: int, tp: TypeInfo) -> str:
    """2.7's long: as 3.x's int, with an L."""
    return long_text(w, obj, tp) + "L"


def write_long27(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(long27_text(w, obj, tp))


def bool_text(w: Writer, obj: int, _tp: TypeInfo) -> str:
    return "True" if int_value(w, obj) else "False"


def write_bool(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(bool_text(w, obj, tp))


def float_text(w: Writer, obj: int, _tp: TypeInfo) -> str:
    return repr(read_f64(w.target.reader, obj + w.target.layout.off("PyFloatObject.ob_fval")))


def write_float(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(float_text(w, obj, tp))


def complex_text(w: Writer, obj: int, _tp: TypeInfo) -> str:
    base = obj + w.target.layout.off("PyComplexObject.cval")
    real = read_f64(w.target.reader, base)
    imag = read_f64(w.target.reader, base + 8)
    return repr(complex(real, imag))


def write_complex(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(complex_text(w, obj, tp))
