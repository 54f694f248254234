"""Plain frozen values that the decoders produce and the renderers consume."""

from __future__ import annotations

from .record import frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional, Tuple

# Py_TPFLAGS_* bits, the same from 2.7 to 3.15 for the ones used here (2.7's
# STRING_SUBCLASS is 3.x's BYTES_SUBCLASS).
TPFLAGS_MANAGED_DICT = 1 << 4
TPFLAGS_INLINE_VALUES = 1 << 2
TPFLAGS_HEAPTYPE = 1 << 9
TPFLAGS_INT_SUBCLASS = 1 << 23  # 2.7's int (3.12 gave the bit to ITEMS_AT_END)
TPFLAGS_LONG_SUBCLASS = 1 << 24
TPFLAGS_LIST_SUBCLASS = 1 << 25
TPFLAGS_TUPLE_SUBCLASS = 1 << 26
TPFLAGS_BYTES_SUBCLASS = 1 << 27
TPFLAGS_UNICODE_SUBCLASS = 1 << 28
TPFLAGS_DICT_SUBCLASS = 1 << 29
TPFLAGS_BASE_EXC_SUBCLASS = 1 << 30
TPFLAGS_TYPE_SUBCLASS = 1 << 31


@frozen
class TypeInfo:
    address: int
    name: str
    flags: int
    basicsize: int
    itemsize: int
    dictoffset: int
    base: int
    dict_address: int

    @property
    def is_heap(self) -> bool:
        return bool(self.flags & TPFLAGS_HEAPTYPE)


@frozen
class CodeInfo:
    address: int
    filename: str
    name: str
    qualname: str
    firstlineno: int
    # Names of the fast locals, in slot order, with how each slot is used:
    # "local", "cell" (a local captured by an inner function) or "free".
    local_names: Tuple[str, ...]
    local_kinds: Tuple[str, ...]
    # The parameters' names, in the signature's order (positional, *args,
    # keyword-only, **kwargs): their slots are shown as kind "argument".
    arguments: Tuple[str, ...]
    linetable: bytes
    first_traceable: int  # byte offset of the first traceable instruction


@frozen
class Local:
    name: str
    kind: str  # "argument", "local", "cell" (captured by an inner function) or "free"
    address: int  # the PyObject* held by the slot (for cells: the content)


@frozen
class PyFrame:
    address: int
    code: CodeInfo
    lineno: Optional[int]
    locals_address: int  # its first fast-local slot: frames.walk.frame_locals reads them
    globals_address: int
    builtins_address: int
    # True where this frame was the first one run by its C-level call of the
    # eval loop: the frames of one C call end at an entry frame.
    is_entry: bool
    # 3.12+: the address of the shim record that the eval loop's C call
    # pushed below its first frame (0 if none). The shim lives in that C
    # call's stack frame, which tells the C frame without any symbol.
    entry_shim: int = 0
    # The interpreter it runs in, where its thread's frames come from more
    # than one (a thread that entered a subinterpreter); None otherwise.
    interpreter_id: Optional[int] = None


@frozen
class PyThread:
    tstate: int
    thread_id: int  # pthread_t
    native_thread_id: Optional[int]
    interpreter_id: int
    frames: Tuple[PyFrame, ...]
    # Set when the walk stopped early: unreadable memory, a loop or the limit.
    truncated_reason: Optional[str] = None
