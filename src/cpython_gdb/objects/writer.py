"""A bounded text writer and the walk state shared by the object decoders."""

from typing import Callable, List, Set

from ..limits import Limits
from ..model import TypeInfo
from ..target import Target


class OutputFull(Exception):
    """Raised inside a walk once the output limit is reached; stops it."""


class Writer:
    def __init__(self, target: Target, limits: Limits) -> None:
        self.target = target
        self.limits = limits
        self._parts: List[str] = []
        self._length = 0
        self.truncated = False
        # Objects on the path from the root: a repeat is a cycle.
        self.active: Set[int] = set()
        self.depth = 0

    def write(self, text: str) -> None:
        room = self.limits.max_output - self._length
        if len(text) > room:
            self._parts.append(text[: max(room, 0)])
            self._length = self.limits.max_output
            self.truncated = True
            raise OutputFull()
        self._parts.append(text)
        self._length += len(text)

    def getvalue(self) -> str:
        text = "".join(self._parts)
        return text + "...(truncated)" if self.truncated else text


WriteFn = Callable[[Writer, int, TypeInfo], None]
