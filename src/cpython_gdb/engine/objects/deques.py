"""collections.deque: its items in a doubly linked list of fixed-size blocks.

A dequeobject holds, right after its object head, its leftmost and
rightmost blocks, the index of the first item in the leftmost block and of
the last in the rightmost, its length, a state counter and maxlen (-1:
none); where the length is and how a block is made changed once (the
scheme's ``deque`` names which, :data:`_SHAPES` says where each part is):

- 3.5-3.15: the length is PyObject_VAR_HEAD's ob_size, first; a block is
  its left link, 64 item pointers and its right link;
- 2.7: the length follows the two indexes; a block is 62 item pointers,
  then its right link and its left link (Modules/_collectionsmodule.c).
"""

from __future__ import annotations

import struct

from ...errors import CorruptObject
from ..model import TypeInfo
from ..record import frozen
from .containers import cut_mark, write_items
from .writer import Writer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator, Tuple

_MAX_LEN = 1 << 40


@frozen
class _Shape:
    # The 8-byte words after the object head, in order.
    fields: Tuple[str, ...]
    blocklen: int  # item pointers per block
    first_item: int  # the index of a block's first item pointer among its words; the right link follows its last


_SHAPES = {
    "blocks64": _Shape(("length", "left", "right", "left_index", "right_index", "state", "maxlen"), 64, 1),
    "blocks62": _Shape(("left", "right", "left_index", "right_index", "length", "state", "maxlen"), 62, 0),
}


def _items(w: Writer, shape: _Shape, left: int, index: int, length: int) -> Iterator[int]:
    """The first max-items item pointers from block ``left``, item ``index``, then -1 if some are left out."""
    blocklen, first = shape.blocklen, shape.first_item
    words_per_block = blocklen + 2
    count = min(length, w.limits.max_items)
    block = left
    done = 0
    while done < count:
        if not block or not 0 <= index < blocklen:
            raise CorruptObject("deque blocks")
        words = struct.unpack("<%dQ" % words_per_block, w.target.reader.read(block, 8 * words_per_block))
        take = min(blocklen - index, count - done)
        yield from words[first + index : first + index + take]
        done += take
        block, index = words[first + blocklen], 0  # rightlink
    if length > count:
        yield -1


def write_deque(w: Writer, obj: int, _tp: TypeInfo) -> None:
    t = w.target
    shape = _SHAPES[t.scheme.deque]
    at = obj + t.layout.off("PyObject.ob_type") + 8
    # All seven read as signed words: a block pointer is a user-space address, below 2**63.
    values = dict(zip(shape.fields, struct.unpack("<7q", t.reader.read(at, 56))))
    length, maxlen = values["length"], values["maxlen"]
    if not 0 <= length <= _MAX_LEN:
        raise CorruptObject("deque length")
    w.write("deque([")
    cut = write_items(w, _items(w, shape, values["left"] % (1 << 64), values["left_index"], length))
    w.write("]" if maxlen < 0 else f"], maxlen={maxlen}")
    w.write(")")
    cut_mark(w, cut, length)
