"""A thread that runs without ever waiting: it asks for the time over and over.

Stopped at a random moment, it is in Python code, in CPython's C code, in
a PLT stub between them, or in the kernel's vDSO (clock_gettime), most of
all in the last.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce  # noqa: E402

# 2.7 has no time.monotonic: its time.time asks the vDSO all the same.
clock = getattr(time, "monotonic", time.time)


def spin():
    announce()
    while True:
        clock(); time.time()  # noqa: E702  # mark: spin


spin()  # mark: module
