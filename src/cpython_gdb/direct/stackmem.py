"""A thread's stack read in large blocks, for the unwinder.

Unwinding reads a return address or two in each C frame, and C frames
lie next to each other on the stack: a deep stack is hundreds of pages,
read page by page in as many system calls. So a page not yet fetched is
fetched with the pages above it (callers sit higher on the stack), in a
block that doubles each time up to MAX_BLOCK: a thread asleep a few C
frames deep costs one small read, a recursion some ten large ones. A
block that crosses the end of the stack's mapping does not read: it is
halved until it reads, down to single pages.
"""

from __future__ import annotations

import struct

from ..engine.memory import CachedReader

FIRST_BLOCK = 8 << 10
MAX_BLOCK = 256 << 10
_U64 = struct.Struct("<Q")


class StackReader:
    """``u64`` over one thread's stack, through the stop's page cache (see the module docstring)."""

    def __init__(self, pages: CachedReader) -> None:
        self._pages = pages
        self._fetched = pages.fetched
        self._block = FIRST_BLOCK

    def restart(self) -> None:
        """Start on another thread's stack: small blocks first again."""
        self._block = FIRST_BLOCK

    def u64(self, address: int) -> int:
        offset = address & (CachedReader.PAGE - 1)
        base = address - offset
        page = self._fetched.get(base)
        if page is None and base not in self._fetched:
            size = self._block
            while size > CachedReader.PAGE and base >= CachedReader.PAGE and not self._pages.prefetch(base, size):
                size //= 2  # past the end of the stack: a smaller block may still read
            self._block = min(size * 2, MAX_BLOCK)
            page = self._fetched.get(base)
        if page is not None and offset <= CachedReader.PAGE - 8:
            value: int = _U64.unpack_from(page, offset)[0]
            return value
        return self._pages.u64(address)  # across pages, or unreadable: it raises MemoryReadError
