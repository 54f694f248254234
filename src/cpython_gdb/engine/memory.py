"""Reading the target's memory.

A reader has one method, ``read(address, size) -> bytes``, which raises
:class:`MemoryReadError`. Every typed accessor here is a free function on
top of it, so a live process, a core file and gdb all share them.
"""

from __future__ import annotations

import struct
from bisect import bisect_right

from ..errors import MemoryReadError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Iterable, Iterator, Optional, Protocol, Tuple

    # A type only: importing typing at run time costs `dump` milliseconds.
    class Reader(Protocol):
        def read(self, address: int, size: int) -> bytes:
            """Return ``size`` bytes at ``address`` or raise MemoryReadError."""
            ...

_U8 = struct.Struct("<B")
_U32 = struct.Struct("<I")
_I32 = struct.Struct("<i")
_U64 = struct.Struct("<Q")
_I64 = struct.Struct("<q")
_F64 = struct.Struct("<d")
_U64_FROM = _U64.unpack_from

# Pointers below this are never valid user-space objects (the zero page and
# small integers that corrupted fields tend to hold).
MIN_ADDRESS = 0x1000
MAX_ADDRESS = 0x7FFF_FFFF_FFFF


def check_address(address: int, size: int = 1) -> None:
    if address < MIN_ADDRESS or address + size > MAX_ADDRESS or size < 0:
        raise MemoryReadError(address, size)


class Mapped:
    """The address ranges a live process has mapped, to refuse reads outside them.

    Reading a live process's memory is not free of side effects: Linux
    grows the main thread's stack (a ``VM_GROWSDOWN`` mapping) to cover an
    address just below it when another process reads there through
    /proc/PID/mem or ptrace (``__access_remote_vm()`` calls
    ``expand_stack()``, Linux 6.5+; older kernels expand in
    ``get_user_pages()``, so process_vm_readv does too). A corrupt pointer
    to there (a thread state's frame, say) would make the read grow the
    target's stack by megabytes, up to its RLIMIT_STACK. So a live
    target's readers check each read against its mappings, as listed by
    /proc/PID/maps while it is stopped, and refuse the others with
    MemoryReadError, as if unreadable.

    Made from (start, end) pairs; a read may run on from one mapping
    into the next where they touch.
    """

    __slots__ = ("_starts", "_ends")

    def __init__(self, spans: Iterable[Tuple[int, int]]) -> None:
        ordered = sorted(spans)
        self._starts = [start for start, _ in ordered]
        self._ends = [end for _, end in ordered]

    def check(self, address: int, size: int) -> None:
        """Raise MemoryReadError unless [address, address + size) is mapped."""
        i = bisect_right(self._starts, address) - 1
        if i < 0:
            raise MemoryReadError(address, size)
        reach = self._ends[i]
        while reach < address + size:  # on into the next mapping, if it starts where this one ends
            i += 1
            if i == len(self._starts) or self._starts[i] != reach:
                raise MemoryReadError(address, size)
            reach = self._ends[i]


def _reader_of(packed: struct.Struct) -> Callable[[Reader, int], Any]:
    """A function reading one value of the fixed-size type ``packed`` at an address."""
    size = packed.size
    unpack = packed.unpack

    def read(reader: Reader, address: int) -> Any:
        return unpack(reader.read(address, size))[0]

    return read


read_u8: Callable[[Reader, int], int] = _reader_of(_U8)
read_u32: Callable[[Reader, int], int] = _reader_of(_U32)
read_i32: Callable[[Reader, int], int] = _reader_of(_I32)
read_u64: Callable[[Reader, int], int] = _reader_of(_U64)
read_i64: Callable[[Reader, int], int] = _reader_of(_I64)
read_f64: Callable[[Reader, int], float] = _reader_of(_F64)


read_ptr = read_u64


def read_rows(reader: Reader, address: int, count: int, size: int, batch: int = 64) -> Iterator[Tuple[bytes, range]]:
    """A table of ``count`` records of ``size`` bytes, a batch of records per read:
    (the batch's bytes, the offset of each record in them)."""
    for start in range(0, count, batch):
        n = min(batch, count - start)
        yield reader.read(address + start * size, n * size), range(0, n * size, size)


def read_cstring(reader: Reader, address: int, limit: int = 256) -> bytes:
    """Read a NUL-terminated string of at most ``limit`` bytes."""
    out = b""
    chunk = 64
    while len(out) < limit:
        try:
            data = reader.read(address + len(out), chunk)
        except MemoryReadError:
            if chunk == 1:
                raise
            chunk = 1
            continue
        nul = data.find(b"\0")
        if nul >= 0:
            return (out + data[:nul])[:limit]
        out += data
    return out[:limit]


def read_c_text(reader: Reader, address: int, limit: int = 256) -> str:
    """A NUL-terminated C string as text (UTF-8, bad bytes replaced)."""
    return read_cstring(reader, address, limit).decode("utf-8", "replace")


class CachedReader:
    """A reader that fetches whole pages once and serves reads from them.

    gdb's ``read_memory`` costs far more per call than per byte, and the
    decoders read many small fields close together. One instance lives for
    one stop of the target: memory may change as soon as it runs again.
    """

    PAGE = 4096
    MAX_PAGES = 16384  # 64 MiB: a bound even on a pathological walk

    def __init__(self, reader: Reader) -> None:
        self._reader = reader
        self._pages: Dict[int, Optional[bytes]] = {}

    def _page(self, base: int) -> Optional[bytes]:
        try:
            return self._pages[base]
        except KeyError:
            pass
        data: Optional[bytes]
        try:
            data = self._reader.read(base, self.PAGE)
        except MemoryReadError:
            data = None
        if len(self._pages) >= self.MAX_PAGES:
            self._pages.clear()
        self._pages[base] = data
        return data

    def u64(self, address: int) -> int:
        """read_u64 without the copy of the bytes: the commonest read."""
        offset = address & (self.PAGE - 1)
        if offset <= self.PAGE - 8 and MIN_ADDRESS <= address <= MAX_ADDRESS - 8:
            base = address - offset
            page = self._pages.get(base, b"")
            if page == b"":
                page = self._page(base)
            if page is not None:
                value: int = _U64_FROM(page, offset)[0]
                return value
        return read_u64(self, address)

    def read(self, address: int, size: int) -> bytes:
        offset = address & (self.PAGE - 1)
        if 0 <= size <= self.PAGE - offset and MIN_ADDRESS <= address <= MAX_ADDRESS - size:
            # The common case, a field or a record within one page.
            base = address - offset
            page = self._pages.get(base, b"")  # b"": not fetched yet
            if page == b"":
                page = self._page(base)
            if page is not None:
                return page[offset : offset + size]
            return self._reader.read(address, size)
        check_address(address, size)
        if size > 4 * self.PAGE:
            return self._reader.read(address, size)
        base = address & ~(self.PAGE - 1)
        end = address + size
        parts = []
        while base < end:
            page = self._page(base)
            if page is None:
                # Part of the range is unmapped or unreadable as a page (a
                # core file may hold only some of it): ask for the exact range.
                return self._reader.read(address, size)
            lo = max(address, base) - base
            hi = min(end, base + self.PAGE) - base
            parts.append(page[lo:hi])
            base += self.PAGE
        return parts[0] if len(parts) == 1 else b"".join(parts)
