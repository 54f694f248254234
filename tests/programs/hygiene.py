"""A thread blocked in a __del__ that the cyclic collector runs, and a main thread asleep.

For the output-hygiene tests: py-bt of the collecting thread says
"Garbage-collecting" once; py-list past the end of this file, or with a
reversed range, says so.
"""

import gc
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ready import announce  # noqa: E402

inside = threading.Event()
never = threading.Event()


class Finalized(object):
    def __del__(self):
        inside.set()
        never.wait()


def collect():
    # A cycle that holds an object with __del__ (not in the cycle, so 2.7
    # collects it too): clearing the cycle runs the __del__ inside the
    # collection, either an automatic one or gc.collect()'s.
    cycle = [Finalized()]
    cycle.append(cycle)
    del cycle
    if AUTOMATIC:
        keep = []
        while True:
            keep.append([])
    gc.collect()


AUTOMATIC = "--automatic" in sys.argv


def main():
    worker = threading.Thread(target=collect)
    worker.daemon = True
    worker.start()
    inside.wait()
    announce()
    while True:
        time.sleep(1000)


main()
