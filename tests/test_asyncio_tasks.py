"""asyncio tasks: `cpython-gdb dump --tasks`, live and on gcore cores, on every CPython 3.8 to 3.15.

The target (programs/asyncio_tasks.py) writes what asyncio itself says of
each task (asyncio.all_tasks(), names, states, each coroutine chain
followed through cr_await) before it stops in its event loop; the
dump must find every task and tell the same. From 3.14 CPython keeps no
finished task in its lists: the cancelled and the failed task must then
be right if listed, and need not be.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

import sid
from harness import FT_PYTHONS, VERSIONS, gcore, minor_of, running
from report_check import MALLOC_ENV, line_of
from test_dump import document, dump, ok

PROGRAM = "asyncio_tasks.py"
# asyncio tasks are listed from CPython 3.8 (the program needs 3.8 too).
ASYNCIO_VERSIONS = [v for v in VERSIONS if minor_of(v) >= (3, 8)]
# Each waiting task of the program, what it waits for.
WAITING = {"sleeper": "sleep", "deep": "sleep", "holder": "sleep", "lock-waiter": "lock",
           "event-waiter": "event", "queue-getter": "queue", "gatherer": "gather", "grouper": "taskgroup",
           "cycle-a": "task", "cycle-b": "task", "main": "sleep", "other-loop": "sleep", "agen-consumer": "sleep"}


def check_tasks(doc: Dict[str, Any], truth: Dict[str, Any], minor: int, live: bool) -> None:
    ours = {task["address"]: task for task in doc["tasks"]}
    by_name = {task["name"]: task for task in doc["tasks"]}
    expected = {task["address"]: task for task in truth["tasks"]}
    for address, want in expected.items():
        got = ours.get(address)
        if got is None:
            assert minor >= 14 and want["state"] in ("cancelled", "failed"), f"task {want['name']} not listed"
            continue
        chain = [qualname for qualname, _ in reversed(want["chain"])]
        if chain == ["other_loop.<locals>.other_main"]:  # it runs, blocked in time.sleep()
            want = dict(want, state="running")
            assert got["thread"] == truth["running_thread"]
            runner = [t for t in doc["threads"] if t.get("asyncio_task") is not None]
            assert [(t["lwp"], t["asyncio_task"]) for t in runner] == [(truth["running_thread"], want["name"])]
        else:
            assert got["thread"] is None
        assert (got["name"], got["state"]) == (want["name"], want["state"])
        if want["name"] == "main":  # asyncio told its chain while it ran: it sleeps now
            chain = ["sleep"] + chain
        if want["name"] == "agen-consumer":  # cr_await is the async generator's __anext__(): we go on in it
            chain = ["sleep", "ticker"] + chain
            assert got["frames"][1]["line"] == line_of(PROGRAM, "ticker")
        assert [f["qualname"] for f in got["frames"]] == chain, want["name"]
        if want["state"] == "failed":
            assert got["exception"] == {"type": "ValueError", "message": "boom"}
    # Every task listed is one asyncio knows (a pure-Python one may be
    # unknown to all_tasks() where it is registered elsewhere).
    extra = [t["name"] for t in doc["tasks"] if t["address"] not in expected]
    assert extra in ([], ["py-task"]), extra
    for name, kind in WAITING.items():
        if name == "grouper" and minor < 11:
            continue
        assert by_name[name]["waiting_for"]["kind"] == kind, name
    assert by_name["lock-waiter"]["waiting_for"]["address"] == truth["lock"]
    # A global lock: no frame tells who holds it. One passed as an argument: the holder's frame does.
    assert by_name["lock-waiter"]["waiting_for"]["holder"] is None
    arg_wait = by_name["arg-waiter"]["waiting_for"]
    assert (arg_wait["kind"], arg_wait["address"]) == ("lock", truth["lock2"])
    assert arg_wait["holder"] == by_name["arg-holder"]["address"]
    assert arg_wait["text"] == f"Lock at {truth['lock2']:#x}, held by task 'arg-holder'"
    sleep = by_name["sleeper"]["waiting_for"]
    assert sleep["deadline"] is not None
    assert (sleep["seconds_left"] is not None) == live
    if live:
        assert 3000 < sleep["seconds_left"] <= 3600
    assert len(by_name["deep"]["frames"]) == 22
    for awaiter, awaited in truth["edges"].items():
        names = sorted(ours[a]["name"] for a in by_name[awaiter]["awaits"])
        assert names == sorted(awaited), awaiter
        for task in awaited:
            assert by_name[awaiter]["address"] in by_name[task]["awaited_by"]
    assert [sorted(c) for c in doc["cycles"]] == [sorted([by_name["cycle-a"]["address"],
                                                          by_name["cycle-b"]["address"]])]
    assert by_name["other-loop"]["loop"] != by_name["main"]["loop"]
    assert [t["state"] for t in doc["tasks"]].count("running") == 1


def check_running_thread(plain: Dict[str, Any], with_tasks: Dict[str, Any]) -> None:
    """Without --tasks, the thread that runs a task is still headed with its name."""
    running = next(t for t in with_tasks["tasks"] if t["state"] == "running")
    named = [(t["lwp"], t["asyncio_task"]) for t in plain["threads"] if t.get("asyncio_task") is not None]
    assert named == [(running["thread"], running["name"])]
    assert "tasks" not in plain


def check_text(text: str, doc: Dict[str, Any]) -> None:
    for task in doc["tasks"]:
        assert f"Task {task['name']!r} at 0x{task['address']:x}" in text
    assert "Await cycle: 'cycle-" in text
    assert "waiting for: gather of 'Task-" in text
    running = next(t for t in doc["tasks"] if t["state"] == "running")
    assert ", running asyncio task " + repr(running["name"]) in text


# The free-threaded builds whose asyncio layout is known.
FREE_THREADED = [name for name in FT_PYTHONS if name == "3.13t"]


@pytest.mark.parametrize("version", ASYNCIO_VERSIONS + FREE_THREADED)
def test_dump_tasks(version, tmp_path):
    """Live (JSON and text) and on a core of the same stop."""
    truth_file = tmp_path / "truth.json"
    with running(version, PROGRAM, str(truth_file), env=MALLOC_ENV) as target:
        truth = json.loads(truth_file.read_text())
        live = document(dump(str(target.pid), "--tasks", "--json"))
        check_tasks(live, truth, minor_of(version)[1], live=True)
        check_text(ok(dump(str(target.pid), "--tasks")), live)
        check_running_thread(document(dump(str(target.pid), "--json")), live)
        core = gcore(target.pid, tmp_path)
    try:
        post = document(dump(str(core), "--tasks", "--json"))
        check_tasks(post, truth, minor_of(version)[1], live=False)
        check_running_thread(document(dump(str(core), "--json")), post)
        assert [t["address"] for t in post["tasks"]] == [t["address"] for t in live["tasks"]]
    finally:
        core.unlink()


def test_dump_tasks_many(tmp_path):
    """1,000 more tasks: each listed once; --tasks without a loop is an empty list."""
    version = VERSIONS[-1]
    truth_file = tmp_path / "truth.json"
    with running(version, PROGRAM, str(truth_file), "1000", env=MALLOC_ENV) as target:
        truth = json.loads(truth_file.read_text())
        doc = document(dump(str(target.pid), "--tasks", "--json"))
    names = [t["name"] for t in doc["tasks"]]
    assert len(names) == len(set(t["address"] for t in doc["tasks"]))
    assert {f"extra-{i}" for i in range(1000)} <= set(names)
    assert len(names) >= len(truth["tasks"]) - 2
    with running(version, "threads.py") as target:
        assert document(dump(str(target.pid), "--tasks", "--json"))["tasks"] == []


def test_dump_tasks_debian_python311(tmp_path):
    """Debian's stripped /usr/bin/python3.11 (the layout from the generated tables)."""
    exe = Path("/usr/bin/python3.11")
    if not exe.exists():
        pytest.skip("no /usr/bin/python3.11")
    truth_file = tmp_path / "truth.json"
    with running("3.11", PROGRAM, str(truth_file), env=MALLOC_ENV, python=exe) as target:
        truth = json.loads(truth_file.read_text())
        doc = document(dump(str(target.pid), "--tasks", "--json"))
    check_tasks(doc, truth, 11, live=True)


