"""Two exceptions handled at once: outer() handles A and calls a generator
that handles B (A its context), then sleeps there. py-exc in the generator's frame shows B,
in outer()'s A; main() handles none. The expected lines are written first."""

import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce  # noqa: E402

EXPECTED = {}


def _last_line():
    return traceback.format_exception_only(*sys.exc_info()[:2])[-1].rstrip("\n")


def inner():
    try:
        raise RuntimeError("B inner")
    except RuntimeError:
        EXPECTED["inner"] = _last_line()
        EXPECTED["inner_repr"] = repr(sys.exc_info()[1])
        # Beside the ready FIFO: the test's work directory, also in a chroot.
        where = os.path.dirname(os.environ.get("READY_FILE", "x"))
        with open(os.path.join(where, "expected.json"), "w") as f:
            json.dump(EXPECTED, f)
        announce()
        time.sleep(1000)
        yield 1


def outer():
    try:
        raise ValueError("A outer")
    except ValueError:
        EXPECTED["outer"] = _last_line()
        EXPECTED["outer_repr"] = repr(sys.exc_info()[1])
        for _ in inner():
            pass


def main():
    outer()


main()
