"""cpython-gdb dump: text and JSON, live and on cores, and its one-line errors.

These run the gdb backend where they check what C frames tell (GIL and
lock waits, the collector); test_dump_nogdb.py compares the two backends.

The text must agree with py-bt on the same stop (a core, or a process
whose threads do not move), the JSON with the text and with
docs/dump-schema.json. A dumped process keeps running, or stays stopped.
"""

import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

import sid
from cores import CORE_PATTERN, cli, crash_core, elf_files, kernel_cores_here, raise_core_limit
from cpython_gdb.engine.elf.corefile import CoreFile
from cpython_gdb.engine.report.text import render
from harness import FT_PYTHONS, GDB, PROGRAMS, PYTHONS, gcore, newest, run_sections, running, wait_blocked, wait_state
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
    free_threaded = version in FT_PYTHONS
    head = text.splitlines()[0]
    assert head.startswith(f"Process {target.pid}, {PYTHONS[version]}: CPython {version.rstrip('t')}"), head
    assert ("(free-threaded)" in head) == free_threaded, head
    check_thread_states(version, ready, text, py_bt)
    assert doc["target"] == {"kind": "process", "pid": target.pid, "core": None, "executable": str(PYTHONS[version])}
    assert doc["options"] == {"native": True, "locals": True}
    assert doc["python"]["free_threaded"] == free_threaded
    threads = {t["python_name"]: t for t in doc["threads"]}
    if free_threaded:  # no GIL to hold or wait for
        assert {t["gil"] for t in doc["threads"]} == {"no GIL"}, doc
        gil = {"locked": None, "holder_thread": None, "enabled": False}
    else:
        assert threads["MainThread"]["gil"] == "held" and threads["gil-waiter"]["gil"] == "waiting"
        gil = {"locked": True, "holder_thread": 1, "enabled": True}
    assert threads["collector"]["gc"] and threads.get("subinterp", {"interpreter_id": 1})["interpreter_id"] == 1
    assert threads["gil-waiter"]["os_name"] == "os-waiter"
    assert doc["interpreters"][0] == {"id": 0, "gc_collecting": True, "gil": gil}
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
    gil = "no GIL" if version in FT_PYTHONS else "not held"  # both wait with the GIL released
    for thread in doc["threads"]:
        assert thread["lock_wait"] and thread["gil"] == gil and not thread["gc"]
    assert doc["target"]["kind"] == "core" and doc["target"]["core"] == str(core)


def test_dump_keeps_a_stopped_process_stopped():
    with running(newest(), "deadlock.py", env=MALLOC_ENV) as target:
        wait_blocked(target.pid, list(json.loads(target.ready).values()))
        os.kill(target.pid, signal.SIGSTOP)
        try:
            # The kill only queues the stop: dump once it holds, or the dump
            # would take the process for a running one. After the dump, gdb's
            # detach wakes each thread, which re-enters the stop as it runs.
            assert wait_state(target.pid, "T") == "T"
            text = ok(dump(str(target.pid), "--backend", "gdb"))
            assert wait_state(target.pid, "T") == "T", proc_status(target.pid)
            assert proc_status(target.pid)["TracerPid"] == "0"
        finally:
            os.kill(target.pid, signal.SIGCONT)
    assert "waiting for a lock" in text


def cut_copy(core: Path, size: int) -> Path:
    """A copy of CORE as a core size limit or a full disk leaves it: its first SIZE bytes."""
    cut = core.with_name(core.name + ".cut")
    with open(core, "rb") as src, open(cut, "wb") as dst:
        dst.write(src.read(size))
    return cut


def test_dump_truncated_core(tmp_path):
    """gdb's gcore writes the notes last: cut short, they are lost, and gdb (13 and 18
    alike) rejects the file; a direct dump fails too. Each says why on one line."""
    made = deadlock_core(newest(), tmp_path)
    core = cut_copy(made["core"], 1 << 20)
    message = CoreFile(str(core)).truncation_message()
    assert message is not None and "is truncated: it has 1048576 of its " in message
    exe = str(PYTHONS[newest()])
    line = one_line_error(dump(str(core), "--exe", exe, "--backend", "gdb"), 1)
    assert line == f"cpython-gdb dump: gdb rejects core {core} as not a core dump; {message}"
    # The runtime cannot be found in what the cut core holds: said with why.
    line = one_line_error(dump(str(core), "--exe", exe), 1, f"cannot read core {core}: no _PyRuntime")
    assert line.endswith(f"; {message}")


