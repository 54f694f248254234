"""Which C functions mean what: the eval loop, a built-in or C method call, a wait, a collection.

Names are matched without GCC's clone suffix (``take_gil.constprop.0``):
without debug info a frame is named after its ELF symbol, which for a
clone or the cold part of a function carries one.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Iterable, Optional, Sequence, Set

    from .frame import CFrame

EVAL = "eval"  # a C call of the eval loop: it runs a group of Python frames
BUILTIN = "builtin"  # a call of a C function or method from Python
GIL = "gil"  # waiting to take the GIL
GC = "gc"  # the cyclic collector
OTHER = "other"

# Each version's is its scheme's eval_loop: 2.7's PyEval_EvalFrameEx
# became, in 3.6, a wrapper of the frame evaluator (PEP 523).
EVAL_FUNCTIONS = frozenset({"_PyEval_EvalFrameDefault", "PyEval_EvalFrameEx"})
# The C functions that call a built-in function or method (a
# PyCFunctionObject, their ``func`` argument) for Python code: 3.8+'s
# vectorcall family (cfunction_*) and PyCFunction_Call; 3.6 and 3.7 call
# through their fast-call helpers (bpo-27128). 3.6's
# _PyCFunction_FastCallKeywords calls its _PyCFunction_FastCallDict, and its
# PyCFunction_Call may too: two such frames in a row are one call (see
# report.document.stack_entries).
BUILTIN_FUNCTIONS = frozenset({"PyCFunction_Call", "_PyCFunction_FastCallKeywords", "_PyCFunction_FastCallDict"})
# The C functions that call a C method on its object for Python code, and
# what their callable is: a method descriptor, with the object first in
# its arguments (3.8+'s method_vectorcall_* family; 3.7's
# _PyMethodDescr_FastCallKeywords; 3.6 binds the method first, a built-in
# call above), or a slot bound to its object, a method-wrapper
# (wrapper_call, as for list.__init__ through super()). Their frames are
# built-in calls too (BUILTIN); call_kind() tells which.
METHOD_DESCRIPTOR_PREFIX = "method_vectorcall_"  # not method_vectorcall: a bound Python method
METHOD_DESCRIPTOR_FUNCTIONS = frozenset({"_PyMethodDescr_FastCallKeywords"})
SLOT_WRAPPER_FUNCTIONS = frozenset({"wrapper_call"})
# The C functions a slot wrapper runs (typeobject.c's wrap_init,
# wrap_binaryfunc, ...): an optimized build reaches them by a tail call
# that leaves no wrapper_call frame; the method-wrapper is then the
# callable of the frame that called it.
SLOT_FUNCTION_PREFIX = "wrap_"
CFUNCTION = "cfunction"
METHOD_DESCRIPTOR = "method_descriptor"
SLOT_WRAPPER = "slot_wrapper"
# 3.8's collect_with_callback calls collect; 3.12-3.13 name their steps.
GC_FUNCTIONS = frozenset(
    {"collect", "collect_with_callback", "gc_collect_main", "gc_collect_young",
     "gc_collect_increment", "gc_collect_full"}
)
GIL_WAIT = "take_gil"
GIL_DROP = "drop_gil"
# A thread blocked on a Python-level lock: threading.Lock and RLock and the
# import lock (PyThread_acquire_lock_timed; 2.7's PyThread_acquire_lock),
# and 3.13's PyMutex slow path.
LOCK_FUNCTIONS = frozenset({"PyThread_acquire_lock_timed", "_PyMutex_LockTimed", "_PyMutex_LockSlow",
                            "PyThread_acquire_lock"})
# 2.7 has no take_gil: its GIL is a lock like the others, which a thread
# takes in PyThread_acquire_lock called by PyEval_RestoreThread (after a
# call that released it) or by the eval loop itself (its periodic switch).
GIL27_LOCK = "PyThread_acquire_lock"
GIL27_TAKERS = frozenset({"PyEval_RestoreThread", "PyEval_AcquireThread", "PyEval_AcquireLock",
                          "PyEval_EvalFrameEx"})

# The kind of each name met: a deep stack repeats a few names thousands of times.
_KINDS: Dict[str, str] = {}


def base_name(name: str) -> str:
    """A C function's name without a clone suffix."""
    return name.split(".", 1)[0]


def _kind_of(name: str) -> str:
    name = base_name(name)
    if name in EVAL_FUNCTIONS:
        return EVAL
    if name.startswith("cfunction_") or name in BUILTIN_FUNCTIONS or call_kind(name) != CFUNCTION:
        return BUILTIN
    if name == GIL_WAIT:
        return GIL
    if name in GC_FUNCTIONS:
        return GC
    return OTHER


def call_kind(name: str) -> str:
    """For a built-in call's frame: what its callable is (CFUNCTION, METHOD_DESCRIPTOR, SLOT_WRAPPER)."""
    name = base_name(name)
    if name.startswith(METHOD_DESCRIPTOR_PREFIX) or name in METHOD_DESCRIPTOR_FUNCTIONS:
        return METHOD_DESCRIPTOR
    if name in SLOT_WRAPPER_FUNCTIONS or name.startswith(SLOT_FUNCTION_PREFIX):
        return SLOT_WRAPPER
    return CFUNCTION


def classify(name: Optional[str], inline: bool, eval_loop: str = "_PyEval_EvalFrameDefault") -> str:
    """The kind of a C frame running function ``name``; ``eval_loop``: the version's (its scheme's)."""
    if not name:
        return OTHER
    kind = _KINDS.get(name)
    if kind is None:
        kind = _KINDS[name] = _kind_of(name)
    if kind == EVAL and (inline or base_name(name) != eval_loop):
        return OTHER  # an inlined copy is not a call of the eval loop, nor is another version's
    return kind


def mark_gil_waits(cframes: Sequence[CFrame]) -> None:
    """Make GIL waits of 2.7's frames that take its GIL as a lock (see GIL27_TAKERS)."""
    for index, cframe in enumerate(cframes):
        if cframe.name and base_name(cframe.name) == GIL27_LOCK:
            caller = next((c for c in cframes[index + 1:] if not c.inline), None)
            if caller is not None and caller.name and base_name(caller.name) in GIL27_TAKERS:
                cframe.kind = GIL


class Conditions:
    """What a thread's C frames say it is doing."""

    __slots__ = ("gil_wait", "gil_drop", "lock_wait", "gc")

    def __init__(self, cframes: Iterable[CFrame]) -> None:
        names: Set[str] = set()
        kinds: Set[str] = set()
        for cframe in cframes:
            kinds.add(cframe.kind)
            if cframe.name and cframe.kind != GIL:  # 2.7's GIL is taken as a lock: not a lock wait
                names.add(base_name(cframe.name))
        self.gil_wait = GIL in kinds
        self.gil_drop = GIL_DROP in names
        self.lock_wait = bool(names & LOCK_FUNCTIONS)
        self.gc = GC in kinds
