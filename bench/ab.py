#!/usr/bin/env python3
"""Compare this checkout with another one (a refactor's before and after), on the same targets.

Both checkouts need their own .venv (pip install -e .). For each CPython
given, one target 950 frames deep (targets/deep.py) runs; then, alternating
between the two checkouts ROUNDS times:

- `cpython-gdb dump PID` (the gdb-free dump: wall time of the command);
- `python -c 'import cpython_gdb.cli.dump'` (the dump's start-up imports; cpython_gdb.dump
  in a checkout from before the layout by role);
- py-bt, py-bt-full and py-locals in gdb, each cold in a session of its
  own, timed inside gdb as bench/run.py times them.

Alternating keeps both sides under the same load, so the ratio means
something on a busy machine even when the absolute times do not.

    python3 bench/ab.py --base /path/to/other/checkout [--versions 3.8 3.12] [--rounds 7]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
TARGETS = Path(__file__).resolve().parent / "targets"
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
GDB_COMMANDS = ["py-bt", "py-bt-full", "py-locals"]

_TIMER = """
import gdb, json, time
gdb.execute("python import cpython_gdb.gdb.state as s; s.current_target()")
start = time.perf_counter()
gdb.execute({command!r}, to_string=True)
print("@@ab " + json.dumps(time.perf_counter() - start))
"""


def interpreter(minor: str) -> Path:
    for entry in sorted(PYENV.glob(f"{minor}.*")):
        exe = entry / "bin" / f"python{minor}"
        if exe.exists():
            return exe
    raise SystemExit(f"no CPython {minor} under {PYENV}")


def start_target(python: Path, workdir: Path) -> "subprocess.Popen[bytes]":
    fifo = workdir / "ready"
    os.mkfifo(fifo)
    proc = subprocess.Popen([str(python), str(TARGETS / "deep.py"), "950"],
                            env=dict(os.environ, READY_FILE=str(fifo)), stdout=subprocess.DEVNULL)
    with open(fifo) as f:
        f.read()
    time.sleep(0.2)  # past the ready line, into time.sleep
    return proc


def dump_module(checkout: Path) -> str:
    """The module `cpython-gdb dump` imports (cli/dump.py since the layout by role)."""
    return "cpython_gdb.cli.dump" if (checkout / "src" / "cpython_gdb" / "cli" / "dump.py").exists() \
        else "cpython_gdb.dump"


def timed(argv: List[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def gdb_time(checkout: Path, pid: int, command: str, workdir: Path) -> float:
    script = workdir / "timer.py"
    script.write_text(_TIMER.format(command=command))
    hook = checkout / "src" / "cpython_gdb" / "gdb_hook.py"
    out = subprocess.run(["gdb", "-q", "-batch", "-nx", "-p", str(pid), "-ex", f"source {hook}",
                          "-ex", f"source {script}"], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("@@ab "):
            return float(json.loads(line[5:]))
    raise RuntimeError(f"no timing from gdb: {out[-500:]}")


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--base", type=Path, required=True, help="the other checkout (with its .venv)")
    parser.add_argument("--versions", nargs="+", default=["3.8", "3.12"])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    sides = {"base": args.base.resolve(), "this": ROOT}
    for checkout in sides.values():  # byte code on disk for both, as an installed package has
        subprocess.run([str(checkout / ".venv" / "bin" / "python"), "-m", "compileall", "-q",
                        str(checkout / "src")], check=True)
    print(f"base: {sides['base']}  this: {ROOT}  rounds: {args.rounds} (medians, ms)")
    print("| CPython | measure | base | this | this/base |")
    print("|---|---|---|---|---|")
    for minor in args.versions:
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            proc = start_target(interpreter(minor), workdir)
            try:
                times: Dict[str, Dict[str, List[float]]] = {}
                for _ in range(args.rounds):
                    for side, checkout in sides.items():
                        venv = checkout / ".venv" / "bin"
                        rows = times.setdefault(side, {})
                        rows.setdefault("dump PID", []).append(
                            timed([str(venv / "cpython-gdb"), "dump", str(proc.pid)]))
                        rows.setdefault("import of dump", []).append(
                            timed([str(venv / "python"), "-c", f"import {dump_module(checkout)}"]))
                        for command in GDB_COMMANDS:
                            rows.setdefault(command, []).append(gdb_time(checkout, proc.pid, command, workdir))
            finally:
                proc.kill()
                proc.wait()
        for measure in times["base"]:
            base = statistics.median(times["base"][measure]) * 1000
            this = statistics.median(times["this"][measure]) * 1000
            print(f"| {minor} | {measure} | {base:.1f} | {this:.1f} | {this / base:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
