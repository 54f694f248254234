"""Who holds an object: its referrers among what the census walks, and a chain up to a root.

The referrers of ADDR are the objects whose references (referents.py)
include it, each said with the way it holds it (``list item 3``, ``dict
value for key 'cache'``, ``attribute 'parent'``). ``--chain`` follows
referrers upward, breadth first, to the nearest module, class or local
variable of a thread's Python frame: what keeps the object alive.
References the census does not read (a C extension's own fields, the
interpreter's) end a chain without a root.
"""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..limits import Limits
from .referents import follows

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Set

    from .census import HeapWalk
    from .shapes import Shape

MAX_REFERRERS = 50
MAX_CHAIN = 64
_SHORT = Limits(max_output=120, max_items=5, max_depth=2, max_string=60)
_ROOT_KINDS = ("module", "type")


def _reverse(walk: HeapWalk, target: int) -> Dict[int, List[int]]:
    """referent -> its holders, for the target and every object that holds references."""
    shapes = walk.shapes
    holders: Dict[int, Shape] = {}
    for tp, objs in walk.by_type.items():
        shape = shapes.get(tp)
        if shape is not None and follows(shape):
            for obj in objs:
                holders[obj] = shape
    wanted = set(holders)
    wanted.add(target)
    references = walk.refs.references
    rev: Dict[int, List[int]] = {}
    for obj, shape in holders.items():
        try:
            found = references(obj, shape)
        except CpythonGdbError:
            continue
        for r in set(found):
            if r in wanted:
                rev.setdefault(r, []).append(obj)
    walk.holder_shapes = holders
    return rev


def _how(walk: HeapWalk, holder: int, shape: Shape, held: int) -> str:
    try:
        labels = [how for addr, how in walk.refs.labelled(holder, shape) if addr == held]
    except CpythonGdbError:
        labels = []
    return ", ".join(labels[:3]) if labels else "a reference"


def _describe(walk: HeapWalk, holder: int, held: int, with_repr: bool = True) -> Dict[str, Any]:
    from ..objects.dispatch import object_repr

    shape = walk.holder_shapes[holder]
    entry: Dict[str, Any] = {"address": f"0x{holder:x}", "type": shape.name, "how": _how(walk, holder, shape, held)}
    if with_repr:
        try:
            entry["repr"] = object_repr(walk.t, holder, _SHORT)
        except CpythonGdbError:
            entry["repr"] = ""
    return entry


_KEY_PREFIX = "dict value for key '"


def _as_attribute(walk: HeapWalk, rev: Dict[int, List[int]], holder: int, described: Dict[str, Any]) -> Dict[str, Any]:
    """A dict that is an instance's __dict__ said as that instance's attribute ("attribute 'parent'")."""
    how = described["how"]
    if walk.holder_shapes[holder].kind != "dict" or not how.startswith(_KEY_PREFIX) or "," in how:
        return described
    for owner in rev.get(holder, ()):
        shape = walk.holder_shapes[owner]
        if shape.heap and _how(walk, owner, shape, holder) == "__dict__":
            entry = _describe(walk, owner, holder)
            entry["how"] = f"attribute {how[len(_KEY_PREFIX) - 1:]} (in its __dict__ 0x{holder:x})"
            return entry
    return described


def referrers_entry(walk: HeapWalk, target: int, chain: bool, limits: Limits) -> Dict[str, Any]:
    rev = _reverse(walk, target)
    holders = sorted(rev.get(target, ()))
    frames = walk.frame_refs.get(target, [])
    shown = [{"address": None, "type": "frame", "how": how} for how in frames[:MAX_REFERRERS]]
    shown += [_as_attribute(walk, rev, holder, _describe(walk, holder, target))
              for holder in holders[:MAX_REFERRERS - len(shown)]]
    entry: Dict[str, Any] = {
        "object": f"0x{target:x}",
        "found": walk.found(target),
        "referrers": shown,
        "more": max(0, len(holders) + len(frames) - len(shown)),
    }
    if not entry["found"]:
        entry["object"] += " (not an object the census found)"
    if chain:
        path, root = _chain(walk, rev, target)
        entry["chain"] = path
        entry["root"] = root
    return entry


def _chain(walk: HeapWalk, rev: Dict[int, List[int]], target: int) -> Any:
    """The shortest referrer path from ``target`` to a module, a class or a frame's local variable, and
    what the path ends at."""
    shapes = walk.holder_shapes
    frames = walk.frame_refs
    parent: Dict[int, int] = {}
    seen: Set[int] = {target}
    frontier = [target]
    end: Optional[int] = None
    in_frame: Optional[str] = None
    for _ in range(MAX_CHAIN):
        nxt = []
        for obj in frontier:
            if obj in frames:
                end, in_frame = obj, frames[obj][0]
                break
            for holder in sorted(rev.get(obj, ())):
                if holder in seen:
                    continue
                seen.add(holder)
                parent[holder] = obj
                if shapes[holder].kind in _ROOT_KINDS:
                    end = holder
                    break
                nxt.append(holder)
            if end is not None:
                break
        if end is not None or not nxt:
            break
        frontier = nxt
    if in_frame is not None and end is not None:
        root = f"held by {in_frame}"
    elif end is None:
        # No module or class above: the longest path found, to where the referrers stop.
        last = frontier[0] if frontier and frontier[0] != target else None
        if last is None:
            return [], "held by nothing the census reads (a C extension, the interpreter)"
        end = last
        root = "above it: nothing the census reads (a C extension, the interpreter)"
    else:
        shape = shapes[end]
        root = f"a {'module' if shape.kind == 'module' else 'class'}"
    path = []
    node = end
    while node != target and node in parent:
        path.append(_describe(walk, node, parent[node]))
        node = parent[node]
    path.reverse()
    return path, root
