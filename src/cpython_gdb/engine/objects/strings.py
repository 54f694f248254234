"""str, bytes and bytearray."""

from __future__ import annotations

from ...errors import CorruptObject, CpythonGdbError
from ..model import TPFLAGS_BYTES_SUBCLASS, TPFLAGS_UNICODE_SUBCLASS, TypeInfo
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


def read_bytes(t: Target, obj: int, limit: int) -> Tuple[bytes, int]:
    """(up to ``limit`` bytes, full length) of a bytes object, or 2.7's str."""
    length = t.ptr(obj + t.layout.off("PyVarObject.ob_size"))
    if length > _MAX_LENGTH:
        raise CorruptObject("bytes")
    count = min(length, limit)
    data = obj + t.layout.off("PyBytesObject.ob_sval")
    return (t.reader.read(data, count) if count else b""), length


def bytes_value(t: Target, obj: int, limit: int) -> bytes:
    return read_bytes(t, obj, limit)[0]


_UNICODE27_CODECS = {4: "utf-32-le", 2: "utf-16-le"}


def read_unicode27(t: Target, obj: int, limit: int) -> Tuple[str, int]:
    """(text, full length) of 2.7's unicode: ``length`` Py_UNICODE units at ``str``.

    A UCS-2 build (Py_UNICODE of 2 bytes) stores a character past U+FFFF as
    two units: its length counts both.
    """
    lay = t.layout
    width = lay.size("Py_UNICODE")
    length = t.ptr(obj + lay.off("PyUnicodeObject.length"))
    if length > _MAX_LENGTH or width not in _UNICODE27_CODECS:
        raise CorruptObject("unicode")
    count = min(length, limit)
    raw = t.reader.read(t.ptr(obj + lay.off("PyUnicodeObject.str")), count * width) if count else b""
    try:
        return raw.decode(_UNICODE27_CODECS[width], "surrogatepass"), length
    except UnicodeDecodeError:
        raise CorruptObject("unicode data") from None


def str_text(t: Target, obj: int, limit: int = 1000) -> str:
    """The text of an object that must be a str (2.7: a str or a unicode); CorruptObject otherwise.

    2.7's str holds bytes: names and file names are UTF-8 (a byte that is
    not becomes a lone surrogate, as Python 3 decodes file names).
    """
    flags = t.type_of(obj).flags
    if t.scheme.builtins == "py2":
        if flags & TPFLAGS_BYTES_SUBCLASS:
            return bytes_value(t, obj, limit).decode("utf-8", "surrogateescape")
        if flags & TPFLAGS_UNICODE_SUBCLASS:
            return read_unicode27(t, obj, limit)[0]
        raise CorruptObject("expected a str")
    if not flags & TPFLAGS_UNICODE_SUBCLASS:
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


def _clip_repr(out: str, shown: int, length: int, unit: str = "chars") -> str:
    # The cut is marked after the closing quote, with the full length: a
    # mark inside the quotes could not be told from a text that ends in dots.
    return f"{out}... ({length} {unit})" if length > shown else out


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
    data, length = read_bytes(w.target, obj, _shown(w))
    if w.target.scheme.builtins == "py2":
        # 2.7's str: escaped and quoted as Python 3 does bytes, without the b.
        return _clip_repr(repr(data)[1:], len(data), length, "bytes")
    return _clip_repr(repr(data), len(data), length, "bytes")


def write_bytes(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(bytes_text(w, obj, tp))


def bytearray_text(w: Writer, obj: int, _tp: TypeInfo) -> str:
    lay = w.target.layout
    # 2.7's bytearray has no ob_start: its data starts at ob_bytes.
    start = w.target.ptr(obj + lay.off("PyByteArrayObject.ob_start" if lay.has("PyByteArrayObject.ob_start")
                                      else "PyByteArrayObject.ob_bytes"))
    data, length = _read_sized(w, obj, start)
    text = f"bytearray({data!r})"
    return _clip_repr(text, len(data), length, "bytes")


def write_bytearray(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(bytearray_text(w, obj, tp))


def _unicode27_repr(text: str) -> str:
    """What 2.7's repr() of a unicode shows: u'...', every character past
    printable ASCII escaped (\\xNN, \\uNNNN, \\UNNNNNNNN), quotes as str's."""
    quote = '"' if "'" in text and '"' not in text else "'"
    out = ["u", quote]
    for char in text:
        code = ord(char)
        if char == quote or char == "\\":
            out.append("\\" + char)
        elif code >= 0x10000:
            out.append("\\U%08x" % code)
        elif code >= 0x100:
            out.append("\\u%04x" % code)
        elif char in _CONTROL_ESCAPES:
            out.append(_CONTROL_ESCAPES[char])
        elif code < 0x20 or code >= 0x7F:
            out.append("\\x%02x" % code)
        else:
            out.append(char)
    out.append(quote)
    return "".join(out)


_CONTROL_ESCAPES = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}


def unicode27_text(w: Writer, obj: int, _tp: TypeInfo) -> str:
    text, length = read_unicode27(w.target, obj, _shown(w))
    return _clip_repr(_unicode27_repr(text), len(text), length)


def write_unicode27(w: Writer, obj: int, tp: TypeInfo) -> None:
    w.write(unicode27_text(w, obj, tp))
