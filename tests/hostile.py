"""Targets that hold what a debugger must not trust, for the tests/*/test_hostile_* tests.

A program run from anywhere (a directory whose name is not UTF-8, a FIFO
for a script), commands run with a stdin that never ends (a read of it
blocks, as a terminal's would), and a core whose threads' registers are
gone.
"""

import os
import shutil
import struct
import subprocess
import sys
import tempfile
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from harness import PROGRAMS, PYTHONS, Target, started

# Long enough for gdb on a loaded machine; a command that blocks on a
# source file never ends.
BLOCKED_TIMEOUT = 120


@contextmanager
def launched(version: str, argv: List[str], *, stdin_file: Optional[Path] = None,
             workdir: Optional[Path] = None, env: Optional[Dict[str, str]] = None) -> Iterator[Target]:
    """Run ``python ARGV...`` (CPython VERSION) in WORKDIR and wait for its ready line.

    ``stdin_file`` is the program's stdin. WORKDIR (a new one if None) is
    removed after.
    """
    workdir = workdir or Path(tempfile.mkdtemp(prefix="cpython-gdb-"))
    fifo = workdir / "ready"
    os.mkfifo(fifo)
    full_env = dict(os.environ, READY_FILE=str(fifo), PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
    full_env.update(env or {})
    with ExitStack() as files:
        stdin = files.enter_context(open(stdin_file, "rb")) if stdin_file is not None else subprocess.DEVNULL
        proc = subprocess.Popen([str(PYTHONS[version]), *argv], env=full_env, cwd=str(workdir), stdin=stdin,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with started(proc, fifo, workdir) as target:
        yield target


def odd_directory(parent: Path) -> Path:
    """A directory under PARENT whose name holds the byte 0xff (no UTF-8 text has it)."""
    path = Path(os.fsdecode(os.fsencode(str(parent)) + b"/d\xff"))
    path.mkdir()
    return path


def copy_program(program: str, directory: Path, **replace: str) -> Path:
    """tests/programs/PROGRAM and ready.py copied to DIRECTORY, each ``<KEY>`` of PROGRAM replaced."""
    shutil.copy(PROGRAMS / "ready.py", directory / "ready.py")
    text = (PROGRAMS / program).read_text(encoding="utf-8")
    for key, value in replace.items():
        text = text.replace(f"<{key}>", value)
    path = directory / program
    path.write_text(text, encoding="utf-8")
    return path


def run_held(argv: List[str], env: Optional[Dict[str, str]] = None,
             timeout: float = BLOCKED_TIMEOUT) -> "subprocess.CompletedProcess[bytes]":
    """Run ARGV with a stdin that stays open and empty: a read of it blocks.

    So does reading /dev/stdin, as a source file named so, inside it. A
    command still blocked after ``timeout`` seconds fails the test.
    """
    read_end, write_end = os.pipe()
    try:
        return subprocess.run(argv, stdin=read_end, capture_output=True,
                              env=dict(os.environ, PYTHONHASHSEED="0", **(env or {})), timeout=timeout)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"blocked for {timeout} s: {argv}") from None
    finally:
        os.close(read_end)
        os.close(write_end)


def dump_argv(*args: str) -> List[str]:
    return [sys.executable, "-m", "cpython_gdb.cli.main", "dump", *args]


NT_PRSTATUS = 1
PT_NOTE = 4
# A note type the kernel never writes: BFD, and so gdb, skips the note.
NT_NONE = 0x7FFF0001


def without_registers(core: Path, out: Path) -> int:
    """Copy CORE (x86-64, little-endian ELF) to OUT with every NT_PRSTATUS note turned into one gdb ignores.

    gdb finds a thread's registers only in those notes: in OUT no thread
    has any, as in a core whose writer failed to save them. Returns how
    many notes were changed.
    """
    data = bytearray(core.read_bytes())
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "a 64-bit little-endian ELF file"
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    changed = 0
    for i in range(phnum):
        p_type, _flags, p_offset, _vaddr, _paddr, p_filesz = struct.unpack_from("<IIQQQQ", data, phoff + i * phentsize)
        if p_type != PT_NOTE:
            continue
        position, end = p_offset, p_offset + p_filesz
        while position + 12 <= end:
            namesz, descsz, kind = struct.unpack_from("<III", data, position)
            name = bytes(data[position + 12:position + 12 + namesz]).rstrip(b"\0")
            if name == b"CORE" and kind == NT_PRSTATUS:
                struct.pack_into("<I", data, position + 8, NT_NONE)
                changed += 1
            # Name and descriptor are each padded to 4 bytes in a core's notes.
            position += 12 + (namesz + 3) // 4 * 4 + (descsz + 3) // 4 * 4
    out.write_bytes(bytes(data))
    return changed


def layout_offsets(version: str) -> Dict[str, int]:
    """Field offsets of CPython VERSION's structs, from the generated layout tables."""
    from cpython_gdb.engine.layout.sources import load_table
    from harness import minor_of

    return dict(load_table(*minor_of(version), free_threaded=version.endswith("t")).offsets)


def peek(pid: int, address: int) -> int:
    """The 8-byte word at ADDRESS in process PID."""
    with open(f"/proc/{pid}/mem", "rb", buffering=0) as mem:
        mem.seek(address)
        value: int = struct.unpack("<Q", mem.read(8))[0]
        return value


def poke(pid: int, address: int, value: int) -> None:
    """Write the 8-byte word VALUE at ADDRESS in process PID: what a memory corruption would leave."""
    with open(f"/proc/{pid}/mem", "r+b", buffering=0) as mem:
        mem.seek(address)
        mem.write(struct.pack("<Q", value))


def mappings(pid: int) -> str:
    with open(f"/proc/{pid}/maps") as f:
        return f.read()


def stack_start(pid: int) -> int:
    """Where the main thread's stack mapping ([stack]) starts: it grows down from there."""
    for line in mappings(pid).splitlines():
        if line.endswith("[stack]"):
            return int(line.split("-", 1)[0], 16)
    raise AssertionError(f"process {pid} has no [stack] mapping")
PT_LOAD = 1
PR_PID, PR_REG = 32, 112  # in an x86-64 NT_PRSTATUS descriptor: the thread's id, its user_regs_struct
RIP, RSP = 16, 19  # words of user_regs_struct


def _program_headers(data: bytearray) -> Iterator[Tuple[int, Tuple[int, ...]]]:
    """(where in DATA, fields) of each program header of a 64-bit little-endian ELF file."""
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "a 64-bit little-endian ELF file"
    (phoff,) = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    for i in range(phnum):
        yield phoff + i * phentsize, struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)


