"""int("x") raises, after a SIGUSR1 that lets gdb set a breakpoint.

gdb stops at the signal (handled "nopass", so the program never sees it),
breaks in PyErr_Format and finishes it: the ValueError is then set in the
thread state but not yet caught. Up to 3.11 it is not normalized either:
its value is the plain str message.
"""

import os
import signal


def parse(text):
    return int(text)


def main():
    os.kill(os.getpid(), signal.SIGUSR1)
    try:
        parse("x")
    except ValueError:
        pass


main()
