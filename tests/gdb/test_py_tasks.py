"""py-tasks and py-tasks --tree in gdb, and `dump --backend gdb --tasks`, against the direct backend.

On a gcore core of tests/programs/asyncio_tasks.py (test_asyncio_tasks.py
checks the direct document against what asyncio says): gdb's document
holds the same tasks, and py-tasks prints exactly the text made from it;
`set cpython max-tasks` bounds the listing and says so; a bad option is
one line. Live, py-tasks names the thread that runs a task.
"""

import json
import shutil
from pathlib import Path

import pytest

import sid
from cpython_gdb.engine.report.tasks import task_lines, tree_lines
from harness import PYTHONS, VERSIONS, gcore, minor_of, run_sections, running, stripped_copy
from report_check import MALLOC_ENV
from test_dump import document, dump

PROGRAM = "asyncio_tasks.py"
# asyncio tasks are listed from CPython 3.8 (the program needs 3.8 too).
ASYNCIO_VERSIONS = [v for v in VERSIONS if minor_of(v) >= (3, 8)]


@pytest.mark.parametrize("version", ASYNCIO_VERSIONS)
def test_py_tasks(version, tmp_path):
    truth_file = tmp_path / "truth.json"
    with running(version, PROGRAM, str(truth_file), env=MALLOC_ENV) as target:
        truth = json.loads(truth_file.read_text())
        live = run_sections(["thread 2", "frame 1", "py-tasks", "py-tasks --tree", "py-threads", "frame",
                             "py-bt", "thread 1", "py-bt"], pid=target.pid)
        assert live[5].splitlines()[0].startswith("#1 "), live[5]  # the selection is kept
        assert "Switching to thread 2" in live[0]
        bt_runner, bt_main = live[6], live[8]
        live = live[2:5]
        core = gcore(target.pid, tmp_path)
    try:
        direct = document(dump(str(core), "--tasks", "--json"))
        via_gdb = document(dump(str(core), "--backend", "gdb", "--tasks", "--json"))
        gens = truth["generators"]
        prints = [f"print (PyObject *) {gens[kind][0]}" for kind in ("suspended", "finished", "awaiting")]
        out = run_sections(["py-tasks", "py-tasks --tree", "set cpython max-tasks 3", "py-tasks",
                            "py-tasks --bad", "show cpython max-tasks", *prints],
                           core=core, executable=PYTHONS[version])
    finally:
        core.unlink()
    assert via_gdb["tasks"] == direct["tasks"] and via_gdb["cycles"] == direct["cycles"]
    assert out[0].splitlines() == task_lines(direct["tasks"], direct["cycles"], [])
    assert out[1].splitlines() == tree_lines(direct["tasks"], direct["cycles"], [])
    limited = out[3].splitlines()
    assert limited[:2] == ["asyncio tasks: 3", "Note: more than 3 tasks: the first 3 are shown (set cpython max-tasks)"]
    assert len([line for line in limited if line.startswith("Task '")]) == 3
    assert out[4].strip() == "py-tasks: unknown option '--bad' (expected --tree)"
    assert out[5].strip() == "cpython max-tasks is 3."
    # print shows where a generator or coroutine is.
    where = gens["file"]
    assert out[6].strip().endswith(f"<generator object numbers at remote {gens['suspended'][0]:#x}, "
                                   f"suspended at {where}:{gens['suspended'][1]}>"), out[6]
    assert out[7].strip().endswith(f"<generator object numbers at remote {gens['finished'][0]:#x}, finished>")
    assert out[8].strip().endswith(f"<coroutine object deep at remote {gens['awaiting'][0]:#x}, "
                                   f"suspended in await at {where}:{gens['awaiting'][1]}>"), out[8]
    # Live: the same tasks, the running one on its thread.
    running_line = [line for line in live[0].splitlines() if "(running on thread" in line]
    assert running_line and running_line[0].endswith(f"(running on thread {truth['running_thread']})")
    names = {t["name"] for t in direct["tasks"]}
    assert {line.split("'")[1] for line in live[0].splitlines() if line.startswith("Task '")} == names
    assert "(T) cycle-b (await cycle)" in live[1] or "(T) cycle-a (await cycle)" in live[1]
    # py-threads heads the thread running a task with its name.
    runner = next(t for t in direct["tasks"] if t["state"] == "running")
    headings = [line for line in live[2].splitlines() if ", running asyncio task " in line]
    assert len(headings) == 1 and f"(LWP {truth['running_thread']})" in headings[0], live[2]
    assert headings[0].split(", running asyncio task ")[1].startswith(repr(runner["name"]))
    # py-bt of that thread ends with it; of the main thread (its loop waits) not.
    assert bt_runner.splitlines()[-1] == f"Running asyncio task {runner['name']!r}", bt_runner
    assert "Running asyncio task" not in bt_main and bt_main.startswith("Traceback"), bt_main


