"""Call frame information: how to find a C function's caller at a given pc.

Every x86-64 ELF file carries ``.eh_frame`` (kept by ``strip``: C++
exceptions and glibc's ``backtrace`` need it) and ``.eh_frame_hdr``, a
sorted table from function start to FDE. The FDE's DWARF CFA program,
run up to the pc, says where the caller's stack pointer (the CFA) is and
where the return address and callee-saved registers were stored. Code
built without unwind tables (``-fno-asynchronous-unwind-tables``) but
with ``-g`` has its FDEs in ``.debug_frame`` instead (debug_frame.py),
which is read, as gdb reads it, for a pc no ``.eh_frame`` FDE covers.
Only the rules an optimizing compiler emits for ordinary functions are
handled; anything else (expressions, as in signal trampolines and PLT
stubs) is :class:`Unsupported`, and the caller falls back to the
debugger's unwinder.

Format: https://refspecs.linuxfoundation.org/LSB_5.0.0/LSB-Core-generic/LSB-Core-generic/ehframechpt.html
and DWARF 5 section 6.4.
"""

from __future__ import annotations

import io
import struct
from bisect import bisect_right

from ..elf.image import PT_LOAD, ElfError, ElfFile, ReadAt
from .cfi_records import RA, Cie, NoRules, Unsupported, pointer, sleb, uleb

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

    from ..elf.image import ProgramHeader
    from .debug_frame import DebugFrame

    # (CFA register, CFA offset, return address offset from the CFA,
    #  ((register, how, value), ...)) with how "at" (saved at CFA+value),
    #  "is" (CFA+value itself), "reg" (in register value), "undef"; with
    #  expressions (EhFrame.rule), the CFA register EXPRESSION and the
    #  expression's bytes for the offset, and how "exp" or "vexp" with the
    #  expression's bytes for the value.
    Rule = Tuple[int, Any, int, Tuple[Tuple[int, str, Any], ...]]

RSP = 7
# The rule of a signal trampoline (an FDE of a CIE with the "S" augmentation:
# glibc's __restore_rt): the caller's registers are in the signal frame the
# kernel pushed, described by expressions this module does not evaluate;
# native/sigframe.py reads them.
SIGNAL: Rule = (-1, 0, 0, ())
EXPRESSION = -2  # a rule's CFA register when a DWARF expression gives the CFA
PT_GNU_EH_FRAME = 0x6474E550
EM_X86_64 = 62
MAX_EH_FRAME = 64 << 20
RECORD_READ = 512  # bytes read for a CIE or FDE at first: most are shorter


