"""Python frames to select one at a time, and a frame with every kind of variable.

walk:   <module> -> first -> second -> third -> fourth, asleep in fourth.
        On 3.11+ one C call of the eval loop runs all five frames.
groups: target() has positional (positional-only from 3.8), *args,
        keyword-only (3.x) and **kwargs parameters, a parameter and a
        local captured by an inner function (cells) and a variable of
        its enclosing function (free). Before it sleeps it writes the
        repr() of each of its variables to the ready file, as JSON.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce  # noqa: E402


def first(n):
    mark = "first"
    return second(n + 1) + len(mark)


def second(n):
    mark = "second"
    return third(n + 1) + len(mark)


def third(n):
    mark = "third"
    return fourth(n + 1) + len(mark)


def fourth(n):
    mark = "fourth"
    announce()
    time.sleep(1000)  # mark: sleep
    return n + len(mark)


# The signature each version can write; compiled from text, as older
# versions cannot parse the newer forms.
if sys.version_info >= (3, 8):
    SIGNATURE = "p, /, q, *rest, k, **kw"
elif sys.version_info >= (3,):
    SIGNATURE = "p, q, *rest, k, **kw"
else:
    SIGNATURE = "p, q, *rest, **kw"

GROUPS = """
def make(base):
    def target(%s):
        shared = [p, q]
        plain = 'plain'

        def helper():
            return shared, q, base
        del helper
        report(locals())
        time.sleep(1000)
    return target
""" % SIGNATURE


def report(scope):
    """The repr() of each variable of the frame, as py-locals should show it."""
    names = ["p", "q", "rest", "k", "kw", "plain", "shared", "base"]
    announce(json.dumps(dict((name, repr(scope[name])) for name in names if name in scope)))


if sys.argv[1] == "walk":
    first(1)
else:
    space = {"report": report, "time": time}
    exec(compile(GROUPS, "<groups>", "exec"), space)
    if sys.version_info >= (3,):
        space["make"](7)(1, 2, 3, 4, k="kay", x=1)
    else:
        space["make"](7)(1, 2, 3, 4, x=1)
