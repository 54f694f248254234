"""Recursion DEPTH frames deep, a few locals per frame, then wait."""

import os
import sys
import time

sys.setrecursionlimit(10000)


def recurse(n, label="frame", data=None):
    numbers = [n, n + 1, n + 2]
    name = f"{label}-{n}"
    if n == 0:
        with open(os.environ["READY_FILE"], "w") as f:
            f.write("ready\n")
        time.sleep(3600)
    return recurse(n - 1, label, {"n": n, "name": name, "numbers": numbers})


recurse(int(sys.argv[1]))