class EhFrame:
    """The unwinding rules of one ELF file, looked up by link-time pc: its ``.eh_frame``'s, then for code
    they do not cover its ``.debug_frame``'s (read when first needed)."""

    def __init__(self, path: str, image: Optional[bytes] = None) -> None:
        """The rules of the file at ``path``, or of an ELF ``image`` read from memory (``path`` names it)."""
        try:
            with (io.BytesIO(image) if image is not None else open(path, "rb")) as f:
                header = _load_header(ElfFile(f, path))
        except ElfError as exc:
            raise Unsupported(str(exc)) from None
        hdr_vaddr, hdr, self._eh_vaddr, self._eh_offset, self._eh_size, self._loads = header
        if hdr is None:  # no .eh_frame_hdr (nor, then, an .eh_frame to search): .debug_frame alone may tell
            table = memoryview(b"").cast("i")
        else:
            if hdr[0] != 1 or hdr[3] != 0x3B:
                raise Unsupported(f"{path}: .eh_frame_hdr table encoding {hdr[3]:#x}")
            _, pos = pointer(hdr, 4, hdr[1], hdr_vaddr)
            count, pos = pointer(hdr, pos, hdr[2], hdr_vaddr)
            if pos + 8 * count > len(hdr):
                raise Unsupported(f"{path}: .eh_frame_hdr table truncated")
            table = memoryview(hdr[pos:pos + 8 * count]).cast("i")
        # Both columns are relative to .eh_frame_hdr (datarel, sdata4), and
        # searched as they are: a libpython has some 5,000 rows, which
        # would cost a dump a millisecond to copy into lists.
        self._hdr_vaddr = hdr_vaddr
        self._starts = table[0::2]
        self._fdes = table[1::2]
        self.path = path
        self._in_memory = image is not None
        self._debug_frame: Optional[DebugFrame] = None
        self._debug_frame_read = False
        # .eh_frame itself is read a record at a time, as rules are looked
        # up: a dump needs a few of a libpython's 5,000 FDEs, and reading
        # all of its 300 KB costs more than unwinding.
        self._pread = ReadAt(path, image)
        self._cies: Dict[int, Cie] = {}
        self._rules: Dict[int, Optional[Rule]] = {}
        self._expression_rules: Dict[int, Optional[Rule]] = {}

    def _record(self, pos: int) -> bytes:
        """The CIE or FDE at offset ``pos`` of .eh_frame, its length field included."""
        if not 0 <= pos <= self._eh_size - 8:
            raise Unsupported("a CIE or FDE outside .eh_frame")
        data = self._pread(RECORD_READ, self._eh_offset + pos)
        if len(data) < 4:
            raise Unsupported(f"{self.path} is truncated inside .eh_frame")
        length = struct.unpack_from("<I", data)[0]
        if length == 0xFFFF_FFFF:
            raise Unsupported("64-bit CIE or FDE")
        if pos + 4 + length > self._eh_size:
            raise Unsupported("a CIE or FDE runs past the end of .eh_frame")
        if 4 + length > len(data):
            data = self._pread(4 + length, self._eh_offset + pos)
            if len(data) < 4 + length:
                raise Unsupported(f"{self.path} is truncated inside .eh_frame")
        return data[:4 + length]

    def load_segment(self, pc: int, start: int, offset: int) -> Optional[ProgramHeader]:
        """The load segment that holds ``pc``, given that it lies in a mapping of this file at ``start``
        from file ``offset``; None if none holds that part of the file."""
        position = offset + (pc - start)
        for segment in self._loads:
            if segment[0] <= position < segment[0] + segment[2]:
                return segment
        return None

    def load_bias(self, pc: int, start: int, offset: int) -> Optional[int]:
        """What was added to link-time addresses, given that ``pc`` lies in a mapping of this file
        at ``start`` from file ``offset``; None if no load segment holds that part of the file."""
        segment = self.load_segment(pc, start, offset)
        if segment is None:
            return None
        p_offset, p_vaddr = segment[0], segment[1]
        return pc - (p_vaddr + offset + (pc - start) - p_offset)

    def rule(self, pc: int, expressions: bool = False) -> Optional[Rule]:
        """The rule at link-time ``pc``; None in the outermost frame (no return address), SIGNAL in a
        signal trampoline.

        Raises Unsupported where no FDE covers ``pc`` (the debugger would
        analyse the machine code there) or its rules are out of reach.
        With ``expressions``, a rule may hold DWARF expressions for the CFA
        (cfa_reg EXPRESSION, the expression in place of the offset) or a
        register ("exp": saved at the address it computes; "vexp": its
        value), for dwarfexpr.py to evaluate: PLT stubs and functions that
        realign the stack have them. Without, those are Unsupported (the
        debugger's case).
        """
        rules = self._expression_rules if expressions else self._rules
        try:
            return rules[pc]
        except KeyError:
            pass
        index = bisect_right(self._starts, pc - self._hdr_vaddr) - 1
        try:
            if index < 0:
                raise NoRules(f"no FDE for {pc:#x}")
            found = self._evaluate(self._hdr_vaddr + self._fdes[index], pc, expressions)
        except NoRules:
            found = self._debug_frame_rule(pc, expressions)
        except (IndexError, ValueError, struct.error) as exc:
            raise Unsupported(f"malformed FDE for {pc:#x}") from exc
        rules[pc] = found
        return found

    def function_start(self, pc: int) -> Optional[int]:
        """The link-time start of the FDE that covers link-time ``pc`` (its function, or the part of it
        the compiler moved out), or None."""
        index = bisect_right(self._starts, pc - self._hdr_vaddr) - 1
        start = size = 0
        if index >= 0:
            try:
                _, start, size, _, _ = self._fde(self._hdr_vaddr + self._fdes[index])
            except (Unsupported, IndexError, ValueError, struct.error):
                return None
        if start <= pc < start + size:
            return start
        found = self._debug_frame_fde(pc)
        return None if found is None else found[1]

    def _debug_frame_fde(self, pc: int) -> Optional[Tuple[Cie, int, bytes]]:
        """DebugFrame.fde() of the file's .debug_frame (its own, or its separate debug file's), read when
        first needed; None without one."""
        if not self._debug_frame_read:
            self._debug_frame_read = True
            if not self._in_memory:  # the vDSO's image has no debug sections
                from .debug_frame import read_debug_frame  # only here: code without .eh_frame is rare

                self._debug_frame = read_debug_frame(self.path)
        return None if self._debug_frame is None else self._debug_frame.fde(pc)

    def _debug_frame_rule(self, pc: int, expressions: bool) -> Optional[Rule]:
        found = self._debug_frame_fde(pc)
        if found is None:
            raise NoRules(f"no FDE for {pc:#x}")
        cie, start, program = found
        if cie.signal:
            return SIGNAL
        try:
            return _run(cie, program, start, pc, expressions)
        except (IndexError, ValueError, struct.error) as exc:
            raise Unsupported(f"malformed .debug_frame FDE for {pc:#x}") from exc

    def _fde(self, fde_vaddr: int) -> Tuple[Cie, int, int, int, bytes]:
        """The FDE at ``fde_vaddr``: its CIE, the start and size of the code it covers, where its
        augmentation data is in it, and its bytes."""
        pos = fde_vaddr - self._eh_vaddr
        data = self._record(pos)
        cie_delta = struct.unpack_from("<I", data, 4)[0]
        cie_pos = pos + 4 - cie_delta
        cie = self._cies.get(cie_pos)
        if cie is None:
            cie = self._cies[cie_pos] = Cie(self._record(cie_pos), 0, self._eh_vaddr + cie_pos)
        vaddr = self._eh_vaddr + pos  # of the FDE's first byte, for pc-relative pointers
        start, at = pointer(data, 8, cie.encoding, vaddr)
        size, at = pointer(data, at, cie.encoding & 0x0F, vaddr)
        return cie, start, size, at, data

    def _evaluate(self, fde_vaddr: int, pc: int, expressions: bool = False) -> Optional[Rule]:
        cie, start, size, at, data = self._fde(fde_vaddr)
        if not start <= pc < start + size:
            raise NoRules(f"no FDE for {pc:#x}")
        if cie.signal:
            return SIGNAL
        if cie.sized:
            extra, at = uleb(data, at)
            at += extra
        return _run(cie, data[at:], start, pc, expressions)


