"""The value of a C variable in a frame, from its DWARF location expression, without a debugger.

A location expression (DWARF 5, 2.5 and 2.6) says where a variable is at
one address of its function: in a register (``DW_OP_reg*``), in memory at
an address it computes (from registers, the frame base, constants), or it
computes the value itself (``DW_OP_stack_value``). Its registers are the
frame's as the unwinder recovered them: every register in a thread's
newest frame, only those a callee keeps for its caller (rbx, rbp, rsp,
r12-r15) in older ones, and the pc. The frame base is the function's own
expression, nearly always ``DW_OP_call_frame_cfa``: the frame's canonical
frame address, the caller's stack pointer.

What cannot be known gives None, as gdb's ``<optimized out>``: a register
not kept, an entry value (``DW_OP_entry_value``: the register's value
when the function was entered, which gdb may find from the caller's
call-site records; not done here), a pointer split in pieces, any other
operation.
"""

from __future__ import annotations

from ..native.cfi_records import leb

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, List, Optional

MASK = 0xFFFF_FFFF_FFFF_FFFF
MAX_STEPS = 64  # operations evaluated at most: a location is a few of them
DW_OP_ADDR, DW_OP_DEREF, DW_OP_CONSTU, DW_OP_CONSTS, DW_OP_PLUS_UCONST = 0x03, 0x06, 0x10, 0x11, 0x23
DW_OP_MINUS, DW_OP_PLUS, DW_OP_REGX, DW_OP_FBREG, DW_OP_BREGX, DW_OP_PIECE = 0x1C, 0x22, 0x90, 0x91, 0x92, 0x93
DW_OP_CALL_FRAME_CFA, DW_OP_STACK_VALUE = 0x9C, 0x9F
_CONSTANTS = {0x08: (1, False), 0x09: (1, True), 0x0A: (2, False), 0x0B: (2, True),
              0x0C: (4, False), 0x0D: (4, True), 0x0E: (8, False), 0x0F: (8, True)}


class _Unknown(Exception):
    """The expression's value cannot be known here."""


def variable_value(expression: bytes, register: Callable[[int], Optional[int]], cfa: Optional[int],
                   frame_base: Optional[bytes], bias: int, u64: Callable[[int], int]) -> Optional[int]:
    """The 8-byte value the location ``expression`` gives the variable; None where it cannot be known.

    ``register``: a DWARF register's value in the frame (None: not known);
    ``cfa``: the frame's canonical frame address (None: not known);
    ``frame_base``: the function's DW_AT_frame_base expression;
    ``bias``: load address minus link-time address (DW_OP_addr's);
    ``u64``: reads memory (a CpythonGdbError where it cannot).
    """
    try:
        return _evaluate(expression, register, cfa, frame_base, bias, u64, depth=0)
    except (_Unknown, IndexError, ValueError):
        return None


def _evaluate(expression: bytes, register: Callable[[int], Optional[int]], cfa: Optional[int],
              frame_base: Optional[bytes], bias: int, u64: Callable[[int], int], depth: int) -> int:
    stack: List[int] = []
    in_register: Optional[int] = None  # the value of a DW_OP_reg* location
    pos = 0

    def known(value: Optional[int]) -> int:
        if value is None:
            raise _Unknown()
        return value

    for _ in range(MAX_STEPS):
        if pos >= len(expression):
            break
        op = expression[pos]
        pos += 1
        if 0x50 <= op <= 0x6F or op == DW_OP_REGX:  # reg0-31, regx: in the register itself
            if op == DW_OP_REGX:
                number, pos = leb(expression, pos)
            else:
                number = op - 0x50
            in_register = known(register(number))
        elif 0x70 <= op <= 0x8F or op == DW_OP_BREGX:  # breg0-31, bregx: a register plus an offset
            if op == DW_OP_BREGX:
                number, pos = leb(expression, pos)
            else:
                number = op - 0x70
            offset, pos = leb(expression, pos, signed=True)
            stack.append((known(register(number)) + offset) & MASK)
        elif op == DW_OP_FBREG:
            offset, pos = leb(expression, pos, signed=True)
            if frame_base is None or depth:
                raise _Unknown()
            base = _evaluate(frame_base, register, cfa, None, bias, u64, depth=1)
            stack.append((base + offset) & MASK)
        elif op == DW_OP_CALL_FRAME_CFA:
            stack.append(known(cfa))
        elif op == DW_OP_ADDR:
            stack.append((int.from_bytes(expression[pos:pos + 8], "little") + bias) & MASK)
            pos += 8
        elif 0x30 <= op <= 0x4F:  # lit0-31
            stack.append(op - 0x30)
        elif op in _CONSTANTS:
            size, signed = _CONSTANTS[op]
            stack.append(int.from_bytes(expression[pos:pos + size], "little", signed=signed) & MASK)
            pos += size
        elif op in (DW_OP_CONSTU, DW_OP_CONSTS):
            value, pos = leb(expression, pos, signed=op == DW_OP_CONSTS)
            stack.append(value & MASK)
        elif op == DW_OP_PLUS_UCONST:
            value, pos = leb(expression, pos)
            stack.append((stack.pop() + value) & MASK)
        elif op in (DW_OP_PLUS, DW_OP_MINUS):
            b, a = stack.pop(), stack.pop()
            stack.append((a + b if op == DW_OP_PLUS else a - b) & MASK)
        elif op == DW_OP_DEREF:
            stack.append(u64(stack.pop()))
        elif op == DW_OP_STACK_VALUE:
            return stack[-1]
        elif op == DW_OP_PIECE:
            size, pos = leb(expression, pos)
            if size != 8 or pos != len(expression):
                raise _Unknown()  # a pointer in pieces
            break
        else:  # entry values, implicit pointers, and the rest: not known here
            raise _Unknown()
    if in_register is not None:
        return in_register
    if not stack:
        raise _Unknown()
    return stack[-1] if depth else u64(stack[-1])