def test_py_tasks_corrupt(tmp_path):
    """Broken tasks (programs/asyncio_tasks.py corrupt): one line each in py-tasks, no Python traceback."""
    version = VERSIONS[-1]
    truth_file = tmp_path / "truth.json"
    with running(version, PROGRAM, str(truth_file), "0", "corrupt", env=MALLOC_ENV) as target:
        truth = json.loads(truth_file.read_text())
        out = run_sections(["py-tasks", "py-tasks --tree"], pid=target.pid)
    for text in out:
        assert "Traceback (most recent call last)" not in text and "Python Exception" not in text, text
    assert f"Task 'sleeper' at {truth['corrupt']['coroutine']:#x} (pending)" in out[0]
    assert "(cannot read coroutine 0xdead0000" in out[0]
    assert f"at {truth['corrupt']['type']:#x} (unreadable)" in out[0]


@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
@pytest.mark.parametrize("name", ["3.14", "3.14d", "3.15"])
def test_py_tasks_sid(name):
    """3.14 and 3.15 (Debian sid root), on a core: py-tasks in gdb (the host's, with the root as sysroot)
    prints what the direct document of the same core says."""
    hook = sid.install()
    package = sid.root_path(sid.inside(hook).parent.parent)
    truth_root = Path("/tmp") / f"cpython-gdb-py-tasks-{name}.json"
    try:
        with sid.running(name, PROGRAM, str(truth_root)) as target:
            core = target.workdir / "core"
            sid.gcore(target, sid.root_path(core))
            try:
                direct = document(sid.run(["python3.14", "-m", "cpython_gdb.cli.main", "dump",
                                           str(sid.root_path(core)), "--tasks", "--json"],
                                          cwd=core.parent, env={"PYTHONPATH": str(package)}))
                out = run_sections(["py-tasks", "py-tasks --tree"], core=core,
                                   executable=sid.inside(Path(sid.INTERPRETERS[name])),
                                   extra=["-iex", f"set sysroot {sid.SID_ROOT}"])
            finally:
                core.unlink()
    finally:
        sid.inside(truth_root).unlink(missing_ok=True)
        shutil.rmtree(sid.inside(hook).parent.parent, ignore_errors=True)
    assert len(direct["tasks"]) >= 18
    # gdb 13 warns of the root's gdb 18 core's register notes, where it first reads them.
    out = ["\n".join(line for line in text.splitlines() if not line.startswith("warning: ")) for text in out]
    assert out[0].splitlines() == task_lines(direct["tasks"], direct["cycles"], [])
    assert out[1].splitlines() == tree_lines(direct["tasks"], direct["cycles"], [])


@pytest.mark.parametrize("version", ASYNCIO_VERSIONS)
def test_py_tasks_stripped(version, tmp_path):
    """A copy of the interpreter without debug info (gdb's layout from _Py_DebugOffsets or the tables):
    py-tasks on its core prints what the direct document says."""
    copy = stripped_copy(version, tmp_path / "stripped")
    truth_file = tmp_path / "truth.json"
    with running(version, PROGRAM, str(truth_file), env=dict(MALLOC_ENV, **copy["env"]),
                 python=copy["python"]) as target:
        core = gcore(target.pid, tmp_path)
    try:
        direct = document(dump(str(core), "--tasks", "--json"))
        out = run_sections(["py-tasks"], core=core, executable=copy["python"])
    finally:
        core.unlink()
    assert len(direct["tasks"]) >= 16
    assert out[0].splitlines() == task_lines(direct["tasks"], direct["cycles"], [])
