"""A deep recursion that passes through C built-ins on the way (sorted's key, map), then waits (or spins).

Its C stack repeats the same few pairs of return addresses many times,
with the built-in calls' frames among them: what cpython-gdb's own
unwinding of repeated C frames is for.
"""

import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from ready import announce  # noqa: E402

sys.setrecursionlimit(5000)
SPIN = "spin" in sys.argv[2:]


def wait_here(depth):
    announce()
    if SPIN:
        while True:  # running Python code: gdb stops inside the eval loop
            pass
    time.sleep(1000)
    return depth


def descend(depth, through=None):
    local = [depth, "x" * (depth % 5)]
    if depth == 0:
        return wait_here(depth)
    if depth % 40 == 20:
        return sorted([depth], key=lambda d: descend(d - 1, "sorted"))[0]
    if depth % 40 == 0:
        return list(map(lambda d: descend(d - 1, "map"), [depth]))[0]
    return descend(depth - 1, local)


descend(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
