"""Where the walk over a CPython's interpreters starts, as a backend found it.

From 3.7 the interpreters, the GIL and the collector's state are fields of
one exported struct, ``_PyRuntime`` (bpo-30860). 2.7 and 3.6 keep them in
static variables instead: the list of interpreters starts at
``interp_head`` (Python/pystate.c), the thread state that holds the GIL
is the exported ``_PyThreadState_Current`` (NULL while the GIL is
released), and the collector's flag is ``collecting`` (Modules/gcmodule.c).
The statics are in ``.symtab`` only; where a build has none (a stripped
distribution build), the exported function ``PyInterpreterState_Head``
tells where ``interp_head`` is, its code being one load of it.
"""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..record import frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

    from ..memory import Reader

# What a backend looks up, in this order: the runtime struct, else the statics.
RUNTIME_SYMBOL = "_PyRuntime"
INTERP_HEAD = "interp_head"
INTERP_HEAD_FUNCTION = "PyInterpreterState_Head"
TSTATE_CURRENT = "_PyThreadState_Current"
GC_COLLECTING = "collecting"


@frozen
class Runtime:
    # _PyRuntime (3.7+); for 2.7 and 3.6, which have none, the static
    # interp_head (the scheme's ``runtime`` says which).
    address: int
    # 2.7 and 3.6: where _PyThreadState_Current and gcmodule.c's collecting
    # are; 0 where the version has none or the backend did not find them.
    tstate_current: int = 0
    gc_collecting: int = 0


_ENDBR64 = b"\xf3\x0f\x1e\xfa"
_MOV_RIP_RAX = b"\x48\x8b\x05"  # mov disp32(%rip), %rax


def interp_head_from_code(reader: Reader, function: int) -> Optional[int]:
    """Where ``interp_head`` is, from the code of PyInterpreterState_Head at ``function``.

    2.7 and 3.6 compile ``return interp_head;`` to ``mov interp_head(%rip),
    %rax; ret`` on x86-64 (after an ``endbr64`` where the build has CET):
    the address is the end of that instruction plus its displacement. None
    if the code is anything else.
    """
    try:
        code = reader.read(function, 16)
    except CpythonGdbError:
        return None
    at = len(_ENDBR64) if code.startswith(_ENDBR64) else 0
    end = at + len(_MOV_RIP_RAX) + 4
    if code[at:at + len(_MOV_RIP_RAX)] != _MOV_RIP_RAX or code[end:end + 1] != b"\xc3":  # ret
        return None
    return function + end + int.from_bytes(code[end - 4:end], "little", signed=True)
