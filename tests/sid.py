"""CPython 3.14 and 3.15 in the Debian sid root that tools/sid_root.sh builds.

A target runs inside the root: ``unshare --mount`` gives it a mount
namespace of its own, where /proc is bound into the root before
``chroot``; the mount goes away with the namespace when the target exits,
and the host never sees it. gdb runs either on the host (gdb 13, with
``set sysroot ROOT``) or in the root (gdb 18, whose Python is 3.14),
entering the target's namespace and root with ``nsenter``.

The test programs are copied into the root at the same absolute path as
on the host, so the expected outputs of tests/gdb/test_commands.py apply
as they are.
"""

import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

from harness import GDB_TIMEOUT, HOOK, PROGRAMS, SID_ROOT, SMALL_ARENAS, Target, run_sections_and_prefix, started

# Target name -> the interpreter inside the root, and its minor version.
INTERPRETERS: Dict[str, str] = {
    "3.14": "/usr/bin/python3.14",
    "3.14d": "/usr/bin/python3.14d",
    "3.15": "/usr/bin/python3.15",
}
NO_DWARF = ["-iex", "set debug-file-directory /nonexistent"]
_ENTER = 'mount --bind /proc "$0/proc" && exec chroot "$0" "$@"'


def unavailable() -> Optional[str]:
    """Why the sid tests cannot run here, or None."""
    missing = [name for name, path in INTERPRETERS.items() if not inside(Path(path)).exists()]
    if missing or not inside(Path("/usr/bin/gdb")).exists():
        return f"no Debian sid root at {SID_ROOT} (tools/sid_root.sh builds it; .ci/run does)"
    if os.geteuid() != 0:
        return "the sid root needs root (chroot, mount)"
    for tool in ("unshare", "nsenter", "chroot"):
        if shutil.which(tool) is None:
            return f"no {tool}"
    return None


def inside(path: Path) -> Path:
    """Where the root's PATH is on the host."""
    return SID_ROOT / str(path).lstrip("/")


def root_path(host: Path) -> Path:
    """What a path under the root (as the host sees it) is inside the root."""
    return Path("/") / host.relative_to(SID_ROOT)


def _sync(source: Path, target: Path) -> None:
    """Copy a directory's files into the root, each replaced atomically if it differs."""
    for path in source.rglob("*"):
        if "__pycache__" in path.parts or not path.is_file():
            continue
        dest = target / path.relative_to(source)
        data = path.read_bytes()
        if dest.exists() and dest.read_bytes() == data:
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=dest.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, dest)


def install() -> Path:
    """Put the test programs (same path) and our package into the root; return the hook's path there."""
    _sync(PROGRAMS, inside(PROGRAMS))
    package = Path(tempfile.mkdtemp(prefix="cpython-gdb-src-", dir=inside(Path("/tmp"))))
    _sync(HOOK.parent, package / "cpython_gdb")
    return Path("/") / package.relative_to(SID_ROOT) / "cpython_gdb" / HOOK.name


