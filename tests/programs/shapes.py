"""Methods (self), closures (cell and free variables) and a generator frame."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce  # noqa: E402

GREETING = "hello"


def wait_here(value):
    announce()
    time.sleep(1000)  # mark: sleep
    return value


def numbers(limit):
    yield limit
    wait_here(limit + 1)  # mark: generator
    yield limit + 2


def outer(start):
    count = start + 1

    def inner():
        gen = numbers(count)
        first = next(gen)
        return first + next(gen)  # mark: inner

    return inner()  # mark: outer


class Walker(object):  # a new-style class in 2.7 too
    def __init__(self, name):
        self.name = name
        self.steps = [1, 2]

    def walk(self, extra):
        total = len(self.steps) + extra
        return outer(total)  # mark: walk


def main():
    walker = Walker("w")
    return walker.walk(3)  # mark: main


main()  # mark: module
