"""A bounded text writer and the walk state shared by the object decoders."""

from __future__ import annotations

from ..limits import Limits
from ..model import TypeInfo
from ..target import Target

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, List, NoReturn, Optional, Set, Tuple


# Nesting shown even with `set cpython max-depth unlimited`: deeper, the
# walk would exhaust the Python stack of gdb (a few frames per level).
MAX_DEPTH = 100


class OutputFull(Exception):
    """Raised inside a walk once the output limit is reached; stops it."""


def _no_dispatcher(*_args: object) -> NoReturn:
    raise TypeError("a Writer made without objects.dispatch writes no object that shows others")


class Writer:
    """What is written so far, and how to write more.

    ``write_object`` and ``value_writer`` are objects.dispatch's
    write_object and builtin_value_writer: the decoders that show other
    objects (containers, instances) reach the dispatcher through the
    Writer, as the dispatcher imports them. A Writer made without them
    serves only the decoders of single values (ints, strs).
    """

    def __init__(
        self,
        target: Target,
        limits: Limits,
        write_object: ObjectFn = _no_dispatcher,
        value_writer: ValueWriterFn = _no_dispatcher,
    ) -> None:
        self.target = target
        self.write_object = write_object
        self.value_writer = value_writer
        self.limits = limits
        self.max_output = limits.max_output
        # How deep containers nest before they are elided (MAX_DEPTH
        # bounds what a setting may ask for).
        self.max_depth = min(limits.max_depth, MAX_DEPTH)
        # How to write the objects of each type, by type address, for this
        # stop: see dispatch._choice.
        self.choices = target.writers
        self.ob_type = target.layout.off("PyObject.ob_type")
        self.ptr = target.ptr
        # The pieces written (dispatch.write_object reads them directly).
        self.parts: List[str] = []
        self._length = 0
        self.truncated = False
        # Objects on the path from the root: a repeat is a cycle.
        self.active: Set[int] = set()
        self.depth = 0
        # For dispatch.write_object's cache of whole texts: how many times the
        # text written depended on where it was written (a cycle shown as
        # "...", a container elided at max-depth), and the deepest level at
        # which an object that prints others was entered.
        self.events = 0
        self.nest_max = -1
        self.reprs = target.reprs.setdefault(limits, {})

    def write(self, text: str) -> None:
        length = self._length + len(text)
        if length > self.max_output:
            room = self.max_output - self._length
            self.parts.append(text[: max(room, 0)])
            self._length = self.max_output
            self.truncated = True
            raise OutputFull()
        self.parts.append(text)
        self._length = length

    def rewind(self, mark: int) -> None:
        """Take back what was written since ``len(self.parts)`` was ``mark``."""
        self._length -= sum(map(len, self.parts[mark:]))
        del self.parts[mark:]

    def getvalue(self) -> str:
        text = "".join(self.parts)
        return text + "...(truncated)" if self.truncated else text


if TYPE_CHECKING:
    WriteFn = Callable[[Writer, int, TypeInfo], None]
    TextFn = Callable[[Writer, int, TypeInfo], str]
    Choice = Tuple[TypeInfo, Optional[WriteFn], Optional[TextFn], bool, bool]
    ObjectFn = Callable[[Writer, int], None]
    ValueWriterFn = Callable[[TypeInfo, str], Optional[WriteFn]]


def cut_to(text: str, limits: Limits) -> str:
    """A value's whole text cut to ``max-output`` characters, marked as a Writer marks it."""
    if len(text) > limits.max_output:
        return text[: max(limits.max_output, 0)] + "...(truncated)"
    return text
