"""Threads that take and drop the GIL all the time: a breakpoint on drop_gil stops one in it.

Announces, as JSON, each thread's name by native thread id once all run.
"""

import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce  # noqa: E402

if hasattr(threading, "get_native_id"):
    native_id = threading.get_native_id
else:  # before 3.8: gettid(2), system call 186 on x86-64
    import ctypes

    def native_id():
        return ctypes.CDLL(None).syscall(186)

names = {native_id(): "MainThread"}


def spin():
    names[native_id()] = threading.current_thread().name
    while True:
        time.sleep(0.001)  # mark: spin


for i in range(2):
    threading.Thread(target=spin, name=f"spinner-{i}", daemon=True).start()
while len(names) < 3:
    time.sleep(0.001)
announce(json.dumps(names))
while True:
    time.sleep(0.001)  # mark: main
