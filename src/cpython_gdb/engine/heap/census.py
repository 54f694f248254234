"""The census: every live Python object the collector's lists lead to, counted by type.

Two sources, each object counted once:

1. ``tracked``: every object on a collector list of an interpreter
   (gc_lists.py): the objects ``gc.get_objects()`` lists plus the
   permanent generation of ``gc.freeze()``; in a free-threaded build, the
   tracked objects of each thread's mimalloc GC heaps (mimalloc.py);
2. ``referenced``: the objects those refer to (referents.py), and the
   local variables of every thread's Python frames, and so on from each
   new one, that are on no list: the untracked ones (str, int, float,
   bytes, and tuples and dicts the collector untracked).

A pointer that does not lead to a readable object with a readable type is
skipped and counted as ``unreadable``. The walk stops at ``max_objects``
(the result is then ``partial``), or when ``interrupted()`` says so.
"""

from __future__ import annotations

import struct
import time
from array import array

from ...errors import CpythonGdbError, MemoryReadError
from ..memory import MAX_ADDRESS, MIN_ADDRESS
from ..record import frozen
from .blocks import BLOCK, BLOCK_MASK, BLOCK_SHIFT
from .gc_lists import NEXT_MASK, check_census, estimated_objects, gc_head_size, gc_lists
from .referents import Referents
from .shapes import Shapes
from .sizes import Sizer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, List, Optional, Set, Tuple

    from ..runtime.anchor import Runtime
    from ..target import Target
    from .blocks import BlockReader
    from .shapes import Shape

DEFAULT_MAX_OBJECTS = 50_000_000


def _node_struct(head_size: int) -> struct.Struct:
    """A list node's next pointer, then (after the rest of the PyGC_Head and ob_refcnt) its ob_type.

    The PyGC_Head is two words from 3.8 (bpo-33597), a 32-byte union before.
    """
    return struct.Struct(f"<Q{head_size}xQ")


_U64_FROM = struct.Struct("<Q").unpack_from
_PROGRESS_EVERY = 1 << 16
_MARK_BYTES = BLOCK >> 7  # a bit per 16 bytes
_MAX_FRAMES = 10_000  # per thread
_LIMIT = "stopped at the limit of {:,} objects (set cpython max-heap-objects)"


@frozen
class TypeCount:
    name: str
    count: int
    bytes: int
    type_address: int


@frozen
class Census:
    types: Tuple[TypeCount, ...]  # by bytes, largest first
    objects: int
    bytes: int
    tracked: int  # found on the collector's lists
    referenced: int  # found by following references, on no list
    unreadable: int
    partial: Optional[str]  # why the walk stopped early, or None
    notes: Tuple[str, ...]
    seconds: float


