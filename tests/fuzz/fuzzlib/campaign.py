"""Live and core cases end to end: corrupt, run every tool, classify, check side effects, put back.

A live case: the target (tests/programs/hostile.py) is held stopped; the
case's writes go into its memory; every gdb command and ``dump`` variant
runs, each between two pieces of evidence (memory checksums, registers,
mappings, whether it is still stopped); the original bytes go back; the
target is resumed and must answer its heartbeat, then is stopped again
for the next case. A core case corrupts a copy of a gcore core of the
same target (its memory, headers or notes, or its length), or writes a
random file, and runs the tools on that.

On a finding, :func:`minimise` looks for the fewest operations (and the
one command) that still give it, and :func:`reproduction` prints what a
developer needs to replay it with tests/fuzz/replay.py.
"""

import json
import os
import random
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

import sid
from cpython_gdb.direct.live import process_mappings
from cpython_gdb.direct.symbols import find_runtime
from cpython_gdb.engine.elf.corefile import CoreFile
from cpython_gdb.engine.layout import choose_layout
from cpython_gdb.engine.memory import CachedReader
from harness import GDB, PROGRAMS, PYTHONS, READY_TIMEOUT, SID_ROOT, VERSIONS, _wait_ready

from . import process
from .known import known_bug
from .plan import Op, Write, case_plan, resolve
from .structures import MAIN_LOCALS, Structures
from .targeted import Targeted
from .tools import (
    HANG_SECONDS,
    Finding,
    Run,
    classify,
    current_hang_limit,
    gdb_argv,
    gdb_session,
    hang_limit,
    run_dump,
)

FUTEX, READ = 202, 0
BIG_LINE = 5 << 18  # bytes in each long line of the "bigline" source file (1.25 MB)
# Dump variants (after the target: a pid or a core).
DUMP_VARIANTS: Tuple[Tuple[str, ...], ...] = ((), ("--json",), ("--locals",), ("--backend", "gdb", "--locals"),
                                              ("--native",))
SID_NAMES = ("3.14", "3.15")


# hostile.py needs 3.8 (threading.get_native_id); 2.7-3.7 are left to the other tests.
FIRST = (3, 8)


def available_versions() -> List[str]:
    """Every version the campaign can run here: pyenv's from 3.8, then the sid root's (host gdb, sysroot).

    The suite's conftest.py fails the run when one it expects is missing.
    """
    found = [v for v in VERSIONS if tuple(int(x) for x in v.split(".")) >= FIRST]
    if sid.unavailable() is None:
        found += list(SID_NAMES)
    return found


class CaseResult(NamedTuple):
    kind: str  # "live" or "core"
    version: str
    seed: int
    ops: List[Op]
    writes: List[Write]
    runs: List[Run]
    findings: List[Finding]
    note: str = ""  # what a core case did to the file
    name: str = ""  # a targeted case's name (targeted.py); its seed is -1

    def unknown(self) -> List[Finding]:
        return [f for f in self.findings if known_bug(f, self) is None]

    def known(self) -> List[Tuple[str, Finding]]:
        out = []
        for f in self.findings:
            bug = known_bug(f, self)
            if bug is not None:
                out.append((bug, f))
        return out


# -- the live target ----------------------------------------------------------


