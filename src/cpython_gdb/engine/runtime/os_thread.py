"""Which CPython thread states belong to an OS thread, and its one Python stack.

A thread state records the OS thread that made it, as pthread_t
(``thread_id``) and, from 3.11, as the kernel's id (``native_thread_id``). A
debugger knows each thread's LWP and pthread_t (on x86-64 glibc, the
fs_base register). With one interpreter that is enough. A thread that runs
code in a subinterpreter has a thread state in each interpreter it entered,
and up to 3.12 ``_xxsubinterpreters.run_string`` runs the subinterpreter's
first thread state, whichever thread made it: its ids then name the
creator (often the main thread), not the thread that runs it.

So where there are several interpreters, a thread state that runs Python
code is given to the OS thread on whose C stack its running code is: the
scheme's ``running_anchor`` says what of it lies there (see ``_anchor``),
and the thread whose stack [sp, top) holds it runs it. A thread state
that runs no code, or whose anchor no thread's stack holds, keeps the
thread its ids name. On one OS thread, the thread state whose anchor is
nearest the stack pointer runs the newest frames (stacks grow down).
"""

from __future__ import annotations

import struct

from ...errors import CpythonGdbError
from ..limits import Limits
from ..model import PyThread
from ..record import frozen, replace
from ..target import Target
from .anchor import Runtime
from .tstate import innermost_frame, interpreter_id, read_thread, runtime_lists

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Sequence, Tuple

# How much of a stack is read at most to find a frame's address in it (3.8
# and 3.9): the default thread stack size, and that of the main thread.
_MAX_SCAN = 8 << 20
_SCAN_CHUNK = 64 << 10
_PAGE = 4096
# Frames of one thread state whose addresses are looked for, to break a tie.
_SCAN_FRAMES = 8
# Frame records passed at most on the way to a thread state's newest shim
# (one C call of the eval loop runs any number of Python frames).
_MAX_RECORDS = 1 << 17
_WORD = struct.Struct("<Q")


@frozen
class OsThreadKeys:
    """What a backend knows of one OS thread."""

    lwp: int
    handles: Tuple[int, ...]  # the pthread_t values it may go by
    sp: Optional[int] = None  # its stack pointer at the stop, where known
    # Its thread pointer (x86-64: fs_base). glibc puts a thread's control
    # block at the top of the stack it allocated, so for a thread other than
    # the main one the stack is [sp, tls).
    tls: Optional[int] = None

    def stack_top(self) -> Optional[int]:
        if self.sp is not None and self.tls is not None and self.tls > self.sp:
            return self.tls
        return None


if TYPE_CHECKING:
    # (interpreter id, thread state, native thread id or -1, pthread_t)
    IndexEntry = Tuple[int, int, int, int]


def _index(target: Target, runtime: Runtime) -> List[IndexEntry]:
    """Every thread state with its interpreter and ids, once a stop."""
    cached = target.tstate_index.get(runtime.address)
    if cached is not None:
        return cached
    native = target.layout.has("PyThreadState.native_thread_id")
    index: List[IndexEntry] = []
    for interp, tstates in runtime_lists(target, runtime):
        ident = interpreter_id(target, interp)
        for tstate in tstates:
            try:
                lwp = target.field_ptr(tstate, "PyThreadState.native_thread_id") if native else -1
                pthread = target.field_ptr(tstate, "PyThreadState.thread_id")
            except CpythonGdbError:
                continue  # its own fields are unreadable: no OS thread can be matched to it
            index.append((ident, tstate, lwp, pthread))
    target.tstate_index[runtime.address] = index
    return index


def _by_ids(index: Sequence[IndexEntry], lwp: int, handles: Sequence[int]) -> List[IndexEntry]:
    return [entry for entry in index if entry[2] == lwp or entry[3] in handles]


def several_interpreters(target: Target, runtime: Runtime) -> bool:
    """Whether thread states must be matched by stacks (every thread's keys) rather than by ids alone."""
    index = _index(target, runtime)
    return any(entry[0] != index[0][0] for entry in index)


