"""The line py-bt prints for a built-in call: the callable, read from the C variables of the call's frames.

A built-in call's C frame (engine/cstack/kinds.py: BUILTIN) holds the
callable in an argument: a built-in function or method in ``func``
(3.6's ``func_obj``); a method descriptor in ``func`` (``descrobj``)
with the object first in ``args``; a method-wrapper in ``wp``, ``self``,
``callable`` or ``func`` of the frame or of its caller (a slot reached by
a tail call leaves no wrapper_call frame). How a variable is read is the
backend's: gdb's ``frame.read_var``, or DWARF's location expressions
evaluated without gdb (direct/variables.py); both give the same lines.
"""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..objects.descriptors import bound_method_text, builtin_function_text
from ..objects.writer import cut_to
from .kinds import METHOD_DESCRIPTOR, SLOT_WRAPPER, call_kind

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Optional, Sequence

    from ..limits import Limits
    from ..target import Target

    # (depth, name) -> the pointer in C variable ``name`` of the call's frame (depth 0) or of its caller
    # (depth 1); None where the frame has no such variable; 0 where its value is not known (optimized out).
    Variables = Callable[[int, str], Optional[int]]

# Where a method-wrapper is found (see the module docstring): wrapper_call's
# wp (self where a version takes a PyObject *); for a slot function reached
# without a wrapper_call frame, its caller's callable (_PyObject_MakeTpCall,
# 3.7's _PyObject_FastCallKeywords, 3.6's _PyObject_FastCallDict's func).
WRAPPER_NAMES = ("wp", "self", "callable", "func")


def builtin_text(target: Target, function: str, variables: Variables, limits: Limits) -> str:
    """The repr of the callable the built-in call in C function ``function`` runs; "" where its variables
    cannot be read."""
    kind = call_kind(function)
    try:
        if kind == METHOD_DESCRIPTOR:
            descr = _first(variables, ("func", "descrobj"))
            args = _first(variables, ("args",))
            self_obj = target.ptr(args) if args else 0
            if not descr or not self_obj:
                return ""
            return bound_method_text(target, descr, self_obj)
        if kind == SLOT_WRAPPER:
            return _method_wrapper_text(target, variables, limits)
        address = _first(variables, ("func", "func_obj"))
        if not address:
            return ""
        if target.type_of(address).name == "builtin_function_or_method":
            # The usual case, without importing every decoder; cut as object_repr cuts.
            return cut_to(builtin_function_text(target, address), limits)
        from ..objects import object_repr

        return object_repr(target, address, limits)
    except CpythonGdbError:
        return ""


def _first(variables: Variables, names: Sequence[str]) -> int:
    """The first of the call frame's variables ``names`` that it has; 0 if none, or not known."""
    for name in names:
        value = variables(0, name)
        if value is not None:
            return value
    return 0


def _method_wrapper_text(target: Target, variables: Variables, limits: Limits) -> str:
    """The method-wrapper a slot call runs, in its frame or its caller's; "" if neither has one."""
    for depth in (0, 1):
        for name in WRAPPER_NAMES:
            address = variables(depth, name)
            if address and target.type_of(address).name == "method-wrapper":
                from ..objects import object_repr

                return object_repr(target, address, limits)
    return ""
