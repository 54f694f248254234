"""One stopped target: a reader, its layout and what is cached for this stop.

Everything cached here may change once the target runs again, so the
adapter makes a new Target at every stop.
"""

from __future__ import annotations

import struct
from operator import itemgetter

from ..errors import MemoryReadError
from .layout import Layout
from .memory import read_c_text, read_ptr
from .model import CodeInfo, TypeInfo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Tuple

    from .frames.walk import RecordCut
    from .memory import Reader
    from .objects.writer import Choice


class FieldCut:
    """Two or more fields of one struct, read at once: one read and one unpack.

    ``read(reader, address)`` returns their values in the order they were
    given, each unsigned: "Q" for 8 bytes, "B" for 1.
    """

    __slots__ = ("_start", "_size", "_unpack", "_pick")

    def __init__(self, layout: Layout, fields: Tuple[Tuple[str, str], ...]) -> None:
        widths = {"Q": 8, "B": 1}
        placed = sorted((layout.off(key), code, index) for index, (key, code) in enumerate(fields))
        self._start = at = placed[0][0]
        fmt = "<"
        for off, code, _ in placed:  # offset order, pad bytes between
            fmt += ("%dx" % (off - at) if off > at else "") + code
            at = off + widths[code]
        packed = struct.Struct(fmt)
        self._size = packed.size
        self._unpack = packed.unpack
        # From offset order back to the order asked.
        where = [0] * len(fields)
        for position, (_, _, index) in enumerate(placed):
            where[index] = position
        self._pick: Callable[[Tuple[Any, ...]], Tuple[int, ...]] = itemgetter(*where)

    def read(self, reader: Reader, address: int) -> Tuple[int, ...]:
        return self._pick(self._unpack(reader.read(address + self._start, self._size)))


class Target:
    def __init__(self, reader: Reader, layout: Layout) -> None:
        self.reader = reader
        self.layout = layout
        self.scheme = layout.scheme
        # Where the target's "/" is in our file system, for its source files
        # ("": ours); the backend says (report/source.py).
        self.source_root = ""
        self.types: Dict[int, TypeInfo] = {}
        self.codes: Dict[int, CodeInfo] = {}
        self.lines: Dict[Tuple[int, int], Optional[int]] = {}  # (code, offset) -> line
        # What the decoders work out once per stop, each made by its user
        # on first need (None until then); plain attributes, as these are
        # read for every object or frame.
        self.frame_record: Optional[RecordCut] = None  # frames.walk
        self.list_header: Optional[FieldCut] = None  # objects.containers
        self.dict_header: Optional[FieldCut] = None  # objects.containers
        # objects.dicts: the keys' header cut, the indices' offset and the
        # two entry sizes (None where the layout lacks one).
        self.dict_keys_log2: Optional[Tuple[FieldCut, int, Optional[int], Optional[int]]] = None
        self.str_hash_confirmed: Optional[bool] = None  # objects.dicts
        # objects.strings: length and state offsets, the two header sizes.
        self.str_fields: Optional[Tuple[int, int, Optional[int], Optional[int]]] = None
        # objects.numbers: whether the size is an lv_tag, its offset, the digits' offset.
        self.int_fields: Optional[Tuple[bool, int, Optional[int]]] = None
        # How objects.dispatch writes the objects of each type, by type address.
        self.writers: Dict[int, Choice] = {}
        # runtime.tstate: every interpreter with its thread states, by
        # _PyRuntime address; runtime.os_thread: (interpreter id, thread
        # state, native thread id or -1, pthread_t) of each thread state.
        self.runtime_lists: Dict[int, Tuple[Tuple[int, Tuple[int, ...]], ...]] = {}
        self.tstate_index: Dict[int, List[Tuple[int, int, int, int]]] = {}
        # What reading found broken at this stop, beyond any one object (a
        # list of thread states that loops): each said once, by the report
        # ("notes") or, in gdb, by the first command that met it.
        self.notes: List[str] = []
        # runtime.os_thread: each OS thread's thread states, by _PyRuntime address.
        self.tstate_assignment: Dict[int, List[List[int]]] = {}
        # Texts of objects already rendered at this stop, per set of limits:
        # object address -> (text, depth below it of the deepest object
        # that prints others, -1 if none). See objects.dispatch.write_object.
        self.reprs: Dict[object, Dict[int, Tuple[str, int]]] = {}
        # The pointer at an address: the commonest read, made direct when
        # the reader has a fast path for it (memory.CachedReader.u64).
        u64 = getattr(reader, "u64", None)
        self.ptr: Callable[[int], int] = u64 if callable(u64) else (lambda address: read_ptr(reader, address))

    def field_ptr(self, base: int, key: str) -> int:
        return self.ptr(base + self.layout.off(key))

    def type_address(self, obj: int) -> int:
        return self.field_ptr(obj, "PyObject.ob_type")

    def type_info(self, type_addr: int) -> TypeInfo:
        info = self.types.get(type_addr)
        if info is None:
            info = self._read_type(type_addr)
            self.types[type_addr] = info
        return info

    def type_of(self, obj: int) -> TypeInfo:
        return self.type_info(self.type_address(obj))

    def _read_type(self, addr: int) -> TypeInfo:
        lay = self.layout
        # One read covers the fixed part of PyTypeObject.
        raw = self.reader.read(addr, lay.size("PyTypeObject"))

        def word(key: str) -> int:
            off = lay.off(key)
            return int.from_bytes(raw[off : off + 8], "little", signed=True)

        name_ptr = word("PyTypeObject.tp_name") & 0xFFFF_FFFF_FFFF_FFFF
        try:
            name = read_c_text(self.reader, name_ptr, 200)
        except MemoryReadError:
            name = "?"
        return TypeInfo(
            address=addr,
            name=name,
            flags=word("PyTypeObject.tp_flags") & 0xFFFF_FFFF_FFFF_FFFF,
            basicsize=word("PyTypeObject.tp_basicsize"),
            itemsize=word("PyTypeObject.tp_itemsize"),
            dictoffset=word("PyTypeObject.tp_dictoffset"),
            base=word("PyTypeObject.tp_base") & 0xFFFF_FFFF_FFFF_FFFF,
            dict_address=word("PyTypeObject.tp_dict") & 0xFFFF_FFFF_FFFF_FFFF,
        )
