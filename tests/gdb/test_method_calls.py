"""C method calls in py-bt: a method descriptor, a slot wrapper, a bound built-in method.

tests/programs/method_calls.py blocks one thread in threading.Lock().acquire(),
one in selectors.DefaultSelector().select() (select.epoll.poll, a method
descriptor call from 3.7; 3.6 binds the method first: a built-in method
call) and one in a generator that list.__init__ runs for a list
subclass's super().__init__() (a method-wrapper), and writes, per thread,
the line py-bt must show for the C call, as repr() shows that method.

With the interpreter's debug info, py-bt shows that line just above the
Python frame that made the call, on every version (2.7: the slot wrapper
only, its built-in calls leave no frame to read); without it, the line is
left out, as for any built-in call.
"""

import json
import re
import time

import pytest

import sid
from harness import READY_TIMEOUT, run_sections, running, stripped_copy, wait_blocked

# gdb names a thread "Thread 0x... (LWP n)" with libthread_db, "LWP n" without (a sid root's process).
HEADER = re.compile(r"^Thread \d+ \((?:Thread 0x[0-9a-f]+ \()?LWP (\d+)", re.M)
# How the Python line that makes each call ends: py-bt shows the method's line above its frame.
CALLERS = {
    "lock": "HELD.acquire()\n",
    "select": ".poll(timeout, max_ev)\n",
    "slot": "super(MyList, self).__init__(items())  # noqa: UP008 - 2.7 syntax too\n",
}
CALLERS_27 = dict(CALLERS, select="select.select([read_end], [], [])\n")


def _stacks(version, **kwargs):
    with running(version, "method_calls.py", **kwargs) as target:
        found = _blocked(target)
        (out,) = run_sections(["thread apply all py-bt"], pid=target.pid)
    return found, _blocks(out)


def _blocked(target):
    """The threads' ids and expected lines, once each thread is blocked in its call."""
    with open(target.workdir / "methods.json") as f:
        found = json.load(f)
    # Each thread announced itself just before it blocks: wait until it has.
    wait_blocked(target.pid, [found["lock"][0], found["slot"][0]])
    _wait_in_syscall(target.pid, found["select"][0])
    return found


def _blocks(out):
    blocks = {}
    parts = HEADER.split(out)
    for lwp, text in zip(parts[1::2], parts[2::2]):
        blocks[int(lwp)] = text.splitlines(keepends=True)
    return blocks


# epoll_wait, epoll_pwait, select, pselect6 (x86-64).
_SELECT_SYSCALLS = ("232", "281", "23", "270")


def _wait_in_syscall(pid, tid):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        with open(f"/proc/{pid}/task/{tid}/syscall") as f:
            if f.read().split()[0] in _SELECT_SYSCALLS:
                return
        time.sleep(0.01)
    raise RuntimeError(f"thread {tid} did not block in select")


def _method_line(lines, caller):
    """The line just above the File line of the frame whose source line ends in ``caller``."""
    (index,) = [i for i, text in enumerate(lines) if text.endswith(caller) and text.startswith("    ")]
    assert lines[index - 1].startswith("  File "), lines
    return lines[index - 2]


def test_method_calls(version):
    found, blocks = _stacks(version)
    for name, (tid, line) in found.items():
        lines = blocks[tid]
        shown = _method_line(lines, (CALLERS_27 if version == "2.7" else CALLERS)[name])
        if version == "2.7" and name != "slot":
            # 2.7's built-in calls leave no frame to read (its slot wrapper calls do).
            assert not shown.startswith("  <"), lines
        else:
            assert shown == f"  {line}\n", lines


def test_method_calls_without_debug_info(version, tmp_path):
    found, blocks = _stacks(version, **stripped_copy(version, tmp_path))
    for tid, line in found.values():
        assert f"  {line}\n" not in blocks[tid], blocks[tid]



@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
def test_method_calls_sid_debug_build(sid_hook):
    """Debian sid's debug build of 3.14 (3.14d) keeps each call's C frame: the lines are there too."""
    with sid.running("3.14d", "method_calls.py") as target:
        found = _blocked(target)
        (out,) = sid.sections(["thread apply all py-bt"], target, "3.14d", "host", True, sid_hook)
    blocks = _blocks(out)
    for name, (tid, line) in found.items():
        assert _method_line(blocks[tid], CALLERS[name]) == f"  {line}\n", blocks[tid]
