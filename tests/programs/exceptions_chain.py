"""A thread stopped in an except block whose exception ends a long chain.

Each link is raised with ``from`` inside the except block of the previous
one, so its cause and its context are the same object.
"""

import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce  # noqa: E402

LINKS = int(sys.argv[1]) if len(sys.argv) > 1 else 30


def chain(n):
    if n == 0:
        raise ValueError("link 0")
    try:
        chain(n - 1)
    except Exception as exc:
        raise RuntimeError(f"link {n}") from exc


def main():
    try:
        chain(LINKS - 1)
    except RuntimeError:
        # Beside the ready FIFO: the test's work directory, also when the
        # program runs in a chroot.
        where = os.path.dirname(os.environ.get("READY_FILE", "x"))
        with open(os.path.join(where, "expected.txt"), "w") as f:
            f.write(traceback.format_exc())
        announce()
        time.sleep(1000)


main()
