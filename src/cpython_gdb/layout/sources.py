"""Building a Layout from a source of type information.

In this release the source is the target's DWARF, read by the debugger
adapter through the small :class:`TypeInfo` protocol, so the core never
imports a debugger.
"""

from typing import Dict, Optional, Protocol, Tuple

from .dwarf_names import FIELDS, SIZES
from .model import Layout
from .schemes import scheme_for


class TypeInfo(Protocol):
    def field_offset(self, ctype: str, path: str) -> Optional[int]:
        """Byte offset of ``path`` (dotted, nested) in ``ctype``, or None."""
        ...

    def type_size(self, ctype: str) -> Optional[int]:
        """sizeof(ctype), or None when the type is unknown."""
        ...


def build_layout(
    version: Tuple[int, int, int], types: TypeInfo, source: str = "DWARF"
) -> Layout:
    scheme = scheme_for(version[0], version[1])
    offsets: Dict[str, int] = {}
    for key, candidates in FIELDS.items():
        for ctype, path in candidates:
            off = types.field_offset(ctype, path)
            if off is not None:
                offsets[key] = off
                break
    sizes: Dict[str, int] = {}
    for key, ctypes in SIZES.items():
        for ctype in ctypes:
            size = types.type_size(ctype)
            if size is not None:
                sizes[key] = size
                break
    return Layout(version=version, source=source, scheme=scheme, offsets=offsets, sizes=sizes)
