"""One stopped target: a reader, its layout and what is cached for this stop.

Everything cached here may change once the target runs again, so the
adapter makes a new Target at every stop.
"""

from typing import Dict

from .errors import MemoryReadError
from .layout import Layout
from .memory import Reader, read_c_text, read_ptr
from .model import CodeInfo, TypeInfo


class Target:
    def __init__(self, reader: Reader, layout: Layout) -> None:
        self.reader = reader
        self.layout = layout
        self.scheme = layout.scheme
        self.types: Dict[int, TypeInfo] = {}
        self.codes: Dict[int, CodeInfo] = {}
        self.cache: Dict[str, object] = {}

    def ptr(self, address: int) -> int:
        return read_ptr(self.reader, address)

    def field_ptr(self, base: int, key: str) -> int:
        return read_ptr(self.reader, base + self.layout.off(key))

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
