"""Calls os.abort() inside an except block: SIGABRT while a ValueError is handled.

It first writes the traceback Python would print to expected.txt.
"""

import os
import traceback


def parse(text):
    return int(text)


def save_traceback():
    with open("expected.txt", "w") as f:
        f.write(traceback.format_exc())


def handle(text):
    try:
        return parse(text)
    except ValueError as exc:
        reason = str(exc)
        save_traceback()
        os.abort()  # mark: abort
        return reason


handle("x1")  # mark: module
