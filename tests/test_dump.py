"""cpython-gdb dump: text and JSON, live and on cores, and its one-line errors.

These run the gdb backend where they check what C frames tell (GIL and
lock waits, the collector); test_dump_nogdb.py compares the two backends.

The text must agree with py-bt on the same stop (a core, or a process
whose threads do not move), the JSON with the text and with
docs/dump-schema.json. A dumped process keeps running, or stays stopped.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List

import pytest

from cpython_gdb.engine.report.text import render
from harness import PYTHONS, VERSIONS, gcore, run_sections, running, wait_blocked
from report_check import (
    MALLOC_ENV,
    check_thread_states,
    innermost,
    line_of,
    py_bt_sections,
    report_blocks,
    validate,
)


def dump(*args: str, env: Dict[str, str] = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "cpython_gdb.cli.main", "dump", *args], stdin=subprocess.DEVNULL,
                          capture_output=True, encoding="utf-8", errors="replace", env=full_env, timeout=300)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0 and not result.stderr, (result.returncode, result.stderr)
    return result.stdout


def document(result: subprocess.CompletedProcess) -> Dict[str, Any]:
    doc = json.loads(ok(result))
    validate(doc)
    return doc


def proc_status(pid: int) -> Dict[str, str]:
    with open(f"/proc/{pid}/status") as f:
        return dict(line.split(":\t", 1) for line in f.read().splitlines() if ":\t" in line)


def one_line_error(result: subprocess.CompletedProcess, status: int, *fragments: str) -> str:
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and not result.stdout, result.stderr
    assert lines[0].startswith("cpython-gdb dump: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def text_of(doc: Dict[str, Any]) -> str:
    return "\n".join(render(doc)) + "\n"


def test_dump_live(version):
    with running(version, "thread_states.py", env=MALLOC_ENV) as target:
        text = ok(dump(str(target.pid), "--backend", "gdb"))
        doc = document(dump(str(target.pid), "--json", "--native", "--locals", "--backend", "gdb"))
        py_bt = run_sections(["thread apply all py-bt"], pid=target.pid)[0]
        status = proc_status(target.pid)
        # Resumed: running (sleeping in its calls), no tracer left.
        assert status["TracerPid"] == "0" and status["State"][0] in "RS", status
        assert target.proc.poll() is None
        ready = target.ready
    assert text.startswith(f"Process {target.pid}, {PYTHONS[version]}: CPython {version}")
    check_thread_states(version, ready, text, py_bt)
    assert doc["target"] == {"kind": "process", "pid": target.pid, "core": None, "executable": str(PYTHONS[version])}
    assert doc["options"] == {"native": True, "locals": True}
    threads = {t["python_name"]: t for t in doc["threads"]}
    assert threads["MainThread"]["gil"] == "held" and threads["gil-waiter"]["gil"] == "waiting"
    assert threads["collector"]["gc"] and threads["subinterp"]["interpreter_id"] == 1
    assert threads["gil-waiter"]["os_name"] == "os-waiter"
    assert doc["interpreters"][0] == {"id": 0, "gc_collecting": True, "gil": {"locked": True, "holder_thread": 1}}
    frames = threads["MainThread"]["frames"]
    assert {frame["kind"] for frame in frames} == {"native", "python"}
    python = [frame for frame in frames if frame["kind"] == "python"]
    assert python[0]["function"] == "main" and python[0]["line"] == line_of("thread_states.py", "hold")
    assert {"name": "read_fd", "kind": "local", "repr": "3"} in python[0]["locals"]


def deadlock_core(version: str, workdir: Path) -> Dict[str, Any]:
    with running(version, "deadlock.py", env=MALLOC_ENV) as target:
        wait_blocked(target.pid, list(json.loads(target.ready).values()))
        core = gcore(target.pid, workdir)
        return {"core": core, "lwp": json.loads(target.ready)}


def test_dump_deadlock_core(version):
    workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-dump-"))
    try:
        made = deadlock_core(version, workdir)
        core = made["core"]
        text = ok(dump(str(core), "--backend", "gdb"))  # the executable is found from the core
        doc = document(dump(str(core), "--json", "--exe", str(PYTHONS[version]), "--backend", "gdb"))
        py_bt = run_sections(["thread apply all py-bt"], core=core, executable=PYTHONS[version])[0]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    assert text.startswith(f"Core {core} (pid {made['lwp']['main']}), {PYTHONS[version]}: ")
    assert text_of(doc) == text
    blocks = report_blocks(text)
    sections = py_bt_sections(py_bt)
    assert set(blocks) == set(made["lwp"].values()) == set(sections)
    names = {"main": "MainThread", "worker": "worker"}
    functions = {"main": "main", "worker": "worker"}
    for role, lwp in made["lwp"].items():
        heading, body = blocks[lwp]
        # Both wait, each for the lock the other holds, at its own line.
        assert heading.endswith(f'Python thread "{names[role]}": waiting for a lock'), heading
        assert innermost(body) == (functions[role], line_of("deadlock.py", f"{role}-lock"))
        assert body == sections[lwp]
    for thread in doc["threads"]:
        assert thread["lock_wait"] and thread["gil"] == "not held" and not thread["gc"]
    assert doc["target"]["kind"] == "core" and doc["target"]["core"] == str(core)


def test_dump_keeps_a_stopped_process_stopped():
    version = VERSIONS[-1]
    with running(version, "deadlock.py", env=MALLOC_ENV) as target:
        wait_blocked(target.pid, list(json.loads(target.ready).values()))
        os.kill(target.pid, signal.SIGSTOP)
        try:
            text = ok(dump(str(target.pid), "--backend", "gdb"))
            assert proc_status(target.pid)["State"].startswith("T"), proc_status(target.pid)
        finally:
            os.kill(target.pid, signal.SIGCONT)
    assert "waiting for a lock" in text


def test_dump_truncated_core(tmp_path):
    made = deadlock_core(VERSIONS[-1], tmp_path)
    with open(made["core"], "r+b") as f:
        f.truncate(1 << 20)  # the notes survive, the memory does not
    one_line_error(dump(str(made["core"]), "--exe", str(PYTHONS[VERSIONS[-1]])), 1, "is truncated")


@pytest.fixture
def fake_gdb(tmp_path: Path) -> Path:
    path = tmp_path / "fake-gdb"
    path.write_text(f"#!{sys.executable}\nimport os, sys\nsys.stdout.write(os.environ['FAKE_GDB_OUTPUT'])\n")
    path.chmod(0o755)
    return path


def test_dump_errors(tmp_path, fake_gdb):
    cases: List[Any] = [
        (dump(), 2, "required: PID|CORE"),
        (dump("1", "--bogus"), 2, "unrecognized arguments: --bogus"),
        (dump("999999999"), 1, "no process with id 999999999"),
        (dump(str(tmp_path / "nothing")), 1, "no such process or core file"),
        (dump(__file__), 1, "not a usable core file", "not an ELF file"),
    ]
    for result, status, *fragments in cases:
        one_line_error(result, status, *fragments)
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        one_line_error(dump(str(sleeper.pid)), 1, f"process {sleeper.pid} is not a Python process")
        assert sleeper.poll() is None
    finally:
        sleeper.kill()
        sleeper.wait()
    denied = {"CPYTHON_GDB_GDB": str(fake_gdb),
              "FAKE_GDB_OUTPUT": "ptrace: Operation not permitted.\nCould not attach to process.\n"}
    one_line_error(dump(str(os.getpid()), "--backend", "gdb", env=denied), 1, f"cannot attach to process {os.getpid()}",
                   "ptrace not permitted", "CAP_SYS_PTRACE")
