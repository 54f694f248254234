"""py-threads and py-bt -a: every thread with its names, GIL and GC state.

tests/programs/thread_states.py puts one thread in each state: the main
thread holds the GIL, one waits for it, one sleeps inside the garbage
collector and one runs in a subinterpreter (with its own GIL from 3.12).
Each thread's stack must be exactly what py-bt prints for it.
"""

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from cpython_gdb.engine.report.text import BEGIN_MARK, END_MARK, render
from harness import PYTHONS, VERSIONS, gcore, run_sections, running, stripped_copy
from report_check import MALLOC_ENV, check_thread_states, report_blocks, thread_states_expectations, validate


def taking_the_gil(version):
    """The C function a thread waits in for the GIL: 2.7 takes it as a lock."""
    return "PyThread_acquire_lock" if version == "2.7" else "take_gil"


def test_threads_live(version):
    commands = ["py-threads", "py-bt -a", "thread apply all py-bt", "py-threads --native --locals",
                "py-threads --bogus", "thread 3", "py-threads", "thread", "py-dump-json --locals"]
    with running(version, "thread_states.py", env=MALLOC_ENV) as target:
        out = run_sections(commands, pid=target.pid)
        ready = target.ready
    blocks = check_thread_states(version, ready, out[0], out[2])
    assert out[1] == out[0]
    expected = thread_states_expectations(version, ready)
    lwp = expected["lwp"]
    assert '"os-waiter", Python thread "gil-waiter"' in blocks[lwp["gil-waiter"]][0]
    if "subinterp" in lwp:  # not on 2.7
        # The subinterpreter's frames come first, then those of the thread that entered it.
        sub = blocks[lwp["subinterp"]][1]
        assert sub.index('"<string>", line 1, in <module>') < sub.index("in in_subinterpreter")

    native = report_blocks(out[3])
    assert native[lwp["gil-waiter"]][1].startswith("Stack (most recent call first):\n  #0 ")
    assert f" in {taking_the_gil(version)}" in native[lwp["gil-waiter"]][1]
    # 2.7: the weak reference's callback has the reference as its local.
    collected = "ref = <weakref at remote" if version == "2.7" else "self = <Slow(cycle="
    assert "             " + collected in native[lwp["collector"]][1]
    assert "             read_fd = " in native[lwp["main"]][1]
    assert "[Python]" in native[lwp["main"]][1]

    assert "py-threads: unknown option '--bogus'" in out[4]
    # Going through every thread leaves the selected thread as it was.
    assert out[6] == out[0]
    assert "Current thread is 3 " in out[7]

    # The JSON of the same stop: valid, and the same report as the text.
    lines = out[8].splitlines()
    assert lines[0] == BEGIN_MARK and lines[2] == END_MARK, out[8]
    doc = json.loads(lines[1])
    validate(doc)
    kinds = {frame["kind"] for thread in doc["threads"] for frame in thread["frames"]}
    # 2.7 shows no built-in call (its PyCFunction_Call jumps into the C function).
    assert kinds == {"python", "gil_wait", "gc"} | ({"builtin"} if version != "2.7" else set())
    assert [t["selected"] for t in doc["threads"]] == [n == 3 for n in range(1, len(doc["threads"]) + 1)]
    for thread in doc["threads"]:
        for frame in thread["frames"]:
            frame.pop("locals", None)
    doc["options"]["locals"] = False
    assert "\n".join(render(doc)) + "\n" == out[0]


def test_threads_core(version):
    workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-threads-"))
    try:
        with running(version, "thread_states.py", env=MALLOC_ENV) as target:
            core = gcore(target.pid, workdir)
            ready = target.ready
        out = run_sections(["py-threads", "thread apply all py-bt", "py-threads --native"],
                           core=core, executable=PYTHONS[version])
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    assert out[0].startswith(f"Core {core} (pid ")
    check_thread_states(version, ready, out[0], out[1])
    lwp = thread_states_expectations(version, ready)["lwp"]
    assert f" in {taking_the_gil(version)}" in report_blocks(out[2])[lwp["gil-waiter"]][1]


@pytest.mark.parametrize("minor", sorted({VERSIONS[0], VERSIONS[-1]}) if VERSIONS else [])
def test_threads_without_debug_info(minor, tmp_path):
    """States come from C function names: in a stripped libpython they are
    ELF symbols, GCC clones among them (take_gil.constprop.0)."""
    copy = stripped_copy(minor, tmp_path)
    env = dict(copy["env"], **MALLOC_ENV)
    with running(minor, "thread_states.py", python=copy["python"], env=env) as target:
        out = run_sections(["py-threads", "thread apply all py-bt"], pid=target.pid)
        ready = target.ready
    check_thread_states(minor, ready, out[0], out[1])
