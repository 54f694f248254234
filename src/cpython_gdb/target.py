"""One stopped target: a reader, its layout and what is cached for this stop.

Everything cached here may change once the target runs again, so the
adapter makes a new Target at every stop.
"""

from __future__ import annotations

from functools import partial

from .errors import MemoryReadError
from .layout import Layout
from .memory import read_c_text, read_ptr
from .model import CodeInfo, TypeInfo

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, Optional, Tuple

    from .memory import Reader


class Target:
    def __init__(self, reader: Reader, layout: Layout) -> None:
        self.reader = reader
        self.layout = layout
        self.scheme = layout.scheme
        self.types: Dict[int, TypeInfo] = {}
        self.codes: Dict[int, CodeInfo] = {}
        self.lines: Dict[Tuple[int, int], Optional[int]] = {}  # (code, offset) -> line
        self.cache: Dict[str, object] = {}
        # Texts of objects already rendered at this stop, per set of limits:
        # object address -> (text, depth below it of the deepest object
        # that prints others, -1 if none). See objects.render.write_object.
        self.reprs: Dict[object, Dict[int, Tuple[str, int]]] = {}
        # The pointer at an address: the commonest read, made direct when
        # the reader has a fast path for it (memory.CachedReader.u64).
        u64 = getattr(reader, "u64", None)
        self.ptr: Callable[[int], int] = u64 if callable(u64) else partial(read_ptr, reader)

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
