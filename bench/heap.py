#!/usr/bin/env python3
"""Benchmark the heap census (issue 15): `cpython-gdb heap PID`, `heap CORE` and `py-heap` in gdb.

On bench/targets/heap_million.py at 250,000, 500,000 and 1,000,000 objects
(is it linear?), with each tool run as a separate process: wall time and
peak RSS (median of ROUNDS), next to the target's own resident size (the
issue: at most 5 s for 1,000,000 objects, live and core, and the tool's
memory at most the heap it reads). py-heap is timed inside gdb (the
command alone, after attaching).

    python3 bench/heap.py [--versions 3.12 3.13] [--sizes 250000 1000000] [--rounds 3] [--out bench/results-heap.md]
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional

from dump import gcore, measure
from run import HOOK, ROOT, publish, pythons, target

OURS = ROOT / ".venv" / "bin" / "cpython-gdb"
SIZES = (250_000, 500_000, 1_000_000)
_TIMER = """
import time, gdb
start = time.perf_counter()
out = gdb.execute("py-heap --top 3", to_string=True)
print("@@@", time.perf_counter() - start, out.splitlines()[0])
"""


def resident(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def objects_counted(pid_or_core: str) -> int:
    out = subprocess.run([str(OURS), "heap", pid_or_core, "--json"], capture_output=True, check=True, text=True)
    return int(json.loads(out.stdout)["summary"]["objects"])


def in_gdb(pid: int) -> Optional[float]:
    script = Path(tempfile.mkstemp(suffix=".py")[1])
    script.write_text(_TIMER)
    try:
        out = subprocess.run(["gdb", "-q", "-batch", "-nx", "-iex", "set auto-load python-scripts off",
                              "-p", str(pid), "-ex", f"source {HOOK}", "-ex", f"source {script}"],
                             capture_output=True, text=True, timeout=600).stdout
    finally:
        script.unlink()
    for line in out.splitlines():
        if line.startswith("@@@"):
            return float(line.split()[1])
    return None


def rows_for(minor: str, python: Path, sizes: List[int], rounds: int) -> List[List[str]]:
    rows: List[List[str]] = []
    env = dict(os.environ, MALLOC_ARENA_MAX="1")
    for size in sizes:
        with target(python, ["heap_million.py", str(size)]) as pid:
            heap_kib = resident(pid)
            counted = objects_counted(str(pid))
            live = [measure([str(OURS), "heap", str(pid)], env) for _ in range(rounds)]
            gdb_times = [t for t in (in_gdb(pid) for _ in range(rounds)) if t is not None]
            with tempfile.TemporaryDirectory() as tmp:
                core = gcore(pid, Path(tmp))
                core_mib = core.stat().st_size / 2**20
                on_core = [measure([str(OURS), "heap", str(core)], env) for _ in range(rounds)]
        for label, runs in (("`cpython-gdb heap PID`", live), ("`cpython-gdb heap CORE`", on_core)):
            wall = statistics.median(r[0] for r in runs)
            peak = statistics.median(r[1] for r in runs) / 1024
            failed = sum(1 for r in runs if r[2] != 0)
            rows.append([minor, f"{size:,}", f"{counted:,}", label, f"{wall:.2f}", f"{peak:.0f}",
                         f"{heap_kib / 1024:.0f}", f"{failed} of {rounds} failed" if failed else
                         (f"core {core_mib:.0f} MiB" if "CORE" in label else "")])
        if gdb_times:
            rows.append([minor, f"{size:,}", f"{counted:,}", "`py-heap` (in gdb)",
                         f"{statistics.median(gdb_times):.2f}", "", f"{heap_kib / 1024:.0f}", "the command alone"])
    return rows


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", nargs="*", default=["3.12", "3.13"])
    parser.add_argument("--sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "results-heap.md")
    args = parser.parse_args(argv)
    found: Dict[str, Path] = pythons(args.versions)
    gdb_version = subprocess.run(["gdb", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    lines = [f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores ({platform.machine()}), {gdb_version}; "
             f"median of {args.rounds} runs. Objects: what the census counted (bench/targets/heap_million.py "
             "makes the nominal number, plus the interpreter's own). Peak RSS of the tool vs the target's "
             "resident size (the heap it reads).", "",
             "| CPython | nominal objects | counted | command | wall (s) | tool peak RSS (MiB) "
             "| target RSS (MiB) | note |",
             "|---|---|---|---|---|---|---|---|"]
    for minor, python in found.items():
        for row in rows_for(minor, python, args.sizes, args.rounds):
            lines.append("| " + " | ".join(row) + " |")
    return publish(lines, args.out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
