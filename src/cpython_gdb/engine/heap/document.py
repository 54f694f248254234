"""The heap census as a JSON-able document, the one both backends print (text or JSON).

    {"tool": {"name", "version", "command": "heap"},
     "target": {"kind": "process" | "core" | "gdb", "pid", "core", "executable", "python",
                "resident_bytes" (a live process's VmRSS) | "mapped_heap_bytes" (a core's unnamed segments)},
     "summary": {"objects", "bytes", "tracked", "referenced", "unreadable", "partial", "notes", "seconds"},
     "types": [{"type", "count", "bytes"}, ...]}        every type, largest first by bytes

``bytes`` are as sys.getsizeof counts them (engine/heap/sizes.py);
``tracked`` objects were found on the collector's lists, ``referenced``
ones by following references from those; ``partial`` says why a walk
stopped early (null when it did not).
"""

from __future__ import annotations

from ... import __version__
from ...errors import CpythonGdbError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List

    from ..limits import Limits
    from .census import Census, HeapWalk

    Document = Dict[str, Any]

FORMAT = "cpython-gdb heap"


def census_document(census: Census, target: Dict[str, Any]) -> Document:
    return {
        "tool": {"name": "cpython-gdb", "version": __version__, "command": "heap", "format": FORMAT},
        "target": target,
        "summary": {
            "objects": census.objects,
            "bytes": census.bytes,
            "tracked": census.tracked,
            "referenced": census.referenced,
            "unreadable": census.unreadable,
            "partial": census.partial,
            "notes": list(census.notes),
            "seconds": round(census.seconds, 3),
        },
        "types": [{"type": tc.name, "count": tc.count, "bytes": tc.bytes} for tc in census.types],
    }


def is_census(doc: Any) -> bool:
    return (isinstance(doc, dict) and isinstance(doc.get("tool"), dict) and doc["tool"].get("format") == FORMAT
            and isinstance(doc.get("types"), list))


def type_addresses(walk: HeapWalk, name: str) -> List[int]:
    """The type objects the census met whose Python name is ``name`` (or whose tp_name is)."""
    out = []
    for tp in walk.by_type:
        shape = walk.shapes.get(tp)
        if shape is not None and (shape.name == name or walk.t.type_info(tp).name == name):
            out.append(tp)
    return out


def instances_entry(walk: HeapWalk, name: str, limit: int, limits: Limits) -> Dict[str, Any]:
    """Up to ``limit`` instances of the type ``name``: address and repr, in address order."""
    from ..objects.dispatch import object_repr

    objects: List[int] = []
    for tp in type_addresses(walk, name):
        objects.extend(walk.by_type[tp])
    objects.sort()
    shown = []
    for obj in objects[:max(limit, 0)]:
        try:
            text = object_repr(walk.t, obj, limits)
        except CpythonGdbError as exc:
            text = f"<unreadable: {exc}>"
        shown.append({"address": f"0x{obj:x}", "repr": text})
    return {"type": name, "count": len(objects), "instances": shown}


def find_type_names(walk: HeapWalk, name: str) -> List[str]:
    """Names the census knows that end with ``name`` (for a message when none is exactly ``name``)."""
    names = set()
    for tp in walk.by_type:
        shape = walk.shapes.get(tp)
        if shape is not None and (shape.name.endswith("." + name) or shape.name.lower() == name.lower()):
            names.add(shape.name)
    return sorted(names)[:10]
