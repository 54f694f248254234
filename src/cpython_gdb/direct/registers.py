"""A stopped thread's registers, as Linux gives them on x86-64.

Both ``PTRACE_GETREGS`` (a live thread) and a core's ``NT_PRSTATUS`` note
(its ``pr_reg``) give a ``struct user_regs_struct``
(arch/x86/include/asm/user_64.h): 27 unsigned 64-bit words. The
unwinder takes the general registers by their DWARF numbers (System V
x86-64 ABI, section 3.6.2); fs_base is glibc's ``pthread_self()``.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, Sequence, Tuple

USER_REGS = 27  # words in struct user_regs_struct
RIP, FS_BASE = 16, 21  # word indexes
# DWARF number of each of the words r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi, in order
# (then orig_rax, rip, cs, eflags, rsp: RSP_WORD).
_GENERAL = (15, 14, 13, 12, 6, 3, 11, 10, 9, 8, 0, 2, 1, 4, 5)
RSP_WORD, RSP = 19, 7


def fs_base(words: Optional[Sequence[int]]) -> Optional[int]:
    """The thread pointer, or None without registers."""
    return int(words[FS_BASE]) if words is not None and len(words) == USER_REGS else None


def frame_zero(words: Sequence[int]) -> Tuple[int, Dict[int, int]]:
    """(pc, registers by DWARF number) of the thread's newest frame."""
    regs = {number: int(words[i]) for i, number in enumerate(_GENERAL)}
    regs[RSP] = int(words[RSP_WORD])
    return int(words[RIP]), regs