class LiveTarget:
    """hostile.py under one CPython, held stopped between cases."""

    def __init__(self, version: str) -> None:
        self.version = version
        self.in_sid = version in SID_NAMES
        base = sid.inside(Path("/tmp")) if self.in_sid else None
        self.workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-fuzz-", dir=base))
        self.proc: Optional["subprocess.Popen[bytes]"] = None
        self.mem: Optional[process.Memory] = None
        self.pong_fd = -1
        self.ping_fd = -1
        self.restarts = 0
        self.paths = self._special_files()
        self.hook = sid.install() if self.in_sid else None
        self.start()

    # Paths a case may make a code object's co_filename say: files that
    # block when read (a FIFO nobody writes, a pty master), never end, have
    # huge lines, are not files, or are not valid paths.
    def _special_files(self) -> Dict[str, str]:
        fifo = self.workdir / "fifo.py"
        os.mkfifo(fifo)
        return {"fifo": str(fifo), "bigline": str(self.workdir / "bigline.py"), "devzero": "/dev/zero",
                "ptmx": "/dev/ptmx", "dir": "/", "missing": str(self.workdir / "missing.py"), "nul": "hostile\0.py",
                "procmem": "/proc/self/mem"}

    def _write_bigline(self) -> None:
        """A source file whose lines where hostile.py's frames stop are each BIG_LINE bytes long."""
        lines = sorted({line for line in self.structures.lines if 0 < line < 1000})
        text = [b"pass"] * (max(lines, default=1) + 1)
        for line in lines[:12]:  # source_lines() reads 16 MB of a file at most
            text[line - 1] = b"x = '" + b"y" * BIG_LINE + b"'"
        (self.workdir / "bigline.py").write_bytes(b"\n".join(text) + b"\n")

    def _inside(self, path: Path) -> str:
        """PATH as the target sees it (in the sid root, without the root's prefix)."""
        return "/" + str(path.relative_to(SID_ROOT)) if self.in_sid else str(path)

    @property
    def executable(self) -> str:
        """The interpreter as the host sees it."""
        if self.in_sid:
            return str(sid.inside(Path(sid.INTERPRETERS[self.version])))
        return str(PYTHONS[self.version])

    def start(self) -> None:
        work = self.workdir
        for name in ("ready", "ping", "pong"):
            path = work / name
            if path.exists():
                path.unlink()
            os.mkfifo(path)
        args = [str(PROGRAMS / "hostile.py"), self._inside(work / "ping"), self._inside(work / "pong")]
        # One malloc arena: no 64 MB arena reserved per thread, which gcore would write out.
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0",
               "PYTHONDONTWRITEBYTECODE": "1", "READY_FILE": self._inside(work / "ready"), "MALLOC_ARENA_MAX": "1"}
        if self.in_sid:
            sid.install()  # the programs, at the same path inside the root
            argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", sid._ENTER, str(SID_ROOT),
                    sid.INTERPRETERS[self.version], *args]
        else:
            argv = [str(PYTHONS[self.version]), *args]
            env = dict(os.environ, **env)
        self.proc = subprocess.Popen(argv, env=env, cwd=str(work), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        ready = json.loads(_wait_ready(self.proc, work / "ready"))
        self.natives: Dict[str, int] = ready["natives"]
        self.announced: Dict[str, List[int]] = ready["objects"]
        self.pid = self.proc.pid
        self.ping_fd = os.open(work / "ping", os.O_WRONLY | os.O_NONBLOCK)
        self.pong_fd = os.open(work / "pong", os.O_RDONLY | os.O_NONBLOCK)
        self._wait_in_place()
        process.stop(self.pid)
        self.mem = process.Memory(self.pid)
        self.structures = self._structures()
        self._write_bigline()

    def _wait_in_place(self) -> None:
        """Every thread blocked where it stays: a futex wait, the heartbeat's read."""
        deadline = time.monotonic() + READY_TIMEOUT
        heartbeat = self.natives["heartbeat"]
        while time.monotonic() < deadline:
            calls = {tid: process.syscall_of(self.pid, tid) for tid in self.natives.values()}
            if all(call == (READ if tid == heartbeat else FUTEX) for tid, call in calls.items()):
                return
            time.sleep(0.01)
        raise RuntimeError(f"the threads of {self.pid} did not block: {calls}")

    def _structures(self) -> Structures:
        assert self.mem is not None
        mappings, executable = process_mappings(self.pid)
        reader = CachedReader(self.mem)
        found = find_runtime(reader, mappings, executable)
        major, minor, micro, release = found.version
        layout = choose_layout((major, minor, micro), reader, found.runtime.address, release=release)
        maps = [(m.start, m.end, m.perms, m.name) for m in process.mappings(self.pid)]
        return Structures(self.mem, found.runtime, layout, self.announced, maps)

    def ping(self) -> bool:
        """Resume the target, check its heartbeat answers, and stop it again where it was."""
        os.kill(self.pid, signal.SIGCONT)
        os.write(self.ping_fd, b"p")
        ready, _, _ = select.select([self.pong_fd], [], [], process.STOP_TIMEOUT)
        answered = bool(ready) and os.read(self.pong_fd, 16) == b"p"
        if answered:
            self._wait_in_place()
        process.stop(self.pid)
        return answered

    def restart(self) -> None:
        """A new target process, after one that no longer answers."""
        self.stop_process()
        self.restarts += 1
        self.start()

    def stop_process(self) -> None:
        for fd in (self.ping_fd, self.pong_fd):
            if fd >= 0:
                os.close(fd)
        self.ping_fd = self.pong_fd = -1
        if self.mem is not None:
            self.mem.close()
            self.mem = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.kill()
            self.proc.wait()
            if self.proc.stderr is not None:
                self.proc.stderr.close()
            self.proc = None

    def close(self) -> None:
        self.stop_process()
        shutil.rmtree(self.workdir, ignore_errors=True)
        if self.hook is not None:
            shutil.rmtree(sid.inside(self.hook).parent.parent, ignore_errors=True)

    # -- how the tools reach it --

    def gdb_base(self) -> List[str]:
        if self.in_sid:
            return gdb_argv([self.executable, "-p", str(self.pid)], extra=["-iex", f"set sysroot {SID_ROOT}"])
        return gdb_argv(["-p", str(self.pid)])

    def describe(self) -> str:
        return f"CPython {self.version} ({self.executable}), {self.structures.layout.description}"


@contextmanager
def live_target(version: str) -> Iterator[LiveTarget]:
    target = LiveTarget(version)
    try:
        yield target
    finally:
        target.close()


def gdb_commands(structures: Structures, ops: Sequence[Op], seed: int) -> List[str]:
    """Every command and printer, on what this case corrupted where that can be named."""
    rng = random.Random(seed ^ 0x5EED)
    by_label = structures.labels
    names = [n for n in structures.names if n in MAIN_LOCALS]
    chosen = set(rng.sample(names, min(3, len(names)))) | {"mapping"}
    addresses = []
    for op in ops:
        name = op.region.split(" ", 1)[1].split(".")[0] if op.region.startswith("object ") else ""
        if name in names:
            chosen.add(name)
        region = by_label.get(op.region)
        if region is not None and region.kind.startswith("object:") and region.address not in addresses:
            addresses.append(region.address)
    if not addresses:
        addresses.append(by_label["object " + rng.choice(names)].address)
    addresses = addresses[:3]
    commands = ["py-bt", "py-bt-full", "py-locals", *[f"py-print {n}" for n in sorted(chosen)], "py-list",
                "py-up", "py-locals", "py-list", "py-down", "py-exc", "py-threads", "py-bt -a --locals",
                "py-threads --native"]
    for address in addresses:
        commands += [f"py-repr 0x{address:x}", f"print (PyObject *) 0x{address:x}", f"output $pyobj(0x{address:x})"]
    # PyObject* values in a C frame, through the printers: the eval loop's
    # locals and its frame record (``frame`` 3.11+, ``f`` before; with DWARF).
    commands += ["frame function _PyEval_EvalFrameDefault", "info locals", "print *frame", "print *f", "frame 0"]
    return commands + ["bt", "bt -full 8", "thread apply all py-bt", "thread apply all py-exc"]


def _apply(mem: process.Memory, writes: Sequence[Write]) -> List[Tuple[int, bytes]]:
    originals = []
    for write in writes:
        originals.append((write.address, mem.read(write.address, len(write.data))))
        mem.write(write.address, write.data)
    return originals


def _put_back(mem: process.Memory, originals: Sequence[Tuple[int, bytes]]) -> None:
    for address, data in reversed(originals):
        mem.write(address, data)


def run_live_case(target: LiveTarget, seed: int, ops: Optional[List[Op]] = None,
                  only: Optional[Sequence[str]] = None, gdb_dumps: bool = True) -> CaseResult:
    """One case; ``ops`` replaces the seed's plan, ``only`` the commands (a dump is "dump ARGS")."""
    structures = target.structures
    if ops is None:
        ops = case_plan(structures, seed, target.paths)
    writes = resolve(structures, ops, target.paths)
    commands = gdb_commands(structures, ops, seed)
    # gdb_dumps False: only the direct dumps (the gdb ones cost a gdb each).
    variants = [tuple(v) for v in DUMP_VARIANTS if gdb_dumps or not _uses_gdb(v)]
    if only is not None:
        commands = [c for c in only if not c.startswith("dump")]
        variants = [tuple(c.split()[1:]) for c in only if c.startswith("dump")]
    assert target.mem is not None
    pid, fd = target.pid, target.mem.fd
    runs: List[Run] = []
    findings: List[Finding] = []
    originals = _apply(target.mem, writes)
    try:
        batches: List[Tuple[str, Sequence[str]]] = [("gdb", commands)] if commands else []
        batches += [("dump", v) for v in variants]
        # The memory checksum (a tenth of a second) once around all the tools;
        # mappings and registers, which cost little, around each: a mapping
        # that grows cannot be caught growing again.
        before = process.evidence(pid, fd)
        light = before
        dump_hung = False
        for tool, what in batches:
            if dump_hung and tool == "dump":
                continue  # the same cause again, most likely, and a hang costs its whole limit
            got = _run_batch(target, tool, what)
            dump_hung = dump_hung or (tool == "dump" and got[0].status == "hang")
            if any(run.status != "ok" for run in got):
                process.wait_untraced(pid)  # a killed gdb still holds the threads for a moment
            runs += got
            for run in got:
                findings += classify(run)
            findings += _left_running(target, got)
            after_light = process.evidence(pid, fd, memory=False)
            whole = got[0] if len(got) == 1 else Run(tool, "(gdb session)", "", 0, 0, "ok")
            findings += [Finding("side effect", whole.tool, whole.command, text)
                         for text in light.differences(after_light)]
            light = after_light
        after = process.evidence(pid, fd)
        if not any(f.kind == "side effect" for f in findings) and before.differences(after):
            findings += _attribute(target, batches, after)
    finally:
        _put_back(target.mem, originals)
    if not target.ping():
        findings.append(Finding("side effect", "target", "(resume)", "the target no longer answers once resumed"))
        target.restart()
    return CaseResult("live", target.version, seed, list(ops), writes, runs, findings)


def _uses_gdb(variant: Sequence[str]) -> bool:
    return "--native" in variant or "gdb" in variant


def _run_batch(target: LiveTarget, tool: str, what: Sequence[str]) -> List[Run]:
    if tool == "gdb":
        return gdb_session(target.gdb_base(), what)
    return [run_dump([*what, str(target.pid)])]


def _left_running(target: LiveTarget, got: Sequence[Run]) -> List[Finding]:
    """A stopped target must stay stopped; a killed (hung) gdb is excused, the kernel resumes its tracees."""
    if process.stopped_state(target.pid):
        return []
    process.stop(target.pid)
    if any(run.status != "ok" for run in got):
        return []
    run = got[0] if len(got) == 1 else Run(got[0].tool, "(gdb session)", "", 0, 0, "ok")
    return [Finding("side effect", run.tool, run.command, "the stopped process was left running")]


def _attribute(target: LiveTarget, batches: Sequence[Tuple[str, Sequence[str]]],
               last: process.Evidence) -> List[Finding]:
    """Which tool changed the target: each one again, between two pieces of evidence."""
    pid, fd = target.pid, target.mem.fd  # type: ignore[union-attr]
    found: List[Finding] = []
    before = last
    for tool, what in batches:
        got = _run_batch(target, tool, what)
        after = process.evidence(pid, fd)
        whole = got[-1] if len(got) == 1 else Run(tool, "(gdb session)", "", 0, 0, "ok")
        found += [Finding("side effect", whole.tool, whole.command, text) for text in before.differences(after)]
        before = after
    if not found:
        found.append(Finding("side effect", "all", "(every tool)", "the target changed, and did not again when "
                             "each tool ran alone"))
    return found


# -- cores ---------------------------------------------------------------------


class CoreBase:
    """A gcore core of a stopped LiveTarget, whose structures (addresses included) it shares."""

    def __init__(self, target: LiveTarget) -> None:
        self.target = target
        self.version = target.version
        self.path = target.workdir / "pristine.core"
        argv = [GDB, "-q", "-batch", "-nx", "-iex", "set auto-load python-scripts off",
                "-iex", "set debuginfod enabled off"]
        if target.in_sid:
            argv += ["-iex", f"set sysroot {SID_ROOT}", target.executable]
        argv += ["-p", str(target.pid), "-ex", f"gcore {self.path}"]
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300, check=True)
        self.core = CoreFile(str(self.path))
        self.size = self.core.size
        self.executable = target.executable
        with open(self.path, "rb") as f:
            self.data = f.read(min(self.size, 1 << 20))  # the headers and notes are at the start
        self.notes = self._notes()

    def _notes(self) -> List[Tuple[int, int, int, int]]:
        """(header offset, type, desc offset, desc size) of every note (gcore writes them last)."""
        phoff, = struct.unpack_from("<Q", self.data, 32)
        phentsize, phnum = struct.unpack_from("<HH", self.data, 54)
        out = []
        with open(self.path, "rb") as f:
            for i in range(phnum):
                p_type, _, p_offset, _, _, p_filesz = struct.unpack_from("<IIQQQQ", self.data, phoff + i * phentsize)
                if p_type != 4:
                    continue
                f.seek(p_offset)
                notes = f.read(p_filesz)
                pos = 0
                while pos + 12 <= len(notes):
                    namesz, descsz, kind = struct.unpack_from("<III", notes, pos)
                    desc = pos + 12 + (namesz + 3) // 4 * 4
                    out.append((p_offset + pos, kind, p_offset + desc, descsz))
                    pos = desc + (descsz + 3) // 4 * 4
        return out

    def file_offset(self, address: int, size: int) -> Optional[int]:
        for seg in self.core.segments:
            if seg.vaddr <= address and address + size <= seg.vaddr + seg.filesz:
                return seg.offset + address - seg.vaddr
        return None


