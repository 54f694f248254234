"""py-print NAME: a variable of the selected Python frame."""

from typing import Optional, Tuple

from ...engine.frames.walk import frame_locals
from ...engine.objects import object_repr
from ...engine.objects.dicts import dict_lookup_str
from ...errors import CpythonGdbError
from .. import state
from .base import PyCommand, argv, no_python_frame_message, selected_python_frame_only, write


class PyPrint(PyCommand):
    """Print a Python variable of the selected Python frame.

Usage: py-print NAME

NAME is looked up as Python does: among the frame's locals, then its
globals, then the builtins."""

    name = "py-print"
    takes_arguments = True

    def run(self, argument: str) -> None:
        args = argv(argument)
        if len(args) != 1:
            write("usage: py-print NAME")
            return
        name = args[0]
        target, frame, stack = selected_python_frame_only()
        if frame is None:
            assert stack is not None
            write(no_python_frame_message(stack))
            return
        found: Optional[Tuple[str, int]] = None
        try:
            local_vars = frame_locals(target, frame)
        except CpythonGdbError:
            local_vars = ()  # unreadable slots: the globals and builtins may still have it
        for local in local_vars:
            if local.name == name:
                found = ("local", local.address)
                break
        if found is None:
            for scope, mapping in (("global", frame.globals_address), ("builtin", frame.builtins_address)):
                if not mapping:
                    continue
                value = dict_lookup_str(target, mapping, name, state.hash_secret())
                if value:
                    found = (scope, value)
                    break
        if found is None:
            write(f"{name!r} not found")
            return
        scope, address = found
        write(f"{scope} {name!r} = {object_repr(target, address, state.limits())}")
