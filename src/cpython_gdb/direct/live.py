"""A live process, read without a debugger: /proc/PID/mem, stopped by ptrace.

:func:`stopped` seizes every thread (``PTRACE_SEIZE``, which sends no
signal), interrupts it (``PTRACE_INTERRUPT``) and waits until it stops, so
that memory does not change while it is read. Leaving the block detaches
from each thread, which resumes it, or leaves it stopped if the whole
process was stopped (``SIGSTOP``) before: the kernel puts a detached
thread back into the group stop it was in. A signal that arrived while a
thread was held is handed back to it on detach. If this process dies
while holding the threads, the kernel detaches them the same way.

ptrace goes through libc's ``syscall()``, bound with ``_ctypes`` (x86-64
Linux). Nothing is ever written to the target.
"""

from __future__ import annotations

import errno
import os
import time

from ..engine.memory import Mapped, check_address
from ..engine.record import frozen
from ..errors import CpythonGdbError, MemoryReadError
from .procfs import process_root
from .registers import USER_REGS, fs_base
from .symbols import Mapping

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple

SYS_PTRACE = 101  # x86-64
PTRACE_GETREGS, PTRACE_DETACH = 12, 17
PTRACE_SEIZE, PTRACE_INTERRUPT = 0x4206, 0x4207
PTRACE_EVENT_STOP = 128
WALL = 0x40000000  # __WALL: threads too
STOP_TIMEOUT = 10.0


class TargetError(CpythonGdbError):
    """The process cannot be read (one-line message)."""


# Bound by _bind() when first needed: libc's syscall(), the errno it left,
# the type of a user_regs_struct (USER_REGS unsigned 64-bit words) and
# addressof() for one.
_syscall: Any = None
_get_errno: Any = None
_Registers: Any = None
_addressof: Any = None


def _bind(private: bool = True) -> None:
    """Bind libc's ``syscall()`` with ``_ctypes``, the C half of ctypes.

    ``import ctypes`` declares some forty C types and makes a few helpers
    at import, about 1.4 ms of a 25 ms dump (bench/dump.py); ptrace needs
    three of those types, declared here as ctypes/__init__.py declares them
    (the same calls from 3.8 to 3.15). If a Python does not take them, or
    with ``private`` false, ctypes binds it.
    """
    global _syscall, _get_errno, _Registers, _addressof
    if private:
        try:
            import _ctypes

            class c_long(_ctypes._SimpleCData):  # type: ignore[type-arg]
                _type_ = "l"

            class c_void_p(_ctypes._SimpleCData):  # type: ignore[type-arg]
                _type_ = "P"

            class c_ulonglong(_ctypes._SimpleCData):  # type: ignore[type-arg]
                _type_ = "Q"

            class Syscall(_ctypes.CFuncPtr):
                _flags_ = _ctypes.FUNCFLAG_CDECL | _ctypes.FUNCFLAG_USE_ERRNO
                _restype_ = c_long
                _argtypes_ = (c_long, c_long, c_long, c_void_p, c_void_p)

            _syscall = Syscall(_ctypes.dlsym(_ctypes.dlopen(None, 0), "syscall"))  # type: ignore[arg-type]
            _get_errno, _Registers, _addressof = _ctypes.get_errno, c_ulonglong * USER_REGS, _ctypes.addressof
            return
        except Exception:  # a _ctypes unlike 3.8-3.15's: ctypes knows it
            pass
    import ctypes

    _syscall = ctypes.CDLL(None, use_errno=True).syscall
    _syscall.restype = ctypes.c_long
    _syscall.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    _get_errno, _Registers, _addressof = ctypes.get_errno, ctypes.c_ulonglong * USER_REGS, ctypes.addressof


def _ptrace(request: int, tid: int, addr: int = 0, data: Optional[int] = None) -> None:
    if _syscall is None:
        _bind()
    if _syscall(SYS_PTRACE, request, tid, addr, data) == -1:
        code = _get_errno()
        raise OSError(code, os.strerror(code))