def core_plan(base: CoreBase, seed: int) -> Tuple[str, List[Op], Dict[str, object]]:
    """What case ``seed`` does to a core: (kind, memory ops, parameters)."""
    rng = random.Random(seed)
    kind = rng.choices(("memory", "truncate", "headers", "notes", "random", "combined"),
                       weights=(45, 15, 12, 15, 6, 7))[0]
    ops: List[Op] = []
    params: Dict[str, object] = {}
    if kind in ("memory", "combined"):
        ops = case_plan(base.target.structures, seed, base.target.paths)
        ops = [op for op in ops if op.kind != "path"]  # a core case reads files the same way as a live one
    if kind in ("truncate", "combined"):
        # Where a core can end early: in its headers, its memory (a core size
        # limit), its notes (gcore writes them last), or just before the end.
        phend = 64 + 56 * (len(base.core.segments) + 1)
        loads = [(seg.offset, seg.offset + seg.filesz) for seg in base.core.segments if seg.filesz]
        first, last = min(a for a, _ in loads), max(b for _, b in loads)
        notes = (min(h for h, _, _, _ in base.notes), max(d + n for _, _, d, n in base.notes))
        where = rng.choice(("headers", "segments", "segments", "segments", "notes", "notes", "tail"))
        cut = {"headers": rng.randrange(0, phend), "segments": rng.randrange(first, last),
               "notes": rng.randrange(*notes), "tail": base.size - rng.randrange(1, 64)}[where]
        params["truncate"] = cut
        params["truncate_in"] = where
    if kind == "headers":
        if rng.random() < 0.5:
            offset = rng.randrange(0, 64 + 56 * 4)
            params["bytes"] = (offset, rng.randbytes(rng.choice((1, 2, 4, 8))).hex())
        else:
            index = rng.randrange(len(base.core.segments) + 1)
            field = rng.choice(((8, "p_offset"), (16, "p_vaddr"), (32, "p_filesz"), (40, "p_memsz")))
            value = rng.choice((0, 1 << 62, (1 << 64) - 1, 1 << 40, base.size, 0xDEADBEEF))
            params["phdr"] = (index, field[0], field[1], value)
    if kind in ("notes", "combined"):
        which = rng.choice(("drop_prpsinfo", "drop_prstatus", "drop_file", "drop_auxv", "descsz", "garbage",
                            "file_count"))
        params["note"] = which
        params["note_seed"] = rng.randrange(1 << 30)
    if kind == "random":
        params["random_size"] = rng.choice((0, 1, 16, 64, 4096, 65536))
        params["random_header"] = rng.random() < 0.6
    return kind, ops, params


