#!/usr/bin/env python3
"""Benchmark cpython-gdb's commands against CPython's own python-gdb.py.

Both run in the same gdb build on the same stopped process, in separate gdb
sessions (the two define the same command names), alternating, ROUNDS times.
Each command's own cost is measured inside gdb with time.perf_counter()
around gdb.execute(), after attaching, so gdb's start-up is not counted.
Each command is timed cold, in a gdb session of its own: gdb keeps the
frames it unwound (and the debug info it read) for the rest of a stop, so a
command timed after another one would be cheaper than when typed first.
A command listed in BEFORE runs first, untimed (py-locals after py-up).

    python3 bench/run.py [--versions 3.12 ...] [--rounds 3] [--out bench/results.md]
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent
HOOK = ROOT / "src" / "cpython_gdb" / "gdb_hook.py"
TARGETS = Path(__file__).resolve().parent / "targets"
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"

# (label, target program and args, commands to time)
CASES: List[Tuple[str, List[str], List[str]]] = [
    ("depth 50", ["deep.py", "50"], ["py-bt", "py-bt-full"]),
    ("depth 500", ["deep.py", "500"], ["py-bt", "py-bt-full"]),
    ("depth 950", ["deep.py", "950"], ["py-bt", "py-bt-full", "py-up", "py-locals"]),
    ("50 threads x 50", ["threads.py", "50", "50"], ["thread apply all py-bt"]),
    ("big objects", ["big.py"], ["py-print big_dict", "py-print big_list", "py-print big_str",
                                 "py-print global_9999", "py-print module_globals"]),
]

# Commands run (untimed) before the one timed, in its session. python-gdb.py
# reads names only in a selected eval-loop frame: py-locals and py-print come
# after gdb selects the newest one, which prints no Python value (py-up
# would, and the texts it made would be reused).
SELECT_EVAL = "frame function _PyEval_EvalFrameDefault"
BEFORE: Dict[str, List[str]] = {command: [SELECT_EVAL] for _, _, commands in CASES for command in commands
                                if command.startswith(("py-print", "py-locals"))}

# The start of an output that says the command failed.
FAILED = ("Unable to", "Error", "Python Exception")

SETUP = "python import cpython_gdb.gdb.state as s; s.current_target()"

_TIMER = """
import gdb, json, time
def _cpython_gdb_bench(commands, setup, before):
    out = {}
    if setup:
        # The layout is read once per session (at the first stop): not timed.
        gdb.execute(setup, to_string=True)
    for command in before:
        gdb.execute(command, to_string=True)
    said = {}
    for command in commands:
        start = time.perf_counter()
        try:
            text = gdb.execute(command, to_string=True)
            out[command] = time.perf_counter() - start
            said[command] = (text.strip().splitlines() or [""])[0][:100]
        except Exception as exc:  # a failed command is reported, not timed
            print("BENCH-ERROR %s: %s" % (command, exc))
            out[command] = None
            said[command] = str(exc)[:100]
    print("BENCH " + json.dumps({"times": out, "said": said}))
