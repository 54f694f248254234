"""Every command on real core files, opened with `cpython-gdb core CORE` alone.

Three cores per version: a SIGSEGV inside a C call (ctypes.string_at(1)), a
SIGABRT from os.abort() inside an except block, and a gcore of two threads
deadlocked on two locks. No EXECUTABLE is given: the CLI finds the
interpreter from the core. Each core is deleted once gdb has read it.
"""

import json
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, List, Tuple

import pytest
from test_commands import B, F, Stack, locals_block, major_minor, norm, thread_sections
from test_stops import ctypes_init

from cores import core_sections, crash_core
from harness import PYTHONS, VERSIONS, eval_loop, gcore, running, wait_blocked

PY_LINE = re.compile(r"^(?:#\d+\s+)?(\S+) \[Python\] \(\) at (\S+):(\d+)$", re.M)
ABORT_REASON = "\"invalid literal for int() with base 10: 'x1'\""


@contextmanager
def workdir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="cpython-gdb-core-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def python_frames(bt: str) -> List[Tuple[str, str, int]]:
    """(function, file, line) of each Python frame our frame filter put in `bt`."""
    return [(m.group(1), m.group(2), int(m.group(3))) for m in PY_LINE.finditer(bt)]


def expected_frames(stack: Stack) -> List[Tuple[str, str, int]]:
    return [(f.name, stack.file(f), stack.line(f)) for f in stack.frames]


def around(stack: Stack, f: F) -> str:
    return stack.listing(f, stack.line(f) - 5, stack.line(f) + 5)


def segv_items(version: str) -> List[F]:
    return [
        F("string_at", "return _string_at(ptr, size)", "ptr=1, size=-1", file=ctypes_init(version)),
        F("read_raw", "# mark: segv", "address=1, label='raw read'"),
        F("main", "# mark: main", "sizes=[1, 2, 3]"),
        F("<module>", "# mark: module", "", entry=True),
    ]


SEGV_LOCALS = {
    "ptr=1, size=-1": ["ptr = 1", "size = -1"],
    "address=1, label='raw read'": ["address = 1", "label = 'raw read'"],
    "sizes=[1, 2, 3]": ["sizes = [1, 2, 3]"],
    "": [],
}
SEGV_COMMANDS = ["bt -no-filters", "bt", "py-bt", "py-bt-full", "py-locals", "py-print ptr", "py-print len",
                 "py-list", "py-exc"]


def check_segv(version: str, out: List[str], preamble: str) -> None:
    raw, bt, py_bt, py_bt_full, py_locals, ptr, builtin, listing, exc = out
    assert "Program terminated with signal SIGSEGV" in preamble, preamble
    stack = Stack(version, "crash_segv.py", segv_items(version), bt=raw)
    assert python_frames(bt) == expected_frames(stack), bt
    assert eval_loop(version) in raw and eval_loop(version) not in bt
    assert norm(py_bt) == stack.py_bt()
    assert norm(py_bt_full) == stack.py_bt_full()
    assert py_locals == locals_block(stack.groups[0][:1], SEGV_LOCALS)
    assert ptr == "local 'ptr' = 1\n"
    assert builtin == "builtin 'len' = <built-in function len>\n"
    assert listing == around(stack, stack.frames[0])
    assert exc == "No Python exception is being raised or handled in this thread.\n"


def test_segv_core(version):
    with workdir() as tmp:
        core, _ = crash_core(version, "crash_segv.py", tmp, 11)
        out, preamble = core_sections(core, SEGV_COMMANDS)
    assert f"executable {PYTHONS[version]} (from AT_EXECFN)" in preamble, preamble
    check_segv(version, out, preamble)


@pytest.mark.skipif(not VERSIONS, reason="no CPython under ~/.pyenv/versions")
def test_segv_core_written_by_gdb():
    """Where the kernel's cores cannot be had, gcore writes them at the signal."""
    version = VERSIONS[-1]
    with workdir() as tmp:
        core, method = crash_core(version, "crash_segv.py", tmp, 11, method="gdb")
        out, preamble = core_sections(core, SEGV_COMMANDS)
    assert method == "gdb"
    check_segv(version, out, preamble)


def _without_carets(text: str) -> List[str]:
    # 3.11+ underlines the failing expression with ^ and ~; py-exc does not.
    return [line for line in text.splitlines() if not re.fullmatch(r"\s*[\^~]+\s*", line)]


