"""Threads asleep in a free-threaded build: two workers and the main thread, each with locals."""

import sys
import threading
import time

from ready import announce

started = threading.Barrier(3)


def nap(label, items):
    started.wait()
    while True:
        time.sleep(1000)  # mark: nap


def worker(n):
    nap(f"worker-{n}", [n, n * 2, "x" * n])


for n in (1, 2):
    threading.Thread(target=worker, args=(n,), name=f"worker-{n}", daemon=True).start()
announce(f"gil {int(sys._is_gil_enabled())}")
nap("main", {"answer": 42})
