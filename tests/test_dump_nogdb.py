"""cpython-gdb dump without gdb (the default, "direct" backend) against the gdb backend.

On every CPython, with DWARF and on a stripped copy, live and on a gcore
core of the same process, the direct document is the gdb one less what
only C frames tell (frame levels, GIL and lock waits, the collector,
built-in calls): the same threads, names, thread states, interpreters,
Python frames, lines and source. A dumped process runs on untraced, a
stopped one stays stopped, and what cannot be dumped says why on one line.
"""

import copy
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict

import pytest

from cpython_gdb.direct import live
from cpython_gdb.direct.core import CoreMemory, core_mappings
from cpython_gdb.direct.live import ProcessMemory, stopped
from cpython_gdb.engine.elf.corefile import CoreFile
from cpython_gdb.engine.report.text import render
from harness import gcore, newest, running, stripped_copy, wait_blocked, wait_state
from report_check import MALLOC_ENV, line_of
from test_dump import document, dump, ok, one_line_error, proc_status

C_FRAME_KINDS = {"builtin", "gil_wait", "gc", "unreadable", "native"}


def without_c_frames(doc: Dict[str, Any]) -> Dict[str, Any]:
    """What the direct backend can know of a gdb backend's document."""
    doc = copy.deepcopy(doc)
    doc["tool"]["backend"] = "direct"
    for thread in doc["threads"]:
        if thread["gdb_thread"] is not None:
            thread["gc"] = thread["lock_wait"] = None
        if thread["gil"] in ("waiting", "dropping"):
            thread["gil"] = "not held"
        thread["frames"] = [dict(f, level=None) for f in thread["frames"] if f["kind"] not in C_FRAME_KINDS]
    return doc


def same_but_layout(direct: Dict[str, Any], gdb: Dict[str, Any]) -> None:
    assert direct["tool"]["backend"] == "direct" and gdb["tool"]["backend"] == "gdb"
    expected = without_c_frames(gdb)
    assert direct["python"]["version"] == expected["python"]["version"]
    direct, expected = dict(direct, python=None), dict(expected, python=None)
    for ours, theirs in zip(direct["threads"], expected["threads"]):
        assert ours == theirs
    assert direct == expected


def running_untraced(target) -> None:
    status = proc_status(target.pid)
    assert status["TracerPid"] == "0" and status["State"][0] in "RS", status
    for task in os.listdir(f"/proc/{target.pid}/task"):
        with open(f"/proc/{target.pid}/task/{task}/status") as f:
            assert "TracerPid:\t0\n" in f.read()
    assert target.proc.poll() is None


def check_file_backed_pages(pid: int, core: Path) -> None:
    """Pages the core left out (libpython's read-only data) read as in the process."""
    info = CoreFile(str(core))
    mappings = core_mappings(info, info.executable()[2], None)
    absent = [m for m in mappings if "libpython" in m.name
              and not any(s.vaddr <= m.start < s.vaddr + s.filesz for s in info.segments)]
    assert absent, "the core holds every page of libpython"
    with CoreMemory(info, mappings) as from_core, ProcessMemory(pid) as live:
        for mapping in absent:
            assert from_core.read(mapping.start, 4096) == live.read(mapping.start, 4096)


@pytest.fixture(scope="module")
def stripped_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("stripped-nogdb")


@pytest.mark.parametrize("build", ["dwarf", "stripped"])
def test_direct_equals_gdb(version, build, stripped_dir, tmp_path):
    options: Dict[str, Any] = stripped_copy(version, stripped_dir / version) if build == "stripped" else {}
    env = dict(MALLOC_ENV, **options.pop("env", {}))
    with running(version, "thread_states.py", env=env, **options) as target:
        pid = str(target.pid)
        text = ok(dump(pid))
        live = document(dump(pid, "--json"))
        running_untraced(target)
        live_gdb = document(dump(pid, "--json", "--backend", "gdb"))
        # Locals are read only when asked for: the same either way.
        with_locals = document(dump(pid, "--json", "--locals"))
        with_locals_gdb = document(dump(pid, "--json", "--locals", "--backend", "gdb"))
        core = gcore(target.pid, tmp_path)
        if build == "dwarf":
            check_file_backed_pages(target.pid, core)
    core_direct = document(dump(str(core), "--json"))
    core_gdb = document(dump(str(core), "--json", "--backend", "gdb"))
    same_but_layout(live, live_gdb)
    same_but_layout(core_direct, core_gdb)
    same_but_layout(with_locals, with_locals_gdb)
    assert "locals" not in live["threads"][0]["frames"][0]
    assert any(f["locals"] for t in with_locals["threads"] for f in t["frames"])
    assert text == "\n".join(render(without_c_frames(live_gdb))) + "\n"
    assert live["python"]["layout"] == ("_Py_DebugOffsets" if version == "3.13" else "generated table")
    threads = {t["python_name"]: t for t in live["threads"]}
    assert threads["MainThread"]["gil"] == "held" and threads["gil-waiter"]["gil"] == "not held"
    assert threads["gil-waiter"]["os_name"] == "os-waiter"
    assert threads.get("subinterp", {"interpreter_id": 1})["interpreter_id"] == 1  # none on 2.7
    assert threads["MainThread"]["frames"][0]["line"] == line_of("thread_states.py", "hold")
    assert [t["python_name"] for t in core_direct["threads"]] == [t["python_name"] for t in live["threads"]]
    assert core_direct["target"]["core"] == str(core) and core_direct["target"]["pid"] == target.pid


