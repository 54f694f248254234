"""Imported by the target programs: tell the test we are in position."""

import os


def announce(text="ready"):
    path = os.environ.get("READY_FILE")
    if path:
        with open(path, "w") as f:
            f.write(text.replace("\n", " ") + "\n")
