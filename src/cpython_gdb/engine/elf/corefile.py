"""Read what a Linux ELF core file says about the process that dumped it.

Standard library only, Python 3.8+, no gdb: the ``cpython-gdb`` command uses
it to find the executable of a core and to notice truncated cores before gdb
starts.  It reads, through :class:`.image.ElfFile`, the ELF header, the
program headers and the ``PT_NOTE`` notes: ``NT_PRPSINFO`` (command name
and arguments), ``NT_PRSTATUS`` (one per thread), ``NT_SIGINFO``,
``NT_AUXV`` and ``NT_FILE`` (mapped files).  Memory is read from the
``PT_LOAD`` segments, as far as the file holds them.  Both ELF classes and
byte orders are understood; nothing is read into memory beyond the
headers, the notes and what :meth:`CoreFile.read` asks for.
"""

from __future__ import annotations

import os
import struct

from ..record import frozen
from .image import PT_LOAD, PT_NOTE, ElfError, ElfFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Optional, Tuple

ET_CORE = 4
PF_X = 1
NT_PRSTATUS, NT_PRPSINFO, NT_AUXV = 1, 3, 6
NT_SIGINFO, NT_FILE = 0x53494749, 0x46494C45
AT_NULL, AT_ENTRY, AT_EXECFN = 0, 9, 31
FAULT_SIGNALS = (11, 7, 4, 8)  # SIGSEGV, SIGBUS, SIGILL, SIGFPE (Linux): the signal module is slow to import
MACHINES = {3: "i386", 21: "ppc64", 22: "s390", 40: "arm", 62: "x86-64", 183: "aarch64", 243: "riscv"}
MAX_NOTES = 64 << 20  # bytes of notes read at most: a million threads' worth
MAX_STRING = 4096
PSARGS_MAX = 79  # bytes of the command line in NT_PRPSINFO
# An x86-64 NT_PRSTATUS: pr_reg (user_regs_struct, 27 words) at byte 112; fs_base is word 21 of it.
X86_64_PR_REG, X86_64_USER_REGS = 112, 27
X86_64_FS_BASE = X86_64_PR_REG + 21 * 8
GIVEN = "given"  # an Executable's source when the user named it


class CoreError(ElfError):
    """The file is not an ELF core file that can be read (one-line message)."""


@frozen
class Segment:
    """A ``PT_LOAD`` program header: memory at ``vaddr``, ``filesz`` of it in the file."""

    vaddr: int
    memsz: int
    offset: int
    filesz: int
    flags: int


@frozen
class MappedFile:
    """An ``NT_FILE`` entry: ``path`` mapped at [start, end) from byte ``offset``."""

    start: int
    end: int
    offset: int
    path: str


@frozen
class Thread:
    """An ``NT_PRSTATUS`` note: a thread's id and the signal it reports."""

    lwp: int
    signal: int
    fs_base: Optional[int] = None  # x86-64: the thread pointer, pthread_self() under glibc
    registers: Optional[Tuple[int, ...]] = None  # x86-64: its user_regs_struct (direct/registers.py)


def signal_name(number: int) -> str:
    import signal

    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _cstring(data: bytes) -> str:
    return data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