def match_thread_states(target: Target, runtime: Runtime, lwp: int, handles: Sequence[int]) -> List[int]:
    """The thread states of one OS thread by their ids alone, innermost interpreter first.

    Right where there is one interpreter (see several_interpreters); else
    use assign_thread_states.
    """
    found = sorted(_by_ids(_index(target, runtime), lwp, handles), key=lambda entry: -entry[0])
    return [entry[1] for entry in found]


def _entry_shim(target: Target, tstate: int) -> Optional[int]:
    """The newest shim record of the thread state's frame chain: it lives in an eval-loop call's C frame."""
    scheme = target.scheme
    owner_at = target.layout.off("_PyInterpreterFrame.owner")
    frame = innermost_frame(target, tstate)
    seen = 0
    while frame and seen < _MAX_RECORDS:
        if target.reader.read(frame + owner_at, 1)[0] >= scheme.owner_shim:
            return frame
        frame = target.field_ptr(frame, "_PyInterpreterFrame.previous")
        seen += 1
    return None


def _anchor(target: Target, tstate: int) -> Optional[int]:
    """An address on the C stack of the thread that runs ``tstate``'s code; None if it runs none.

    - "cframe" (3.10-3.12): each eval-loop call points tstate->cframe at a
      record in its own C frame while it runs (tstate->root_cframe, inside
      the thread state, when no call runs: then there are no frames);
    - "entry_shim" (3.13+, and 3.12 has them too): each eval-loop call
      pushes a shim frame record that lives in its own C frame, below the
      first Python frame it runs.
    """
    kind = target.scheme.running_anchor
    if not innermost_frame(target, tstate):
        return None
    if kind == "cframe":
        return target.field_ptr(tstate, "PyThreadState.cframe") or None
    if kind == "entry_shim":
        return _entry_shim(target, tstate)
    return None


def _holder(threads: Sequence[OsThreadKeys], address: int) -> Optional[Tuple[int, int]]:
    """(position in ``threads``, depth from its sp) of the thread whose stack holds ``address``.

    A thread's stack is [sp, top); where its top is unknown (the main
    thread), the thread with the nearest stack pointer below the address,
    since no other thread's sp lies inside a live stack.
    """
    nearest: Optional[Tuple[int, int]] = None
    for position, keys in enumerate(threads):
        if keys.sp is None or address < keys.sp:
            continue
        top = keys.stack_top()
        if top is not None:
            if address < top:
                return position, address - keys.sp
            continue
        if address - keys.sp < _MAX_SCAN and (nearest is None or address - keys.sp < nearest[1]):
            nearest = (position, address - keys.sp)
    return nearest


def _stack_bytes(target: Target, keys: OsThreadKeys) -> bytes:
    """A thread's live stack [sp, top) as far as it can be read (8 MiB at most)."""
    if keys.sp is None:
        return b""
    sp = keys.sp & ~7
    top = keys.stack_top()
    end = min(top, sp + _MAX_SCAN) if top is not None else sp + _MAX_SCAN
    parts: List[bytes] = []
    at = sp
    while at < end:
        size = min(_SCAN_CHUNK, end - at)
        try:
            data = target.reader.read(at, size)
        except CpythonGdbError:
            # Past the stack's end (the main thread's top is not known), or a
            # page a core left out: read what is there page by page.
            size = min(_PAGE - (at & (_PAGE - 1)), end - at)
            try:
                data = target.reader.read(at, size)
            except CpythonGdbError:
                break
        parts.append(data)
        at += size
    return b"".join(parts)


def _depth(stack: bytes, value: int) -> Optional[int]:
    """The lowest 8-byte-aligned offset in ``stack`` that holds ``value``."""
    word = _WORD.pack(value)
    at = stack.find(word)
    while at >= 0 and at & 7:
        at = stack.find(word, at + 1)
    return None if at < 0 else at


def _frame_addresses(target: Target, tstate: int) -> List[int]:
    """The addresses of the newest frame objects of ``tstate`` (3.8, 3.9), as far as they read."""
    out: List[int] = []
    try:
        frame = innermost_frame(target, tstate)
        while frame and len(out) < _SCAN_FRAMES and frame not in out:
            out.append(frame)
            frame = target.field_ptr(frame, "PyFrameObject.f_back")
    except CpythonGdbError:
        pass  # the walk says so when the thread is read
    return out