NT_PRSTATUS, NT_PRPSINFO, NT_AUXV, NT_FILE = 1, 3, 6, 0x46494C45


def make_core(base: CoreBase, path: Path, kind: str, writes: Sequence[Write], params: Dict[str, object]) -> str:
    """Write the case's core at ``path``; return what was done to it, in words."""
    rng = random.Random(int(params.get("note_seed", 0)))  # type: ignore[call-overload]
    done = []
    if kind == "random":
        size = int(params["random_size"])  # type: ignore[call-overload]
        data = bytearray(random.Random(size).randbytes(size))
        if params.get("random_header") and size >= 64:
            data[:64] = base.data[:64]  # an ELF core header over random program headers
        path.write_bytes(bytes(data))
        return f"a random file of {size} bytes" + (" with a core's ELF header" if params.get("random_header") else "")
    shutil.copyfile(base.path, path)
    with open(path, "r+b") as f:
        for write in writes:
            offset = base.file_offset(write.address, len(write.data))
            if offset is not None:
                f.seek(offset)
                f.write(write.data)
        if writes:
            done.append(f"{len(writes)} memory write(s)")
        if "bytes" in params:
            offset, data = params["bytes"]  # type: ignore[misc]
            f.seek(offset)
            f.write(bytes.fromhex(data))
            done.append(f"bytes {data} at offset {offset}")
        if "phdr" in params:
            index, at, name, value = params["phdr"]  # type: ignore[misc]
            phoff, = struct.unpack_from("<Q", base.data, 32)
            f.seek(phoff + 56 * index + at)
            f.write(struct.pack("<Q", value))
            done.append(f"program header {index}: {name} = 0x{value:x}")
        which = params.get("note")
        if which:
            notes = base.notes
            if which.startswith("drop_"):  # type: ignore[union-attr]
                kind_of = {"drop_prpsinfo": NT_PRPSINFO, "drop_prstatus": NT_PRSTATUS, "drop_file": NT_FILE,
                           "drop_auxv": NT_AUXV}[which]  # type: ignore[index]
                for header, note_type, _, _ in notes:
                    if note_type == kind_of:
                        f.seek(header + 8)
                        f.write(struct.pack("<I", 0x7EAD))  # a type nobody reads
                done.append(f"every note of type {kind_of:#x} retyped")
            elif notes:
                header, note_type, desc, size = rng.choice(notes)
                if which == "descsz":
                    f.seek(header + 4)
                    f.write(struct.pack("<I", rng.choice((0xFFFFFFFF, 0x7FFFFFFF, size + 1, 0))))
                    done.append(f"note type {note_type:#x} at {header}: descsz changed")
                elif which == "file_count":
                    for _, type2, desc2, _ in notes:
                        if type2 == NT_FILE:
                            f.seek(desc2)
                            f.write(struct.pack("<Q", rng.choice((1 << 60, (1 << 64) - 1, 1 << 20))))
                    done.append("NT_FILE count changed")
                else:
                    length = min(size, rng.choice((4, 8, 16, 64)))
                    at = desc + rng.randrange(max(1, size - length + 1))
                    f.seek(at)
                    f.write(rng.randbytes(length))
                    done.append(f"note type {note_type:#x}: {length} random bytes at {at}")
        if "truncate" in params:
            f.truncate(int(params["truncate"]))  # type: ignore[call-overload]
            done.append(f"truncated to {params['truncate']} bytes (in the {params['truncate_in']})")
    return "; ".join(done) or "unchanged"


