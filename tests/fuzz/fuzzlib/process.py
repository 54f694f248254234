"""A live target held stopped (SIGSTOP), its memory written, and the evidence of side effects.

The test, not the tool, writes to the target: through /proc/PID/mem,
which root may write without being the process's tracer. What a tool
must leave as it found is captured by :func:`evidence`: a checksum of
every readable mapping, the registers of every thread (read with ptrace
here, independently of the tool's own ptrace code), and the mapping list.
"""

import ctypes
import errno
import os
import signal
import time
import zlib
from typing import Dict, List, Optional, Tuple

STOP_TIMEOUT = 10.0
PTRACE_GETREGS, PTRACE_DETACH, PTRACE_SEIZE, PTRACE_INTERRUPT = 12, 17, 0x4206, 0x4207
WALL = 0x40000000
USER_REGS = 27
# Mappings the kernel serves specially: reading them fails or means nothing.
SKIPPED = ("[vvar]", "[vvar_vclock]", "[vsyscall]")

_libc = ctypes.CDLL(None, use_errno=True)
_libc.ptrace.restype = ctypes.c_long
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]


class Mapping:
    __slots__ = ("start", "end", "perms", "offset", "name", "line")

    def __init__(self, line: str) -> None:
        fields = line.split(None, 5)
        self.start, self.end = (int(part, 16) for part in fields[0].split("-"))
        self.perms = fields[1]
        self.offset = int(fields[2], 16)
        self.name = fields[5] if len(fields) > 5 else ""
        self.line = line


def mappings(pid: int) -> List[Mapping]:
    with open(f"/proc/{pid}/maps") as f:
        return [Mapping(line.rstrip("\n")) for line in f if line.strip()]


def tids(pid: int) -> List[int]:
    return sorted(int(name) for name in os.listdir(f"/proc/{pid}/task"))


def task_state(pid: int, tid: int) -> str:
    with open(f"/proc/{pid}/task/{tid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def syscall_of(pid: int, tid: int) -> Optional[int]:
    """The number of the system call the thread is blocked in, None if running or unknown."""
    try:
        with open(f"/proc/{pid}/task/{tid}/syscall") as f:
            first = f.read().split()[0]
    except (OSError, IndexError):
        return None
    return int(first) if first.lstrip("-").isdigit() else None


def wait_stopped(pid: int, timeout: float = STOP_TIMEOUT) -> None:
    """Wait until every thread is in the group stop (state T)."""
    deadline = time.monotonic() + timeout
    while True:
        if all(task_state(pid, tid) in ("T", "t") for tid in tids(pid)):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"process {pid} did not stop")
        time.sleep(0.002)


def stop(pid: int) -> None:
    os.kill(pid, signal.SIGSTOP)
    wait_stopped(pid)


def stopped_state(pid: int, wait: float = 2.0) -> bool:
    """Whether every thread is (back) in the group stop.

    A thread that a tracer detaches from runs for a moment on its way
    back into the group stop (state R), without returning to user space:
    give it ``wait`` seconds.
    """
    try:
        wait_stopped(pid, wait)
    except RuntimeError:
        return False
    return True


def tracer_of(pid: int, tid: int) -> int:
    with open(f"/proc/{pid}/task/{tid}/status") as f:
        for line in f:
            if line.startswith("TracerPid:"):
                return int(line.split()[1])
    return 0


def wait_untraced(pid: int, timeout: float = STOP_TIMEOUT) -> None:
    """Wait until no tracer holds a thread: a killed gdb lets go of them only once it is gone."""
    deadline = time.monotonic() + timeout
    while any(tracer_of(pid, tid) for tid in tids(pid)):
        if time.monotonic() > deadline:
            raise RuntimeError(f"process {pid} is still traced")
        time.sleep(0.01)


class Memory:
    """Read and write a stopped process's memory through /proc/PID/mem."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.fd = os.open(f"/proc/{pid}/mem", os.O_RDWR | os.O_CLOEXEC)

    def read(self, address: int, size: int) -> bytes:
        try:
            data = os.pread(self.fd, size, address)
        except OSError:
            data = b""
        if len(data) != size:
            from cpython_gdb.errors import MemoryReadError

            raise MemoryReadError(address, size)
        return data

    def write(self, address: int, data: bytes) -> None:
        written = os.pwrite(self.fd, data, address)
        if written != len(data):
            raise OSError(errno.EIO, f"short write at 0x{address:x}")

    def close(self) -> None:
        os.close(self.fd)


def checksums(pid: int, fd: int) -> Dict[str, int]:
    """CRC32 of every readable mapping, keyed by its /proc/PID/maps line.

    Keyed by the whole line, so a mapping that moved, grew or changed its
    permissions shows as one key gone and one new.
    """
    out: Dict[str, int] = {}
    for mapping in mappings(pid):
        if "r" not in mapping.perms or mapping.name in SKIPPED:
            continue
        crc = 0
        at = mapping.start
        while at < mapping.end:
            size = min(1 << 22, mapping.end - at)
            try:
                chunk = os.pread(fd, size, at)
            except OSError:
                chunk = b"<unreadable>"
                at = mapping.end
            crc = zlib.crc32(chunk, crc)
            at += size
        out[mapping.line] = crc
    return out


def _ptrace(request: int, tid: int, addr: int = 0, data: int = 0) -> int:
    result = _libc.ptrace(request, tid, addr, data)
    if result == -1:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    return int(result)


def registers(pid: int) -> Dict[int, Tuple[int, ...]]:
    """Every thread's user_regs_struct: seized and interrupted one by one, then detached.

    The process is in a group stop: a detached thread goes back into it.
    """
    regs: Dict[int, Tuple[int, ...]] = {}
    for tid in tids(pid):
        _ptrace(PTRACE_SEIZE, tid)
        try:
            _ptrace(PTRACE_INTERRUPT, tid)
            deadline = time.monotonic() + STOP_TIMEOUT
            while os.waitpid(tid, os.WNOHANG | WALL)[0] == 0:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"thread {tid} did not stop for ptrace")
                time.sleep(0.0005)
            buffer = (ctypes.c_ulonglong * USER_REGS)()
            _ptrace(PTRACE_GETREGS, tid, 0, ctypes.addressof(buffer))
            regs[tid] = tuple(buffer)
        finally:
            _ptrace(PTRACE_DETACH, tid)
    return regs


class Evidence:
    """What must be the same before and after a tool ran (that it is still stopped: campaign.py)."""

    def __init__(self, pid: int, fd: int, memory: bool = True) -> None:
        self.maps = [m.line for m in mappings(pid)]
        self.sums = checksums(pid, fd) if memory else {}
        self.regs = registers(pid)

    def differences(self, after: "Evidence") -> List[str]:
        out = []
        if self.maps != after.maps:
            gone = [line for line in self.maps if line not in after.maps]
            new = [line for line in after.maps if line not in self.maps]
            out.append(f"mappings changed: gone {gone[:3]}, new {new[:3]}")
        changed = [line for line, crc in self.sums.items() if line in after.sums and after.sums[line] != crc]
        if changed:
            out.append(f"memory changed in {len(changed)} mapping(s): {changed[:3]}")
        if self.regs != after.regs:
            moved = sorted(tid for tid in set(self.regs) | set(after.regs) if self.regs.get(tid) != after.regs.get(tid))
            out.append(f"registers changed in threads {moved}")
        return out


def evidence(pid: int, fd: int, memory: bool = True) -> Evidence:
    """``memory``: with the checksum of every mapping (else mappings and registers only)."""
    return Evidence(pid, fd, memory)
