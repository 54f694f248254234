"""The objects of a free-threaded build (PEP 703), from each thread's mimalloc heaps.

A free-threaded CPython keeps no collector lists: its collector visits the
heaps that mimalloc keeps per thread state (gc_free_threading.c,
gc_visit_heaps): ``_Py_MIMALLOC_HEAP_GC`` (2), whose blocks start with an
object, and ``_Py_MIMALLOC_HEAP_GC_PRE`` (3), whose objects follow a
two-word pre-header (managed dict and weakrefs). A heap's pages are on 75
queues by size (``mi_heap_t.pages``); a page's blocks are ``capacity``
blocks of ``xblock_size`` bytes from its start, less the free ones (the
``free``, ``local_free`` and ``xthread_free`` chains, the next block at a
block's first word). A page's start is found from the 32 MiB segment it
lies in: the segment's slice index of the page, 64 KiB a slice, then the
offset mimalloc leaves before small blocks (3 blocks up to 64 bytes, one
up to 512). An allocated block whose ``ob_gc_bits`` say TRACKED is an
object, as ``gc.get_objects()`` counts them.

Not walked: the segments of threads that have exited (the interpreter's
abandoned pool).
"""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..memory import read_i32
from ..runtime.tstate import all_thread_states

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator, List, Set, Tuple

    from ..runtime.anchor import Runtime
    from ..target import Target
    from .blocks import BlockReader

HEAPS = ((2, 0), (3, 16))  # (heap index, bytes before the object)
QUEUES = 75  # MI_BIN_FULL + 1
QUEUE_SIZE = 24  # mi_page_queue_t: first, last, block_size
SEGMENT_SIZE = 32 << 20
SLICE_SIZE = 64 << 10
TRACKED = 1  # _PyGC_BITS_TRACKED
_MAX_PAGES = 1 << 22
_MAX_CAPACITY = 1 << 16


def _chain(mem: BlockReader, first: int, limit: int, into: Set[int]) -> None:
    block = first
    for _ in range(limit):
        if not block:
            return
        into.add(block)
        block = mem.u64(block)


def heap_objects(t: Target, mem: BlockReader, runtime: Runtime, notes: List[str]) -> Iterator[Tuple[int, int]]:
    """(object, type) of every tracked object in the GC heaps of every thread state."""
    lay = t.layout
    heaps_at = lay.off("_PyThreadStateImpl.mimalloc_heaps")
    initialized = lay.off("_PyThreadStateImpl.mimalloc_initialized")
    heap_size = lay.size("mi_heap_t")
    pages_at = lay.off("mi_heap_t.pages")
    page_size = lay.size("mi_page_t")
    slices_at = lay.off("mi_segment_t.slices")
    capacity_at = lay.off("mi_page_t.capacity")
    used_at = lay.off("mi_page_t.used")
    bsize_at = lay.off("mi_page_t.xblock_size")
    free_at = lay.off("mi_page_t.free")
    local_free_at = lay.off("mi_page_t.local_free")
    thread_free_at = lay.off("mi_page_t.xthread_free")
    next_at = lay.off("mi_page_t.next")
    type_at = lay.off("PyObject.ob_type")
    bits_at = lay.off("PyObject.ob_gc_bits")
    u64 = mem.u64
    pages = 0
    for tstate in all_thread_states(t, runtime):
        try:
            if not read_i32(mem, tstate + initialized):
                continue
        except CpythonGdbError:
            continue
        for index, before in HEAPS:
            heap = tstate + heaps_at + index * heap_size
            for queue in range(QUEUES):
                try:
                    page = u64(heap + pages_at + queue * QUEUE_SIZE)
                except CpythonGdbError:
                    notes.append(f"the mimalloc heap at 0x{heap:x} cannot be read")
                    break
                while page:
                    pages += 1
                    if pages > _MAX_PAGES:
                        notes.append("more mimalloc pages than a heap can have: walk stopped")
                        return
                    try:
                        raw = mem.read(page, page_size)
                        capacity = int.from_bytes(raw[capacity_at:capacity_at + 2], "little")
                        used = int.from_bytes(raw[used_at:used_at + 4], "little")
                        bsize = int.from_bytes(raw[bsize_at:bsize_at + 4], "little")
                        nxt = int.from_bytes(raw[next_at:next_at + 8], "little")
                        if used and bsize and capacity <= _MAX_CAPACITY:
                            yield from _page_objects(mem, page, raw, capacity, bsize, before, type_at, bits_at,
                                                     (free_at, local_free_at, thread_free_at), slices_at, page_size)
                    except CpythonGdbError:
                        notes.append(f"the mimalloc page at 0x{page:x} cannot be read")
                        break
                    page = nxt


def _page_objects(mem: BlockReader, page: int, raw: bytes, capacity: int, bsize: int, before: int, type_at: int,
                  bits_at: int, free_fields: Tuple[int, int, int], slices_at: int,
                  page_size: int) -> Iterator[Tuple[int, int]]:
    segment = (page - 1) & ~(SEGMENT_SIZE - 1)
    index = (page - (segment + slices_at)) // page_size
    if capacity == 1:
        offset = 0
    elif bsize <= 64:
        offset = 3 * bsize
    elif bsize <= 512:
        offset = bsize
    else:
        offset = 0
    start = segment + index * SLICE_SIZE + offset
    free: Set[int] = set()
    for at in free_fields:
        first = int.from_bytes(raw[at:at + 8], "little") & ~3
        _chain(mem, first, capacity, free)
    u64 = mem.u64
    read = mem.read
    for i in range(capacity):
        block = start + i * bsize
        if block in free:
            continue
        obj = block + before
        if read(obj + bits_at, 1)[0] & TRACKED:
            yield obj, u64(obj + type_at)