def test_dump_core_cut_before_its_notes(tmp_path):
    core = cut_copy(deadlock_core(newest(), tmp_path)["core"], 1 << 20)
    for backend in ("direct", "gdb"):
        one_line_error(dump(str(core), "--backend", backend), 1, f"cannot find the executable of {core}")
    result = cli("core", str(core))
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.startswith(f"cpython-gdb core: cannot find the executable of {core}"), result.stderr


def check_truncated_kernel_core(core: Path, run_dump) -> None:
    """A kernel core writes the notes first: cut in its last page of memory, gdb accepts it,
    and the dump is that of the whole core, with a one-line warning."""
    cut = cut_copy(core, core.stat().st_size - 4096)
    message = CoreFile(str(cut)).truncation_message()
    assert message is not None and f"is truncated: it has {cut.stat().st_size} of its " in message
    for backend in ("direct", "gdb"):
        whole = run_dump(core, backend)
        assert whole.returncode == 0 and not whole.stderr, whole.stderr
        result = run_dump(cut, backend)
        assert result.returncode == 0, (backend, result.stderr)
        assert result.stderr == f"cpython-gdb dump: warning: {message}\n", (backend, result.stderr)
        assert result.stdout == whole.stdout.replace(f"Core {core} ", f"Core {cut} ", 1), backend
        assert 'line %d, in read_raw' % line_of("crash_segv.py", "segv") in result.stdout


def test_dump_truncated_kernel_core(tmp_path):
    if not kernel_cores_here():
        pytest.skip(f"the kernel writes no core into the crashing process's directory (see {CORE_PATTERN})")
    core, method = crash_core(newest(), "crash_segv.py", tmp_path, signal.SIGSEGV, method="kernel")
    assert method == "kernel"
    check_truncated_kernel_core(core, lambda path, backend: dump(str(path), "--backend", backend))


@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
def test_dump_truncated_cores_with_gdb_18(tmp_path):
    """Both cases again with Debian sid's gdb 18 (and CPython 3.14), the CLI run in the root."""
    hook = sid.install()
    package = sid.root_path(sid.inside(hook).parent.parent)
    try:
        def run_dump(path, *args):
            return sid.run(["python3.14", "-m", "cpython_gdb.cli.main", "dump", str(sid.root_path(path)), *args],
                           cwd=path.parent, env={"PYTHONPATH": str(package)})

        with sid.running("3.14", "recursion.py") as target:
            core = target.workdir / "core.gdb"
            sid.gcore(target, sid.root_path(core))
            cut = cut_copy(core, 1 << 20)
            message = CoreFile(str(cut)).truncation_message()
            assert message is not None
            result = run_dump(cut, "--backend", "gdb", "--exe", "/usr/bin/python3.14")
            assert result.returncode == 1 and not result.stdout, result
            assert result.stderr == (f"cpython-gdb dump: gdb rejects core {sid.root_path(cut)} as not a core dump; "
                                     f"{message.replace(str(cut), str(sid.root_path(cut)))}\n")
        if not kernel_cores_here():
            pytest.skip(f"the kernel writes no core into the crashing process's directory (see {CORE_PATTERN})")
        workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-", dir=sid.inside(Path("/tmp"))))
        try:
            crashed = sid.run(["python3.14", str(PROGRAMS / "crash_segv.py")], cwd=workdir,
                              preexec_fn=raise_core_limit)
            assert crashed.returncode == -signal.SIGSEGV, crashed
            (core,) = elf_files(workdir)

            def run_cut(path, backend):
                result = run_dump(path, "--backend", backend)
                root = str(sid.root_path(path))
                result.stdout = result.stdout.replace(root, str(path))
                result.stderr = result.stderr.replace(root, str(path))
                return result

            check_truncated_kernel_core(core, run_cut)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    finally:
        shutil.rmtree(sid.inside(hook).parent.parent, ignore_errors=True)


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


# -- exit status 3: gdb missing, failing or too slow -------------------------------------------------


def gdb_first(tmp_path: Path, name: str, command: str) -> Path:
    """A gdb that runs COMMAND first: the real gdb, once it has attached or loaded the core."""
    real = shutil.which(GDB)
    assert real is not None
    path = tmp_path / name
    path.write_text(f"#!/bin/sh\nexec {shlex.quote(real)} -ex {shlex.quote(command)} \"$@\"\n")
    path.chmod(0o755)
    return path


