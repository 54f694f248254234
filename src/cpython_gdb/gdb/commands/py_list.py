"""py-list: the source around the current line of the selected Python frame."""

from typing import Tuple

from ...engine.report.source import source_lines
from ...engine.report.text import listing
from ...errors import CpythonGdbError
from .. import state
from .base import PyCommand, no_python_frame_message, selected_python_frame_only, write


def _parse(argument: str, current: int) -> Tuple[int, int]:
    # Both forms list eleven lines, as the reference howto's example shows:
    # five on either side of the current line, or START to START + 10.
    if not argument:
        return current - 5, current + 5
    parts = [p.strip() for p in argument.split(",")]
    try:
        numbers = [int(p) for p in parts]
    except ValueError:
        raise CpythonGdbError("usage: py-list [START[, END]]") from None
    if len(numbers) == 1:
        return numbers[0], numbers[0] + 10
    if len(numbers) == 2:
        return numbers[0], numbers[1]
    raise CpythonGdbError("usage: py-list [START[, END]]")


class PyList(PyCommand):
    """List the Python source of the selected Python frame.

Usage: py-list            eleven lines around the current line
       py-list START      eleven lines from START
       py-list START, END lines START to END

The current line is marked with '>'."""

    name = "py-list"
    takes_arguments = True

    def run(self, argument: str) -> None:
        target, frame, stack = selected_python_frame_only()
        if frame is None:
            assert stack is not None
            write(no_python_frame_message(stack))
            return
        current = frame.lineno or frame.code.firstlineno
        start, end = _parse(argument, current)
        if end < start:
            write(f"Line range {start},{end} is reversed: END comes before START.")
            return
        lines = listing(frame.code.filename, current, start, end, state.limits().max_source_line,
                        target.source_root)
        if lines is None:
            write(f"Unable to read source file {frame.code.filename}")
            return
        if not lines:
            # Past the end of the file (as gdb's list says it of a C file).
            count = len(source_lines(frame.code.filename, target.source_root) or ())
            write(f"Line number {max(start, 1)} out of range; {frame.code.filename!r} has {count} lines.")
            return
        for line in lines:
            write(line)
