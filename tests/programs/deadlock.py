"""Two threads deadlocked on two locks, each holding the lock the other wants.

The main thread holds `first` and waits for `second`; the worker holds
`second` and waits for `first`. Announces the threads' native ids as JSON
once both are blocked.
"""

import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce, native_id  # noqa: E402

threading.stack_size(256 * 1024)  # small cores
first = threading.Lock()
second = threading.Lock()
holding = threading.Event()
native = {"main": native_id()}


def worker():
    native["worker"] = native_id()
    with second:
        holding.set()
        first.acquire()  # mark: worker-lock


def worker_blocked(thread):
    frame = sys._current_frames().get(thread.ident)
    return frame is not None and frame.f_code is worker.__code__ and "worker-lock" in _line(frame)


def _line(frame):
    with open(__file__) as f:
        return f.read().splitlines()[frame.f_lineno - 1]


def main():
    with first:
        thread = threading.Thread(target=worker, name="worker")
        thread.start()
        holding.wait()
        while not worker_blocked(thread):
            time.sleep(0.01)
        # The worker is at its acquire(); let it get into the call.
        time.sleep(0.2)
        announce(json.dumps(native)); second.acquire()  # noqa: E702  # mark: main-lock


main()  # mark: module
