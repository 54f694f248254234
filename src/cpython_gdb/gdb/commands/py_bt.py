"""py-bt and py-bt-full: the Python backtrace of the selected thread."""

from ...render import frame_summary, traceback_entry
from .. import state
from .base import PyCommand, current_stack, write

# An eval-loop C call whose Python frame is not in the thread state (the
# call has just started or is returning) and not readable from gdb either.
UNREADABLE = "(unable to read python frame information)"


class PyBt(PyCommand):
    """Print the Python stack of the selected thread, most recent call first.

Usage: py-bt

Each frame shows its file, line and function and the source line, as in a
Python traceback. Calls into C built-ins, waits for the GIL and garbage
collections are shown where the C stack has them."""

    name = "py-bt"

    def run(self, argument: str) -> None:
        target, stack = current_stack()
        if stack.thread is None:
            write("Unable to locate python frame: " + stack.note)
            return
        write("Traceback (most recent call first):")
        for cframe in stack.cframes:
            if cframe.kind == "eval":
                if not cframe.python:
                    write("  " + UNREADABLE)
                for frame in cframe.python:
                    for line in traceback_entry(frame):
                        write(line)
            elif cframe.kind == "builtin" and cframe.text:
                write("  " + cframe.text)
            elif cframe.kind == "gil":
                write("  Waiting for the GIL")
            elif cframe.kind == "gc":
                write("  Garbage-collecting")
        for frame in stack.unplaced:
            for line in traceback_entry(frame):
                write(line)
        if stack.thread.truncated_reason:
            write(f"  ({stack.thread.truncated_reason})")


class PyBtFull(PyCommand):
    """Print the Python stack of the selected thread with C frame numbers and locals.

Usage: py-bt-full

Each Python frame shows the number of the C frame running it (for use
with `frame N`), its address, file, line, function and local variables."""

    name = "py-bt-full"

    def run(self, argument: str) -> None:
        target, stack = current_stack()
        if stack.thread is None:
            write("Unable to locate python frame: " + stack.note)
            return
        limits = state.limits()
        for cframe in stack.cframes:
            if cframe.kind == "eval":
                if not cframe.python:
                    write(f"#{cframe.level} {UNREADABLE}")
                for frame in cframe.python:
                    for line in frame_summary(target, frame, cframe.level, limits):
                        write(line)
            elif cframe.kind == "builtin" and cframe.text:
                write(f"#{cframe.level} {cframe.text}")
            elif cframe.kind == "gil":
                write(f"#{cframe.level} Waiting for the GIL")
            elif cframe.kind == "gc":
                write(f"#{cframe.level} Garbage-collecting")
        for frame in stack.unplaced:
            for line in frame_summary(target, frame, None, limits):
                write(line)
        if stack.thread.truncated_reason:
            write(f"({stack.thread.truncated_reason})")
