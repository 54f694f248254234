"""Walking a thread's C stack from one frame's registers to its callers (x86-64).

The rules come from each file's ``.eh_frame`` (:mod:`.cfi`), kept per pc:
a deep stack returns to the same few dozen addresses thousands of times,
so after the first few frames a step is one dictionary look-up and two or
three reads of stack memory.
"""

from __future__ import annotations

import os
import stat
from bisect import bisect_right

from ...errors import CpythonGdbError
from .cfi import RSP, EhFrame, Unsupported

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, Iterator, Optional, Sequence, Tuple, Union

    from .cfi import Rule

    Registers = Dict[int, int]  # DWARF register number: value, or -(address it is saved at)

# Each file's rules, for as long as the file is the same (device, inode,
# size and time of its last change): a rebuilt library gets read again.
_EH_FRAMES: Dict[Tuple[str, int, int, int, int], Union[EhFrame, str]] = {}


def eh_frame(path: str) -> EhFrame:
    """The (cached) rules of the regular file at ``path``; Unsupported if it has none readable."""
    try:
        info = os.stat(path)
    except (OSError, ValueError) as exc:
        raise Unsupported(f"{path}: {exc}") from None
    if not stat.S_ISREG(info.st_mode):
        raise Unsupported(f"{path} is not a regular file")
    key = (path, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    found = _EH_FRAMES.get(key)
    if found is None:
        try:
            found = EhFrame(path)
        except Exception as exc:  # noqa: BLE001 - the file's bytes are untrusted input, like memory
            found = f"{path}: {exc}"
        _EH_FRAMES[key] = found
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

    def locate(self, pc: int) -> Tuple[EhFrame, int]:
        """The rules of the file mapped at ``pc`` and its load bias there."""
        index = bisect_right(self._starts, pc) - 1
        if index < 0 or pc >= self._mappings[index][1]:
            raise Unsupported(f"no file mapped at {pc:#x}")
        start, _, offset, name = self._mappings[index]
        path = self._disk(pc, name) if self._disk is not None else name
        if not path:
            raise Unsupported(f"no file on disk for {name}")
        frame = eh_frame(path)
        bias = frame.load_bias(pc, start, offset)
        if bias is None:
            raise Unsupported(f"{path}: {pc:#x} is mapped from outside its load segments")
        return frame, bias


class Unwinder:
    """Steps from a frame to its caller, with rules kept per pc for the session of one stop.

    A register the callee saved on the stack is read only if a rule needs
    its value: until then ``regs`` holds the address it was saved at, as a
    negative number (an optimized build's CFA is almost always rsp-based,
    so most saved registers are never read).
    """

    def __init__(self, modules: Modules, u64: Callable[[int], int]) -> None:
        self._modules = modules
        self._u64 = u64
        self._rules: Dict[int, Union[Rule, None, Unsupported]] = {}

    def _rule(self, lookup: int) -> Optional[Rule]:
        try:
            found = self._rules[lookup]
        except KeyError:
            try:
                frame, bias = self._modules.locate(lookup)
                found = frame.rule(lookup - bias)
            except Unsupported as exc:
                found = exc
            self._rules[lookup] = found
        if isinstance(found, Unsupported):
            raise Unsupported(str(found))
        return found

    def caller(self, pc: int, regs: Registers) -> Optional[Tuple[int, Registers]]:
        """The caller of the frame running at ``pc`` with ``regs``: (its pc, its registers).

        ``regs`` maps DWARF register numbers to values (or saved addresses,
        negated): rsp and the callee-saved registers. ``pc`` must be a
        return address (not a thread's newest frame, not a signal handler's
        caller), so the call instruction before it is what the rules must
        describe. None at the outermost frame. Raises Unsupported where
        these rules cannot tell.
        """
        rule = self._rule(pc - 1)
        if rule is None:
            return None
        cfa_reg, cfa_off, ra_off, saved = rule
        try:
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
                else:
                    new.pop(reg, None)
            ra = self._u64(cfa + ra_off)
        except KeyError:
            raise Unsupported(f"a register the rules need is unknown at {pc:#x}") from None
        except Unsupported:
            raise  # said above: it is a CpythonGdbError too, but not an unreadable stack
        except CpythonGdbError as exc:
            raise Unsupported(f"stack unreadable at {pc:#x}") from exc
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
