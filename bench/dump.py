#!/usr/bin/env python3
"""Benchmark `cpython-gdb dump` (gdb-free) against `py-spy dump` and `pystack`.

Wall time and peak RSS of each tool as a separate process, on the same
target, alternating, ROUNDS times (median): live at depth 950 and with 50
threads x 50 frames (`cpython-gdb dump PID`, `py-spy dump --pid PID`,
`pystack remote PID`), the C stacks too in both (`--native` of each),
and on a gcore core of the depth-950 target (`cpython-gdb dump CORE`,
`pystack core CORE`, and both with `--native`); `--backend gdb` for scale. py-spy and
pystack come from PyPI into bench/.venv, which this script creates on
first use.

    python3 bench/dump.py [--versions 3.12 ...] [--rounds 7] [--out bench/results-dump.md]
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from run import ROOT, publish, pythons, target

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".venv"
OURS = ROOT / ".venv" / "bin" / "cpython-gdb"

LIVE_CASES = [("depth 950", ["deep.py", "950"]), ("50 threads x 50", ["threads.py", "50", "50"])]


def tools() -> Tuple[Path, Path]:
    """py-spy and pystack from bench/.venv, installed there first if missing."""
    spy, stack = VENV / "bin" / "py-spy", VENV / "bin" / "pystack"
    if not (spy.exists() and stack.exists()):
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "py-spy", "pystack"], check=True)
    return spy, stack


def measure(argv: Sequence[str], env: Dict[str, str]) -> Tuple[float, int, int]:
    """(wall seconds, peak RSS in KiB, exit status) of one run.

    Under /usr/bin/time when it exists: a child forked from this Python
    would count this process's memory in its peak until it execs.
    """
    handle, report = tempfile.mkstemp(prefix="bench-rss-")
    os.close(handle)
    prefix = ["/usr/bin/time", "-f", "%M", "-o", report] if os.path.exists("/usr/bin/time") else []
    try:
        start = time.perf_counter()
        proc = subprocess.Popen([*prefix, *argv], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = status >> 8 if os.WIFEXITED(status) else -1
        peak = usage.ru_maxrss
        if prefix:
            with open(report) as f:
                peak = int(f.read().split()[-1])
    finally:
        os.unlink(report)
    return wall, peak, proc.returncode


# A command named with this ends in runs without the answers of earlier runs (direct/answer_cache.py).
COLD = " (cache off)"


def compare(commands: Dict[str, List[str]], rounds: int, env: Dict[str, str]) -> Dict[str, Tuple[float, int, str]]:
    """Median wall time, peak RSS and a note (failures) of each command, alternating. Those named ...COLD
    run with CPYTHON_GDB_CACHE=0; the others keep what cpython-gdb read in the bench's own cache directory
    (the first run, which warms the page cache, fills it)."""
    envs = {name: dict(env, CPYTHON_GDB_CACHE="0") if name.endswith(COLD) else env for name in commands}
    walls: Dict[str, List[float]] = {name: [] for name in commands}
    rss: Dict[str, List[int]] = {name: [] for name in commands}
    failed: Dict[str, int] = {name: 0 for name in commands}
    for name, argv in commands.items():  # warm the page cache once
        measure(argv, envs[name])
    for _ in range(rounds):
        for name, argv in commands.items():
            wall, peak, status = measure(argv, envs[name])
            if status != 0:
                failed[name] += 1
            walls[name].append(wall)
            rss[name].append(peak)
    return {name: (statistics.median(walls[name]), int(statistics.median(rss[name])),
                   f"{failed[name]} of {rounds} runs failed" if failed[name] else "") for name in commands}


def gcore(pid: int, directory: Path) -> Path:
    prefix = directory / "core"
    subprocess.run(["gdb", "-q", "-batch", "-nx", "-p", str(pid), "-ex", f"gcore {prefix}"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True, timeout=600)
    return prefix if prefix.exists() else Path(f"{prefix}.{pid}")


def rows_for(minor: str, python: Path, rounds: int, env: Dict[str, str]) -> List[List[str]]:
    spy, stack = tools()
    rows: List[List[str]] = []

    def add(label: str, results: Dict[str, Tuple[float, int, str]], ours: str) -> None:
        mine = results[ours][0]
        for name, (wall, peak, note) in results.items():
            ratio = "" if name == ours else f"{mine / wall:.2f}x"
            rows.append([minor, label, name, f"{wall * 1000:.1f}", f"{peak / 1024:.1f}", ratio, note])

    for label, args in LIVE_CASES:
        with target(python, args) as pid:
            commands = {
                "cpython-gdb dump PID": [str(OURS), "dump", str(pid)],
                "cpython-gdb dump PID" + COLD: [str(OURS), "dump", str(pid)],
                "py-spy dump --pid PID": [str(spy), "dump", "--pid", str(pid)],
                "pystack remote PID": [str(stack), "remote", str(pid)],
                "cpython-gdb dump --backend gdb PID": [str(OURS), "dump", "--backend", "gdb", str(pid)],
            }
            add(label, compare(commands, rounds, env), "cpython-gdb dump PID")
            # The C stacks too: every C frame unwound and named, the Python frames in place.
            commands = {
                "cpython-gdb dump --native PID": [str(OURS), "dump", "--native", str(pid)],
                "cpython-gdb dump --native PID" + COLD: [str(OURS), "dump", "--native", str(pid)],
                "py-spy dump --native --pid PID": [str(spy), "dump", "--native", "--pid", str(pid)],
                "pystack remote --native PID": [str(stack), "remote", "--native", str(pid)],
                "cpython-gdb dump --native --backend gdb PID": [str(OURS), "dump", "--native", "--backend",
                                                                "gdb", str(pid)],
            }
            add(f"{label}, --native", compare(commands, rounds, env), "cpython-gdb dump --native PID")
    # Where cpython-gdb's time goes: the interpreter's start-up and the imports, before any reading
    # (the CLI imports a command's modules only when it runs; cpython_gdb.cli.dump is what `dump` imports).
    ours_python = str(ROOT / ".venv" / "bin" / "python")
    startup = compare({"(python -c pass)": [ours_python, "-c", "pass"],
                       "(python -c 'import cpython_gdb.cli.dump')": [ours_python, "-c", "import cpython_gdb.cli.dump"]},
                      rounds, env)
    rows += [[minor, "start-up only", name, f"{wall * 1000:.1f}", f"{peak / 1024:.1f}", "", note]
             for name, (wall, peak, note) in startup.items()]
    workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-bench-"))
    try:
        with target(python, LIVE_CASES[0][1]) as pid:
            core = gcore(pid, workdir)
        commands = {
            "cpython-gdb dump CORE": [str(OURS), "dump", str(core), "--exe", str(python)],
            "pystack core CORE": [str(stack), "core", str(core), str(python)],
            "cpython-gdb dump --backend gdb CORE": [str(OURS), "dump", "--backend", "gdb", str(core), "--exe",
                                                    str(python)],
        }
        add("depth 950, core", compare(commands, rounds, env), "cpython-gdb dump CORE")
        commands = {
            "cpython-gdb dump --native CORE": [str(OURS), "dump", "--native", str(core), "--exe", str(python)],
            "cpython-gdb dump --native CORE" + COLD: [str(OURS), "dump", "--native", str(core), "--exe",
                                                      str(python)],
            "pystack core --native CORE": [str(stack), "core", "--native", str(core), str(python)],
            "cpython-gdb dump --native --backend gdb CORE": [str(OURS), "dump", "--native", "--backend", "gdb",
                                                             str(core), "--exe", str(python)],
        }
        add("depth 950, core, --native", compare(commands, rounds, env), "cpython-gdb dump --native CORE")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return rows


def _version(argv: List[str]) -> Optional[str]:
    try:
        out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60).stdout.decode()
    except OSError:
        return None
    return out.strip().splitlines()[0] if out.strip() else None


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--versions", nargs="+", default=["3.12"])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--out", type=Path, default=BENCH / "results-dump.md")
    args = parser.parse_args(argv)
    spy, stack = tools()
    # As installed: byte-compiled once, not recompiled at every run.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    cache = tempfile.mkdtemp(prefix="cpython-gdb-bench-cache-")  # cold at the start, as on a new machine
    env["CPYTHON_GDB_CACHE_DIR"] = cache
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "compileall", "-q", str(ROOT / "src")], check=True)
    rows: List[List[str]] = []
    try:
        for minor, python in pythons(args.versions).items():
            rows += rows_for(minor, python, args.rounds, env)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    lines = [
        f"Made by `python3 bench/dump.py`. Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
        f"{os.cpu_count()} cores, "
        f"Linux {platform.release()}; {_version([str(spy), '--version'])}, "
        f"pystack {_version([str(stack), '--version'])}, cpython-gdb's CLI under "
        f"{_version([str(ROOT / '.venv' / 'bin' / 'python'), '--version'])}. Median of {args.rounds} "
        "alternating runs, each tool a fresh process; peak RSS is the tool's own (/usr/bin/time).",
        "Ratio: cpython-gdb's wall time over the other tool's (below 1: cpython-gdb is faster).",
        "cpython-gdb keeps the DWARF and symbol answers of one run for the next (direct/answer_cache.py): its rows "
        f"answer from them, the rows marked '{COLD.strip()}' read DWARF each time (CPYTHON_GDB_CACHE=0).",
        "",
        "| CPython | target | command | wall (ms) | peak RSS (MiB) | cpython-gdb / this | note |",
        "|---|---|---|---|---|---|---|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return publish(lines, args.out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
