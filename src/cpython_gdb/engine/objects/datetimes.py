"""The _datetime module's date, time, datetime, timedelta and timezone.

Their structs (CPython's public datetime.h) are the same from 2.7 to 3.15
after PyObject_HEAD (see words.py): a cached hash, then for date, time and
datetime a hastzinfo byte and the packed fields (year in two big-endian
bytes, month, day, hour, minute, second, microseconds in three), 3.6+'s
fold byte after them (PEP 495; the scheme says whether there is one), and
a tzinfo pointer at the next word where hastzinfo is set; for timedelta
three C ints (days, seconds, microseconds). A timezone holds its offset
(a timedelta) and its name (NULL where not given).
"""

from __future__ import annotations

from ...errors import CorruptObject
from ..model import TypeInfo
from .words import head, word
from .writer import Writer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Sequence

_HASTZINFO = 8  # after the hash, from the header's end
_DATA = 9


def _packed(w: Writer, obj: int, size: int) -> bytes:
    """hastzinfo, the ``size`` packed bytes and the fold byte."""
    return w.target.reader.read(obj + head(w.target) + _HASTZINFO, 1 + size + 1)


def _date_fields(data: bytes) -> Sequence[int]:
    year = data[0] << 8 | data[1]
    if not (1 <= year <= 9999 and 1 <= data[2] <= 12 and 1 <= data[3] <= 31):
        raise CorruptObject("date")
    return (year, data[2], data[3])


def _time_fields(data: bytes) -> Sequence[int]:
    hour, minute, second = data[0], data[1], data[2]
    us = data[3] << 16 | data[4] << 8 | data[5]
    if hour > 23 or minute > 59 or second > 59 or us > 999_999:
        raise CorruptObject("time")
    # repr() leaves out microseconds when 0, then seconds when 0 too.
    if us:
        return (hour, minute, second, us)
    if second:
        return (hour, minute, second)
    return (hour, minute)


def _finish(w: Writer, obj: int, raw: bytes, tzinfo_index: int) -> None:
    """The keywords repr() adds after the fields: tzinfo=..., fold=1."""
    if raw[0]:
        tzinfo = word(w.target, obj, tzinfo_index)
        if tzinfo:
            w.write(", tzinfo=")
            w.write_object(w, tzinfo)
    if w.target.scheme.datetime_fold and raw[-1] == 1:
        w.write(", fold=1")
    w.write(")")


def write_date(w: Writer, obj: int, tp: TypeInfo) -> None:
    raw = _packed(w, obj, 4)
    w.write(f"{tp.name}({', '.join(map(str, _date_fields(raw[1:5])))})")


def write_time(w: Writer, obj: int, tp: TypeInfo) -> None:
    raw = _packed(w, obj, 6)
    w.write(f"{tp.name}({', '.join(map(str, _time_fields(raw[1:7])))}")
    _finish(w, obj, raw, 2)


def write_datetime(w: Writer, obj: int, tp: TypeInfo) -> None:
    raw = _packed(w, obj, 10)
    fields = (*_date_fields(raw[1:5]), *_time_fields(raw[5:11]))
    w.write(f"{tp.name}({', '.join(map(str, fields))}")
    _finish(w, obj, raw, 3)


def timedelta_text(w: Writer, obj: int, tp: TypeInfo) -> str:
    raw = w.target.reader.read(obj + head(w.target) + 8, 12)
    days, seconds, us = (int.from_bytes(raw[i : i + 4], "little", signed=True) for i in (0, 4, 8))
    if not (-999_999_999 <= days <= 999_999_999 and 0 <= seconds < 86400 and 0 <= us < 1_000_000):
        raise CorruptObject("timedelta")
    if w.target.scheme.timedelta_repr == "positional":  # 2.7, 3.6
        shown = (days, seconds, us) if us else (days, seconds) if seconds else (days,)
        return f"{tp.name}({', '.join(map(str, shown))})"
    parts = [f"{name}={value}" for name, value in (("days", days), ("seconds", seconds), ("microseconds", us))
             if value]
    return f"{tp.name}({', '.join(parts) or '0'})"


def write_timedelta(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(timedelta_text(w, obj, tp))


def write_timezone(w: Writer, obj: int, tp: TypeInfo) -> None:
    """timezone(OFFSET[, NAME]); the UTC singleton (offset 0, no name) as repr() names it."""
    t = w.target
    offset, name = word(t, obj, 0), word(t, obj, 1)
    if not offset:
        raise CorruptObject("timezone")
    if not name and timedelta_text(w, offset, t.type_of(offset)).endswith("(0)"):
        w.write(f"{tp.name}.utc")
        return
    w.write(f"{tp.name}(")
    w.write_object(w, offset)
    if name:
        w.write(", ")
        w.write_object(w, name)
    w.write(")")
