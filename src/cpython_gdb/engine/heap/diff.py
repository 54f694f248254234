"""Two censuses compared: the types that grew, the leak finder.

A type grew when it has more objects after than before; the table lists
those, by bytes gained (then objects gained). Types that only grew in
bytes (a list that got longer) and those that shrank are summed apart.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Tuple

    Document = Dict[str, Any]


def _by_type(doc: Document) -> Dict[str, Tuple[int, int]]:
    out: Dict[str, Tuple[int, int]] = {}
    for entry in doc["types"]:
        count, size = out.get(entry["type"], (0, 0))
        out[entry["type"]] = (count + int(entry["count"]), size + int(entry["bytes"]))
    return out


def diff_document(before: Document, after: Document) -> Document:
    old = _by_type(before)
    new = _by_type(after)
    grew: List[Dict[str, Any]] = []
    bigger: List[Dict[str, Any]] = []
    shrank = [0, 0, 0]  # types, objects, bytes
    for name in sorted(set(old) | set(new)):
        count0, bytes0 = old.get(name, (0, 0))
        count1, bytes1 = new.get(name, (0, 0))
        entry = {"type": name, "count": count1 - count0, "bytes": bytes1 - bytes0,
                 "before": {"count": count0, "bytes": bytes0}, "after": {"count": count1, "bytes": bytes1}}
        if count1 > count0:
            grew.append(entry)
        elif count1 == count0 and bytes1 > bytes0:
            bigger.append(entry)
        elif count1 < count0 or bytes1 < bytes0:
            shrank[0] += 1
            shrank[1] += count1 - count0
            shrank[2] += bytes1 - bytes0
    grew.sort(key=lambda e: (-e["bytes"], -e["count"], e["type"]))
    bigger.sort(key=lambda e: (-e["bytes"], e["type"]))
    totals = {key: after["summary"][key] - before["summary"][key] for key in ("objects", "bytes")}
    return {"tool": dict(after["tool"], command="heap --diff"), "before": before["target"],
            "after": after["target"], "grew": grew, "bigger": bigger,
            "shrank": {"types": shrank[0], "objects": shrank[1], "bytes": shrank[2]}, "total": totals,
            "partial": [doc["summary"]["partial"] for doc in (before, after) if doc["summary"]["partial"]]}
