"""Real core files for the tests, and `cpython-gdb core` run on them.

A crash core is the kernel's own when the kernel writes cores to the
crashing process's directory (a relative ``core_pattern``, as on a default
Debian); the limit is raised for that child only. Otherwise (a pipe to
systemd-coredump or apport, an absolute directory, a zero hard limit) the
program runs under gdb and gdb's ``gcore`` writes the core at the signal.
Nothing system-wide is changed. Callers delete the cores (their workdir).
"""

import os
import resource
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from harness import GDB, GDB_TIMEOUT, MARK, PROGRAMS, PYTHONS

CORE_PATTERN = Path("/proc/sys/kernel/core_pattern")


def raise_core_limit() -> None:
    hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    resource.setrlimit(resource.RLIMIT_CORE, (hard, hard))


def kernel_cores_here() -> bool:
    """Whether a crashing child of ours can leave a kernel core in its directory."""
    try:
        pattern = CORE_PATTERN.read_text().strip()
    except OSError:
        return False
    hard = resource.getrlimit(resource.RLIMIT_CORE)[1]
    return bool(pattern) and not pattern.startswith("|") and not pattern.startswith("/") and hard != 0


def _env() -> Dict[str, str]:
    env = dict(os.environ, PYTHONHASHSEED="0", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONFAULTHANDLER", None)  # the crashes must reach the kernel
    env.pop("DEBUGINFOD_URLS", None)  # no downloads for the system libraries
    return env


def elf_files(directory: Path) -> List[Path]:
    found = []
    for path in directory.iterdir():
        if path.is_file():
            with open(path, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def crash_core(
    version: str, program: str, workdir: Path, signal: int, method: Optional[str] = None
) -> Tuple[Path, str]:
    """Run tests/programs/PROGRAM under CPython VERSION in WORKDIR until SIGNAL kills it.

    Returns (core, method): "kernel" or "gdb" (``method`` forces one).
    """
    argv = [str(PYTHONS[version]), str(PROGRAMS / program)]
    if method is None:
        method = "kernel" if kernel_cores_here() else "gdb"
    if method == "kernel":
        proc = subprocess.run(argv, cwd=str(workdir), env=_env(), preexec_fn=raise_core_limit,
                              stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=GDB_TIMEOUT)
        assert proc.returncode == -signal, (proc.returncode, proc.stderr)
        cores = elf_files(workdir)
        if len(cores) == 1:
            return cores[0], method
        method = "gdb"  # the pattern did not put it here after all
    core = workdir / "core.gdb"
    gdb = [GDB, "-q", "-batch", "-nx", "-iex", "set auto-load python-scripts off",
           "-ex", "run", "-ex", f"gcore {core}", "--args", *argv]
    proc = subprocess.run(gdb, cwd=str(workdir), env=_env(), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=GDB_TIMEOUT)
    out = proc.stdout.decode(errors="replace")
    assert core.is_file(), out
    return core, method


def cli(*args: str, merge: bool = False) -> "subprocess.CompletedProcess[str]":
    """``cpython-gdb ARGS``; ``merge`` puts stderr into stdout, in order."""
    return subprocess.run([sys.executable, "-m", "cpython_gdb.cli.main", *args], stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT if merge else subprocess.PIPE,
                          encoding="utf-8", errors="replace", env=_env(), timeout=GDB_TIMEOUT)


GDB_QUIET = ["-batch", "-nx", "-iex", "set auto-load python-scripts off", "-iex", "set width 0"]


def core_sections(core: Path, commands: Sequence[str], *options: str) -> Tuple[List[str], str]:
    """Run COMMANDS in ``cpython-gdb core CORE OPTIONS`` (no EXECUTABLE given).

    Returns each command's output and what came before the first (the
    CLI's own lines, then gdb's as it loads the core).
    """
    argv: List[str] = [str(core), *options, *GDB_QUIET]
    for i, command in enumerate(commands):
        argv += ["-ex", f"echo {MARK}{i}\\n", "-ex", command]
    argv += ["-ex", f"echo {MARK}end\\n"]
    out = cli("core", *argv, merge=True).stdout
    sections = []
    for i in range(len(commands)):
        start = out.find(f"{MARK}{i}\n")
        end = out.find(f"{MARK}{i + 1}\n" if i + 1 < len(commands) else f"{MARK}end\n")
        assert start >= 0 and end >= 0, f"no section {i} ({commands[i]!r}):\n{out[-3000:]}"
        sections.append(out[start + len(f"{MARK}{i}\n") : end])
    return sections, out[: out.find(f"{MARK}0\n")]