class CoreFile:
    """The headers and notes of one core file; see the module docstring."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.segments: List[Segment] = []
        self.threads: List[Thread] = []
        self.files: List[MappedFile] = []
        self.auxv: Dict[int, int] = {}
        self.fname: Optional[str] = None
        self.psargs: Optional[str] = None
        self.pid: Optional[int] = None
        self.siginfo: Optional[Tuple[int, int, Optional[int]]] = None  # signo, code, address
        self.expected_size = 0  # how long the file should be, from its headers
        try:
            self.size = os.stat(path).st_size
            with open(path, "rb") as f:
                self._parse(ElfFile(f, path))
            self.execfn = self.read_string(self.auxv[AT_EXECFN]) if AT_EXECFN in self.auxv else None
        except CoreError:
            raise
        except ElfError as exc:  # the reader's, said of this core
            raise CoreError(str(exc)) from None
        except struct.error:
            raise CoreError(f"{path}: corrupt ELF headers or notes") from None
        except OSError as exc:
            raise CoreError(f"cannot read {path}: {exc.strerror}") from None

    def _pread(self, offset: int, size: int) -> bytes:
        # Offsets and sizes come from the file's own headers: nothing lies
        # outside the file (and seek() refuses what an off_t cannot hold).
        if offset < 0 or size <= 0 or offset >= self.size:
            return b""
        with open(self.path, "rb") as f:
            f.seek(offset)
            return f.read(min(size, self.size - offset))

    # -- parsing -----------------------------------------------------------

    def _parse(self, elf: ElfFile) -> None:
        if elf.type != ET_CORE:
            raise CoreError(f"{self.path} is an ELF file but not a core file (ELF type {elf.type})")
        self.wordsize, self.order, self.machine = elf.wordsize, elf.order, elf.machine
        self._word = "I" if self.wordsize == 4 else "Q"
        headers_end = elf.phoff + elf.phentsize * elf.phnum
        self.expected_size = max(headers_end, elf.shoff + elf.shentsize * elf.shnum)
        if headers_end > self.size:
            raise CoreError(f"{self.path} is truncated: {self.size} bytes, its program headers end at "
                            f"byte {headers_end}")
        for offset, vaddr, filesz, memsz, kind, flags, _ in elf.program_headers():
            self.expected_size = max(self.expected_size, offset + filesz)
            if kind == PT_LOAD:
                self.segments.append(Segment(vaddr, memsz, offset, filesz, flags))
        for header in elf.segments(PT_NOTE):
            for name, kind, desc in elf.notes(header, MAX_NOTES):
                if name in (b"CORE", b"LINUX"):
                    self._note(kind, desc)

    def _note(self, kind: int, desc: bytes) -> None:
        w, word = self.wordsize, self._word
        if kind == NT_PRSTATUS and len(desc) >= 16 + 3 * w:
            # elf_siginfo (3 ints), short pr_cursig, then two longs before pr_pid.
            (cursig,) = struct.unpack_from(f"{self.order}h", desc, 12)
            (lwp,) = struct.unpack_from(f"{self.order}i", desc, 16 + 2 * w)
            fs_base = registers = None
            if self.machine == 62 and len(desc) >= X86_64_PR_REG + 8 * X86_64_USER_REGS:
                registers = struct.unpack_from(f"{self.order}{X86_64_USER_REGS}Q", desc, X86_64_PR_REG)
                fs_base = registers[(X86_64_FS_BASE - X86_64_PR_REG) // 8]
            self.threads.append(Thread(lwp, cursig, fs_base, registers))
        elif kind == NT_PRPSINFO and len(desc) >= 112:
            # pr_fname[16] and pr_psargs[80] end the struct on every Linux
            # architecture, just after pr_pid, pr_ppid, pr_pgrp and pr_sid.
            self.fname, self.psargs = _cstring(desc[-96:-80]), _cstring(desc[-80:]).rstrip()
            (self.pid,) = struct.unpack_from(f"{self.order}i", desc, len(desc) - 112)
        elif kind == NT_SIGINFO and len(desc) >= 12 + 2 * w:
            signo, _errno, code = struct.unpack_from(f"{self.order}iii", desc, 0)
            # si_addr: the first field of the union, aligned to a long.
            address = struct.unpack_from(f"{self.order}{word}", desc, 16 if w == 8 else 12)[0]
            self.siginfo = (signo, code, address if signo in FAULT_SIGNALS else None)
        elif kind == NT_AUXV:
            for i in range(0, len(desc) - 2 * w + 1, 2 * w):
                key, value = struct.unpack_from(f"{self.order}{word}{word}", desc, i)
                if key == AT_NULL:
                    break
                self.auxv[key] = value
        elif kind == NT_FILE and len(desc) >= 2 * w:
            count, page = struct.unpack_from(f"{self.order}{word}{word}", desc, 0)
            table = 2 * w + 3 * w * count
            names = desc[table:].split(b"\0") if table <= len(desc) else []
            for i in range(min(count, len(names))):
                start, end, pages = struct.unpack_from(f"{self.order}{word}{word}{word}", desc, 2 * w + 3 * w * i)
                self.files.append(MappedFile(start, end, pages * page, _cstring(names[i])))

    # -- memory --------------------------------------------------------------

    def read(self, address: int, size: int) -> Optional[bytes]:
        """``size`` bytes of the process's memory at ``address``, or None if the core lacks them."""
        for seg in self.segments:
            if seg.vaddr <= address and address + size <= seg.vaddr + seg.filesz:
                data = self._pread(seg.offset + address - seg.vaddr, size)
                return data if len(data) == size else None
        return None

    def read_string(self, address: int) -> Optional[str]:
        """The NUL-terminated string at ``address`` (at most 4 KiB), or None."""
        for seg in self.segments:
            if seg.vaddr <= address < seg.vaddr + seg.filesz:
                size = min(MAX_STRING, seg.vaddr + seg.filesz - address)
                data = self._pread(seg.offset + address - seg.vaddr, size)
                if b"\0" in data:
                    return _cstring(data)
        return None

    # -- summaries -----------------------------------------------------------

    @property
    def signal(self) -> Optional[int]:
        """The signal that ended the process (0 for a gcore of a live one), if known."""
        if self.siginfo is not None:
            return self.siginfo[0]
        return self.threads[0].signal if self.threads else None

    @property
    def truncated(self) -> bool:
        return self.size < self.expected_size

    def missing_segments(self) -> int:
        """How many PT_LOAD segments are not, or not wholly, in the file."""
        return sum(1 for seg in self.segments if seg.offset + seg.filesz > self.size)

    def truncation_message(self) -> Optional[str]:
        """A one-line description of the truncation, or None if the file is whole."""
        if not self.truncated:
            return None
        return (f"{self.path} is truncated: it has {self.size} of its {self.expected_size} bytes, "
                f"and {self.missing_segments()} of {len(self.segments)} memory segments are cut "
                "short (a core size limit or a full disk?); memory there cannot be read")

    def argv0(self) -> Optional[str]:
        """The first word of ``pr_psargs``, unless the kernel's 79-byte cut went through it.

        None also without one: a core cut short may have lost its
        NT_PRPSINFO (gdb's gcore writes the notes after the memory).
        """
        words = (self.psargs or "").split(None, 1)
        if not words:
            return None
        return words[0] if len(words) > 1 or len(self.psargs or "") < PSARGS_MAX else None

    def _entry_file(self) -> Optional[str]:
        """The mapped file that holds the entry point (AT_ENTRY): the executable, by the name NT_FILE gives it."""
        entry = self.auxv.get(AT_ENTRY)
        for mapped in self.files:
            if entry is not None and mapped.start <= entry < mapped.end:
                return mapped.path
        return None

    def executable_names(self) -> List[Tuple[str, str]]:
        """Where the executable may be, most trusted first: (path, which note says so)."""
        names: List[Tuple[str, str]] = []
        if self.execfn:
            names.append((self.execfn, "AT_EXECFN"))
        entry_file = self._entry_file()
        if entry_file is not None:
            names.append((entry_file, "NT_FILE entry point"))
        for mapped in self.files:
            if any(seg.flags & PF_X and seg.vaddr < mapped.end and mapped.start < seg.vaddr + seg.memsz
                   for seg in self.segments):
                names.append((mapped.path, "NT_FILE first executable mapping"))
                break
        if self.argv0():
            names.append((str(self.argv0()), "pr_psargs argv[0]"))
        unique: List[Tuple[str, str]] = []
        for path, source in names:
            if path not in (known for known, _ in unique):
                unique.append((path, source))
        return unique

    def find_executable(self, sysroot: Optional[str] = None) -> Optional[Tuple[str, str]]:
        """The first of :meth:`executable_names` that is an ELF file on disk.

        Absolute names are looked for under ``sysroot`` first; a name with no
        slash is looked up on PATH.  Returns (path on disk, note) or None.
        """
        for name, source in self.executable_names():
            for path in _on_disk(name, sysroot):
                if _is_elf(path):
                    return path, source
        return None

    def executable(self, given: Optional[str] = None,
                   sysroot: Optional[str] = None) -> Tuple[Optional[str], str, Optional[str]]:
        """The executable of this core, as every command that opens a core finds it: (path, source, name).

        ``path``: the file to open, ``given`` if not None, else the one
        :meth:`find_executable` finds (None if none); ``source``: GIVEN or
        the note that named it. ``name``: the executable's name in NT_FILE,
        to know its mappings by (it may differ from ``path``: a symbolic link
        run, a sysroot): the file mapped at the entry point, else AT_EXECFN.
        A tuple, not a record class, which would cost a dump's start-up more.
        """
        found = (given, GIVEN) if given is not None else self.find_executable(sysroot)
        path, source = found if found is not None else (None, "")
        return path, source, self._entry_file() or self.execfn

    def describe(self) -> str:
        """One line: the process, its signal and threads."""
        parts = [f"core of pid {self.pid} ({self.fname})"]
        if self.signal:
            address = self.siginfo[2] if self.siginfo else None
            parts.append(signal_name(self.signal) + ("" if address is None else f" at 0x{address:x}"))
        parts.append(f"{len(self.threads)} thread{'s' if len(self.threads) != 1 else ''}")
        parts.append(MACHINES.get(self.machine, f"machine {self.machine}"))
        return ", ".join(parts)


def _on_disk(name: str, sysroot: Optional[str]) -> List[str]:
    name = name[: -len(" (deleted)")] if name.endswith(" (deleted)") else name
    if os.path.isabs(name):
        return ([os.path.join(sysroot, name.lstrip("/"))] if sysroot else []) + [name]
    if "/" in name:
        return [os.path.abspath(name)]
    import shutil

    found = shutil.which(name)
    return [found] if found else []


def _is_elf(path: str) -> bool:
    try:
        with open(path, "rb") as f:
            return os.path.isfile(path) and f.read(4) == b"\x7fELF"
    except OSError:
        return False
