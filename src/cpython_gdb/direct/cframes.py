"""A thread's C frames without a debugger: its registers, unwound through the mapped files' ``.eh_frame``.

The newest frame is the thread's registers (direct/registers.py); each
caller is found by the unwinder (engine/native/unwind.py) from its
callee's rules, through signal frames too. These are physical frames: a
debugger that reads DWARF also shows the calls the compiler inlined, and
numbers them, so with DWARF gdb's frame numbers run ahead of these.

The walk never shows a frame it cannot vouch for: a caller whose return
address lies in no mapped code ends the stack before it, and any frame
the rules cannot step past ends it after it; :attr:`CStack.reason` then
says why, in one line.
"""

from __future__ import annotations

from ..engine.cstack.kinds import OTHER, classify
from ..engine.native.cfi import RSP
from ..engine.native.cfi_records import Unsupported
from .registers import frame_zero

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Iterator, List, Optional, Sequence, Tuple

    from ..engine.cstack.frame import NativeInfo
    from ..engine.elf.dwarf_places import Place
    from ..engine.model import PyFrame
    from ..engine.native.unwind import Registers, Unwinder
    from .images import Images

MAX_C_FRAMES = 200_000  # as gdb/cframes.py: a bound on a corrupt stack that loops


class CFrame:
    """One physical C frame (engine.cstack.frame.CFrame), numbered from the newest (0)."""

    __slots__ = ("level", "pc", "name", "kind", "inline", "python", "text", "library", "signal", "sp", "caller_sp",
                 "exact", "regs", "_images")

    def __init__(self, level: int, pc: int, name: Optional[str], library: Optional[str], sp: int,
                 signal: bool, eval_loop: str, exact: bool = True, images: Optional[Images] = None,
                 regs: Optional[Registers] = None) -> None:
        self.level = level
        self.pc = pc
        self.name = name  # its ELF symbol; None where none names it, or not looked up (direct/images.py)
        self.kind = classify(name, False, eval_loop)
        self.inline = False
        self.python: Tuple[PyFrame, ...] = ()
        self.text = ""  # a built-in call's callable, from its C variables (direct/variables.py); "" if unknown
        self.library = library
        self.signal = signal  # a signal trampoline (gdb: "<signal handler called>")
        self.sp = sp
        self.caller_sp: Optional[int] = None  # set once the caller is found
        self.exact = exact  # pc is where the frame runs (not a return address: the newest frame, a signal's)
        self.regs = regs  # its registers as unwound (every one in the newest frame; those a callee keeps after)
        self._images = images

    def stack_span(self) -> Optional[Tuple[int, int]]:
        return None if self.caller_sp is None else (self.sp, self.caller_sp)

    def places(self) -> List[Place]:
        """What DWARF says of its code (direct/images.py's places()): the calls inlined there, then its own."""
        return [] if self._images is None else self._images.places(self.pc, self.exact)

    def native(self) -> NativeInfo:
        # Its source file and line from DWARF, read only for the frames shown (--native): where calls are
        # inlined into it, the place of the call of the outermost (dwarf_places.py).
        found = self.places()
        file, line = (found[-1][1], found[-1][2]) if found else (None, None)
        return self.name, self.pc, file, line, self.library

    def inlined(self) -> List[InlinedFrame]:
        """The calls inlined where it runs, innermost first, as gdb's frames (from DWARF, as native())."""
        names = [] if self._images is None else self._images.inlined(self.pc, self.exact)
        return [InlinedFrame(self, name, depth) for depth, name in enumerate(names)]


class InlinedFrame:
    """A call the compiler inlined into a physical frame, shown as gdb shows it: a frame of its own. It is
    numbered as the physical frame it runs in (the levels here count the frames on the stack)."""

    __slots__ = ("level", "pc", "name", "kind", "inline", "python", "text", "library", "_physical", "_depth")

    def __init__(self, physical: CFrame, name: Optional[str], depth: int) -> None:
        self.level = physical.level
        self.pc = physical.pc
        self.name = name  # DWARF's name of the inlined function
        self.kind = OTHER  # shown with --native only; what a thread does is told from the physical frames
        self.inline = True
        self.python: Tuple[PyFrame, ...] = ()
        self.text = ""
        self.library = physical.library
        self._physical = physical
        self._depth = depth  # 0: the innermost of the calls inlined there

    def stack_span(self) -> Optional[Tuple[int, int]]:
        return self._physical.stack_span()

    def native(self) -> NativeInfo:
        found = self._physical.places()
        file, line = (found[self._depth][1], found[self._depth][2]) if self._depth < len(found) else (None, None)
        return self.name, self.pc, file, line, self.library


class CStack:
    """The C frames of one thread from its registers (a user_regs_struct), newest first (iterate).

    After the iteration, :attr:`reason` says why the stack ended before
    its outermost frame, or is None. ``words`` None: no registers.
    """

    def __init__(self, images: Images, unwinder: Unwinder, words: Optional[Sequence[int]], eval_loop: str,
                 limit: int = MAX_C_FRAMES) -> None:
        self.images = images
        self.eval_loop = eval_loop  # the version's (its scheme's): engine.cstack.kinds.classify
        self.unwinder = unwinder
        self.words = words
        self.limit = limit
        self.reason: Optional[str] = None
        # The newest frame's pc and registers.
        self.newest: Optional[Tuple[int, Registers]] = None if words is None else frame_zero(words)

    def newest_pc(self) -> Optional[int]:
        return None if self.newest is None else self.newest[0]

    def _frame(self, level: int, pc: int, regs: Registers, exact: bool) -> CFrame:
        known = self.images.frames.get((pc, exact))
        if known is None:
            images = self.images
            signal = not exact and self.unwinder.signal_frame(pc)
            # A trampoline is named at its own address: the signal handler returns to its first byte.
            known = images.frames[(pc, exact)] = (images.function(pc, exact or signal), images.library(pc), signal)
        return CFrame(level, pc, known[0], known[1], regs[RSP], known[2], self.eval_loop, exact, self.images, regs)

    def __iter__(self) -> Iterator[CFrame]:
        if self.newest is None:
            self.reason = "its registers cannot be read (the thread is gone?)"
            return
        images, unwinder = self.images, self.unwinder
        pc, regs = self.newest
        exact = True
        frame = self._frame(0, pc, regs, exact)
        while True:
            if frame.name == "main":
                # As gdb (its `backtrace past-main` is off by default): the C
                # runtime's start-up frames below main are not the program's.
                yield frame
                return
            if frame.level + 1 >= self.limit:
                self.reason = f"more than {self.limit} C frames"
                yield frame
                return
            try:
                found = unwinder.step(pc, regs, exact)
            except Unsupported as exc:
                where = images.file_name(pc) or "no mapped file"
                self.reason = f"no caller found for #{frame.level} at {pc:#x} ({where}): {exc}"
                yield frame
                return
            if found is None:  # the outermost frame
                yield frame
                return
            pc, regs, exact = found
            frame.caller_sp = regs[RSP]
            yield frame
            # Code a signal interrupted is where the kernel says it was; a
            # return address read from the stack must point into code.
            if not exact and not images.code(pc):
                self.reason = f"return address {pc:#x} is in no mapped code (a corrupt stack?)"
                return
            frame = self._frame(frame.level + 1, pc, regs, exact)
