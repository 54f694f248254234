"""decimal.Decimal of the C _decimal module, as repr() shows it: Decimal('3.14').

Its object (Modules/_decimal/_decimal.c, the same from 3.3 to 3.15) is,
after PyObject_HEAD, a cached hash and libmpdec's mpd_t (mpdecimal.h): a
flags byte (MPD_NEG 1, MPD_INF 2, MPD_NAN 4, MPD_SNAN 8; the higher bits
say where the words are allocated), then the
exponent, the number of digits, the number of words used and allocated,
and a pointer to the coefficient's words, least significant first, each
holding 19 decimal digits on 64-bit (MPD_RADIX 10**19). The text is that
of to_sci_string (Decimal.__str__) with the default context's capital E.
The pure-Python _pydecimal class is an ordinary instance: not read here.
"""

from __future__ import annotations

import struct

from ...errors import CorruptObject, CpythonGdbError
from ..model import TypeInfo
from .words import head
from .writer import Writer

_NEG, _INF, _NAN, _SNAN = 1, 2, 4, 8
_RADIX = 10 ** 19
_WORD_DIGITS = 19
_MPD_T = struct.Struct("<QB7xqqqqQ")  # hash, then mpd_t: flags, exp, digits, len, alloc, data
# Beyond this many words (19 digits each) the value is not read.
_MAX_WORDS = 4096


def _coefficient(w: Writer, data: int, length: int, digits: int) -> str:
    raw = w.target.reader.read(data, 8 * length)
    words = struct.unpack(f"<{length}Q", raw)
    value = 0
    for each in reversed(words):
        if each >= _RADIX:
            raise CorruptObject("decimal.Decimal")
        value = value * _RADIX + each
    text = str(value)
    if len(text) != digits:
        raise CorruptObject("decimal.Decimal")
    return text


def sci_string(negative: bool, coefficient: str, exponent: int) -> str:
    """Decimal.__str__ of a finite value (to_sci_string, capital E)."""
    left = exponent + len(coefficient)
    dot = left if exponent <= 0 and left > -6 else 1
    if dot <= 0:
        text = "0." + "0" * -dot + coefficient
    elif dot >= len(coefficient):
        text = coefficient + "0" * (dot - len(coefficient))
    else:
        text = coefficient[:dot] + "." + coefficient[dot:]
    if left != dot:
        text += "E%+d" % (left - dot)
    return ("-" if negative else "") + text


def _text(w: Writer, obj: int, tp: TypeInfo) -> str:
    t = w.target
    start = head(t)
    if tp.basicsize < start + _MPD_T.size:
        raise CorruptObject("decimal.Decimal")
    _hash, flags, exponent, digits, length, alloc, data = _MPD_T.unpack(t.reader.read(obj + start, _MPD_T.size))
    special = flags & (_INF | _NAN | _SNAN)
    # A special value may have no words (a NaN without payload, an infinity).
    if special and length == 0:
        pass
    elif not 0 < length <= min(alloc, _MAX_WORDS) or (digits - 1) // _WORD_DIGITS + 1 != length:
        raise CorruptObject("decimal.Decimal")
    sign = "-" if flags & _NEG else ""
    if flags & _INF:
        text = sign + "Infinity"
    else:
        coefficient = _coefficient(w, data, length, digits) if length else "0"
        if flags & (_NAN | _SNAN):
            text = sign + ("sNaN" if flags & _SNAN else "NaN") + (coefficient if coefficient != "0" else "")
        else:
            text = sci_string(bool(flags & _NEG), coefficient, exponent)
    return f"Decimal('{text}')"


def write_decimal(w: Writer, obj: int, tp: TypeInfo) -> None:
    """Where the layout does not read as an mpd_t, the object as any other: <decimal.Decimal at remote 0x...>."""
    try:
        text = _text(w, obj, tp)
    except CpythonGdbError:
        text = f"<{tp.name} at remote 0x{obj:x}>"
    w.write(text)