def test_abort_core_in_except_block(version):
    commands = ["bt -no-filters", "bt", "py-bt", "py-bt-full", "py-locals", "py-print reason", "py-print parse",
                "py-list", "py-exc"]
    with workdir() as tmp:
        core, _ = crash_core(version, "crash_abort.py", tmp, 6)
        out, preamble = core_sections(core, commands)
        expected_exc = (tmp / "expected.txt").read_text()
    raw, bt, py_bt, py_bt_full, py_locals, reason, parse, listing, exc = out
    assert "Program terminated with signal SIGABRT" in preamble, preamble
    comma = "," if major_minor(version) < (3, 7) else ""  # repr(exception) before bpo-30399
    handle_locals = f"text='x1', exc=ValueError({ABORT_REASON}{comma}), reason={ABORT_REASON}"
    items = [
        B("<built-in function abort>"),
        F("handle", "# mark: abort", handle_locals),
        F("<module>", "# mark: module", "", entry=True),
    ]
    stack = Stack(version, "crash_abort.py", items, bt=raw)
    assert python_frames(bt) == expected_frames(stack), bt
    assert norm(py_bt) == stack.py_bt()
    assert norm(py_bt_full) == stack.py_bt_full()
    handle_values = ["text = 'x1'", f"exc = ValueError({ABORT_REASON}{comma})", f"reason = {ABORT_REASON}"]
    assert py_locals == locals_block(stack.groups[0][:1], {handle_locals: handle_values, "": []})
    assert reason == f"local 'reason' = {ABORT_REASON}\n"
    assert norm(parse) == "global 'parse' = <function parse at remote 0xADDR>\n"
    assert listing == around(stack, stack.frames[0])
    lines = exc.splitlines()
    assert lines[0] == "Exception being handled:"
    assert lines[1:] == _without_carets(expected_exc)


def thread_run_line(version: str) -> str:
    """The line of threading.Thread.run that calls the thread's target."""
    if version == "2.7":  # private attributes
        return "self.__target(*self.__args, **self.__kwargs)"
    return "self._target(*self._args, **self._kwargs)"


def test_deadlock_gcore(version):
    """Both threads wait, each at its own acquire() line (tests/programs/deadlock.py)."""
    commands = ["info threads", "thread apply all bt -no-filters", "thread apply all bt", "thread apply all py-bt",
                "thread apply all py-bt-full"]
    with workdir() as tmp:
        # One malloc arena: no 64 MiB arena for the worker in the core.
        with running(version, "deadlock.py", env={"MALLOC_ARENA_MAX": "1"}) as target:
            wait_blocked(target.pid, list(json.loads(target.ready).values()))
            lwps = json.loads(target.ready)
            core = gcore(target.pid, tmp)
        out, preamble = core_sections(core, commands)
    assert "core of pid" in preamble and "2 threads" in preamble, preamble
    info = out[0]
    raws, bts, py_bts, fulls = (thread_sections(text) for text in out[1:])
    assert len(re.findall(r"\(LWP \d+\)", info)) == 2, info
    assert set(py_bts) == set(lwps.values()) == set(fulls) == set(bts), out[3]
    assert lwps["main"] == target.pid
    threading_py = str(Path(ctypes_init(version)).parent.parent / "threading.py")
    run = "Thread.run" if major_minor(version) >= (3, 11) else "run"  # co_qualname from 3.11
    lock = B("<built-in method acquire of _thread.lock object at remote 0xADDR>")
    stacks = {
        "main": [lock, F("main", "# mark: main-lock", ""), F("<module>", "# mark: module", "", entry=True)],
        "worker": [lock, F("worker", "# mark: worker-lock", ""),
                   F(run, thread_run_line(version), file=threading_py, entry=True)],
    }
    for role, frames in stacks.items():
        lwp = lwps[role]
        stack = Stack(version, "deadlock.py", frames)
        expected = stack.py_bt().splitlines()
        expected[-2] = expected[-2].replace(f"in {run}", "in run")  # py-bt names code objects
        assert norm(py_bts[lwp]).splitlines()[: len(expected)] == expected, (role, py_bts[lwp])
        assert python_frames(bts[lwp])[:2] == expected_frames(stack), (role, bts[lwp])
        assert eval_loop(version) in raws[lwp] and "[Python]" not in raws[lwp]
        frame = stack.frames[0]
        full = [line for line in fulls[lwp].splitlines() if not re.match(r"#\d+ <built-in ", line)]
        assert full[1] == "    " + stack.text(frame), fulls[lwp]
        assert f"line {stack.line(frame)}, in {frame.name} (" in full[0]
