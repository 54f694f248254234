"""py-repr EXPR and $pyobj(EXPR): any address shown as a Python object.

Without debug info gdb has no PyObject type, so a pointer seen in a
register, in memory or in another command's output cannot be printed
with the pretty-printer: these take an address (any expression gdb can
evaluate to an integer or a pointer) instead.
"""

import re

import gdb

from ...engine.objects import object_repr
from ...errors import CpythonGdbError
from .. import state
from ..charset import for_host, for_target
from .base import PyCommand, write


def _address(value: "gdb.Value") -> int:
    if value.type.strip_typedefs().code == gdb.TYPE_CODE_PTR:
        return int(value)
    return int(value.cast(gdb.lookup_type("unsigned long")))


# Assignments (and ++/--) would write to the target.
_WRITES = re.compile(r"(?<![=!<>])=(?!=)|\+\+|--")


def evaluate(expression: str) -> "gdb.Value":
    """Evaluate a user's expression without writing to or calling into the target."""
    if _WRITES.search(expression):
        raise CpythonGdbError("the expression would modify the program; give an address or a read-only expression")
    try:
        previous = gdb.parameter("may-call-functions")
    except (gdb.error, RuntimeError):
        previous = None
    if previous is None:
        return gdb.parse_and_eval(expression)
    gdb.execute("set may-call-functions off", to_string=True)
    try:
        return gdb.parse_and_eval(expression)
    finally:
        gdb.execute(f"set may-call-functions {'on' if previous else 'off'}", to_string=True)


def repr_of(value: "gdb.Value") -> str:
    address = _address(value) & 0xFFFF_FFFF_FFFF_FFFF
    return object_repr(state.current_target(), address, state.limits())


class PyRepr(PyCommand):
    """Print the Python object at an address.

Usage: py-repr EXPR

EXPR is any gdb expression whose value is the object's address: a number
(0x7f...), a register ($rdi), a pointer variable or a computation. The
object is printed as its repr(), as the PyObject* pretty-printer does;
no debug info is needed. See also the $pyobj(EXPR) convenience function."""

    name = "py-repr"
    takes_arguments = True

    def __init__(self) -> None:
        gdb.Command.__init__(self, self.name, gdb.COMMAND_DATA, gdb.COMPLETE_EXPRESSION)

    def run(self, argument: str) -> None:
        if not argument:
            write("usage: py-repr EXPR")
            return
        write(repr_of(evaluate(argument)))


class PyObjFunction(gdb.Function):
    """$pyobj(EXPR): the repr() of the Python object at address EXPR, as a string.

Usage: print $pyobj(EXPR), or in any expression that takes a string."""

    def __init__(self) -> None:
        super().__init__("pyobj")

    def invoke(self, *args: "gdb.Value") -> str:
        if len(args) != 1:
            raise gdb.GdbError(f"$pyobj takes one argument, the object's address ({len(args)} given)")
        try:
            return for_target(repr_of(args[0]))  # gdb makes a string value of the target charset
        except (CpythonGdbError, gdb.error) as exc:
            raise gdb.GdbError(for_host(f"$pyobj: {exc}")) from None
