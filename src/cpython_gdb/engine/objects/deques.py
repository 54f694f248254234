"""collections.deque: its items in a doubly linked list of fixed-size blocks.

3.x's dequeobject (PyObject_VAR_HEAD, its length in ob_size) holds, right
after that header, its leftmost block, its rightmost block, the index of
the first item in the leftmost block, the index of the last in the
rightmost, a state counter and maxlen (-1: none); a block is its left link,
64 item pointers and its right link. This is the same from 3.5 to 3.15.
2.7's blocks are made otherwise, and its deque lives in an extension
module whose layout is not read: the scheme says "none" and it prints as
an object of unknown type.
"""

from __future__ import annotations

import struct

from ...errors import CorruptObject
from ..model import TypeInfo
from .containers import cut_mark, write_items
from .writer import Writer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator

_BLOCKLEN = 64
_BLOCK_SIZE = 8 * (_BLOCKLEN + 2)
_MAX_LEN = 1 << 40


def _items(w: Writer, left: int, index: int, length: int) -> Iterator[int]:
    """The first max-items item pointers from block ``left``, item ``index``, then -1 if some are left out."""
    count = min(length, w.limits.max_items)
    block = left
    done = 0
    while done < count:
        if not block or not 0 <= index < _BLOCKLEN:
            raise CorruptObject("deque blocks")
        words = struct.unpack("<%dQ" % (_BLOCKLEN + 2), w.target.reader.read(block, _BLOCK_SIZE))
        take = min(_BLOCKLEN - index, count - done)
        yield from words[1 + index : 1 + index + take]
        done += take
        block, index = words[-1], 0  # rightlink
    if length > count:
        yield -1


def write_deque(w: Writer, obj: int, _tp: TypeInfo) -> None:
    t = w.target
    if t.scheme.deque != "blocks64":
        w.write(f"<{_tp.name} at remote 0x{obj:x}>")
        return
    at = obj + t.layout.off("PyVarObject.ob_size")
    length, left, _right, left_index, _right_index, _state, maxlen = struct.unpack(
        "<QQQqqQq", t.reader.read(at, 56))
    if length > _MAX_LEN:
        raise CorruptObject("deque length")
    w.write("deque([")
    cut = write_items(w, _items(w, left, left_index, length))
    w.write("]" if maxlen < 0 else f"], maxlen={maxlen}")
    w.write(")")
    cut_mark(w, cut, length)
