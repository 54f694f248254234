"""Struct offsets and sizes from the target's DWARF, through gdb's types."""

from typing import Dict, Optional, Tuple

import gdb


class DwarfTypeInfo:
    """The core's TypeInfo protocol, answered by gdb.lookup_type."""

    def __init__(self) -> None:
        self._types: Dict[str, Optional["gdb.Type"]] = {}

    def _type(self, name: str) -> Optional["gdb.Type"]:
        if name not in self._types:
            try:
                found: Optional[gdb.Type] = gdb.lookup_type(name).strip_typedefs()
            except gdb.error:
                found = None
            if found is not None and found.code not in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
                found = None
            self._types[name] = found
        return self._types[name]

    @staticmethod
    def _member(struct: "gdb.Type", name: str) -> Optional[Tuple[int, "gdb.Type"]]:
        """Bit offset and type of a member, looking into anonymous members."""
        for field in struct.fields():
            if field.name == name:
                return field.bitpos, field.type.strip_typedefs()
            if not field.name and field.type.strip_typedefs().code in (
                gdb.TYPE_CODE_STRUCT,
                gdb.TYPE_CODE_UNION,
            ):
                inner = DwarfTypeInfo._member(field.type.strip_typedefs(), name)
                if inner is not None:
                    return field.bitpos + inner[0], inner[1]
        return None

    def field_offset(self, ctype: str, path: str) -> Optional[int]:
        current = self._type(ctype)
        if current is None:
            return None
        bits = 0
        for part in path.split("."):
            if current.code not in (gdb.TYPE_CODE_STRUCT, gdb.TYPE_CODE_UNION):
                return None
            found = self._member(current, part)
            if found is None:
                return None
            bits += found[0]
            current = found[1]
        return bits // 8

    def type_size(self, ctype: str) -> Optional[int]:
        found = self._type(ctype)
        return None if found is None else int(found.sizeof)

    def has_types(self) -> bool:
        return self._type("PyObject") is not None