@contextmanager
def running(name: str, program: str, *args: str) -> Iterator[Target]:
    """Start tests/programs/PROGRAM under the root's interpreter NAME."""
    workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-", dir=inside(Path("/tmp"))))
    fifo = workdir / "ready"
    os.mkfifo(fifo)
    env = {
        "PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
        "LANG": "C.UTF-8",
        "READY_FILE": "/" + str(fifo.relative_to(SID_ROOT)),
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        **SMALL_ARENAS,
    }
    argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", _ENTER, str(SID_ROOT),
            INTERPRETERS[name], str(PROGRAMS / program), *args]
    proc = subprocess.Popen(argv, env=env, cwd=str(workdir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with started(proc, fifo, workdir) as target:
        yield target


def run(argv: Sequence[str], cwd: Path, env: Optional[Dict[str, str]] = None,
        preexec_fn: Optional[Callable[[], None]] = None) -> "subprocess.CompletedProcess[str]":
    """Run ARGV in the root, as running() does, in CWD (a directory of the root, as the host sees it)."""
    full_env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", **(env or {})}
    # chroot starts in the root's /: go to CWD there (a kernel core is written in it).
    argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", _ENTER, str(SID_ROOT),
            "sh", "-c", 'cd "$0" && exec "$@"', str(root_path(cwd)), *argv]
    return subprocess.run(argv, env=full_env, stdin=subprocess.DEVNULL, capture_output=True, encoding="utf-8",
                          errors="replace", preexec_fn=preexec_fn, timeout=GDB_TIMEOUT)


def gcore(target: Target, core: Path) -> None:
    """Write a core of TARGET at CORE (a path in the root) with the root's gdb."""
    prefix = ["nsenter", "--target", str(target.pid), "--mount", "--root", "--wd"]
    subprocess.run([*prefix, "gdb", "-q", "-batch", "-nx", "-p", str(target.pid), "-ex", f"gcore {core}"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=GDB_TIMEOUT, check=True)


# As a container starts: the root bind-mounted on a directory of the new
# mount namespace becomes its "/" (pivot_root) and the host's root is
# unmounted, so the process names its files as the host never does.
_PIVOT = (
    'mount --bind "$0" "$1" && cd "$1" && pivot_root . mnt && mount -t proc proc /proc && umount -l /mnt'
    ' && shift && exec "$@"'
)


@contextmanager
def contained(name: str, program: str, *args: str) -> Iterator[Target]:
    """Start tests/programs/PROGRAM under the root's interpreter NAME as in a container.

    The program runs from a directory of the root's /tmp that the host
    does not have at that path: ``target.workdir`` on the host is
    ``/`` + ``target.inside`` in the container.
    """
    workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-app-", dir=inside(Path("/tmp"))))
    mountpoint = Path(tempfile.mkdtemp(prefix="cpython-gdb-newroot-"))
    for name_ in (program, "ready.py"):
        shutil.copy2(PROGRAMS / name_, workdir / name_)
    fifo = workdir / "ready"
    os.mkfifo(fifo)
    there = Path("/") / workdir.relative_to(SID_ROOT)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8", "READY_FILE": str(there / "ready"),
           "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", **SMALL_ARENAS}
    argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", _PIVOT, str(SID_ROOT), str(mountpoint),
            INTERPRETERS[name], str(there / program), *args]
    proc = subprocess.Popen(argv, env=env, cwd="/", stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        with started(proc, fifo, workdir) as target:
            target.inside = there  # type: ignore[attr-defined]
            yield target
    finally:
        shutil.rmtree(mountpoint, ignore_errors=True)


def gcore_into(target: Target, directory: Path) -> Path:
    """A core of TARGET written by the root's gdb, from inside its mount namespace and root; moved to DIRECTORY.

    The host's gdb 13 writes zeros for a thread stack of these targets
    ("Memory read failed for corefile section"); the core names the files
    as the process does, as a container's core would.
    """
    there = Path(tempfile.mkdtemp(prefix="cpython-gdb-core-", dir=inside(Path("/tmp"))))
    try:
        subprocess.run(["nsenter", "--target", str(target.pid), "--mount", "--root", "--wd", "gdb", "-q", "-batch",
                        "-nx", "-p", str(target.pid), "-ex", f"gcore /{there.relative_to(SID_ROOT)}/core"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300, check=True)
        return Path(shutil.move(str(there / "core"), str(directory / "core")))
    finally:
        shutil.rmtree(there, ignore_errors=True)


def sections(commands: Sequence[str], target: Target, name: str, gdb: str, dwarf: bool, hook: Path) -> List[str]:
    """Run COMMANDS in gdb ("host" or "root") attached to TARGET, one output each."""
    return sections_and_prefix(commands, target, name, gdb, dwarf, hook)[0]


def sections_and_prefix(commands: Sequence[str], target: Target, name: str, gdb: str, dwarf: bool,
                        hook: Path) -> Tuple[List[str], str]:
    """sections(), and what gdb printed before the first command."""
    executable = Path(INTERPRETERS[name])
    extra: List[str] = [] if dwarf else list(NO_DWARF)
    if gdb == "host":
        extra = ["-iex", f"set sysroot {SID_ROOT}", *extra]
        return run_sections_and_prefix(commands, pid=target.pid, executable=inside(executable), extra=extra)
    prefix = ["nsenter", "--target", str(target.pid), "--mount", "--root", "--wd"]
    return run_sections_and_prefix(commands, pid=target.pid, executable=executable, extra=extra, gdb="gdb",
                                   hook=hook, prefix=prefix)