def core_commands(structures: Structures, ops: Sequence[Op], seed: int) -> List[str]:
    commands = gdb_commands(structures, ops, seed)
    # A core has no process to resume or to ask for anything more.
    return [c for c in commands if c != "py-threads --native"]


def _crc(path: Path) -> int:
    crc = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            crc = zlib.crc32(chunk, crc)
    return crc


def run_core_case(base: CoreBase, seed: int, ops: Optional[List[Op]] = None,
                  only: Optional[Sequence[str]] = None,
                  plan: Optional[Tuple[str, List[Op], Dict[str, object]]] = None, gdb_dumps: bool = True) -> CaseResult:
    """One core case; ``plan`` (kind, ops, parameters) replaces the seed's."""
    structures = base.target.structures
    kind, planned, params = plan if plan is not None else core_plan(base, seed)
    if ops is None:
        ops = planned
    writes = resolve(structures, ops, base.target.paths)
    path = base.target.workdir / f"case-{seed}.core"
    note = make_core(base, path, kind, writes, params)
    commands = core_commands(structures, ops, seed)
    variants = [v for v in DUMP_VARIANTS if gdb_dumps or not _uses_gdb(v)]
    variants.append(("--exe", base.executable, "--json"))
    if only is not None:
        commands = [c for c in only if not c.startswith("dump")]
        variants = [tuple(c.split()[1:]) for c in only if c.startswith("dump")]
    runs: List[Run] = []
    findings: List[Finding] = []
    crc = _crc(path)
    try:
        extra = ["-iex", f"set sysroot {SID_ROOT}"] if base.target.in_sid else []
        if commands:
            runs += gdb_session(gdb_argv([base.executable, "-c", str(path)], extra=extra), commands)
        for variant in variants:
            runs.append(run_dump([*variant, str(path)]))
            if runs[-1].status == "hang":
                break  # the same cause again, most likely, and a hang costs its whole limit
        for run in runs:
            findings += classify(run)
        if _crc(path) != crc:
            findings.append(Finding("side effect", "core", "(all tools)", "the core file changed"))
    finally:
        path.unlink()
    return CaseResult("core", base.version, seed, list(ops), writes, runs, findings, f"{kind}: {note}")