def _status_field(pid: int, field: str) -> Optional[str]:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _denied(pid: int) -> TargetError:
    tracer = _status_field(pid, "TracerPid")
    if tracer not in (None, "0"):
        return TargetError(f"cannot attach to process {pid}: it is already traced by process {tracer} "
                           "(a debugger?)")
    from .ptrace_scope import ptrace_advice  # only when refused

    return TargetError(f"cannot attach to process {pid}: {ptrace_advice()}")


def _tasks(pid: int) -> List[int]:
    try:
        tids = [int(name) for name in os.listdir(f"/proc/{pid}/task")]
    except FileNotFoundError:
        raise TargetError(f"no process with id {pid}") from None
    except OSError as exc:
        raise TargetError(f"cannot list the threads of process {pid}: {exc.strerror}") from None
    # As a debugger numbers them: the main thread first.
    return sorted(tids, key=lambda tid: tid != pid)


@frozen
class LiveThread:
    lwp: int
    name: Optional[str]  # comm
    registers: Optional[Tuple[int, ...]]  # its user_regs_struct (registers.py); None if it could not be read

    @property
    def fs_base(self) -> Optional[int]:
        return fs_base(self.registers)


@frozen
class Stopped:
    pid: int
    threads: List[LiveThread]


def _wait_all(pending: Dict[int, int], signals: Dict[int, int], deadline: float) -> None:
    """Wait until each seized thread stops; keep the signals they stopped for."""
    waiting = set(pending)
    # Polled, so that a thread that never stops (uninterruptible sleep)
    # cannot hang the dump past the deadline; short pauses, as a stop
    # usually takes well under a millisecond.
    pause = 0.00005
    while waiting:
        for tid in list(waiting):
            try:
                got, status = os.waitpid(tid, os.WNOHANG | WALL)
            except ChildProcessError:  # gone
                waiting.discard(tid)
                pending.pop(tid, None)
                continue
            if got == 0:
                continue
            waiting.discard(tid)
            if os.WIFSTOPPED(status):
                if status >> 16 != PTRACE_EVENT_STOP:
                    signals[tid] = os.WSTOPSIG(status)  # a signal-delivery stop: hand it back later
            else:  # exited or killed
                pending.pop(tid, None)
        if waiting:
            if time.monotonic() > deadline:
                raise TargetError(f"threads {sorted(waiting)} did not stop within {STOP_TIMEOUT:g} s")
            time.sleep(pause)
            pause = min(pause * 2, 0.001)


def _registers(tid: int) -> Optional[Tuple[int, ...]]:
    """The registers of a thread held stopped (None if it is gone: killed meanwhile)."""
    if _Registers is None:
        _bind()
    regs = _Registers()
    try:
        _ptrace(PTRACE_GETREGS, tid, 0, _addressof(regs))
    except OSError:
        return None
    return tuple(regs)


def _comm(pid: int, tid: int) -> Optional[str]:
    try:
        with open(f"/proc/{pid}/task/{tid}/comm", "rb") as f:
            return f.read().rstrip(b"\n").decode("utf-8", "replace")
    except OSError:
        return None


def stopped(pid: int) -> "_Hold":
    """Every thread of ``pid`` held stopped for a ``with`` block; see the module docstring.

    ``with stopped(pid) as held:`` gives a Stopped. A class rather than
    contextlib.contextmanager, whose import costs ``dump`` a millisecond.
    """
    return _Hold(pid)


