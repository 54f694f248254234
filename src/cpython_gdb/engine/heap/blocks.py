"""The target's memory in large blocks, for walks over the whole heap.

A census touches every object once and the objects of a heap sit close
together (obmalloc's arenas and pools, malloc's heap), so it reads aligned
blocks of 64 KiB, each once, and serves every field from them: a live
process, a core or gdb then answers a few thousand large reads instead of
millions of small ones. A block that cannot be read whole (it runs past a
mapping, or a core lacks part of it) is read by pages, and the pages that
cannot be read are remembered as such.

Memory may change when the target runs again: one BlockReader serves one
stop.
"""

from __future__ import annotations

import struct

from ...errors import MemoryReadError
from ..memory import check_address

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Set

    from ..memory import Reader

BLOCK_SHIFT = 16
BLOCK = 1 << BLOCK_SHIFT
BLOCK_MASK = BLOCK - 1
PAGE = 4096
MAX_BLOCKS = 256  # 16 MiB
_U64_FROM = struct.Struct("<Q").unpack_from


class BlockReader:
    """A Reader over another, fetching aligned 64 KiB blocks (or, where that fails, pages) once.

    ``blocks`` (block number -> its bytes) is public so that the census's
    inner loops can index it without a call per field.
    """

    def __init__(self, reader: Reader, max_blocks: int = MAX_BLOCKS) -> None:
        self._reader = reader
        # At most this many blocks are kept (0: all), the oldest read dropped first, so that the
        # tool's memory stays well below the heap it reads. Reading a block again costs little (one
        # 64 KiB read; 1,000,000 objects: 1,500 reads again, no measurable time) next to the Python
        # work on its objects.
        self._max_blocks = max_blocks
        self.blocks: Dict[int, bytes] = {}
        self._partial: Set[int] = set()  # block numbers read by pages
        self._pages: Dict[int, Optional[bytes]] = {}  # page address -> bytes, None if unreadable
        self.bytes_read = 0

    def block(self, number: int) -> Optional[bytes]:
        """Block ``number`` whole, or None when it can only be read by pages."""
        data = self.blocks.get(number)
        if data is not None or number in self._partial:
            return data
        try:
            data = self._reader.read(number << BLOCK_SHIFT, BLOCK)
        except MemoryReadError:
            self._partial.add(number)
            return None
        if len(data) != BLOCK:
            self._partial.add(number)
            return None
        self.bytes_read += BLOCK
        blocks = self.blocks
        if self._max_blocks and len(blocks) >= self._max_blocks:
            del blocks[next(iter(blocks))]
        blocks[number] = data
        return data

    def _page(self, base: int) -> Optional[bytes]:
        if base in self._pages:
            return self._pages[base]
        data: Optional[bytes]
        try:
            data = self._reader.read(base, PAGE)
        except MemoryReadError:
            data = None
        if data is not None:
            self.bytes_read += PAGE
        if len(self._pages) >= MAX_BLOCKS * (BLOCK // PAGE):
            self._pages.clear()
        self._pages[base] = data
        return data

    def u64(self, address: int) -> int:
        block = self.blocks.get(address >> BLOCK_SHIFT)
        offset = address & BLOCK_MASK
        if block is not None and offset <= BLOCK - 8:
            value: int = _U64_FROM(block, offset)[0]
            return value
        value = _U64_FROM(self.read(address, 8))[0]
        return value

    def read(self, address: int, size: int) -> bytes:
        check_address(address, size)
        number = address >> BLOCK_SHIFT
        offset = address & BLOCK_MASK
        if offset + size <= BLOCK:
            block = self.blocks.get(number)
            if block is None:
                block = self.block(number)
            if block is not None:
                return block[offset : offset + size]
            return self._by_pages(address, size)
        parts: List[bytes] = []
        end = address + size
        at = address
        while at < end:
            upto = min(end, ((at >> BLOCK_SHIFT) + 1) << BLOCK_SHIFT)
            parts.append(self.read(at, upto - at))
            at = upto
        return b"".join(parts)

    def _by_pages(self, address: int, size: int) -> bytes:
        parts: List[bytes] = []
        end = address + size
        at = address
        while at < end:
            base = at & ~(PAGE - 1)
            page = self._page(base)
            if page is None:
                raise MemoryReadError(address, size)
            upto = min(end, base + PAGE)
            parts.append(page[at - base : upto - base])
            at = upto
        return parts[0] if len(parts) == 1 else b"".join(parts)
