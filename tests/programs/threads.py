"""Three threads, each blocked in a C call from its own Python function.

Announces, as JSON, each role's native thread id once both workers are at
their gate.acquire() line.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce, native_id  # noqa: E402

try:
    import _thread
except ImportError:  # 2.7
    import thread as _thread

gate = _thread.allocate_lock()
gate.acquire()
codes = {}
native = {"main": native_id()}


def first_worker(tag):
    native["first"] = native_id()
    codes[first_worker.__code__] = _thread.get_ident()
    gate.acquire()  # mark: first


def second_worker(tag, depth):
    if depth:
        return second_worker(tag, depth - 1)  # mark: second-recurse
    native["second"] = native_id()
    codes[second_worker.__code__] = _thread.get_ident()
    gate.acquire()  # mark: second


def all_blocked():
    """True once each worker's innermost frame is at its gate.acquire()."""
    current = sys._current_frames()
    for code, ident in list(codes.items()):
        frame = current.get(ident)
        if frame is None or frame.f_code is not code or "gate.acquire()" not in _line(frame):
            return False
    return len(codes) == 2


def _line(frame):
    with open(__file__) as f:
        return f.read().splitlines()[frame.f_lineno - 1]


def main_wait():
    while not all_blocked():
        time.sleep(0.01)
    # A thread at the line may still be on its way into acquire() (sooner
    # still on a free-threaded build, where no GIL holds it back): a test that
    # needs both blocked waits until the kernel has them in their futex waits
    # (harness.wait_blocked on the announced ids), not for some time.
    announce(json.dumps(native))
    time.sleep(1000)  # mark: main


_thread.start_new_thread(first_worker, ("a",))
_thread.start_new_thread(second_worker, ("b", 2))
main_wait()  # mark: module