def _by_scan(target: Target, threads: Sequence[OsThreadKeys],
             tstates: Sequence[int]) -> Dict[int, Tuple[int, int]]:
    """Thread state -> (position, depth) of the thread whose stack holds its newest frame object's address.

    "frame_scan" (3.8, 3.9): a frame object lives on the heap, and nothing
    in the thread state points at the C stack; but the eval-loop call
    running a frame keeps its address (in its own frame, or saved by a
    callee) while it runs. Where several stacks hold it (an old copy left
    in a slot), the one holding most of its newest frames wins.
    """
    chains = {tstate: _frame_addresses(target, tstate) for tstate in tstates}
    chains = {tstate: chain for tstate, chain in chains.items() if chain}
    found: Dict[int, Tuple[int, int]] = {}
    if not chains:
        return found
    best: Dict[int, int] = {}  # tstate -> frames found in the stack it was given to
    for position, keys in enumerate(threads):
        stack = _stack_bytes(target, keys)
        for tstate, chain in chains.items():
            depth = _depth(stack, chain[0])
            if depth is None:
                continue
            count = sum(_depth(stack, frame) is not None for frame in chain[1:])
            if count > best.get(tstate, -1):
                best[tstate] = count
                found[tstate] = (position, depth)
    return found


def assign_thread_states(target: Target, runtime: Runtime, threads: Sequence[OsThreadKeys]) -> List[List[int]]:
    """For each of ``threads``, its thread states, the one running its newest frames first.

    Cached for the stop: ``threads`` must be every thread of the target,
    the same each call.
    """
    cached = target.tstate_assignment.get(runtime.address)
    if cached is not None:
        return cached
    index = _index(target, runtime)
    by_ids = [_by_ids(index, keys.lwp, keys.handles) for keys in threads]
    # Where it runs: thread state -> (position in threads, depth on that stack).
    runs: Dict[int, Tuple[int, int]] = {}
    if any(entry[0] != index[0][0] for entry in index) and any(keys.sp is not None for keys in threads):
        if target.scheme.running_anchor == "frame_scan":
            runs = _by_scan(target, threads, [entry[1] for entry in index])
        else:
            for entry in index:
                try:
                    anchor = _anchor(target, entry[1])
                except CpythonGdbError:
                    continue
                holder = _holder(threads, anchor) if anchor else None
                if holder is not None:
                    runs[entry[1]] = holder
    out: List[List[int]] = []
    for position, matched in enumerate(by_ids):
        mine = [entry for entry in index if runs.get(entry[1], (-1,))[0] == position]
        mine += [entry for entry in matched if entry[1] not in runs]
        # Running ones by depth (the newest nearest sp), then the others,
        # the innermost interpreter (created last) first.
        mine.sort(key=lambda entry: (0, runs[entry[1]][1], 0) if entry[1] in runs else (1, 0, -entry[0]))
        out.append([entry[1] for entry in mine])
    target.tstate_assignment[runtime.address] = out
    return out


def read_os_thread(target: Target, tstates: Sequence[int], limits: Limits) -> PyThread:
    """One PyThread for all the thread states of an OS thread, newest frames first.

    Its ids are those of the outermost thread state, the one the thread
    started with (a subinterpreter's may name the thread that created it);
    the rest (thread state, interpreter) are the innermost one's. Where the
    frames come from more than one interpreter, each frame says which.
    """
    pythread = read_thread(target, tstates[0], limits)
    if len(tstates) == 1:
        return pythread
    parts = [pythread] + [read_thread(target, outer, limits) for outer in tstates[1:]]
    frames = tuple(frame for part in parts for frame in part.frames)
    if len({part.interpreter_id for part in parts if part.frames}) > 1:
        frames = tuple(replace(frame, interpreter_id=part.interpreter_id) for part in parts for frame in part.frames)
    return replace(
        pythread,
        thread_id=parts[-1].thread_id,
        native_thread_id=parts[-1].native_thread_id,
        frames=frames,
        truncated_reason=next((part.truncated_reason for part in parts if part.truncated_reason), None),
    )
