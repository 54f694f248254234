"""py-print EXPR: a variable of the selected Python frame, or an attribute or item of one."""

from ...engine.expression import ExpressionError, parse
from ...engine.objects import object_repr
from ...engine.objects.lookup import Context, computed_repr, evaluate
from .. import state
from ..lookup import symbol_address
from .base import PyCommand, no_python_frame_message, selected_python_frame_only, write


class PyPrint(PyCommand):
    """Print a Python variable of the selected Python frame, or a part of one.

Usage: py-print EXPR

EXPR is one of, or a chain of (self.items[3].name):
  NAME        looked up as Python does: the frame's variables (cells and
              free variables included), then its globals, then the builtins
  EXPR.NAME   an attribute: the instance's own (its __dict__ or __slots__),
              then its class's (the MRO); a module's globals; a class's
              attributes. A property or other descriptor is shown as it is,
              not called.
  EXPR[N]     an item of a list or tuple, a character of a str, a byte of a
              bytes; N may be negative (x[-1])
  EXPR[KEY]   the value of a dict's key, where KEY is a str, bytes, int,
              None, True or False constant (d['k'], d[b'k'], d[3], d[None])

Nothing runs in the program: memory is only read. Anything else (calls,
operators, slices, a variable as the key) is an unsupported expression."""

    name = "py-print"
    takes_arguments = True

    def run(self, argument: str) -> None:
        if not argument:
            write("usage: py-print EXPR")
            return
        try:
            tree = parse(argument)
        except ExpressionError as exc:
            write(str(exc))
            return
        target, frame, stack = selected_python_frame_only()
        if frame is None:
            assert stack is not None
            write(no_python_frame_message(stack))
            return
        ctx = Context(target, frame, state.hash_secret(), symbol_address("_Py_NoneStruct") or 0)
        try:
            scope, value = evaluate(ctx, tree)
        except ExpressionError as exc:
            write(str(exc))
            return
        if value.address:
            text = object_repr(target, value.address, state.limits())
        else:
            text = computed_repr(value.computed, target.scheme.builtins)
        write(f"{scope} {argument.strip()!r} = {text}{value.note}")
