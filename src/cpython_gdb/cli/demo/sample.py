"""Sample program for ``cpython-gdb demo``: threads blocked in recursion.

    python sample.py [--timeout SECONDS]

Two worker threads each recurse a few levels into ``descend`` and block on a
lock; the main thread blocks in ``time.sleep`` inside ``idle``.  When every
thread is in place, the program writes one line to stdout and nothing else:

    ready pid=1234 python=3.11.7

It exits after --timeout seconds (default 600), or when killed.  Runs on
CPython 3.8 and later, with the standard library only.
"""

# The functions keep locals that nothing reads: they are there to be seen
# from gdb (py-locals, py-print).
# ruff: noqa: F841

from __future__ import annotations

import argparse
import os
import queue
import sys
import threading
import time
from typing import Dict, List, Optional

WORKERS = 2
DEPTH = 3


class Job:
    """A user-defined class, so that an instance shows up in the locals."""

    def __init__(self, name: str, size: int) -> None:
        self.name = name
        self.size = size
        self.tags = ["demo", name]


def descend(job: Job, depth: int, ready: queue.SimpleQueue[str],
            gate: threading.Lock) -> None:
    level = DEPTH - depth
    label = f"{job.name} at level {level}"
    trail = [job.name] * (level + 1)
    if depth > 0:
        descend(job, depth - 1, ready, gate)
        return
    # Announce and block on one line: neither call adds a Python frame, so
    # from the announcement on, the Python stack is this frame on this line.
    ready.put(job.name); gate.acquire()  # noqa: E702


def worker(name: str, ready: queue.SimpleQueue[str], gate: threading.Lock) -> None:
    job = Job(name, DEPTH)
    descend(job, DEPTH, ready, gate)


def idle(names: List[str], timeout: float) -> None:
    job = Job("main", 42)
    counts: Dict[str, int] = {"workers": len(names), "depth": DEPTH}
    greeting = "grüße, 世界"
    ratio = 0.5
    message = (f"ready pid={os.getpid()} python={sys.version.split()[0]}\n").encode()
    # As in descend(): from the moment the line is written until the sleep
    # starts, the Python stack stays the same.
    os.write(1, message); time.sleep(timeout)  # noqa: E702


def allow_any_tracer() -> None:
    """Let a debugger that is not our parent attach (Linux Yama ptrace_scope=1).

    ``cpython-gdb demo`` attaches with a gdb that is a sibling of this process,
    which ptrace_scope=1 (Ubuntu's default) refuses unless the target opts in.
    Best effort: without Yama or ctypes nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        pr_set_ptracer, pr_set_ptracer_any = 0x59616D61, ctypes.c_ulong(-1)
        zero = ctypes.c_ulong(0)
        ctypes.CDLL(None).prctl(pr_set_ptracer, pr_set_ptracer_any, zero, zero, zero)
    except Exception:
        pass


def supervise(timeout: float) -> None:
    ready: queue.SimpleQueue[str] = queue.SimpleQueue()
    gate = threading.Lock()
    gate.acquire()  # never released: the workers block on it
    threading.stack_size(256 * 1024)  # keeps core files small
    workers = [
        threading.Thread(target=worker, args=(f"worker-{i}", ready, gate),
                         name=f"worker-{i}", daemon=True)
        for i in range(1, WORKERS + 1)
    ]
    for thread in workers:
        thread.start()
    for _ in workers:
        ready.get()
    idle([thread.name for thread in workers], timeout)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Sample program for cpython-gdb demo.")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="exit after this many seconds (default: %(default)s)")
    args = parser.parse_args(argv)
    allow_any_tracer()
    supervise(args.timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
