"""Free-threaded builds (PEP 703): both dump backends agree, and say there is no GIL.

The build runs without a GIL unless told otherwise; the target tells the
test whether its GIL is on (sys._is_gil_enabled()), and both backends must
then say "no GIL (free-threaded)" for the interpreter and "no GIL" for each
thread, read the same frames and locals, live and on a gcore core, with
the interpreter's DWARF and on a stripped copy (its _Py_DebugOffsets over
the generated 3.13t table). The rest of the matrix runs on the
free-threaded builds through the `version` fixture (conftest.py).
"""

import os
import time
from typing import Any, Dict, List

import pytest

from harness import FREE_THREADED, PYTHONS, gcore, notices, run_sections_and_prefix, running, stripped_copy
from report_check import line_of
from test_dump import document, dump, ok
from test_dump_nogdb import same_but_layout


def all_asleep(pid: int, count: int, timeout: float = 30) -> None:
    """Wait until ``count`` threads of ``pid`` sleep in the kernel (the ready line comes just before)."""
    deadline = time.monotonic() + timeout
    while True:
        tasks = os.listdir(f"/proc/{pid}/task")
        states = []
        for task in tasks:
            with open(f"/proc/{pid}/task/{task}/stat") as f:
                states.append(f.read().rsplit(")", 1)[1].split()[0])
        if len(states) >= count and all(s == "S" for s in states):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"threads of {pid} not asleep: {states}")
        time.sleep(0.02)


def python_frames(thread: Dict[str, Any]) -> List[Dict[str, Any]]:
    """A thread's Python frames (with DWARF, a <built-in ...> line comes first: time.sleep's)."""
    return [f for f in thread["frames"] if f["kind"] == "python"]


def check_no_gil(doc: Dict[str, Any]) -> None:
    assert doc["python"]["free_threaded"] is True
    assert doc["interpreters"][0]["gil"] == {"locked": None, "holder_thread": None, "enabled": False}
    threads = {t["python_name"]: t for t in doc["threads"]}
    assert set(threads) == {"MainThread", "worker-1", "worker-2"}
    assert all(t["gil"] == "no GIL" for t in threads.values())
    for thread in threads.values():
        nap = python_frames(thread)[0]
        assert (nap["function"], nap["line"]) == ("nap", line_of("free_threaded.py", "nap"))


@pytest.mark.parametrize("name", FREE_THREADED)
@pytest.mark.parametrize("build", ["dwarf", "stripped"])
def test_dump_of_a_free_threaded_build(name, build, tmp_path):
    if name not in PYTHONS:
        pytest.skip(f"no {name} (tools/build_freethreaded.sh)")
    options: Dict[str, Any] = stripped_copy(name, tmp_path / "stripped") if build == "stripped" else {}
    with running(name, "free_threaded.py", **options) as target:
        assert target.ready.strip() == "gil 0"
        all_asleep(target.pid, 3)
        pid = str(target.pid)
        text = ok(dump(pid))
        live = document(dump(pid, "--json", "--locals"))
        live_gdb = document(dump(pid, "--json", "--locals", "--backend", "gdb"))
        sections, prefix = run_sections_and_prefix(["py-bt"], pid=target.pid)
        core = gcore(target.pid, tmp_path)
    core_direct = document(dump(str(core), "--json", "--locals"))
    core_gdb = document(dump(str(core), "--json", "--locals", "--backend", "gdb"))
    for direct, via_gdb in ((live, live_gdb), (core_direct, core_gdb)):
        same_but_layout(direct, via_gdb)
        check_no_gil(direct)
    assert "Main interpreter: no GIL (free-threaded)" in text.splitlines()
    assert "(free-threaded), 3 threads" in text.splitlines()[0]
    layout = "DWARF" if build == "dwarf" else "_Py_DebugOffsets"
    assert live_gdb["python"]["layout"] == layout and live["python"]["layout"] == "_Py_DebugOffsets"
    version = live["python"]["version"]
    assert notices(prefix + sections[0]) == [f"cpython-gdb: CPython {version} free-threaded (layout from {layout})"]
    locals_of = {t["python_name"]: {v["name"]: v["repr"] for v in python_frames(t)[0]["locals"]}
                 for t in live["threads"]}
    assert locals_of["MainThread"] == {"label": "'main'", "items": "{'answer': 42}"}
    assert locals_of["worker-2"] == {"label": "'worker-2'", "items": "[2, 4, 'xx']"}