SID = ["3.14", "3.14d", "3.15"]


@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
@pytest.mark.parametrize("name", SID)
def test_dump_tasks_sid(name):
    """3.14 and 3.15 in the Debian sid root, live and on a core, and agreeing with the root's own
    `python3.X -m asyncio ps` and `pstree` on the same process."""
    hook = sid.install()
    package = sid.root_path(sid.inside(hook).parent.parent)
    truth_root = Path("/tmp") / f"cpython-gdb-asyncio-truth-{name}.json"
    truth_file = sid.inside(truth_root)
    try:
        with sid.running(name, PROGRAM, str(truth_root)) as target:
            truth = json.loads(truth_file.read_text())
            doc = document(dump(str(target.pid), "--tasks", "--json"))
            check_tasks(doc, truth, int(name[2:4]), live=True)
            check_running_thread(document(dump(str(target.pid), "--json")), doc)
            compare_pstree(doc, target, "python3.15" if name == "3.15" else "python3.14")
            core = target.workdir / "core"
            sid.gcore(target, sid.root_path(core))
            # The core's files are the root's: the CLI runs in the root.
            result = sid.run(["python3.14", "-m", "cpython_gdb.cli.main", "dump", str(sid.root_path(core)),
                              "--tasks", "--json"], cwd=core.parent, env={"PYTHONPATH": str(package)})
            core.unlink()
            post = document(result)
            check_tasks(post, truth, int(name[2:4]), live=False)
            assert [t["address"] for t in post["tasks"]] == [t["address"] for t in doc["tasks"]]
    finally:
        truth_file.unlink(missing_ok=True)
        shutil.rmtree(sid.inside(hook).parent.parent, ignore_errors=True)


