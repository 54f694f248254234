"""A KeyError being handled, whose str() is its key's repr(): KeyError('missing') says 'missing', quoted.

Also one of a subclass, and one with an empty key, which KeyError's str()
shows as '' rather than nothing. The last line traceback prints for each
(its message) is written to expected.json beside the ready FIFO first.
"""

import json
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce  # noqa: E402


class NotThere(KeyError):
    pass


def last_line():
    return traceback.format_exception_only(*sys.exc_info()[:2])[-1].rstrip("\n")


def stop(lines):
    where = os.path.dirname(os.environ.get("READY_FILE", "x"))
    with open(os.path.join(where, "expected.json"), "w") as f:
        json.dump(lines, f)
    announce()
    time.sleep(1000)


def main():
    lines = []
    try:
        {}["missing"]
    except KeyError:
        lines.append(last_line())
        try:
            raise NotThere("")
        except KeyError:
            lines.append(last_line())
            stop(lines)


main()
