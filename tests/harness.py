"""Running real interpreters and real gdb for the tests.

Targets are programs under tests/programs. Each one announces that it is
ready by writing a line to the file named by the READY_FILE environment
variable (a FIFO), so no test sleeps to synchronise.
"""

import atexit
import os
import re
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
HOOK = ROOT / "src" / "cpython_gdb" / "gdb_hook.py"
PROGRAMS = Path(__file__).resolve().parent / "programs"
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
GDB = os.environ.get("CPYTHON_GDB_GDB", "gdb")
SUPPORTED = ("2.7", "3.6", "3.7", "3.8", "3.9", "3.10", "3.11", "3.12", "3.13")
# The Debian sid root of CPython 3.14 and 3.15, built by tools/sid_root.sh.
SID_ROOT = Path(os.environ.get("CPYTHON_GDB_SID_ROOT", "/var/cache/cpython-gdb/sid-root"))
# Free-threaded builds (PEP 703) made by tools/build_freethreaded.sh, by name
# ("3.13t"): required ones, then those built when their sources download.
FT_ROOT = Path(os.environ.get("CPYTHON_GDB_FT_ROOT", "/var/cache/cpython-gdb/free-threaded"))
FREE_THREADED = ("3.13t",)
# A free-threaded CPython's mimalloc reserves its first arena, 1 GiB, at start,
# and gdb's gcore writes all of it: ten such cores filled a CI machine's disk.
# 16 MiB arenas keep the cores small; the heap then spans several arenas.
SMALL_ARENAS = {"MIMALLOC_ARENA_RESERVE": "16MiB"}
os.environ.update(SMALL_ARENAS)
# The dumps the tests run keep their DWARF and symbol answers (direct/answer_cache.py)
# in a directory of this run's, not in the user's cache: each run starts
# cold, and later dumps of the same files answer from what earlier ones read.
DWARF_CACHE = tempfile.mkdtemp(prefix="cpython-gdb-cache-")
os.environ["CPYTHON_GDB_CACHE_DIR"] = DWARF_CACHE
os.environ.pop("CPYTHON_GDB_CACHE", None)
atexit.register(shutil.rmtree, DWARF_CACHE, True)
FREE_THREADED_OPTIONAL = ("3.14t", "3.15t")
READY_TIMEOUT = 30
GDB_TIMEOUT = 300


def eval_loop(minor: str) -> str:
    """The C function that runs a Python frame: 2.7's, or the evaluator 3.6 (PEP 523) put behind it."""
    return "PyEval_EvalFrameEx" if minor == "2.7" else "_PyEval_EvalFrameDefault"


def find_pythons() -> Dict[str, Path]:
    """Every supported CPython under pyenv, by minor version ("3.12")."""
    found: Dict[str, Path] = {}
    if PYENV.is_dir():
        for entry in sorted(PYENV.iterdir()):
            match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", entry.name)
            if not match:
                continue
            minor = f"{match.group(1)}.{match.group(2)}"
            exe = entry / "bin" / f"python{minor}"
            if minor in SUPPORTED and exe.exists():
                found[minor] = exe
    return found


def find_free_threaded() -> Dict[str, Path]:
    """The free-threaded builds there are, by name ("3.13t")."""
    found = {}
    for name in FREE_THREADED + FREE_THREADED_OPTIONAL:
        exe = FT_ROOT / name / "bin" / f"python{name}"
        if exe.exists():
            found[name] = exe
    return found


FT_PYTHONS = find_free_threaded()
# Every interpreter a test may run, by name: pyenv's by minor version
# ("3.12"), the free-threaded builds by their name ("3.13t").
PYTHONS = {**find_pythons(), **FT_PYTHONS}
# The pyenv versions, the default matrix of the tests (free-threaded builds
# have their own: tests/test_free_threaded.py).
VERSIONS = sorted((v for v in PYTHONS if v in SUPPORTED), key=lambda v: tuple(int(x) for x in v.split(".")))
# Set to 1 to run on what is installed: each missing interpreter then skips
# its tests, with a reason, instead of failing the run (conftest.py).
ALLOW_MISSING = os.environ.get("CPYTHON_GDB_ALLOW_MISSING") == "1"


def missing_version(minor: str) -> str:
    if minor.endswith("t"):
        return f"no free-threaded CPython {minor} under {FT_ROOT} (tools/build_freethreaded.sh)"
    return f"no CPython {minor} under {PYENV} (pyenv install {minor})"


def minor_of(version: str) -> Tuple[int, int]:
    """(3, 13) for "3.13" and for its free-threaded build "3.13t"."""
    major, minor = version.rstrip("t").split(".")
    return int(major), int(minor)


def version_params(exclude: Sequence[str] = ()) -> List[object]:
    """Every supported pyenv version as a test parameter (but ``exclude``): a missing one is a visible skip."""
    import pytest

    return [pytest.param(minor) if minor in PYTHONS else
            pytest.param(minor, marks=pytest.mark.skip(reason=missing_version(minor)))
            for minor in SUPPORTED + FREE_THREADED if minor not in exclude]


