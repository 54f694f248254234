"""Walking a thread's C stack from one frame's registers to its callers (x86-64).

The rules come from each file's ``.eh_frame`` or ``.debug_frame``
(:mod:`.cfi`), kept per pc: a deep stack returns to the same few dozen
addresses thousands of times, so after the first few frames a step is one
dictionary look-up and two or three reads of stack memory. Where a file
has no rules at all for the code (built without unwind tables or debug
info), an unwinder that may guess (``frame_pointers``: the gdb-free
backend; in gdb, gdb's own analysis of the code takes over) follows the
frame-pointer chain, and takes its answer only if it returns into code.
"""

from __future__ import annotations

from bisect import bisect_right

from ...errors import CpythonGdbError
from ..elf.image import per_file
from .cfi import EXPRESSION, RSP, SIGNAL, EhFrame
from .cfi_records import NoRules, Unsupported

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, Iterator, Optional, Sequence, Tuple, Union

    from .cfi import Rule

    Registers = Dict[int, int]  # DWARF register number: value, or -(address it is saved at)

PF_X = 1
# The registers a caller keeps from its callee (System V x86-64 ABI): rbx,
# rbp, rsp, r12-r15. A frame known in every register passes only these on.
KEPT = frozenset({3, 6, 7, 12, 13, 14, 15})
RBP = 6
# Code built with frame pointers (push %rbp; mov %rsp, %rbp on entry) and
# no CFI: rbp points at the caller's saved rbp, the return address above
# it, and the caller's stack starts above that. Past the function's
# prologue only, as gdb's amd64 prologue analysis also finds.
FRAME_POINTER: Rule = (RBP, 16, -8, ((RBP, "at", -16),))


def register_value(u64: Callable[[int], int], register: int) -> int:
    """A register's value from its entry in Registers (negative: read where it was saved)."""
    return u64(-register) if register < 0 else register


# Each file's rules, for as long as the file is the same (image.file_identity).
_EH_FRAMES: Dict[Tuple[str, int, int, int, int], Union[EhFrame, str]] = {}


def eh_frame(path: str) -> EhFrame:
    """The (cached) rules of the regular file at ``path``; Unsupported if it has none readable."""
    found = per_file(_EH_FRAMES, path, EhFrame)
    if isinstance(found, str):
        raise Unsupported(found)
    return found


class Modules:
    """The mapped files code runs from: (start, end, file offset, name as mapped), by address.

    ``disk`` names the file to read for a pc and its mapped name (a
    debugger knows where the file is on this machine: a core's sysroot);
    by default the mapped name itself.
    """

    def __init__(self, mappings: Sequence[Tuple[int, int, int, str]],
                 disk: Optional[Callable[[int, str], Optional[str]]] = None) -> None:
        self._mappings = sorted(mappings)
        self._starts = [mapping[0] for mapping in self._mappings]
        self._disk = disk
        # By mapping start: what _file() found (a pc's file, and its rules, are the same for a whole mapping).
        self._files: Dict[int, Union[Tuple[EhFrame, int, int, str], Unsupported]] = {}

    def mapping_at(self, pc: int) -> Optional[Tuple[int, int, int, str]]:
        """(start, end, file offset, name) of the mapping that holds ``pc``, or None."""
        index = bisect_right(self._starts, pc) - 1
        if index < 0 or pc >= self._mappings[index][1]:
            return None
        return self._mappings[index]

    def _file(self, pc: int) -> Tuple[EhFrame, int, int, str]:
        """The rules of the file mapped at ``pc``, the mapping's start and file offset, and the file's path."""
        mapping = self.mapping_at(pc)
        if mapping is None:
            raise Unsupported(f"no file mapped at {pc:#x}")
        start, _, offset, name = mapping
        found = self._files.get(start)
        if found is None:
            path = self._disk(pc, name) if self._disk is not None else name
            try:
                if not path:
                    raise Unsupported(f"no file on disk for {name}")
                found = self._files[start] = (eh_frame(path), start, offset, path)
            except Unsupported as exc:
                found = self._files[start] = exc
        if isinstance(found, Unsupported):
            raise Unsupported(str(found))
        return found

    def locate(self, pc: int) -> Tuple[EhFrame, int]:
        """The rules of the file mapped at ``pc`` and its load bias there."""
        frame, start, offset, path = self._file(pc)
        bias = frame.load_bias(pc, start, offset)
        if bias is None:
            raise Unsupported(f"{path}: {pc:#x} is mapped from outside its load segments")
        return frame, bias

    def is_code(self, pc: int) -> bool:
        """Whether ``pc`` lies in an executable load segment of a mapped file with unwinding rules."""
        try:
            frame, start, offset, _ = self._file(pc)
        except Unsupported:
            return False
        segment = frame.load_segment(pc, start, offset)
        return segment is not None and bool(segment[5] & PF_X)


