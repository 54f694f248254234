"""py-locals: the local variables of the selected Python frame."""

from ...objects import object_repr
from .. import state
from .base import PyCommand, no_python_frame_message, selected_python_frame, write


class PyLocals(PyCommand):
    """Print the local variables of the selected Python frame.

Usage: py-locals"""

    name = "py-locals"

    def run(self, argument: str) -> None:
        target, frame, _, stack = selected_python_frame()
        if frame is None:
            write(no_python_frame_message(stack))
            return
        limits = state.limits()
        write(f"Locals for {frame.code.name}")
        for local in frame.locals:
            write(f"{local.name} = {object_repr(target, local.address, limits)}")