class HeapWalk:
    """One walk of a stopped target's heap; keeps the objects by type for --type and py-refs."""

    def __init__(self, t: Target, mem: BlockReader, runtime: Runtime, max_objects: int = DEFAULT_MAX_OBJECTS,
                 progress: Optional[Callable[[int, str], None]] = None,
                 interrupted: Optional[Callable[[], bool]] = None) -> None:
        self.t = t
        self.mem = mem
        self.runtime = runtime
        self.max_objects = max_objects
        self.progress = progress
        self.interrupted = interrupted
        self.shapes = Shapes(t)
        self.refs = Referents(t, mem)
        self.sizer = Sizer(t, mem, self.refs)
        # The objects found, by type address: arrays of addresses (8 bytes each).
        self.by_type: Dict[int, array[int]] = {}
        # Which addresses were counted: one bit per 16 bytes (two objects are never closer: an object
        # has 16 bytes at least), a bytearray of 512 per 64 KiB block: 1/128 of the heap, where a set
        # of ints would take several times the heap's own size.
        self.marks: Dict[int, bytearray] = {}
        self.bad: Set[int] = set()
        self.tracked = 0
        self.referenced = 0
        self.unreadable = 0
        self.partial: Optional[str] = None
        self.notes: List[str] = []
        # What the threads' frames hold: object address -> how ("local 'x' of f() in thread 123").
        self.frame_refs: Dict[int, List[str]] = {}
        # Every object that holds references, with its shape: made by referrers.py when asked.
        self.holder_shapes: Dict[int, Shape] = {}

    def found(self, address: int) -> bool:
        """Whether the census counted the object at ``address``."""
        bits = self.marks.get(address >> BLOCK_SHIFT)
        index = (address & BLOCK_MASK) >> 4
        return bits is not None and bool(bits[index >> 3] & (1 << (index & 7)))

    def _unmark(self, address: int) -> None:
        bits = self.marks.get(address >> BLOCK_SHIFT)
        index = (address & BLOCK_MASK) >> 4
        if bits is not None:
            bits[index >> 3] &= ~(1 << (index & 7)) & 0xFF

    # -- phase 1: the collector's lists ------------------------------------------

    def walk_heaps(self) -> None:
        """A free-threaded build's tracked objects, from its threads' mimalloc heaps (mimalloc.py)."""
        from .mimalloc import heap_objects

        marks = self.marks
        by_type = self.by_type
        budget = self.max_objects
        report = self.progress
        counted = 0
        for obj, tp in heap_objects(self.t, self.mem, self.runtime, self.notes):
            bits = marks.get(obj >> BLOCK_SHIFT)
            if bits is None:
                bits = marks[obj >> BLOCK_SHIFT] = bytearray(_MARK_BYTES)
            index = (obj & BLOCK_MASK) >> 4
            if bits[index >> 3] & (1 << (index & 7)):
                continue
            bits[index >> 3] |= 1 << (index & 7)
            group = by_type.get(tp)
            if group is None:
                group = by_type[tp] = array("Q")
            group.append(obj)
            counted += 1
            if counted >= budget:
                self.partial = _LIMIT.format(budget)
                break
            if not counted & (_PROGRESS_EVERY - 1):
                if report is not None:
                    report(counted, "heaps")
                if self.interrupted is not None and self.interrupted():
                    self.partial = "interrupted"
                    break
        self.tracked = counted
        self._drop_unreadable_types()

    def walk_lists(self) -> None:
        if self.t.scheme.free_threaded:
            self.walk_heaps()
            return
        blocks = self.mem.blocks
        load = self.mem.block
        u64 = self.mem.u64
        marks = self.marks
        by_type = self.by_type
        head_size = gc_head_size(self.t)
        node_from = _node_struct(head_size).unpack_from
        node_end = BLOCK - head_size - 16
        counted = 0
        estimate = estimated_objects(self.t, self.runtime) if self.progress is not None else 0
        budget = self.max_objects
        report = self.progress
        for gl in gc_lists(self.t, self.runtime):
            head = gl.head
            try:
                node = u64(head) & NEXT_MASK
            except MemoryReadError:
                self.notes.append(f"the {gl.name} list of interpreter {gl.interpreter} cannot be read")
                continue
            count = 0
            while node != head:
                block = blocks.get(node >> BLOCK_SHIFT)
                offset = node & BLOCK_MASK
                if block is None and MIN_ADDRESS <= node < MAX_ADDRESS:
                    block = load(node >> BLOCK_SHIFT)
                try:
                    if block is not None and offset <= node_end:
                        nxt, tp = node_from(block, offset)
                    else:
                        nxt = u64(node)
                        tp = u64(node + head_size + 8)
                except CpythonGdbError:
                    self.unreadable += 1
                    self.notes.append(f"the {gl.name} list of interpreter {gl.interpreter} breaks at 0x{node:x}")
                    break
                obj = node + head_size
                bits = marks.get(obj >> BLOCK_SHIFT)
                if bits is None:
                    bits = marks[obj >> BLOCK_SHIFT] = bytearray(_MARK_BYTES)
                index = (obj & BLOCK_MASK) >> 4
                bit = 1 << (index & 7)
                if bits[index >> 3] & bit:
                    self.notes.append(f"the {gl.name} list of interpreter {gl.interpreter} loops at 0x{node:x}")
                    break
                bits[index >> 3] |= bit
                group = by_type.get(tp)
                if group is None:
                    group = by_type[tp] = array("Q")
                group.append(obj)
                count += 1
                counted += 1
                if counted >= budget:
                    self.partial = _LIMIT.format(budget)
                    break
                if not count & (_PROGRESS_EVERY - 1):
                    if report is not None:
                        report(counted, f"lists {min(99, 100 * counted // estimate)}%" if estimate else "lists")
                    if self.interrupted is not None and self.interrupted():
                        self.partial = "interrupted"
                        break
                node = nxt & NEXT_MASK
            self.tracked += count
            if self.partial:
                return
        self._drop_unreadable_types()

    def _drop_unreadable_types(self) -> None:
        """Objects whose type is not a readable type are not objects."""
        by_type = self.by_type
        shapes = self.shapes
        for tp in list(by_type):
            if shapes.get(tp) is None:
                lost = by_type.pop(tp)
                self.unreadable += len(lost)
                self.tracked -= len(lost)
                for obj in lost:
                    self._unmark(obj)
                self.bad.update(lost)

    # -- phase 2: what they refer to ---------------------------------------------

    def follow(self) -> None:
        shapes = self.shapes
        refs = self.refs
        references = refs.references
        u64 = self.mem.u64
        blocks = self.mem.blocks
        known = shapes.by_type
        type_at = self.t.layout.off("PyObject.ob_type")
        marks = self.marks
        counted = self.tracked
        bad = self.bad
        by_type = self.by_type
        budget = self.max_objects
        work: List[Tuple[int, Optional[Shape]]] = []
        # The groups as they are now (objects found from here on are followed from ``work``), by index:
        # a copy of each would hold an int object per address. First what the threads' frames hold
        # (no holder: each is itself a reference to follow).
        held = array("Q", sorted(self.frame_refs))
        pending: List[Tuple[Optional[Shape], array[int], int]] = [(None, held, len(held))]
        pending += [(shape, by_type[tp], len(by_type[tp])) for tp, shape in
                    ((tp, shapes.get(tp)) for tp in list(by_type)) if shape is not None and shape.follow]
        total = sum(n for _, _, n in pending)
        done = 0
        report = self.progress
        for shape, objs, n in pending:
            for i in range(n):
                work.append((objs[i], shape))
                while work:
                    obj, holder = work.pop()
                    done += 1
                    if not done & (_PROGRESS_EVERY - 1):
                        if report is not None:
                            report(counted, f"references {min(99, 100 * done // max(total, 1))}%")
                        if self.interrupted is not None and self.interrupted():
                            self.partial = "interrupted"
                            return
                    try:
                        found = references(obj, holder) if holder is not None else [obj]
                    except CpythonGdbError:
                        continue
                    for r in found:
                        bits = marks.get(r >> BLOCK_SHIFT)
                        index = (r & BLOCK_MASK) >> 4
                        if bits is not None and bits[index >> 3] & (1 << (index & 7)) or r in bad:
                            continue
                        if r & 7 or not MIN_ADDRESS <= r < MAX_ADDRESS:
                            bad.add(r)
                            self.unreadable += 1
                            continue
                        block = blocks.get(r >> BLOCK_SHIFT)
                        offset = (r & BLOCK_MASK) + type_at
                        try:
                            if block is not None and offset <= BLOCK - 8:
                                tp = _U64_FROM(block, offset)[0]
                            else:
                                tp = u64(r + type_at)
                        except CpythonGdbError:
                            bad.add(r)
                            self.unreadable += 1
                            continue
                        found_shape = known.get(tp)
                        if found_shape is None:
                            found_shape = shapes.get(tp)
                        if found_shape is None:
                            bad.add(r)
                            self.unreadable += 1
                            continue
                        if bits is None:
                            bits = marks[r >> BLOCK_SHIFT] = bytearray(_MARK_BYTES)
                        bits[index >> 3] |= 1 << (index & 7)
                        self.referenced += 1
                        counted += 1
                        group = by_type.get(tp)
                        if group is None:
                            group = by_type[tp] = array("Q")
                        group.append(r)
                        if found_shape.follow:
                            work.append((r, found_shape))
                            total += 1
                        if counted >= budget:
                            self.partial = _LIMIT.format(budget)
                            return

    # -- what the threads' frames hold ---------------------------------------------

    def walk_frames(self) -> None:
        """The local variables of every thread's Python frames: references too (from 3.11 a frame is
        not an object, and nothing else leads to them), and roots for py-refs --chain."""
        from ..frames.walk import frame_locals
        from ..limits import DEFAULT_LIMITS
        from ..runtime.tstate import all_thread_states, read_thread

        t = self.t
        try:
            tstates = all_thread_states(t, self.runtime)
        except CpythonGdbError:
            return
        for tstate in tstates:
            try:
                thread = read_thread(t, tstate, DEFAULT_LIMITS)
            except CpythonGdbError:
                continue
            ident = thread.native_thread_id or thread.thread_id
            for frame in thread.frames[:_MAX_FRAMES]:
                try:
                    held = frame_locals(t, frame)
                except CpythonGdbError:
                    continue
                where = f"{frame.code.qualname or frame.code.name}() in thread {ident}"
                for local in held:
                    if local.address:
                        self.frame_refs.setdefault(local.address, []).append(f"local {local.name!r} of {where}")

    def run(self) -> None:
        try:
            self.walk_lists()
            if not self.partial:
                self.walk_frames()
                self.follow()
        except KeyboardInterrupt:
            # Ctrl-C (gdb raises it in the command's Python): what was counted is kept, marked partial.
            self.partial = "interrupted"

    # -- phase 3: sizes --------------------------------------------------------

    def census(self, started: float) -> Census:
        counts = []
        total_bytes = 0
        for tp, objs in self.by_type.items():
            shape = self.shapes.get(tp)
            if shape is None:
                continue
            size = self.sizer.group_bytes(shape, objs)
            total_bytes += size
            counts.append(TypeCount(shape.name, len(objs), size, tp))
        counts.sort(key=lambda c: (-c.bytes, -c.count, c.name))
        return Census(types=tuple(counts), objects=sum(c.count for c in counts), bytes=total_bytes,
                      tracked=self.tracked, referenced=self.referenced, unreadable=self.unreadable,
                      partial=self.partial, notes=tuple(self.notes), seconds=time.monotonic() - started)


def take_census(t: Target, mem: BlockReader, runtime: Runtime, max_objects: int = DEFAULT_MAX_OBJECTS,
                progress: Optional[Callable[[int, str], None]] = None,
                interrupted: Optional[Callable[[], bool]] = None) -> Tuple[Census, HeapWalk]:
    """Walk the heap of the stopped target whose interpreters ``runtime`` anchors."""
    started = time.monotonic()
    check_census(t)
    walk = HeapWalk(t, mem, runtime, max_objects, progress, interrupted)
    walk.run()
    return walk.census(started), walk
