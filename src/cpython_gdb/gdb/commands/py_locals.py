"""py-locals: the local variables of the selected Python frame(s)."""

from ...objects import object_repr
from .. import state
from .base import PyCommand, no_python_frame_message, selected_python_frame, write


class PyLocals(PyCommand):
    """Print the local variables of the selected Python frame.

Usage: py-locals

Each frame's locals follow a "Locals for FUNCTION" line. On CPython 3.11
and later one C frame of the eval loop runs several Python frames; the
locals of all of them are printed, newest first. Variables captured by
inner functions (cells) are shown with the value the cell holds."""

    name = "py-locals"

    def run(self, argument: str) -> None:
        target, frame, cframe, stack = selected_python_frame()
        if frame is None:
            write(no_python_frame_message(stack))
            return
        limits = state.limits()
        frames = cframe.python if cframe is not None else (frame,)
        for each in frames:
            write(f"Locals for {each.code.name}")
            for local in each.locals:
                write(f"{local.name} = {object_repr(target, local.address, limits)}")
