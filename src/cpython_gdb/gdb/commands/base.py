"""What every py-* command shares: error handling and finding frames."""

from typing import List, Optional, Tuple

import gdb

from ...engine.model import PyFrame
from ...engine.report.text import printable
from ...engine.target import Target
from ...errors import CpythonGdbError
from .. import state
from ..charset import for_host
from ..selection import recorded
from ..stack import (
    CFrame,
    ThreadStack,
    newest_python_frame,
    python_cframes,
    selected_level,
    settled_python_cframe,
    thread_stack,
)
from ..stop import stop_state


class PyCommand(gdb.Command):
    """Base: user mistakes and unreadable targets become one-line errors."""

    name = ""
    # Commands that take no argument say so instead of ignoring one.
    takes_arguments = False

    def __init__(self) -> None:
        super().__init__(self.name, gdb.COMMAND_STACK, gdb.COMPLETE_NONE)

    def invoke(self, argument: str, from_tty: bool) -> None:
        state.flush_notices()  # which CPython, before the command's output
        argument = argument.strip()
        if argument and not self.takes_arguments:
            raise gdb.GdbError(f"{self.name} takes no arguments (see: help {self.name})")
        try:
            self.run(argument)
        except CpythonGdbError as exc:
            # gdb shows the message in its host charset; it may name what the target holds.
            raise gdb.GdbError(for_host(f"{self.name}: {exc}")) from None
        except gdb.GdbError:
            raise
        except gdb.error as exc:
            raise gdb.GdbError(for_host(f"{self.name}: {exc}")) from None
        finally:
            tell_notes()
            flush()

    def run(self, argument: str) -> None:
        raise NotImplementedError


# Lines written by the running command, given to gdb at once when it ends
# (or fails): one gdb.write per line costs more than the line's text.
_pending: List[str] = []


def write(line: str) -> None:
    """One line of the command's output.

    Every command's output passes here, so this is where what the target
    holds is made printable (gdb.write fails on a NUL or a lone surrogate;
    a control character would act on the terminal).
    """
    _pending.append(printable(line))
    if len(_pending) >= 4096:
        flush()


def flush() -> None:
    state.flush_notices()  # a notice of the layout loaded by this command comes before its output
    if _pending:
        text = "\n".join(_pending) + "\n"
        _pending.clear()
        gdb.write(text)


def tell_notes() -> None:
    """Say, once a stop, what reading found broken beyond one object (a loop of thread states).

    The report (py-threads) holds them: it marks them said (snapshot.py).
    """
    target = state.stop_target()
    if target is None:
        return
    stop = stop_state(target)
    for note in target.notes[stop.told:]:
        write(f"cpython-gdb: warning: {note}")
    stop.told = len(target.notes)


def current_stack() -> Tuple[Target, ThreadStack]:
    target = state.current_target()
    return target, thread_stack(target)


def selected_python(stack: ThreadStack) -> Optional[CFrame]:
    """The eval-loop C frame at or above (older than) the selected C frame."""
    level = selected_level()
    for cframe in python_cframes(stack):
        if cframe.level >= level:
            return cframe
    return None


def selected_python_frame() -> Tuple[Target, Optional[PyFrame], Optional[CFrame], ThreadStack]:
    """The Python frame py-up, py-down or py-frame selected (selection.py), else the
    newest one run by the selected (or next older) eval frame."""
    target, stack = current_stack()
    choice = recorded(target)
    if choice is not None:
        return target, choice.frame, choice.cframe, stack
    cframe = selected_python(stack)
    if cframe is not None:
        return target, cframe.python[0], cframe, stack
    if not stack.cframes or not stack.python_cframes():
        # Nothing could be placed on C frames: use the innermost Python frame.
        frames = stack.unplaced or (stack.thread.frames if stack.thread else ())
        if frames:
            return target, frames[0], None, stack
    return target, None, None, stack


def selected_python_frame_only() -> Tuple[Target, Optional[PyFrame], Optional[ThreadStack]]:
    """The Python frame selected_python_frame() gives, for commands that need no C frame.

    At a settled stop this is known without unwinding the whole C stack
    (see stack._settled); the stack is None then.
    """
    target = state.current_target()
    choice = recorded(target)
    if choice is not None:
        return target, choice.frame, None
    frame = newest_python_frame(target)
    if frame is not None:
        return target, frame, None
    cframe = settled_python_cframe(target, selected_level())
    if cframe is not None:
        return target, cframe.python[0], None
    target, frame, _, stack = selected_python_frame()
    return target, frame, stack


def no_python_frame_message(stack: ThreadStack) -> str:
    if stack.thread is None:
        return "Unable to locate python frame: " + stack.note
    return "Unable to locate python frame"


def argv(argument: str) -> List[str]:
    return gdb.string_to_argv(argument)


_REPORT_OPTIONS = {"--native": "native", "-n": "native", "--locals": "locals", "-l": "locals"}


def report_options(command: str, argument: str) -> Tuple[bool, bool]:
    """(native, locals) from the arguments of py-threads, py-bt -a and py-dump-json."""
    chosen = set()
    for word in argv(argument):
        if word == "-a":
            continue  # py-bt -a: all threads is what these commands show
        if word not in _REPORT_OPTIONS:
            raise gdb.GdbError(f"{command}: unknown option {word!r} (expected --native, --locals)")
        chosen.add(_REPORT_OPTIONS[word])
    return "native" in chosen, "locals" in chosen
