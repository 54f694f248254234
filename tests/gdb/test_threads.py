"""py-threads and py-bt -a: every thread with its names, GIL and GC state.

tests/programs/thread_states.py puts one thread in each state: the main
thread holds the GIL, one waits for it, one sleeps inside the garbage
collector and one runs in a subinterpreter (with its own GIL from 3.12).
Each thread's stack must be exactly what py-bt prints for it. On a
free-threaded build no thread holds or waits for a GIL: each is "no GIL";
drop_gil is stopped in with the GIL enabled (PYTHON_GIL=1) and disabled.
"""

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from cpython_gdb.engine.report.text import BEGIN_MARK, END_MARK, render
from harness import (
    FREE_THREADED,
    FT_PYTHONS,
    PYTHONS,
    VERSIONS,
    gcore,
    missing_version,
    run_sections,
    running,
    stripped_copy,
)
from report_check import MALLOC_ENV, check_thread_states, report_blocks, thread_states_expectations, validate
from test_dump import dump as run_dump


def taking_the_gil(version):
    """The C function a thread waits in for the GIL: 2.7 takes it as a lock; None on a free-threaded
    build, where thread_states.py's "gil-waiter" has no GIL to wait for."""
    if version in FT_PYTHONS:
        return None
    return "PyThread_acquire_lock" if version == "2.7" else "take_gil"


def check_gil_waiter(version, native_block):
    """The native stack of thread_states.py's "gil-waiter": in the C function taking the GIL, or none of
    them where there is no GIL."""
    taking = taking_the_gil(version)
    if taking is None:
        assert not any(f" in {name}" in native_block for name in ("take_gil", "PyThread_acquire_lock")), native_block
    else:
        assert f" in {taking}" in native_block, native_block


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
    check_gil_waiter(version, native[lwp["gil-waiter"]][1])
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
    # A free-threaded build has no GIL to wait for.
    gil_wait = set() if taking_the_gil(version) is None else {"gil_wait"}
    assert kinds == {"python", "gc"} | gil_wait | ({"builtin"} if version != "2.7" else set())
    if version in FT_PYTHONS:
        assert {t["gil"] for t in doc["threads"]} == {"no GIL"}, doc
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
    check_gil_waiter(version, report_blocks(out[2])[lwp["gil-waiter"]][1])


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


# A free-threaded build calls drop_gil too, but it returns at once while the
# GIL is disabled, as it is by default: these builds run gil_drop.py with the
# GIL enabled (PYTHON_GIL=1), where drop_gil drops it as a default build's does.
GIL_ENABLED = {"PYTHON_GIL": "1"}


def dropping_the_gil(version, directory, env=None):
    """Stop gil_drop.py in drop_gil: py-threads and py-dump-json there, and a gcore of that stop."""
    core = directory / "core.drop_gil"
    if env is None:
        env = GIL_ENABLED if version in FT_PYTHONS else {}
    with running(version, "gil_drop.py", env=env) as target:
        out = run_sections(["break drop_gil", "continue", "py-threads", "py-dump-json", f"gcore {core}",
                            "delete"], pid=target.pid)
        names = {int(lwp): name for lwp, name in json.loads(target.ready).items()}
    assert core.is_file(), out[4]
    lines = out[3].splitlines()
    assert lines[0] == BEGIN_MARK and lines[2] == END_MARK, out[3]
    return out[2], json.loads(lines[1]), core, names


def test_dropping_the_gil(version, tmp_path):
    """A thread stopped in drop_gil is "dropping the GIL", live and in a dump of its core (C frames tell)."""
    if version == "2.7":
        pytest.skip("2.7's GIL has no drop_gil: its eval loop releases a plain lock (the new GIL is 3.2's)")
    text, doc, core, names = dropping_the_gil(version, tmp_path)
    validate(doc)
    (selected,) = [t for t in doc["threads"] if t["selected"]]
    assert selected["gil"] == "dropping", doc
    assert [t["gil"] for t in doc["threads"]].count("dropping") == 1
    heading = f'Thread {selected["gdb_thread"]} (LWP {selected["lwp"]})'
    blocks = report_blocks(text)
    assert blocks[selected["lwp"]][0].startswith(heading), text
    assert blocks[selected["lwp"]][0].endswith(f'Python thread "{names[selected["lwp"]]}": dropping the GIL'), text
    dumped = run_dump(str(core), "--json", "--backend", "gdb")
    assert dumped.returncode == 0, dumped.stderr
    from_core = json.loads(dumped.stdout)
    validate(from_core)
    assert {t["lwp"]: t["gil"] for t in from_core["threads"]} == {t["lwp"]: t["gil"] for t in doc["threads"]}
    assert "dropping the GIL" in "\n".join(render(from_core))


def test_direct_dump_of_a_thread_dropping_the_gil(version, tmp_path):
    """Without gdb, the core's C stacks tell the same GIL states: the thread in drop_gil is "dropping"."""
    if version == "2.7":
        pytest.skip("2.7's GIL has no drop_gil: its eval loop releases a plain lock (the new GIL is 3.2's)")
    _, doc, core, _ = dropping_the_gil(version, tmp_path)
    dumped = run_dump(str(core), "--json")
    assert dumped.returncode == 0, dumped.stderr
    direct = json.loads(dumped.stdout)
    validate(direct)
    assert direct["tool"]["backend"] == "direct"
    assert {t["lwp"]: t["gil"] for t in direct["threads"]} == {t["lwp"]: t["gil"] for t in doc["threads"]}
    assert "dropping" in {t["gil"] for t in direct["threads"]}


@pytest.mark.parametrize("name", FREE_THREADED)
def test_drop_gil_while_the_gil_is_disabled(name, tmp_path):
    """On a free-threaded build whose GIL is disabled (the default), a thread stopped in drop_gil drops
    nothing (drop_gil returns at once): every thread is "no GIL", never "dropping", live and on its core,
    with gdb and without."""
    if name not in PYTHONS:
        pytest.skip(missing_version(name))
    text, doc, core, _ = dropping_the_gil(name, tmp_path, env={"PYTHON_GIL": "0"})
    validate(doc)
    (selected,) = [t for t in doc["threads"] if t["selected"]]
    assert [t["gil"] for t in doc["threads"] if t["python"]] == ["no GIL"] * 3, doc
    assert selected["python"], doc
    assert [i["gil"]["enabled"] for i in doc["interpreters"]] == [False], doc
    assert "dropping" not in text and "\nMain interpreter: no GIL (free-threaded)\n" in text, text
    for argv in (("--backend", "gdb"), ()):
        dumped = run_dump(str(core), "--json", *argv)
        assert dumped.returncode == 0, dumped.stderr
        from_core = json.loads(dumped.stdout)
        validate(from_core)
        assert {t["lwp"]: t["gil"] for t in from_core["threads"]} == {t["lwp"]: t["gil"] for t in doc["threads"]}