def newest() -> str:
    """The newest pyenv CPython (tests that need only one); skips the test when there is none."""
    if not VERSIONS:
        import pytest

        pytest.skip(missing_version(SUPPORTED[-1]))
    return VERSIONS[-1]


def official_extension(minor: str) -> Optional[Path]:
    """CPython's own python3.X-gdb.py shipped with that interpreter."""
    exe = PYTHONS[minor]
    candidate = exe.parent / f"python{minor}-gdb.py"
    return candidate if candidate.exists() else None


class Target:
    def __init__(self, proc: "subprocess.Popen[bytes]", ready: str, workdir: Path) -> None:
        self.proc = proc
        self.pid = proc.pid
        self.ready = ready  # what the program wrote to the FIFO
        self.workdir = workdir


@contextmanager
def running(
    minor: str,
    program: str,
    *args: str,
    env: Optional[Dict[str, str]] = None,
    python: Optional[Path] = None,
) -> Iterator[Target]:
    """Start tests/programs/PROGRAM under CPython MINOR and wait until it is ready.

    ``python`` runs another binary of that version (a stripped copy).
    """
    workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-"))
    fifo = workdir / "ready"
    os.mkfifo(fifo)
    full_env = dict(os.environ, READY_FILE=str(fifo), PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
    full_env.update(env or {})
    proc = subprocess.Popen(
        [str(python or PYTHONS[minor]), str(PROGRAMS / program), *args],
        env=full_env,
        cwd=str(workdir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    with started(proc, fifo, workdir) as target:
        yield target


@contextmanager
def started(proc: "subprocess.Popen[bytes]", fifo: Path, workdir: Path) -> Iterator[Target]:
    """Wait for a started target's ready line; kill it and remove WORKDIR after."""
    try:
        yield Target(proc, _wait_ready(proc, fifo), workdir)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _settle(pid: int, timeout: float = 2.0) -> None:
    """Give the main thread, which wrote the ready line, time to leave that write.

    The line comes just before the program blocks where the test wants it
    (asleep, waiting on a lock): a test that attached at once could find it
    still closing the FIFO (seen on a loaded machine, more often with a
    free-threaded build). Wait until the main thread is no longer running
    (sleeping, stopped or gone), at most ``timeout``: a target that spins on
    purpose is left to run.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/task/{pid}/stat") as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return
        if state not in ("R", "D"):
            return
        time.sleep(0.005)


def _wait_ready(proc: "subprocess.Popen[bytes]", fifo: Path) -> str:
    # Opening a FIFO for reading blocks until a writer opens it; open it
    # non-blocking and poll so a program that dies early fails the test.
    fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    data = b""
    deadline = time.monotonic() + READY_TIMEOUT
    try:
        while time.monotonic() < deadline:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                chunk = b""
            data += chunk
            if data.endswith(b"\n"):
                _settle(proc.pid)
                return data.decode()
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                raise RuntimeError(f"target exited with {proc.returncode} before it was ready:\n{err}")
            time.sleep(0.01)
    finally:
        os.close(fd)
    raise RuntimeError("target was not ready in time")


def gdb_argv(
    commands: Sequence[str],
    pid: Optional[int] = None,
    core: Optional[Path] = None,
    executable: Optional[Path] = None,
    ours: bool = True,
    official: Optional[Path] = None,
    extra: Sequence[str] = (),
    gdb: str = GDB,
    hook: Path = HOOK,
    prefix: Sequence[str] = (),
) -> List[str]:
    """``prefix`` runs gdb through another command (nsenter for a chroot)."""
    argv = [*prefix, gdb, "-q", "-batch", "-nx", "-iex", "set pagination off", "-iex", "set width 0"]
    if official is not None:
        argv += ["-iex", f"add-auto-load-safe-path {official}"]
    else:
        # Keep CPython's own python-gdb.py out unless a test asks for it.
        argv += ["-iex", "set auto-load python-scripts off"]
    argv += list(extra)
    if executable is not None:
        argv.append(str(executable))
    if core is not None:
        argv += ["-c", str(core)]
    if pid is not None:
        argv += ["-p", str(pid)]
    if ours:
        # After the program is loaded, so that ours wins over an auto-loaded
        # python-gdb.py.
        argv += ["-ex", f"source {hook}"]
    for command in commands:
        argv += ["-ex", command]
    return argv


def run_gdb(commands: Sequence[str], **kwargs: object) -> str:
    """Run gdb in batch mode; return stdout+stderr (gdb's chatter included)."""
    argv = gdb_argv(commands, **kwargs)  # type: ignore[arg-type]
    proc = subprocess.run(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=GDB_TIMEOUT,
        env=dict(os.environ, PYTHONHASHSEED="0"),
    )
    return proc.stdout.decode("utf-8", "replace")


MARK = "@@@"


def run_sections(commands: Sequence[str], **kwargs: object) -> List[str]:
    """Run commands in one gdb; return each command's output as a section.

    An `echo` marker separates the outputs so one gdb serves many checks.
    """
    return run_sections_and_prefix(commands, **kwargs)[0]


def notices(text: str) -> List[str]:
    """The lines cpython-gdb says on its own (which CPython, warnings) in gdb's output."""
    return [line for line in text.splitlines() if line.startswith("cpython-gdb:")]


def run_sections_and_prefix(commands: Sequence[str], **kwargs: object) -> Tuple[List[str], str]:
    """run_sections(), and what gdb printed before the first command (gdb's and the hook's lines)."""
    wrapped: List[str] = []
    for i, command in enumerate(commands):
        wrapped.append(f"echo {MARK}{i}\\n")
        wrapped.append(command)
    wrapped.append(f"echo {MARK}end\\n")
    out = run_gdb(wrapped, **kwargs)
    sections = []
    for i in range(len(commands)):
        start = out.find(f"{MARK}{i}\n")
        nxt = f"{MARK}{i + 1}\n" if i + 1 < len(commands) else f"{MARK}end\n"
        end = out.find(nxt)
        if start < 0 or end < 0:
            raise AssertionError(f"gdb output lacks section {i} ({commands[i]!r}):\n{out[-3000:]}")
        sections.append(out[start + len(f"{MARK}{i}\n") : end])
    return sections, out[: out.find(f"{MARK}0\n")]


def gcore(pid: int, directory: Path) -> Path:
    """Write a core of a live process with gdb's gcore; return its path."""
    prefix = directory / "core"
    subprocess.run(
        [GDB, "-q", "-batch", "-nx", "-p", str(pid), "-ex", f"gcore {prefix}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=GDB_TIMEOUT,
        check=True,
    )
    path = Path(f"{prefix}")
    if not path.exists():
        path = Path(f"{prefix}.{pid}")
    return path


def process_state(pid: int) -> str:
    """The one-letter state of /proc/PID/status ("S", "T", ...)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("State:"):
                return line.split()[1]
    raise RuntimeError(f"no State in /proc/{pid}/status")


def wait_state(pid: int, states: str, timeout: float = READY_TIMEOUT) -> str:
    """Wait until process PID is in one of STATES ("T": stopped); return it.

    A signal only queues a stop or a resume: the kernel applies it to each
    thread as it is scheduled. Waiting on the state, with a generous
    deadline, does not race the kernel as a fixed delay does; the deadline
    only costs time when the test is going to fail anyway.
    """
    deadline = time.monotonic() + timeout
    while True:
        state = process_state(pid)
        if state in states or time.monotonic() > deadline:
            return state
        time.sleep(0.01)


def stripped_copy(minor: str, directory: Path, symtab: bool = True) -> Dict[str, object]:
    """A copy of CPython MINOR's binary and libpython without debug info.

    Without ``symtab``, without ``.symtab`` either, as distributions ship
    them (only the exported symbols of ``.dynsym`` are left).
    Returns the ``python`` and ``env`` arguments for :func:`running`.
    """
    exe = PYTHONS[minor]
    prefix = exe.parent.parent
    (directory / "bin").mkdir(parents=True, exist_ok=True)
    (directory / "lib").mkdir(exist_ok=True)
    copies = [shutil.copy2(exe, directory / "bin" / exe.name)]
    for lib in (prefix / "lib").glob(f"libpython{minor}*.so*"):
        if lib.is_file() and not lib.is_symlink():
            copies.append(shutil.copy2(lib, directory / "lib" / lib.name))
    subprocess.run(["strip", "--strip-debug" if symtab else "--strip-all", *map(str, copies)], check=True)
    # LD_LIBRARY_PATH comes before the binary's RUNPATH, so the stripped
    # libpython is the one loaded; PYTHONHOME finds the original stdlib.
    env = {"LD_LIBRARY_PATH": str(directory / "lib"), "PYTHONHOME": str(prefix)}
    return {"python": directory / "bin" / exe.name, "env": env}


FUTEX_SYSCALL = 202  # x86-64
PAUSE_SYSCALL = 34


def wait_blocked(pid: int, tids: Sequence[int], timeout: float = READY_TIMEOUT, syscall: int = FUTEX_SYSCALL) -> None:
    """Wait until each thread sits in a futex wait (a lock acquire), or in ``syscall``.

    A program can announce itself only just before it blocks; a core or an
    attach in between would catch it on the way.
    """
    deadline = time.monotonic() + timeout
    pending = set(tids)
    while pending and time.monotonic() < deadline:
        for tid in list(pending):
            try:
                with open(f"/proc/{pid}/task/{tid}/syscall") as f:
                    number = f.read().split()[0]
            except (OSError, IndexError):
                continue
            if number == str(syscall):
                pending.discard(tid)
        if pending:
            time.sleep(0.01)
    if pending:
        raise RuntimeError(f"threads {sorted(pending)} of {pid} did not block")
