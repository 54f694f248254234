"""Which C functions mean what: the eval loop, a built-in call, a wait, a collection.

Names are matched without GCC's clone suffix (``take_gil.constprop.0``):
without debug info a frame is named after its ELF symbol, which for a
clone or the cold part of a function carries one.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Iterable, Optional, Set

    from .frame import CFrame

EVAL = "eval"  # a C call of the eval loop: it runs a group of Python frames
BUILTIN = "builtin"  # a call of a C function or method from Python
GIL = "gil"  # waiting to take the GIL
GC = "gc"  # the cyclic collector
OTHER = "other"

EVAL_FUNCTIONS = frozenset({"_PyEval_EvalFrameDefault"})
# The C functions that call a built-in function or method (a
# PyCFunctionObject, their ``func`` argument) for Python code: 3.8+'s
# vectorcall family (cfunction_*) and PyCFunction_Call; 3.6 and 3.7 call
# through their fast-call helpers (bpo-27128). 3.6's
# _PyCFunction_FastCallKeywords calls its _PyCFunction_FastCallDict, and its
# PyCFunction_Call may too: two such frames in a row are one call (see
# report.document.stack_entries).
BUILTIN_FUNCTIONS = frozenset({"PyCFunction_Call", "_PyCFunction_FastCallKeywords", "_PyCFunction_FastCallDict"})
# 3.8's collect_with_callback calls collect; 3.12-3.13 name their steps.
GC_FUNCTIONS = frozenset(
    {"collect", "collect_with_callback", "gc_collect_main", "gc_collect_young",
     "gc_collect_increment", "gc_collect_full"}
)
GIL_WAIT = "take_gil"
GIL_DROP = "drop_gil"
# A thread blocked on a Python-level lock: threading.Lock and RLock and the
# import lock (PyThread_acquire_lock_timed), and 3.13's PyMutex slow path.
LOCK_FUNCTIONS = frozenset({"PyThread_acquire_lock_timed", "_PyMutex_LockTimed", "_PyMutex_LockSlow"})

# The kind of each name met: a deep stack repeats a few names thousands of times.
_KINDS: Dict[str, str] = {}


def base_name(name: str) -> str:
    """A C function's name without a clone suffix."""
    return name.split(".", 1)[0]


def _kind_of(name: str) -> str:
    name = base_name(name)
    if name in EVAL_FUNCTIONS:
        return EVAL
    if name.startswith("cfunction_") or name in BUILTIN_FUNCTIONS:
        return BUILTIN
    if name == GIL_WAIT:
        return GIL
    if name in GC_FUNCTIONS:
        return GC
    return OTHER


def classify(name: Optional[str], inline: bool) -> str:
    """The kind of a C frame running function ``name``."""
    if not name:
        return OTHER
    kind = _KINDS.get(name)
    if kind is None:
        kind = _KINDS[name] = _kind_of(name)
    if kind == EVAL and inline:
        return OTHER  # an inlined copy is not a call of the eval loop
    return kind


class Conditions:
    """What a thread's C frames say it is doing."""

    __slots__ = ("gil_wait", "gil_drop", "lock_wait", "gc")

    def __init__(self, cframes: Iterable[CFrame]) -> None:
        names: Set[str] = set()
        kinds: Set[str] = set()
        for cframe in cframes:
            kinds.add(cframe.kind)
            if cframe.name:
                names.add(base_name(cframe.name))
        self.gil_wait = GIL in kinds
        self.gil_drop = GIL_DROP in names
        self.lock_wait = bool(names & LOCK_FUNCTIONS)
        self.gc = GC in kinds
