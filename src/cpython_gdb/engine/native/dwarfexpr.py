"""DWARF expressions in call frame information: the stack machine of DWARF 5 section 2.5, in part.

Compilers write the CFA as an expression where no register plus offset
says it: a PLT stub (the CFA depends on where in the stub the pc is:
``rsp + 8 + ((rip & 15) >= 11) * 8``), a function that realigns its
stack (``*(rbp - 8)``). Only what CFI needs is here: constants,
registers plus offsets, arithmetic, comparisons and memory reads; any
other operation is Unsupported, as is an expression that reads a register
the unwinder does not know.
"""

from __future__ import annotations

from .cfi_records import Unsupported, leb

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, List, Optional

MASK = 0xFFFF_FFFF_FFFF_FFFF
RIP = 16
MAX_STEPS = 256  # operations evaluated at most: an expression is a few of them
# DW_OP_const1u ... const8s: (size, signed).
_CONSTANTS = {0x08: (1, False), 0x09: (1, True), 0x0A: (2, False), 0x0B: (2, True),
              0x0C: (4, False), 0x0D: (4, True), 0x0E: (8, False), 0x0F: (8, True)}
_BINARY: Dict[int, Callable[[int, int], int]] = {
    0x1A: lambda a, b: a & b, 0x1C: lambda a, b: a - b, 0x1E: lambda a, b: a * b, 0x21: lambda a, b: a | b,
    0x22: lambda a, b: a + b, 0x24: lambda a, b: a << (b & 63), 0x25: lambda a, b: a >> (b & 63),
    0x27: lambda a, b: a ^ b,
    0x29: lambda a, b: int(a == b), 0x2A: lambda a, b: int(_signed(a) >= _signed(b)),
    0x2B: lambda a, b: int(_signed(a) > _signed(b)), 0x2C: lambda a, b: int(_signed(a) <= _signed(b)),
    0x2D: lambda a, b: int(_signed(a) < _signed(b)), 0x2E: lambda a, b: int(a != b),
}


def _signed(value: int) -> int:
    return value - (1 << 64) if value >> 63 else value


def evaluate(expression: bytes, regs: Dict[int, int], pc: int, u64: Callable[[int], int],
             push: Optional[int] = None) -> int:
    """The value of ``expression`` in the frame with registers ``regs`` (negative: saved at that address)
    and ``pc``; ``push`` starts the stack (the CFA, for a register's rule)."""
    stack: List[int] = [] if push is None else [push]

    def register(number: int) -> int:
        if number == RIP:
            return pc
        try:
            value = regs[number]
        except KeyError:
            raise Unsupported(f"an expression reads register {number}, unknown here") from None
        return u64(-value) if value < 0 else value

    try:
        return _run(expression, stack, register, u64)
    except (IndexError, ValueError) as exc:
        raise Unsupported("a malformed CFI expression") from exc


def _run(expression: bytes, stack: List[int], register: Callable[[int], int], u64: Callable[[int], int]) -> int:
    pos = 0
    for _ in range(MAX_STEPS):
        if pos >= len(expression):
            break
        op = expression[pos]
        pos += 1
        if 0x30 <= op <= 0x4F:  # lit0-31
            stack.append(op - 0x30)
        elif 0x70 <= op <= 0x8F:  # breg0-31
            offset, pos = leb(expression, pos, signed=True)
            stack.append((register(op - 0x70) + offset) & MASK)
        elif op == 0x92:  # bregx
            number, pos = leb(expression, pos)
            offset, pos = leb(expression, pos, signed=True)
            stack.append((register(number) + offset) & MASK)
        elif op in _CONSTANTS:
            size, signed = _CONSTANTS[op]
            stack.append(int.from_bytes(expression[pos:pos + size], "little", signed=signed) & MASK)
            pos += size
        elif op in (0x10, 0x11):  # constu, consts
            value, pos = leb(expression, pos, signed=op == 0x11)
            stack.append(value & MASK)
        elif op == 0x23:  # plus_uconst
            value, pos = leb(expression, pos)
            stack.append((stack.pop() + value) & MASK)
        elif op == 0x06:  # deref
            stack.append(u64(stack.pop()))
        elif op == 0x12:  # dup
            stack.append(stack[-1])
        elif op == 0x13:  # drop
            stack.pop()
        elif op == 0x16:  # swap
            stack[-1], stack[-2] = stack[-2], stack[-1]
        elif op in _BINARY:
            b, a = stack.pop(), stack.pop()
            stack.append(_BINARY[op](a, b) & MASK)
        else:
            raise Unsupported(f"DW_OP {op:#x} in a CFI expression")
    if not stack:
        raise Unsupported("an empty CFI expression")
    return stack[-1]