def _load_header(elf: ElfFile) -> Tuple[int, Optional[bytes], int, int, int, List[ProgramHeader]]:
    """Of an ELF file: .eh_frame_hdr's link-time address and bytes; .eh_frame's link-time address, file
    offset and size; and its load segments. Without .eh_frame_hdr: (0, None, 0, 0, 0, load segments)."""
    path = elf.path
    if elf.wordsize != 8 or elf.order != "<":
        raise Unsupported(f"{path} is not a 64-bit little-endian ELF file")
    if elf.machine != EM_X86_64:
        raise Unsupported(f"{path} is not x86-64 code")
    found = elf.segments(PT_GNU_EH_FRAME)
    loads = elf.segments(PT_LOAD)
    if not found:
        return 0, None, 0, 0, 0, loads
    hdr_offset, hdr_vaddr, hdr_size, *_ = found[0]
    hdr = elf.read(hdr_offset, min(hdr_size, MAX_EH_FRAME))
    if len(hdr) < 12:
        raise Unsupported(f"{path}: .eh_frame_hdr truncated")
    eh_vaddr, _ = pointer(hdr, 4, hdr[1], hdr_vaddr)
    # .eh_frame runs from its address to the end of the load segment holding it at most.
    for offset, vaddr, filesz, *_ in loads:
        if vaddr <= eh_vaddr < vaddr + filesz:
            size = min(vaddr + filesz - eh_vaddr, MAX_EH_FRAME, max(elf.size - (offset + eh_vaddr - vaddr), 0))
            return hdr_vaddr, hdr, eh_vaddr, offset + eh_vaddr - vaddr, size, loads
    raise Unsupported(f"{path}: .eh_frame outside its load segments")


