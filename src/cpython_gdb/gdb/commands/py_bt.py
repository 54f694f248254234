"""py-bt and py-bt-full: the Python backtrace of the selected thread."""

from ...engine.asyncio.current import add_running_tasks
from ...engine.report.document import stack_entries
from ...engine.report.text import full_lines, traceback_lines
from ...errors import CpythonGdbError
from .. import state
from ..snapshot import report_lines
from .base import PyCommand, argv, current_stack, report_options, write


class PyBt(PyCommand):
    """Print the Python stack of the selected thread, most recent call first.

Usage: py-bt [-a [--native] [--locals]]

Each frame shows its file, line and function and the source line, as in a
Python traceback. Calls into C built-ins and C methods (as Python prints
them: <built-in method acquire of _thread.lock object at remote 0x...>,
<method-wrapper '__init__' of MyList object at remote 0x...>), waits for
the GIL and garbage collections are shown where the C stack has them (the
calls need the interpreter's debug info). With -a, every thread
is shown, with its state: see py-threads."""

    name = "py-bt"
    takes_arguments = True

    def run(self, argument: str) -> None:
        if "-a" in argv(argument):
            for line in report_lines(*report_options(self.name, argument)):
                write(line)
            return
        if argument:
            raise CpythonGdbError("usage: py-bt [-a [--native] [--locals]]")
        target, stack = current_stack()
        if stack.thread is None:
            write("Unable to locate python frame: " + stack.note)
            return
        # The same entries and text as each thread of py-threads and dump.
        entries = stack_entries(target, stack, native=False, with_locals=False, limits=state.limits())
        for line in traceback_lines(entries):
            write(line)
        if stack.unplaced and stack.note:
            write(f"  ({stack.note})")
        if stack.thread.truncated_reason:
            write(f"  ({stack.thread.truncated_reason})")
        # The asyncio task this thread runs, as py-threads heads it.
        thread = {"tstate": stack.thread.tstate, "frames": entries}
        add_running_tasks(target, state.runtime_anchor(), [thread])
        if thread.get("asyncio_task") is not None:
            write(f"Running asyncio task {thread['asyncio_task']!r}")


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
        for line in full_lines(stack_entries(target, stack, False, True, limits), limits.max_output):
            write(line)
        if stack.unplaced and stack.note:
            write(f"({stack.note})")
        if stack.thread.truncated_reason:
            write(f"({stack.thread.truncated_reason})")
