"""A thread stopped inside an except block whose exception has a cause."""

import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce  # noqa: E402


def parse(text):
    return int(text)


def load(text):
    try:
        return parse(text)
    except ValueError as exc:
        raise RuntimeError("cannot load " + text) from exc


def main():
    try:
        load("x1")
    except RuntimeError:
        with open("expected.txt", "w") as f:
            f.write(traceback.format_exc())
        announce()
        time.sleep(1000)


main()