def _run(cie: Cie, program: bytes, start: int, pc: int, expressions: bool = False) -> Optional[Rule]:
    """Run the CIE's initial program and then the FDE's up to ``pc`` (``expressions``: see EhFrame.rule)."""
    cfa_reg, cfa_off = RSP, 8
    cfa_expression = b""
    columns: Dict[int, Tuple[str, Any]] = {}  # rule per register
    initial: Dict[int, Tuple[str, Any]] = {}  # the CIE's, for DW_CFA_restore
    stack: List[Tuple[int, int, bytes, Dict[int, Tuple[str, Any]]]] = []
    for code, is_cie in ((cie.initial, True), (program, False)):
        loc = start
        pos = 0
        while pos < len(code):
            op = code[pos]
            pos += 1
            high, low = op & 0xC0, op & 0x3F
            if is_cie and (high == 0x40 or op in (0x02, 0x03, 0x04)):
                raise Unsupported("an advance in a CIE's initial rules")
            if high == 0x40:  # advance_loc
                loc += low * cie.code_align
                if loc > pc:
                    break
                continue
            if high == 0x80:  # offset
                value, pos = uleb(code, pos)
                columns[low] = ("at", value * cie.data_align)
                continue
            if high == 0xC0:  # restore
                _restore(columns, initial, low)
                continue
            if op == 0x00:  # nop
                continue
            if op in (0x02, 0x03, 0x04):  # advance_loc1/2/4
                size = {0x02: 1, 0x03: 2, 0x04: 4}[op]
                loc += int.from_bytes(code[pos:pos + size], "little") * cie.code_align
                pos += size
                if loc > pc:
                    break
            elif op == 0x01:  # set_loc: not emitted by GCC or Clang for x86-64
                raise Unsupported("DW_CFA_set_loc")
            elif op in (0x05, 0x11, 0x14, 0x15):  # offset_extended(_sf), val_offset(_sf)
                reg, pos = uleb(code, pos)
                if op in (0x05, 0x14):
                    value, pos = uleb(code, pos)
                else:
                    value, pos = sleb(code, pos)
                columns[reg] = ("at" if op in (0x05, 0x11) else "is", value * cie.data_align)
            elif op == 0x2F:  # GNU_negative_offset_extended
                reg, pos = uleb(code, pos)
                value, pos = uleb(code, pos)
                columns[reg] = ("at", -value * cie.data_align)
            elif op == 0x06:  # restore_extended
                reg, pos = uleb(code, pos)
                _restore(columns, initial, reg)
            elif op == 0x07:  # undefined
                reg, pos = uleb(code, pos)
                columns[reg] = ("undef", 0)
            elif op == 0x08:  # same_value
                reg, pos = uleb(code, pos)
                columns.pop(reg, None)
            elif op == 0x09:  # register
                reg, pos = uleb(code, pos)
                other, pos = uleb(code, pos)
                columns[reg] = ("reg", other)
            elif op == 0x0A:  # remember_state
                stack.append((cfa_reg, cfa_off, cfa_expression, dict(columns)))
            elif op == 0x0B:  # restore_state
                if not stack:
                    raise Unsupported("restore_state without remember_state")
                cfa_reg, cfa_off, cfa_expression, remembered = stack.pop()
                columns.clear()
                columns.update(remembered)
            elif op == 0x0C:  # def_cfa
                cfa_reg, pos = uleb(code, pos)
                cfa_off, pos = uleb(code, pos)
            elif op == 0x12:  # def_cfa_sf
                cfa_reg, pos = uleb(code, pos)
                cfa_off, pos = sleb(code, pos)
                cfa_off *= cie.data_align
            elif op == 0x0D:  # def_cfa_register
                cfa_reg, pos = uleb(code, pos)
            elif op == 0x0E:  # def_cfa_offset
                cfa_off, pos = uleb(code, pos)
            elif op == 0x13:  # def_cfa_offset_sf
                cfa_off, pos = sleb(code, pos)
                cfa_off *= cie.data_align
            elif op == 0x2E:  # GNU_args_size: matters only to exception handling
                _, pos = uleb(code, pos)
            elif expressions and op == 0x0F:  # def_cfa_expression
                size, pos = uleb(code, pos)
                cfa_reg, cfa_expression = EXPRESSION, bytes(code[pos:pos + size])
                pos += size
            elif expressions and op in (0x10, 0x16):  # expression, val_expression
                reg, pos = uleb(code, pos)
                size, pos = uleb(code, pos)
                columns[reg] = ("exp" if op == 0x10 else "vexp", bytes(code[pos:pos + size]))
                pos += size
            else:  # expressions (0x0f, 0x10, 0x16) unless asked for, and anything newer
                raise Unsupported(f"DW_CFA opcode {op:#x}")
        if is_cie:
            initial = dict(columns)
    ra = columns.get(RA)
    if ra is None:
        raise Unsupported("no rule for the return address")
    if ra[0] == "undef":
        return None  # the outermost frame (_start, a thread's clone)
    if ra[0] != "at":
        raise Unsupported("return address not saved on the stack")
    saved = tuple((reg, how, value) for reg, (how, value) in sorted(columns.items()) if reg != RA)
    if cfa_reg == EXPRESSION:
        return cfa_reg, cfa_expression, ra[1], saved
    return cfa_reg, cfa_off, ra[1], saved


def _restore(columns: Dict[int, Tuple[str, Any]], initial: Dict[int, Tuple[str, Any]], reg: int) -> None:
    if reg in initial:
        columns[reg] = initial[reg]
    else:
        columns.pop(reg, None)
