"""py-locals: the local variables of the selected Python frame."""

from ...engine.report.document import python_entry
from ...engine.report.text import locals_lines
from .. import state
from .base import PyCommand, no_python_frame_message, selected_python_frame_only, write


class PyLocals(PyCommand):
    """Print the local variables of the selected Python frame.

Usage: py-locals

After a "Locals for FUNCTION" line, the frame's variables in groups, each
under its label: Arguments (positional, *args, keyword-only, **kwargs, in
the signature's order), Local variables, Cell variables (locals captured by
inner functions) and Free variables (captured from an enclosing function).
Cell and free variables show the value their cell holds. The frame is the
one py-up, py-down or py-frame selected, else the newest one run by the
selected C frame."""

    name = "py-locals"

    def run(self, argument: str) -> None:
        target, frame, stack = selected_python_frame_only()
        if frame is None:
            assert stack is not None
            write(no_python_frame_message(stack))
            return
        # An unreadable frame's locals are said, with the reason.
        entry = python_entry(target, frame, None, True, state.limits(), with_source=False)
        for line in locals_lines(entry):
            write(line)
