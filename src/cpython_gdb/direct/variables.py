"""C variables of the physical frames of a thread, read without gdb: for the lines of built-in calls.

gdb reads a built-in call's callable from a C argument of its frame
(``frame.read_var``, engine/cstack/builtin_text.py). Here the argument's
DWARF location at the frame's pc (engine/elf/dwarf_info.py's
``variables``) is evaluated with the registers the unwinder recovered for
that frame and its canonical frame address (engine/elf/dwarf_locations.py).
A file without DWARF has no variables: the line is left out, as gdb
leaves it out without debug info.
"""

from __future__ import annotations

from ..engine.elf.dwarf_locations import variable_value
from ..engine.native.unwind import register_value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, List, Optional, Tuple

    from .cframes import CFrame
    from .images import Images

RIP = 16


class FrameVariables:
    """The variables of a thread's physical frames, newest first; ``u64`` reads the target's memory."""

    def __init__(self, images: Images, frames: List[CFrame], u64: Callable[[int], int]) -> None:
        self.images = images
        self.frames = frames
        self.u64 = u64
        self._found: Dict[Tuple[int, str], Optional[int]] = {}

    def reader(self, index: int) -> Callable[[int, str], Optional[int]]:
        """engine/cstack/builtin_text.py's Variables for the frame at ``index`` (and its caller)."""
        return lambda depth, name: self.value(index + depth, name)

    def value(self, index: int, name: str) -> Optional[int]:
        """The value of variable ``name`` in frame ``index``: None where the frame has no such variable
        with a location at its pc, 0 where its value cannot be known."""
        if not 0 <= index < len(self.frames):
            return None
        key = (index, name)
        if key not in self._found:
            self._found[key] = self._read(self.frames[index], name)
        return self._found[key]

    def _read(self, frame: CFrame, name: str) -> Optional[int]:
        found = self.images.dwarf(frame.pc, frame.exact)
        if found is None:
            return None
        address = found[1]
        expressions, frame_base = found[0].variables(address, (name,))
        expression = expressions.get(name)
        if expression is None:
            return None
        regs = frame.regs or {}

        def register(number: int) -> Optional[int]:
            if number == RIP:
                return frame.pc
            return None if number not in regs else register_value(self.u64, regs[number])

        bias = (frame.pc if frame.exact else frame.pc - 1) - address  # load address minus link-time address
        # The canonical frame address is the caller's stack pointer (None: the outermost frame's).
        value = variable_value(expression, register, frame.caller_sp, frame_base, bias, self.u64)
        return 0 if value is None else value