def test_dump_gdb_timeout(tmp_path):
    """--timeout: a gdb that hangs while it holds the process is killed, with status 3; the
    process runs on untraced, or stays stopped if it was."""
    marker = tmp_path / "attached"
    hang = gdb_first(tmp_path, "gdb-hangs", f"python open({str(marker)!r}, 'w').close(); "
                                             "import time; time.sleep(600)")
    with running(newest(), "deadlock.py", env=MALLOC_ENV) as target:
        wait_blocked(target.pid, list(json.loads(target.ready).values()))
        pid = str(target.pid)
        started = time.monotonic()
        result = dump(pid, "--backend", "gdb", "--timeout", "6", env={"CPYTHON_GDB_GDB": str(hang)})
        assert time.monotonic() - started < 60
        one_line_error(result, 3, "gdb did not finish within 6 s")
        assert marker.exists()  # it hung attached, not on its way
        assert wait_state(target.pid, "RS") in "RS" and proc_status(target.pid)["TracerPid"] == "0"
        marker.unlink()
        os.kill(target.pid, signal.SIGSTOP)
        try:
            assert wait_state(target.pid, "T") == "T"
            result = dump(pid, "--locals", "--backend", "gdb", "--timeout=6", env={"CPYTHON_GDB_GDB": str(hang)})
            one_line_error(result, 3, "gdb did not finish within 6 s")
            assert marker.exists()
            assert wait_state(target.pid, "T") == "T" and proc_status(target.pid)["TracerPid"] == "0"
        finally:
            os.kill(target.pid, signal.SIGCONT)
        help_text = dump("--help")
        assert help_text.returncode == 0 and "give up if gdb takes longer (default: 300)" in help_text.stdout
        # And the default backend needs no gdb at all: it tells the lock waits from the C stacks itself.
        assert "waiting for a lock" in ok(dump(pid, env={"CPYTHON_GDB_GDB": "/nonexistent/gdb"}))
        assert target.proc.poll() is None


def test_dump_gdb_missing_or_failing(tmp_path, fake_gdb):
    sleeper = tmp_path / "gdb-sleeps"
    sleeper.write_text("#!/bin/sh\nexec sleep 600\n")
    sleeper.chmod(0o755)
    crash = gdb_first(tmp_path, "gdb-dies", "python import os, signal; os.kill(os.getpid(), signal.SIGKILL)")
    core = deadlock_core(newest(), tmp_path)["core"]
    with running(newest(), "recursion.py") as target:
        pid = str(target.pid)
        for args in ([pid, "--backend", "gdb"], [pid, "--native", "--backend", "gdb"], [str(core), "--backend", "gdb"]):
            one_line_error(dump(*args, env={"CPYTHON_GDB_GDB": "/nonexistent/gdb"}), 3,
                           "gdb not found: CPYTHON_GDB_GDB=/nonexistent/gdb is not an executable")
        # --native needs no gdb.
        native = ok(dump(pid, "--native", env={"CPYTHON_GDB_GDB": "/nonexistent/gdb"}))
        assert "Stack (most recent call first):" in native
        env = {k: v for k, v in os.environ.items() if k != "CPYTHON_GDB_GDB"}
        env["PATH"] = str(tmp_path / "empty")
        result = subprocess.run([sys.executable, "-m", "cpython_gdb.cli.main", "dump", pid, "--backend", "gdb"],
                                capture_output=True, encoding="utf-8", env=env, timeout=60)
        one_line_error(result, 3, "gdb not found on PATH")
        # A gdb that dies once attached: status 3, and the process runs on, untraced.
        one_line_error(dump(pid, "--backend", "gdb", env={"CPYTHON_GDB_GDB": str(crash)}), 3,
                       f"gdb could not read process {pid}: ")
        assert wait_state(target.pid, "RS") in "RS" and proc_status(target.pid)["TracerPid"] == "0"
        # A gdb that prints no report, and one that never ends.
        one_line_error(dump(pid, "--backend", "gdb", env={"CPYTHON_GDB_GDB": str(fake_gdb),
                                                          "FAKE_GDB_OUTPUT": "Segmentation fault\n"}),
                       3, f"gdb could not read process {pid}: Segmentation fault")
        one_line_error(dump(str(core), "--backend", "gdb", "--timeout", "0.5", env={"CPYTHON_GDB_GDB": str(sleeper)}),
                       3, "gdb did not finish within 0.5 s")
        assert target.proc.poll() is None
