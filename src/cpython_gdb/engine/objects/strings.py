"""str, bytes and bytearray."""

from __future__ import annotations

from ...errors import CorruptObject, CpythonGdbError
from ..model import TPFLAGS_UNICODE_SUBCLASS, TypeInfo
from ..target import Target
from .writer import Writer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Tuple, TypeVar, Union

# PyASCIIObject.state bitfield positions, default (non free-threaded) builds.
_KIND_SHIFT = 2
_KIND_MASK = 0b111
_COMPACT_BIT = 5
_ASCII_BIT = 6

_CODECS = {1: "latin-1", 2: "utf-16-le", 4: "utf-32-le"}
_MAX_LENGTH = 1 << 48

if TYPE_CHECKING:
    _Default = TypeVar("_Default")


def read_str(t: Target, obj: int, limit: int) -> Tuple[str, int]:
    """Return (text, full length) of a str, reading at most ``limit`` chars."""
    lay = t.layout
    # The offsets, looked up once per stop (names and values of locals are
    # mostly str); None where the layout lacks one: looked up again, and so
    # raises, where it is needed.
    fields = t.str_fields
    if fields is None:
        fields = t.str_fields = (lay.off("PyASCIIObject.length"), lay.off("PyASCIIObject.state"),
                                 lay.sizes.get("PyASCIIObject"), lay.sizes.get("PyCompactUnicodeObject"))
    length_off, state_off, ascii_size, compact_size = fields
    length = t.ptr(obj + length_off)
    state = int.from_bytes(t.reader.read(obj + state_off, 4), "little")
    kind = (state >> _KIND_SHIFT) & _KIND_MASK
    ready_bit = t.scheme.str_ready_bit
    if kind not in _CODECS or length > _MAX_LENGTH:
        raise CorruptObject("str")
    if ready_bit is not None and not state >> ready_bit & 1:
        # A legacy string built by the deprecated Py_UNICODE API (<= 3.11)
        # whose canonical form was never computed.
        raise CorruptObject("str not ready")
    if state >> _COMPACT_BIT & 1:
        if state >> _ASCII_BIT & 1:
            data = obj + (lay.size("PyASCIIObject") if ascii_size is None else ascii_size)
        else:
            data = obj + (lay.size("PyCompactUnicodeObject") if compact_size is None else compact_size)
    else:
        data = t.ptr(obj + lay.off("PyUnicodeObject.data"))
    count = min(length, limit)
    raw = t.reader.read(data, count * kind) if count else b""
    try:
        return raw.decode(_CODECS[kind], "surrogatepass"), length
    except UnicodeDecodeError:
        # Only UCS-4 data can fail: a code point past U+10FFFF.
        raise CorruptObject("str data") from None


def str_text(t: Target, obj: int, limit: int = 1000) -> str:
    """The text of an object that must be a str; CorruptObject otherwise."""
    if not t.type_of(obj).flags & TPFLAGS_UNICODE_SUBCLASS:
        raise CorruptObject("expected a str")
    return read_str(t, obj, limit)[0]


def str_or(t: Target, obj: int, default: _Default, limit: int = 1000) -> Union[str, _Default]:
    """The text of a str, or ``default`` if it is not one or cannot be read."""
    try:
        return str_text(t, obj, limit)
    except CpythonGdbError:
        return default


def _shown(w: Writer) -> int:
    # Each character prints as at least one: more than max-output could
    # never show.
    return min(w.limits.max_string, w.limits.max_output)


def _clip_repr(out: str, shown: int, length: int) -> str:
    # Mark a cut inside the quotes so the result still reads as a literal.
    return out[:-1] + "..." + out[-1] if length > shown else out


# As for numbers: a ``*_text`` function makes the one piece of text that
# the ``write_*`` one writes.


def str_repr_text(w: Writer, obj: int, _tp: TypeInfo) -> str:
    text, length = read_str(w.target, obj, _shown(w))
    return _clip_repr(repr(text), len(text), length)


def write_str(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(str_repr_text(w, obj, tp))


def _read_sized(w: Writer, obj: int, data: int) -> Tuple[bytes, int]:
    t = w.target
    length = t.ptr(obj + t.layout.off("PyVarObject.ob_size"))
    if length > _MAX_LENGTH:
        raise CorruptObject("bytes")
    count = min(length, _shown(w))
    return (t.reader.read(data, count) if count else b""), length


def bytes_text(w: Writer, obj: int, _tp: TypeInfo) -> str:
    data, length = _read_sized(w, obj, obj + w.target.layout.off("PyBytesObject.ob_sval"))
    return _clip_repr(repr(data), len(data), length)


def write_bytes(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(bytes_text(w, obj, tp))


def bytearray_text(w: Writer, obj: int, _tp: TypeInfo) -> str:
    start = w.target.ptr(obj + w.target.layout.off("PyByteArrayObject.ob_start"))
    data, length = _read_sized(w, obj, start)
    return "bytearray(" + _clip_repr(repr(data), len(data), length) + ")"


def write_bytearray(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(bytearray_text(w, obj, tp))
