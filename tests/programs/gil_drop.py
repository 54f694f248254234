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

names = {threading.get_native_id(): "MainThread"}


def spin():
    names[threading.get_native_id()] = threading.current_thread().name
    while True:
        time.sleep(0.001)  # mark: spin


for i in range(2):
    threading.Thread(target=spin, name=f"spinner-{i}", daemon=True).start()
while len(names) < 3:
    time.sleep(0.001)
announce(json.dumps(names))
while True:
    time.sleep(0.001)  # mark: main