def run_targeted(target: LiveTarget, case: "Targeted", base: Optional[CoreBase] = None) -> CaseResult:
    """A case of targeted.py: its operations, its commands, and its check of the outputs."""
    ops = case.ops(target.structures)
    resolve(target.structures, ops, target.paths, strict=True)  # a targeted case must hit what it names
    # The case's own (shorter) limit, but not when confirm_hangs() runs it again with a longer one.
    limit = current_hang_limit()
    with hang_limit(limit if limit > HANG_SECONDS else case.hang_seconds or HANG_SECONDS):
        result = _run_targeted(target, case, base, ops)
    extra = case.check(result.runs) if case.check is not None else []
    return result._replace(findings=result.findings + extra, name=case.name)


def _run_targeted(target: LiveTarget, case: Targeted, base: Optional[CoreBase], ops: List[Op]) -> CaseResult:
    if case.kind == "live":
        result = run_live_case(target, -1, ops, case.commands)
    else:
        assert base is not None and case.core is not None
        params: Dict[str, object] = {k: v for k, v in case.core.items() if k in ("note",)}
        params["note_seed"] = 0
        if "truncate_at" in case.core:
            params["truncate"] = int(base.size * float(case.core["truncate_at"]))  # type: ignore[arg-type]
            params["truncate_in"] = "segments"
        if "truncate_in_notes" in case.core:
            header, _, desc, size = base.notes[len(base.notes) // 2]
            params["truncate"] = desc + size // 2
            params["truncate_in"] = "notes"
        result = run_core_case(base, -1, ops, case.commands, plan=("targeted", ops, params))
    return result


# -- minimising and reporting ----------------------------------------------------


def _same(finding: Finding, result: CaseResult) -> bool:
    return any(f.kind == finding.kind and f.command == finding.command for f in result.findings)


def minimise(run_case, result: CaseResult, finding: Finding, budget: int = 16) -> Tuple[List[Op], List[str]]:
    """The fewest of the case's operations, and the shortest command list, that still give ``finding``.

    ``run_case(ops, only)`` runs the case with those operations and commands.
    Returns the case's own ones when nothing smaller reproduces it.
    """
    ops = list(result.ops)
    if finding.command.startswith("(") or finding.tool in ("target", "core"):
        only: Optional[List[str]] = None  # a whole-session effect: keep every command
    elif finding.tool == "dump":
        only = [finding.command]
    else:
        only = [finding.command]
        if not _same(finding, run_case(ops, only)):
            gdb_runs = [r.command for r in result.runs if r.tool == "gdb" and not r.command.startswith("(")]
            only = gdb_runs[: gdb_runs.index(finding.command) + 1] if finding.command in gdb_runs else None
        budget -= 1
    if len(ops) > 1:
        for op in ops:
            if budget <= 0:
                break
            budget -= 1
            if _same(finding, run_case([op], only)):
                return [op], only or []
        i = 0
        while i < len(ops) and budget > 0 and len(ops) > 1:
            budget -= 1
            trial = ops[:i] + ops[i + 1:]
            if _same(finding, run_case(trial, only)):
                ops = trial
            else:
                i += 1
    return ops, only or []


def replay_command(result: CaseResult, ops: Sequence[Op], only: Sequence[str]) -> str:
    if result.name:
        return f".venv/bin/python tests/fuzz/replay.py targeted {result.version} {result.name}"
    argv = [".venv/bin/python", "tests/fuzz/replay.py", result.kind, result.version, str(result.seed)]
    if list(ops) != list(result.ops):
        argv += ["--ops", ",".join(str(result.ops.index(op)) for op in ops)]
    for command in only:
        argv += ["--command", repr(command) if " " in command else command]
    return " ".join(argv)


def reproduction(result: CaseResult, finding: Finding, ops: Sequence[Op], only: Sequence[str],
                 describe: str = "") -> str:
    """What a developer needs: the finding, the case, the exact writes, the command, how to replay."""
    lines = [f"FUZZ FINDING: {finding.line()}",
             f"  case: {result.kind} {result.version} "
             + (f"targeted {result.name}" if result.name else f"seed {result.seed}")
             + (f", {describe}" if describe else "")]
    if result.note:
        lines.append(f"  core: {result.note}")
    lines.append(f"  corruption ({len(ops)} of the case's {len(result.ops)} operations):")
    writes = {w.why: [] for w in result.writes}  # type: Dict[str, List[Write]]
    for w in result.writes:
        writes[w.why].append(w)
    for op in ops:
        lines.append(f"    {op.describe()}")
        for w in writes.get(op.describe(), []):
            lines.append(f"      {w.describe().split('  (')[0]}")
    lines.append(f"  command: {' ; '.join(only) if only else '(every command of the case)'}")
    output = next((r.output for r in result.runs if r.command == finding.command), "")
    tail = [line for line in output.splitlines() if line.strip()][-12:]
    if tail:
        lines.append("  output (end):")
        lines += [f"    | {line[:240]}" for line in tail]
    lines.append(f"  replay: {replay_command(result, ops, only)}")
    return "\n".join(lines)


def confirm_hangs(result: CaseResult, rerun) -> CaseResult:
    """Run again alone, with three times the limit, each hang that no open bug explains.

    The machine is shared: a command that took over the limit once under
    load is a hang only if it does again. One that now ends within the
    limit is dropped (it was slow, not stuck).
    """
    kept: List[Finding] = []
    for finding in result.findings:
        if finding.kind != "hang" or known_bug(finding, result) is not None or finding.tool not in ("gdb", "dump"):
            kept.append(finding)
            continue
        with hang_limit(3 * HANG_SECONDS):
            again = rerun(result.ops, [finding.command])
        took = [r for r in again.runs if r.command == finding.command]
        if took and took[0].status == "ok" and took[0].seconds <= HANG_SECONDS:
            continue
        seconds = f"{took[0].seconds:.1f} s" if took else "?"
        kept.append(finding._replace(detail=f"{finding.detail}; alone it took {seconds}"))
    return result._replace(findings=kept)


def figures(results: Sequence[CaseResult]) -> Dict[str, object]:
    """A chunk's counts for the summary: cases with a finding of each class, known bugs hit, new findings."""
    counts: Dict[str, int] = {}
    known: Dict[str, int] = {}
    new: List[str] = []
    for result in results:
        for kind in sorted({f.kind for f in result.findings}):
            counts[kind] = counts.get(kind, 0) + 1
        for bug in sorted({bug for bug, _ in result.known()}):
            known[bug] = known.get(bug, 0) + 1
        for finding in result.unknown():
            new.append(f"{finding.line()[:300]}  -- replay: {replay_command(result, result.ops, [])}")
    return {"counts": counts, "known": known, "new": new}