def compare_pstree(doc: Dict[str, Any], target: Any, python: str) -> None:
    """Task by task: the same names and the same awaited-by edges as CPython's own tool.

    pstree refuses a graph with a cycle: it prints the cycle, which must be ours.
    """
    result = in_target_root(target, python, "pstree")
    by_address = {t["address"]: t for t in doc["tasks"]}
    cycle_names = [sorted(by_address[a]["name"] for a in c) for c in doc["cycles"]]
    assert result.returncode != 0 and "cycle: " in result.stderr, result.stderr
    theirs = sorted(sorted(set(line.split("cycle: ", 1)[1].split(" → "))) for line in result.stderr.splitlines()
                    if line.startswith("cycle: "))
    assert theirs == sorted(cycle_names)
    table = in_target_root(target, python, "ps")
    assert table.returncode == 0, table.stderr
    listed = pstree_rows(table.stdout)
    # `ps` of 3.14.10 leaves out the tasks of the second thread's loop (3.15.2's
    # lists them), and both the pure-Python task, which we list: the rest
    # must be the same tasks with the same awaiters.
    main_loop = next(t["loop"] for t in doc["tasks"] if t["name"] == "main")
    may_miss = {t["name"] for t in doc["tasks"] if t["loop"] != main_loop or t["name"] == "py-task"}
    theirs_names = {name for name, _ in listed}
    ours_names = {t["name"] for t in doc["tasks"]}
    assert theirs_names <= ours_names and ours_names - theirs_names <= may_miss, (theirs_names, ours_names)
    ours = {(t["name"], by_address[w]["name"]) for t in doc["tasks"] for w in t["awaited_by"]
            if t["name"] in theirs_names}
    theirs_edges = {(name, waiter) for name, waiter in listed if waiter}
    assert ours == theirs_edges


def in_target_root(target: Any, python: str, command: str) -> subprocess.CompletedProcess:
    """`PYTHON -m asyncio COMMAND PID` in the target's own mount namespace and root (3.14 reads no 3.15)."""
    prefix = ["nsenter", "--target", str(target.pid), "--mount", "--root", "--wd"]
    return subprocess.run([*prefix, python, "-m", "asyncio", command, str(target.pid)], capture_output=True,
                          encoding="utf-8", errors="replace", timeout=120,
                          env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})


def pstree_rows(text: str) -> List[Any]:
    """(task name, awaiter task name or "") of each row of `python -m asyncio ps`.

    Columns are separated by two or more spaces (a long coroutine stack
    runs past its column's width).
    """
    rows = []
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.lstrip().startswith("tid"))
    for line in lines[header + 2:]:
        parts = re.split(r"\s{2,}", line.strip())
        if len(parts) < 5:
            continue
        rows.append((parts[2], parts[5] if len(parts) == 7 else ""))
    return rows


@pytest.mark.parametrize("version", ASYNCIO_VERSIONS + [f"sid-{name}" for name in SID])
def test_dump_tasks_corrupt(version, tmp_path):
    """A task whose coroutine pointer, and one whose type pointer, is broken: a note each, the rest listed."""
    if version.startswith("sid-"):
        if sid.unavailable() is not None:
            pytest.skip(str(sid.unavailable()))
        hook = sid.install()
        shutil.rmtree(sid.inside(hook).parent.parent, ignore_errors=True)
        truth_root = Path("/tmp") / f"cpython-gdb-asyncio-corrupt-{version}.json"
        truth_file = sid.inside(truth_root)
        context = sid.running(version[4:], PROGRAM, str(truth_root), "0", "corrupt")
    else:
        truth_file = tmp_path / "truth.json"
        context = running(version, PROGRAM, str(truth_file), "0", "corrupt", env=MALLOC_ENV)
    try:
        with context as target:
            truth = json.loads(truth_file.read_text())
            doc = document(dump(str(target.pid), "--tasks", "--json"))
            text = ok(dump(str(target.pid), "--tasks"))
    finally:
        truth_file.unlink(missing_ok=True)
    ours = {t["address"]: t for t in doc["tasks"]}
    broken = truth["corrupt"]
    bad_coro = ours[broken["coroutine"]]
    assert (bad_coro["name"], bad_coro["state"], bad_coro["frames"]) == ("sleeper", "pending", [])
    assert bad_coro["note"].startswith("cannot read coroutine 0xdead0000"), bad_coro["note"]
    bad_type = ours[broken["type"]]
    assert bad_type["state"] == "unreadable" and bad_type["note"], bad_type
    pending = {t["address"] for t in truth["tasks"] if t["state"] == "pending"}
    assert pending <= set(ours)
    for task in doc["tasks"]:
        if task["address"] not in broken.values() and task["name"] not in ("cancelled", "failed"):
            assert task["frames"], task["name"]
    assert "Traceback (most recent call last)" not in text and "(cannot read coroutine 0xdead0000" in text