def set_register(data: bytearray, lwp: int, word: int, value: int) -> None:
    """Set register WORD of thread LWP in a core's NT_PRSTATUS note (x86-64)."""
    for _, (p_type, _, p_offset, _, _, p_filesz, _, _) in _program_headers(data):
        position, end = p_offset, p_offset + p_filesz
        while p_type == PT_NOTE and position + 12 <= end:
            namesz, descsz, kind = struct.unpack_from("<III", data, position)
            desc = position + 12 + (namesz + 3) // 4 * 4
            if kind == NT_PRSTATUS and struct.unpack_from("<i", data, desc + PR_PID)[0] == lwp:
                struct.pack_into("<Q", data, desc + PR_REG + 8 * word, value)
                return
            position = desc + (descsz + 3) // 4 * 4
    raise AssertionError(f"no NT_PRSTATUS note of thread {lwp}")


def write_memory(data: bytearray, address: int, value: bytes) -> None:
    """Overwrite a core's memory at ADDRESS (in a PT_LOAD segment the file holds)."""
    for _, (p_type, _, p_offset, p_vaddr, _, p_filesz, _, _) in _program_headers(data):
        if p_type == PT_LOAD and p_vaddr <= address and address + len(value) <= p_vaddr + p_filesz:
            data[p_offset + address - p_vaddr:p_offset + address - p_vaddr + len(value)] = value
            return
    raise AssertionError(f"no segment holds {address:#x}")


def drop_memory(data: bytearray, address: int) -> None:
    """Leave out of a core the PT_LOAD segment that holds ADDRESS: its memory is then unreadable."""
    for at, (p_type, _, _, p_vaddr, _, _, p_memsz, _) in _program_headers(data):
        if p_type == PT_LOAD and p_vaddr <= address < p_vaddr + p_memsz:
            struct.pack_into("<Q", data, at + 32, 0)  # p_filesz
            return
    raise AssertionError(f"no segment holds {address:#x}")