class _Hold:
    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.seized: List[int] = []  # in the order a debugger numbers them
        self.signals: Dict[int, int] = {}  # tid -> signal to deliver on detach

    def __enter__(self) -> Stopped:
        try:
            self._seize_all()
            return Stopped(self.pid, [LiveThread(tid, _comm(self.pid, tid), _registers(tid)) for tid in self.seized])
        except BaseException:
            self._release()
            raise

    def __exit__(self, *exc: object) -> None:
        self._release()

    def _seize_all(self) -> None:
        pid = self.pid
        deadline = time.monotonic() + STOP_TIMEOUT
        while True:
            # Repeat until no new thread shows up: a thread not yet stopped
            # may have started another.
            new = [tid for tid in _tasks(pid) if tid not in self.seized]
            if not new:
                return
            batch: Dict[int, int] = {}
            for tid in new:
                try:
                    _ptrace(PTRACE_SEIZE, tid)
                except OSError as exc:
                    if exc.errno == errno.ESRCH:
                        continue  # the thread exited meanwhile
                    if exc.errno == errno.EPERM:
                        raise _denied(pid) from None
                    raise TargetError(f"cannot attach to thread {tid} of process {pid}: {exc.strerror}") from None
                self.seized.append(tid)
                batch[tid] = 0
                try:
                    _ptrace(PTRACE_INTERRUPT, tid)
                except OSError:
                    pass  # exited: waitpid says so
            _wait_all(batch, self.signals, deadline)
            self.seized = [tid for tid in self.seized if tid in batch or tid not in new]

    def _release(self) -> None:
        seized, self.seized = self.seized, []
        for tid in seized:
            try:
                _ptrace(PTRACE_DETACH, tid, 0, self.signals.get(tid, 0))
            except OSError:
                pass


class ProcessMemory:
    """A Reader over /proc/PID/mem (pread, so no seek between reads).

    Once ``mapped`` is set (:func:`mapped_ranges`), a read outside the
    process's mappings is refused before it reaches the kernel, which
    would grow the main thread's stack to cover an address just below it
    (see engine.memory.Mapped). Until then (None) every read is tried.
    """

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.mapped: Optional[Mapped] = None
        try:
            self._fd = os.open(f"/proc/{pid}/mem", os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            raise TargetError(f"no process with id {pid}") from None
        except PermissionError:
            raise _denied(pid) from None

    def read(self, address: int, size: int) -> bytes:
        check_address(address, size)
        if self.mapped is not None:
            self.mapped.check(address, size)
        try:
            data = os.pread(self._fd, size, address)
        except OSError:
            raise MemoryReadError(address, size) from None
        if len(data) != size:
            raise MemoryReadError(address, size)
        return data

    def close(self) -> None:
        os.close(self._fd)

    def __enter__(self) -> "ProcessMemory":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _maps(pid: int) -> List[str]:
    try:
        with open(f"/proc/{pid}/maps") as f:
            return f.read().splitlines()
    except FileNotFoundError:
        raise TargetError(f"no process with id {pid}") from None
    except OSError as exc:
        raise TargetError(f"cannot read the mappings of process {pid}: {exc.strerror}") from None


def mapped_ranges(pid: int) -> Mapped:
    """What ``pid`` has mapped and can access (not the ``---p`` guard pages and reserved address
    space, where none of its objects can be). Read it while the process is stopped: it may map more
    as it runs."""
    spans = []
    for line in _maps(pid):
        span, perms, _ = line.split(" ", 2)
        if perms[:3] != "---":
            start, end = span.split("-")
            spans.append((int(start, 16), int(end, 16)))
    return Mapped(spans)


def process_mappings(pid: int) -> Tuple[List[Mapping], Optional[str]]:
    """The files mapped into ``pid`` and its executable's path, as the process sees them."""
    try:
        executable: Optional[str] = os.readlink(f"/proc/{pid}/exe")
    except OSError:
        executable = None
    if executable is not None and executable.endswith(" (deleted)"):
        executable = executable[: -len(" (deleted)")]
    mappings: List[Mapping] = []
    root = process_root(pid)
    for line in _maps(pid):
        fields = line.split(None, 5)
        if len(fields) < 6 or not fields[5].startswith("/"):
            continue
        span, offset, name = fields[0], int(fields[2], 16), fields[5]
        start, end = (int(part, 16) for part in span.split("-"))
        deleted = name.endswith(" (deleted)")
        if deleted:
            name = name[: -len(" (deleted)")]
        # The mapping itself opens the very file, even one deleted since or
        # in another mount namespace (it needs CAP_SYS_ADMIN); else the name
        # (as seen from our root), else the name under the process's root;
        # that one first where the process's root is not ours (a container),
        # where the same name here may be another file.
        disk = (f"/proc/{pid}/map_files/{span}", name, f"/proc/{pid}/root{name}")
        if root:
            disk = (disk[0], disk[2], disk[1])
        mappings.append(Mapping(start, end, offset, name, disk))
    return mappings, executable
