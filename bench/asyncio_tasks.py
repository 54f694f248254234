#!/usr/bin/env python3
"""Benchmark `cpython-gdb dump --tasks` and `py-tasks` against `python3.14 -m asyncio ps`.

The target (targets/tasks.py) holds COUNT pending tasks, each 5
coroutines deep, and waits in its event loop. On Debian sid's CPython 3.14
(the root tools/sid_root.sh builds; `ps` runs in the target's own root),
for each COUNT: the wall time of `python3.14 -m asyncio ps PID`, of
`cpython-gdb dump PID --tasks` (text and --json), each a fresh process,
alternating, median of ROUNDS; and py-tasks inside gdb (time.perf_counter()
around gdb.execute(), after attaching). Also `dump --tasks` on each pyenv
CPython at the largest COUNT.

    python3 bench/asyncio_tasks.py [--counts 1000 5000 10000] [--rounds 5] [--out bench/results-asyncio.md]
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
from typing import Dict, List, Sequence

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT / "tests"))
import sid  # noqa: E402
from harness import HOOK, PYTHONS, VERSIONS, minor_of, started  # noqa: E402

OURS = ROOT / ".venv" / "bin" / "cpython-gdb"
TARGET = BENCH / "targets" / "tasks.py"
DEPTH = "5"


def wall(argv: Sequence[str], env: Dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, timeout=600)
    took = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{argv[:4]} failed: {result.stderr.decode()[-500:]}")
    return took


def py_tasks_seconds(pid: int, executable: Path, extra: List[str]) -> float:
    code = ("import time, gdb; t = time.perf_counter(); gdb.execute('py-tasks', to_string=True); "
            "print('PYTASKS %f' % (time.perf_counter() - t))")
    out = subprocess.run(["gdb", "-q", "-batch", "-nx", *extra, str(executable), "-p", str(pid),
                          "-ex", f"source {HOOK}", "-ex", f"python {code}"],
                         capture_output=True, text=True, timeout=600).stdout
    line = [x for x in out.splitlines() if x.startswith("PYTASKS ")]
    if not line:
        raise RuntimeError(f"py-tasks failed:\n{out[-1000:]}")
    return float(line[0].split()[1])


def sid_target(count: int):
    inside = sid.inside(TARGET)
    inside.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(TARGET, inside)
    workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-", dir=sid.inside(Path("/tmp"))))
    fifo = workdir / "ready"
    os.mkfifo(fifo)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8",
           "READY_FILE": "/" + str(fifo.relative_to(sid.SID_ROOT))}
    argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", sid._ENTER, str(sid.SID_ROOT),
            "/usr/bin/python3.14", str(TARGET), str(count), DEPTH]
    proc = subprocess.Popen(argv, env=env, cwd=str(workdir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return started(proc, fifo, workdir)


def pyenv_target(python: Path, count: int):
    workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-"))
    fifo = workdir / "ready"
    os.mkfifo(fifo)
    env = dict(os.environ, READY_FILE=str(fifo))
    proc = subprocess.Popen([str(python), str(TARGET), str(count), DEPTH], env=env, cwd=str(workdir),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return started(proc, fifo, workdir)


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=BENCH / "results-asyncio.md")
    args = parser.parse_args(argv)
    if sid.unavailable():
        print(f"no sid root: {sid.unavailable()}", file=sys.stderr)
        return 1
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}
    rows = ["| CPython | tasks x depth | command | wall (ms) | cpython-gdb / ps |", "|---|---|---|---|---|"]
    for count in args.counts:
        with sid_target(count) as target:
            nsenter = ["nsenter", "--target", str(target.pid), "--mount", "--root", "--wd"]
            commands = {
                "python3.14 -m asyncio ps PID": [*nsenter, "python3.14", "-m", "asyncio", "ps", str(target.pid)],
                "cpython-gdb dump PID --tasks": [str(OURS), "dump", str(target.pid), "--tasks"],
                "cpython-gdb dump PID --tasks --json": [str(OURS), "dump", str(target.pid), "--tasks", "--json"],
            }
            times: Dict[str, List[float]] = {name: [] for name in commands}
            for _ in range(args.rounds):
                for name, command in commands.items():
                    times[name].append(wall(command, env))
            medians = {name: statistics.median(values) for name, values in times.items()}
            ps = medians["python3.14 -m asyncio ps PID"]
            for name, value in medians.items():
                ratio = "" if name.startswith("python3.14") else f"{value / ps:.2f}x"
                rows.append(f"| 3.14 | {count} x {DEPTH} | {name} | {value * 1000:.0f} | {ratio} |")
            gdb_times = [py_tasks_seconds(target.pid, sid.inside(Path("/usr/bin/python3.14")),
                                          ["-iex", f"set sysroot {sid.SID_ROOT}"]) for _ in range(3)]
            median = statistics.median(gdb_times) * 1000
            rows.append(f"| 3.14 | {count} x {DEPTH} | py-tasks (in gdb) | {median:.0f} | |")
    count = args.counts[-1]
    for version in (v for v in VERSIONS if minor_of(v) >= (3, 8)):  # asyncio tasks: 3.8+
        with pyenv_target(PYTHONS[version], count) as target:
            values = [wall([str(OURS), "dump", str(target.pid), "--tasks"], dict(os.environ))
                      for _ in range(args.rounds)]
            rows.append(f"| {version} | {count} x {DEPTH} | cpython-gdb dump PID --tasks | "
                        f"{statistics.median(values) * 1000:.0f} | |")
    head = [f"Made by `python3 bench/asyncio_tasks.py`. Measured {time.strftime('%Y-%m-%d')} on {platform.machine()}, "
            f"{os.cpu_count()} cores, Linux {platform.release()}; cpython-gdb's CLI under Python "
            f"{platform.python_version()}; median of {args.rounds} alternating runs, each a fresh process "
            "(py-tasks: median of 3 gdb sessions, the command alone). Each task is 5 coroutines deep.", ""]
    args.out.write_text("\n".join(head + rows) + "\n")
    print("\n".join(head + rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
