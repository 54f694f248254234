"""The registers a signal interrupted, from the frame Linux pushes for the handler (x86-64).

The kernel delivers a signal by pushing an ``rt_sigframe`` on the thread's
stack (or its alternate signal stack) and entering the handler with its
return address pointing at the restorer, glibc's ``__restore_rt``, which
calls ``rt_sigreturn``. When the handler's caller is that trampoline, the
stack pointer there is the ``ucontext_t`` that follows the return address:
``uc_flags``, ``uc_link``, ``uc_stack`` (40 bytes), then ``uc_mcontext``,
whose general registers are saved in the order of ``struct sigcontext``
(arch/x86/include/uapi/asm/sigcontext.h). The frame interrupted ran at the
saved rip, which is not a return address.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Callable, Dict, Tuple

MCONTEXT = 40  # offset of uc_mcontext in ucontext_t
# DWARF numbers of sigcontext's r8 r9 r10 r11 r12 r13 r14 r15 rdi rsi rbp rbx rdx rax rcx rsp rip, in order.
SIGCONTEXT_REGISTERS = (8, 9, 10, 11, 12, 13, 14, 15, 5, 4, 6, 3, 1, 0, 2, 7, 16)
RIP = 16


def interrupted(u64: Callable[[int], int], sp: int) -> Tuple[int, Dict[int, int]]:
    """(pc, registers by DWARF number) of the code a signal interrupted, from the trampoline's stack pointer."""
    base = sp + MCONTEXT
    regs = {number: u64(base + 8 * i) for i, number in enumerate(SIGCONTEXT_REGISTERS)}
    return regs.pop(RIP), regs