"""


def pythons(wanted: Sequence[str]) -> Dict[str, Path]:
    found = {}
    for entry in sorted(PYENV.iterdir()):
        match = re.fullmatch(r"3\.(\d+)\.\d+", entry.name)
        if match and f"3.{match.group(1)}" in wanted:
            minor = f"3.{match.group(1)}"
            found[minor] = entry / "bin" / f"python{minor}"
    return dict(sorted(found.items(), key=lambda item: int(item[0].split(".")[1])))


@contextmanager
def target(python: Path, args: List[str]) -> Iterator[int]:
    workdir = Path(tempfile.mkdtemp())
    fifo = workdir / "ready"
    os.mkfifo(fifo)
    env = dict(os.environ, READY_FILE=str(fifo))
    proc = subprocess.Popen([str(python), str(TARGETS / args[0]), *args[1:]], env=env)
    try:
        with open(fifo) as f:
            f.readline()
        yield proc.pid
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(workdir, ignore_errors=True)


def session(pid: int, commands: List[str], official: Path = None,
            before: Sequence[str] = ()) -> Tuple[Dict[str, Optional[float]], Dict[str, str]]:
    """Seconds per command (None: it raised), and the first line each printed."""
    argv = ["gdb", "-q", "-batch", "-nx", "-iex", "set pagination off"]
    if official is not None:
        argv += ["-iex", f"add-auto-load-safe-path {official}"]
    else:
        argv += ["-iex", "set auto-load python-scripts off"]
    argv += ["-p", str(pid)]
    if official is None:
        argv += ["-ex", f"source {HOOK}"]
    script = Path(tempfile.mkstemp(suffix=".py")[1])
    script.write_text(_TIMER)
    setup = "" if official is not None else SETUP
    call = f"_cpython_gdb_bench({json.dumps(commands)}, {setup!r}, {json.dumps(list(before))})"
    argv += ["-ex", f"source {script}", "-ex", f"python {call}"]
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=900).stdout.decode()
    script.unlink()
    for line in out.splitlines():
        if line.startswith("BENCH "):
            result = json.loads(line[6:])
            return result["times"], result["said"]
    errors = [line for line in out.splitlines() if "Error" in line or "Traceback" in line]
    raise RuntimeError("no timings from gdb: " + " / ".join(errors[-5:]))


def _failure(said: Optional[str]) -> str:
    text = said or ""
    return text if text.startswith(FAILED) or text.endswith("not found") else ""


def measure(minor: str, python: Path, rounds: int) -> List[Tuple[str, str, float, float, str]]:
    """(target, command, ours, theirs, note) rows; the note quotes an output that says it failed."""
    official = python.parent / f"python{minor}-gdb.py"
    rows = []
    for label, args, commands in CASES:
        ours: Dict[str, List[float]] = {c: [] for c in commands}
        theirs: Dict[str, List[float]] = {c: [] for c in commands}
        notes: Dict[str, str] = {}
        with target(python, args) as pid:
            for _ in range(rounds):
                for command in commands:  # each in a session of its own: cold
                    before = BEFORE.get(command, [])
                    for who, times, path in (("cpython-gdb", ours, None), ("python-gdb.py", theirs, official)):
                        seconds, said = session(pid, [command], path, before)
                        value = seconds.get(command)
                        if value is not None:
                            times[command].append(value)
                        failed = _failure(said.get(command))
                        if failed:
                            notes[command] = f"{who} said: {failed}"
        for command in commands:
            a = statistics.median(ours[command]) if ours[command] else float("nan")
            b = statistics.median(theirs[command]) if theirs.get(command) else float("nan")
            rows.append((label, command, a, b, notes.get(command, "")))
    return rows


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--versions", nargs="+", default=["3.12"])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results.md")
    args = parser.parse_args(argv)
    found = pythons(args.versions)
    lines = [
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, "
        f"{subprocess.run(['gdb', '--version'], stdout=subprocess.PIPE).stdout.decode().splitlines()[0]}; "
        f"median of {args.rounds} alternating runs, each command's own time inside gdb, "
        "cold: the first command of its gdb session (py-locals and py-print: after an untimed "
        f"`{SELECT_EVAL}`). "
        "A note quotes an output that says the command failed: its time is not comparable.",
        "",
        "| CPython | target | command | cpython-gdb (ms) | python-gdb.py (ms) | ratio | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for minor, python in found.items():
        for label, command, ours, theirs, note in measure(minor, python, args.rounds):
            if theirs != theirs:  # NaN: the official extension has no such step
                lines.append(f"| {minor} | {label} | `{command}` | {ours * 1000:.1f} | - | - | {note} |")
                continue
            ratio = theirs / ours if ours else float("nan")
            cells = f"{ours * 1000:.1f} | {theirs * 1000:.1f} | {ratio:.1f}x"
            lines.append(f"| {minor} | {label} | `{command}` | {cells} | {note} |")
    return publish(lines, args.out)


def publish(lines: List[str], out: Path) -> int:
    """Write a results table to ``out`` and print it."""
    text = "\n".join(lines) + "\n"
    out.write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
