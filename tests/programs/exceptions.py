"""A thread stopped inside an except block whose exception has a cause (2.7: none, PEP 3134 is 3.0's)."""

import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce  # noqa: E402


def parse(text):
    return int(text)


if sys.version_info >= (3,):
    exec("def raise_from(error, cause):\n    raise error from cause")  # 2.7 cannot parse it
else:
    def raise_from(error, cause):
        raise error


def load(text):
    try:
        return parse(text)
    except ValueError as exc:
        raise_from(RuntimeError("cannot load " + text), exc)


def main():
    try:
        load("x1")
    except RuntimeError:
        with open("expected.txt", "w") as f:
            f.write(traceback.format_exc())
        announce()
        time.sleep(1000)


main()
