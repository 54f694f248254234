"""The cyclic collector's lists: where every tracked object is.

Each object of a GC type that the collector tracks sits on one circular
doubly linked list, through the PyGC_Head just before it (3.8+: two words,
``_gc_next`` and ``_gc_prev``, whose low two bits are flags). Every
version from 3.8 to 3.15 keeps four lists per collector state: the three
generations and the permanent generation of ``gc.freeze()``; the state is
``_PyRuntime.gc`` in 3.8 and ``interp->gc`` of each interpreter from 3.9
(bpo-40533). 3.14's incremental collector (young/old spaces) was reverted
to this shape before 3.14.10 (gh-148726); its lists had the same offsets.
A list's head is a PyGC_Head inside the state (``gc_generation.head``).

Free-threaded builds have no such lists: their objects are found in
mimalloc's heaps (mimalloc.py).
"""

from __future__ import annotations

from ...errors import CpythonGdbError, UnsupportedVersion
from ..record import frozen
from ..runtime.tstate import interpreter_id, interpreters

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List

    from ..runtime.anchor import Runtime
    from ..target import Target

GENERATIONS = 3
# _gc_next's low bits are flags during a collection (NEXT_MASK_UNREACHABLE,
# 3.14's old-space bit): masked off, as the collector itself does.
NEXT_MASK = ~3


@frozen
class GcList:
    interpreter: int  # its id
    name: str  # "generation 0", ..., "permanent"
    head: int  # address of the list's PyGC_Head


def check_census(t: Target) -> None:
    """Refuse, in one line, a build whose collector lists are not found."""
    lay = t.layout
    if not t.scheme.free_threaded and not (lay.has("_PyRuntimeState.gc_generations")
                                           or lay.has("PyInterpreterState.gc_generations")):
        # 2.7 and 3.6 keep them in gcmodule.c's statics, not looked up yet.
        raise UnsupportedVersion("a heap census of CPython 2.7 or 3.6 is not supported yet")


def gc_lists(t: Target, runtime: Runtime) -> List[GcList]:
    """Every collector list of every interpreter (3.7, 3.8: the runtime's, once)."""
    lay = t.layout
    if t.scheme.free_threaded:
        raise UnsupportedVersion("a heap census of a free-threaded build is not supported "
                                 "(its objects are not on the collector's lists)")
    gen_size = lay.size("gc_generation")
    out: List[GcList] = []
    if lay.has("_PyRuntimeState.gc_generations"):
        states = [(0, runtime.address, "_PyRuntimeState")]
    else:
        states = []
        for interp in interpreters(t, runtime):
            states.append((interpreter_id(t, interp), interp, "PyInterpreterState"))
    for interp_id, base, struct_name in states:
        generations = base + lay.off(f"{struct_name}.gc_generations")
        for i in range(GENERATIONS):
            out.append(GcList(interp_id, f"generation {i}", generations + i * gen_size))
        out.append(GcList(interp_id, "permanent", base + lay.off(f"{struct_name}.gc_permanent_generation")))
    return out


def estimated_objects(t: Target, runtime: Runtime) -> int:
    """About how many objects the lists hold (0: not known), for a progress percentage.

    Generation 0's count is its tracked objects; ``long_lived_total`` is what
    the last full collection left in the oldest generation and
    ``long_lived_pending`` what was promoted there since. Generation 1 and
    the permanent generation are not counted anywhere.
    """
    from ..memory import read_i32, read_i64

    lay = t.layout
    if t.scheme.free_threaded or not lay.has("gc_generation.count"):
        return 0
    if lay.has("_PyRuntimeState.gc_generations"):
        states = [(runtime.address, "_PyRuntimeState")]
    else:
        states = [(interp, "PyInterpreterState") for interp in interpreters(t, runtime)]
    total = 0
    try:
        for base, struct_name in states:
            total += max(0, read_i32(t.reader, base + lay.off(f"{struct_name}.gc_generations")
                                     + lay.off("gc_generation.count")))
            for key in ("gc_long_lived_total", "gc_long_lived_pending"):
                if lay.has(f"{struct_name}.{key}"):
                    total += max(0, read_i64(t.reader, base + lay.off(f"{struct_name}.{key}")))
    except CpythonGdbError:
        return 0
    return total


def gc_head_size(t: Target) -> int:
    try:
        return t.layout.size("PyGC_Head")
    except CpythonGdbError:
        return 16
