"""Threads in known states, for py-threads and dump.

- MainThread holds the GIL while blocked in a C call that keeps it (a
  ctypes.PyDLL call of libc's sleep);
- "gil-waiter" (OS name "os-waiter") is waiting for the GIL;
- "collector" sleeps in a __del__ run by gc.collect(): the GC is running
  (2.7 runs no __del__ of a cycle: in a weak reference's callback there);
- "subinterp" runs code in a subinterpreter, asleep (not on 2.7, whose
  _testcapi cannot make one).

Announces, as JSON, each role's ident and native thread id once all are in
place.
"""

import ctypes
import gc
import json
import os
import sys
import threading
import time
import weakref

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce, native_id  # noqa: E402

try:
    import _xxsubinterpreters as interpreters
except ImportError:
    try:
        import _interpreters as interpreters  # 3.13
    except ImportError:
        interpreters = None  # 2.7, 3.6, 3.7: _testcapi.run_in_subinterp below (not in 2.7's)

gc.disable()  # collections happen only where this program asks
threading.stack_size(256 * 1024)  # small cores
libc = ctypes.CDLL(None)
ids = {}
in_del = threading.Event()


def record(role):
    ids[role] = [threading.current_thread().ident, native_id()]


class Slow:
    def __del__(self):
        in_del.set(); time.sleep(1000)  # noqa: E702  # mark: del


def on_collect(ref):
    in_del.set(); time.sleep(1000)  # noqa: E702  # mark: weakref-callback


def collector():
    record("collector")
    if sys.version_info < (3,):
        # 2.7 keeps a cycle with a __del__ in gc.garbage, uncollected: a
        # weak reference's callback runs in the collection instead.
        junk = Cycle()
        collector.ref = weakref.ref(junk, on_collect)
    else:
        junk = Slow()
    junk.cycle = junk
    del junk
    gc.collect()  # mark: collect


class Cycle(object):
    pass


def waiter():
    record("gil-waiter")
    libc.prctl(15, b"os-waiter", 0, 0, 0)  # PR_SET_NAME
    while True:
        time.sleep(0.001)  # mark: waiter


def in_subinterpreter(write_fd):
    record("subinterp")
    code = "import os, time; os.write(%d, b'x'); time.sleep(1000)" % write_fd
    if interpreters is None:
        __import__("_testcapi").run_in_subinterp(code)  # mark: run_in_subinterp
        return
    interpreters.run_string(interpreters.create(), code)  # mark: run_string


def start(target, name, *args):
    thread = threading.Thread(target=target, name=name, args=args)
    thread.daemon = True
    thread.start()
    return thread


def main():
    record("main")
    start(collector, "collector")
    in_del.wait()
    read_fd, write_fd = os.pipe()
    if interpreters is not None or hasattr(__import__("_testcapi"), "run_in_subinterp"):
        start(in_subinterpreter, "subinterp", write_fd)
        os.read(read_fd, 1)
    # Both are on their way into time.sleep, which releases the GIL.
    time.sleep(0.3)
    start(waiter, "gil-waiter")
    while "gil-waiter" not in ids:
        time.sleep(0.01)
    time.sleep(0.05)
    announce(json.dumps(ids))
    # Sleep without releasing the GIL: the waiter's next wake-up waits for it.
    ctypes.PyDLL(None).sleep(1000)  # mark: hold


main()  # mark: module
