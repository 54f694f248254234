"""The text of the heap commands (cpython-gdb heap, py-heap, py-refs) from their documents."""

from __future__ import annotations

from .text import printable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

    Document = Dict[str, Any]

DEFAULT_TOP = 30
SORTS = ("bytes", "count")


def human(size: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if abs(size) < 1024 or unit == "GiB":
            return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GiB"  # not reached


def _what(target: Dict[str, Any]) -> str:
    python = f"CPython {target['python']}" if target.get("python") else "CPython"
    if target.get("kind") == "core":
        return f"core {target.get('core')} ({python})"
    if target.get("pid") is not None:
        return f"process {target['pid']} ({python})"
    return python


def census_lines(doc: Document, top: int = DEFAULT_TOP, sort: str = "bytes") -> List[str]:
    summary = doc["summary"]
    target = doc["target"]
    types = list(doc["types"])
    if sort == "count":
        types.sort(key=lambda e: (-e["count"], -e["bytes"], e["type"]))
    shown = types[:max(top, 0)]
    lines = [f"Heap of {printable(_what(target))}: {summary['objects']:,} objects, "
             f"{human(summary['bytes'])} (as sys.getsizeof counts)"]
    if summary.get("partial"):
        lines.append(f"PARTIAL: {summary['partial']}")
    width = max([len(f"{summary['objects']:,}"), 5])
    bwidth = max([len(f"{summary['bytes']:,}"), 5])
    lines.append(f"{'count':>{width}}  {'bytes':>{bwidth}}  type")
    for entry in shown:
        lines.append(f"{entry['count']:>{width},}  {entry['bytes']:>{bwidth},}  {printable(entry['type'])}")
    rest = types[len(shown):]
    if rest:
        lines.append(f"{sum(e['count'] for e in rest):>{width},}  {sum(e['bytes'] for e in rest):>{bwidth},}  "
                     f"({len(rest):,} more types)")
    lines.append(f"{summary['objects']:>{width},}  {summary['bytes']:>{bwidth},}  total: "
                 f"{summary['tracked']:,} on the collector's lists, {summary['referenced']:,} found by reference")
    if summary.get("unreadable"):
        lines.append(f"unreadable: {summary['unreadable']:,} (pointers that lead to no readable object: skipped)")
    resident = target.get("resident_bytes")
    mapped = target.get("mapped_heap_bytes")
    if resident:
        lines.append(f"resident size of the process: {human(resident)}; the census counts "
                     f"{100 * summary['bytes'] / resident:.0f}% of it")
    elif mapped:
        lines.append(f"anonymous memory in the core: {human(mapped)}; the census counts "
                     f"{100 * summary['bytes'] / mapped:.0f}% of it")
    for note in summary.get("notes") or ():
        lines.append(f"note: {printable(note)}")
    return lines


def _side(target: Dict[str, Any]) -> str:
    return printable(_what(target)) if isinstance(target, dict) else "?"


def diff_lines(diff: Document, top: int = DEFAULT_TOP) -> List[str]:
    grew = diff["grew"]
    lines = [f"Heap growth from {_side(diff['before'])} to {_side(diff['after'])}:"]
    for why in diff.get("partial") or ():
        lines.append(f"PARTIAL: {why}")
    if not grew:
        lines.append("no type has more objects")
    else:
        lines.append(f"{'+count':>12}  {'+bytes':>14}  type")
        for entry in grew[:max(top, 0)]:
            lines.append(f"{entry['count']:>+12,}  {entry['bytes']:>+14,}  {printable(entry['type'])}")
        rest = grew[max(top, 0):]
        if rest:
            lines.append(f"{sum(e['count'] for e in rest):>+12,}  {sum(e['bytes'] for e in rest):>+14,}  "
                         f"({len(rest):,} more types that grew)")
    bigger = diff.get("bigger") or []
    if bigger:
        shown = ", ".join(f"{printable(e['type'])} {e['bytes']:+,}" for e in bigger[:5])
        more = f" and {len(bigger) - 5} more" if len(bigger) > 5 else ""
        lines.append(f"more bytes, as many objects: {shown}{more}")
    shrank = diff.get("shrank") or {}
    if shrank.get("types"):
        lines.append(f"shrank: {shrank['types']:,} types, {shrank['objects']:+,} objects, {shrank['bytes']:+,} bytes")
    total = diff["total"]
    lines.append(f"total: {total['objects']:+,} objects, {total['bytes']:+,} bytes")
    return lines


def instances_lines(entry: Dict[str, Any]) -> List[str]:
    shown = entry["instances"]
    lines = [f"{entry['count']:,} instances of {printable(entry['type'])}"
             + (f", the first {len(shown):,} by address:" if len(shown) < entry["count"] else ":")]
    for item in shown:
        lines.append(f"  {item['address']}  {printable(item['repr'])}")
    return lines


def referrers_lines(entry: Dict[str, Any]) -> List[str]:
    lines = [f"Referrers of {printable(entry['object'])}:"]
    found = entry["referrers"]
    if not found:
        lines.append("  none among the objects the census walks")
    for item in found:
        where = f"{item['address']}  " if item.get("address") else ""
        lines.append(f"  {where}{printable(item['type'])}  ({printable(item['how'])})"
                     + (f"  {printable(item['repr'])}" if item.get("repr") else ""))
    if entry.get("more"):
        lines.append(f"  ... {entry['more']:,} more")
    chain: Optional[List[Dict[str, Any]]] = entry.get("chain")
    if chain is not None:
        if not chain:
            root = entry.get("root") or "no chain found to a module, class or frame"
            lines.append(f"Kept alive by: {printable(root)}")
        else:
            lines.append("Kept alive by:")
        for depth, item in enumerate(chain):
            lines.append(f"  {'  ' * depth}<- {item['address']}  {printable(item['type'])}  ({printable(item['how'])})"
                         + (f"  {printable(item['repr'])}" if item.get("repr") else ""))
        if chain and entry.get("root"):
            lines.append(f"  {'  ' * len(chain)}{printable(entry['root'])}")
    return lines
