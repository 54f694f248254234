"""A heap of about N objects (argv[1], default 1,000,000) for bench/heap.py.

A mix like an application's: instances with a __dict__ and with __slots__,
dicts, distinct ints and strs, tuples, in lists held by globals. Then it
announces itself on READY_FILE and sleeps.
"""

import os
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000


class Record:
    def __init__(self, i):
        self.id = i
        self.label = "r"


class Point:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


unit = N // 10
RECORDS = [Record(10**9 + i) for i in range(unit)]  # the record and its int: 2 objects each
POINTS = [Point(None, None) for _ in range(unit)]
DICTS = [{"k": None} for _ in range(unit)]
INTS = list(range(10**10, 10**10 + 2 * unit))
STRS = ["s%d" % i for i in range(2 * unit)]
TUPLES = [(None, i) for i in range(10**11, 10**11 + unit)]  # the tuple and its int: 2 objects each

path = os.environ.get("READY_FILE")
if path:
    with open(path, "w") as f:
        f.write("ready\n")
while True:
    time.sleep(1)