class Unwinder:
    """Steps from a frame to its caller, with rules kept per pc for the session of one stop.

    A register the callee saved on the stack is read only if a rule needs
    its value: until then ``regs`` holds the address it was saved at, as a
    negative number (an optimized build's CFA is almost always rsp-based,
    so most saved registers are never read).
    """

    def __init__(self, modules: Modules, u64: Callable[[int], int], expressions: bool = False,
                 frame_pointers: bool = False) -> None:
        """``expressions``: evaluate the DWARF expressions of rules (dwarfexpr.py) rather than leave them
        Unsupported (to a debugger, which evaluates all of them). ``frame_pointers``: where a file's CFI
        says nothing of a pc, follow the frame pointer (FRAME_POINTER) rather than stop there."""
        self._modules = modules
        self._u64 = u64
        self._expressions = expressions
        self._frame_pointers = frame_pointers
        self._rules: Dict[int, Union[Rule, None, Unsupported]] = {}

    def _rule(self, lookup: int) -> Optional[Rule]:
        try:
            found = self._rules[lookup]
        except KeyError:
            try:
                frame, bias = self._modules.locate(lookup)
                found = frame.rule(lookup - bias, self._expressions)
            except NoRules as exc:
                found = FRAME_POINTER if self._frame_pointers else exc
            except Unsupported as exc:
                found = exc
            self._rules[lookup] = found
        if isinstance(found, Unsupported):
            raise Unsupported(str(found))
        return found

    def _checked(self, pc: int, rule: Rule, found: Optional[Tuple[int, Registers]]) -> Optional[Tuple[int, Registers]]:
        """``found`` (_apply's), unless the frame pointer's guess led out of code: a function that keeps no
        frame pointer leaves anything in rbp."""
        if rule is FRAME_POINTER and (found is None or not self._modules.is_code(found[0])):
            raise Unsupported(f"no unwinding rules for {pc:#x}, and its frame pointer leads to no code")
        return found

    def caller(self, pc: int, regs: Registers) -> Optional[Tuple[int, Registers]]:
        """The caller of the frame running at ``pc`` with ``regs``: (its pc, its registers).

        ``regs`` maps DWARF register numbers to values (or saved addresses,
        negated): rsp and the callee-saved registers. ``pc`` must be a
        return address (not a thread's newest frame, not a signal handler's
        caller), so the call instruction before it is what the rules must
        describe. None at the outermost frame. Raises Unsupported where
        these rules cannot tell, a signal trampoline included (see step()).
        """
        rule = self._rule(pc - 1)
        if rule is None:
            return None
        if rule is SIGNAL:
            raise Unsupported(f"signal frame at {pc:#x}")
        return self._checked(pc, rule, self._apply(pc, rule, regs))

    def step(self, pc: int, regs: Registers, exact: bool) -> Optional[Tuple[int, Registers, bool]]:
        """The caller of the frame at ``pc``: (its pc, its registers, whether that pc is exact).

        As caller(), and also from a frame whose ``pc`` is ``exact``: where
        it runs (a thread's newest frame, or code a signal interrupted)
        rather than a return address, its rules read at the pc itself and
        ``regs`` holding every register; and from a signal trampoline,
        whose caller is the interrupted code, its registers read from the
        signal frame (sigframe.py).
        """
        rule = self._rule(pc if exact else pc - 1)
        if rule is None:
            return None
        if rule is SIGNAL:
            from .sigframe import interrupted  # only here: a signal frame is rare on a stack

            try:
                interrupted_pc, saved = interrupted(self._u64, register_value(self._u64, regs[RSP]))
            except (KeyError, CpythonGdbError) as exc:
                raise Unsupported(f"signal frame at {pc:#x} unreadable") from exc
            return interrupted_pc, saved, True
        if exact:
            regs = {reg: value for reg, value in regs.items() if reg in KEPT}
        found = self._checked(pc, rule, self._apply(pc, rule, regs))
        return None if found is None else (found[0], found[1], False)

    def signal_frame(self, pc: int) -> bool:
        """Whether the frame at return address ``pc`` is a signal trampoline (gdb's ``<signal handler called>``)."""
        try:
            return self._rule(pc - 1) is SIGNAL
        except Unsupported:
            return False

    def _apply(self, pc: int, rule: Rule, regs: Registers) -> Optional[Tuple[int, Registers]]:
        cfa_reg, cfa_off, ra_off, saved = rule
        try:
            if cfa_reg == EXPRESSION:
                from .dwarfexpr import evaluate  # only here: a PLT stub's, a realigned stack's

                cfa = evaluate(cfa_off, regs, pc, self._u64)
            else:
                base = regs[cfa_reg]
                if base < 0:
                    base = self._u64(-base)
                cfa = base + cfa_off
            if cfa <= regs[RSP]:
                # Callers sit higher on the stack: anything else is a corrupt
                # stack (or a switch of stacks), which the debugger reports.
                raise Unsupported(f"the frame at {pc:#x} is not below its caller")
            new = dict(regs)
            for reg, how, value in saved:
                if how == "at":
                    new[reg] = -(cfa + value)
                elif how == "is":
                    new[reg] = cfa + value
                elif how == "reg" and value in regs:
                    new[reg] = regs[value]
                elif how in ("exp", "vexp"):
                    from .dwarfexpr import evaluate

                    found = evaluate(value, regs, pc, self._u64, push=cfa)
                    new[reg] = -found if how == "exp" else found
                else:
                    new.pop(reg, None)
            ra = self._u64(cfa + ra_off)
        except KeyError:
            raise Unsupported(f"a register the rules need is unknown at {pc:#x}") from None
        except Unsupported:
            raise  # said above: it is a CpythonGdbError too, but not an unreadable stack
        except CpythonGdbError as exc:
            where = getattr(exc, "address", None)  # a MemoryReadError's
            raise Unsupported(f"stack unreadable at {where:#x}" if where is not None
                              else f"stack unreadable for the frame at {pc:#x}") from exc
        if ra == 0:
            return None
        new[RSP] = cfa
        return ra, new

    def walk(self, pc: int, regs: Registers, limit: int) -> Iterator[Tuple[int, int]]:
        """(pc, stack pointer) of each caller from the frame at ``pc``, oldest last, at most ``limit``."""
        for _ in range(limit):
            found = self.caller(pc, regs)
            if found is None:
                return
            pc, regs = found
            yield pc, regs[RSP]