def test_direct_keeps_a_stopped_process_stopped():
    with running(newest(), "deadlock.py", env=MALLOC_ENV) as target:
        lwps = json.loads(target.ready)
        wait_blocked(target.pid, list(lwps.values()))
        os.kill(target.pid, signal.SIGSTOP)
        try:
            # The group stop first takes hold (the kill only queues it), and
            # after the dump each thread detached re-enters it as it is woken:
            # both are waited for on the state, not for a fixed time.
            assert wait_state(target.pid, "T") == "T"
            text = ok(dump(str(target.pid)))
            assert wait_state(target.pid, "T") == "T", proc_status(target.pid)
            assert proc_status(target.pid)["TracerPid"] == "0"
        finally:
            os.kill(target.pid, signal.SIGCONT)
        text_again = ok(dump(str(target.pid)))
        running_untraced(target)
    assert text == text_again
    for role, function in (("main", "main"), ("worker", "worker")):
        assert f'line {line_of("deadlock.py", f"{role}-lock")}, in {function}' in text


@pytest.mark.parametrize("private", [True, False], ids=["_ctypes", "ctypes"])
def test_ptrace_bindings(private, monkeypatch):
    # libc's syscall() bound with _ctypes, or with ctypes where _ctypes is not
    # as expected: the same registers read, the same errors raised.
    for name in ("_syscall", "_get_errno", "_Registers", "_addressof"):
        monkeypatch.setattr(live, name, None)
    live._bind(private)
    assert ("ctypes" in type(live._syscall).__module__) != private
    with pytest.raises(OSError) as raised:
        live._ptrace(live.PTRACE_INTERRUPT, 0x7FFFFFFF)
    assert raised.value.errno == errno.ESRCH
    child = subprocess.Popen(["sleep", "60"])
    try:
        # Asleep in nanosleep(): its loader has set the thread pointer.
        assert wait_state(child.pid, "S") == "S"
        with stopped(child.pid) as held:
            assert [t.lwp for t in held.threads] == [child.pid]
            assert held.threads[0].fs_base  # glibc's thread pointer
            assert proc_status(child.pid)["TracerPid"] == str(os.getpid())
        assert proc_status(child.pid)["TracerPid"] == "0"
    finally:
        child.kill()
        child.wait()


def test_direct_errors(tmp_path):
    one_line_error(dump("1", "--native", "--backend", "direct"), 2, "--native needs gdb")
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        one_line_error(dump(str(sleeper.pid)), 1, f"process {sleeper.pid} is not a Python process",
                       "no _PyRuntime")
        assert proc_status(sleeper.pid)["State"][0] == "S"  # never stopped
    finally:
        sleeper.kill()
        sleeper.wait()
    with running(newest(), "recursion.py") as target:
        with stopped(target.pid):
            one_line_error(dump(str(target.pid)), 1, f"cannot attach to process {target.pid}",
                           f"already traced by process {os.getpid()}")
        python = shutil.which("python3", path="/usr/bin:/bin")
        if python and shutil.which("setpriv"):
            source = str(Path(__file__).resolve().parent.parent / "src")
            result = subprocess.run(
                ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", python, "-m", "cpython_gdb.cli.main",
                 "dump", str(target.pid)], capture_output=True, encoding="utf-8", cwd="/",
                env=dict(os.environ, PYTHONPATH=source), timeout=60)
            one_line_error(result, 1, f"process {target.pid}", "ptrace not permitted")
        running_untraced(target)
    one_line_error(dump(sys.executable), 1, "not a usable core file", "not a core file")
