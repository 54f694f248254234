"""Building a Layout from a source of type information.

Two sources exist: the target's DWARF, read by the debugger adapter
through the small :class:`TypeInfo` protocol (so the core never imports a
debugger), and the tables that tools/gen_layouts.py generates from the
DWARF of real interpreters, for targets without debug info.
"""

import json
import os
from typing import Dict, Optional, Protocol, Tuple

from ..errors import UnsupportedVersion
from .dwarf_names import FIELDS, SIZES
from .model import Layout
from .schemes import scheme_for

_TABLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tables")


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


def table_layout(version: Tuple[int, int, int]) -> Layout:
    """The generated table of a minor version, for a target without DWARF."""
    scheme = scheme_for(version[0], version[1])
    path = os.path.join(_TABLES, f"cpython-{version[0]}.{version[1]}.json")
    try:
        with open(path, encoding="utf-8") as f:
            table = json.load(f)
    except (OSError, ValueError) as exc:
        raise UnsupportedVersion(f"no layout table for CPython {version[0]}.{version[1]}: {exc}") from None
    return Layout(
        version=version,
        source="generated table",
        scheme=scheme,
        offsets={str(k): int(v) for k, v in table["offsets"].items()},
        sizes={str(k): int(v) for k, v in table["sizes"].items()},
    )
