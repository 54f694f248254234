"""Recursion, a user class, and a Python -> C -> Python call through sorted()."""

import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
from ready import announce  # noqa: E402


class Foo(object):  # a new-style class in 2.7 too
    def __init__(self, n):
        self.x = n
        self.y = "a"


def wait_here(v):
    announce()
    time.sleep(1000)
    return v


def recursive_function(n, obj=None):
    z = [n, "abc"]
    if n == 0:
        sorted([3, 1, 2], key=lambda v: wait_here(v))
    else:
        recursive_function(n - 1, Foo(n))
    return z


recursive_function(3)
