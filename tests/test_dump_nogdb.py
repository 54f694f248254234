"""cpython-gdb dump without gdb (the default, "direct" backend) against the gdb backend.

On every CPython, with DWARF and on a stripped copy, live and on a gcore
core of the same process, without and with --native, the direct document
is the gdb one as far as a backend that reads no DWARF can know it
(cstack_check.py: the physical C frames, numbered among themselves and
named by their ELF symbols, without the built-in calls' lines): the same
threads, names, states (GIL, lock, collector), interpreters, Python
frames and the C frames they are placed on, lines and source. A dumped
process runs on untraced, a stopped one stays stopped, and what cannot be
dumped says why on one line.
"""

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

import pytest

import sid
from cores import crash_core
from cpython_gdb.direct import live
from cpython_gdb.direct.core import CoreMemory, core_mappings
from cpython_gdb.direct.live import ProcessMemory, stopped
from cpython_gdb.engine.elf.corefile import CoreFile
from cpython_gdb.engine.report.text import render
from cstack_check import as_direct_text, gdb_view, same_threads
from harness import (
    FT_PYTHONS,
    PAUSE_SYSCALL,
    PYTHONS,
    VERSIONS,
    gcore,
    minor_of,
    newest,
    running,
    stripped_copy,
    wait_blocked,
    wait_state,
)
from report_check import MALLOC_ENV, line_of
from test_dump import document, dump, ok, one_line_error, proc_status


def python_frames(doc: Dict[str, Any]) -> List[List[Dict[str, Any]]]:
    """Each thread's Python frames, without their C frame numbers (gdb's count inlined calls too)."""
    return [[dict(f, level=None) for f in thread["frames"] if f["kind"] == "python"] for thread in doc["threads"]]


def same_but_layout(direct: Dict[str, Any], gdb: Dict[str, Any]) -> None:
    """The direct and the gdb backends' documents of one stop agree on all but the layout's source and what
    only gdb reads from DWARF: every thread, its state and its Python frames (without C frame levels, which
    count inlined calls in gdb), the interpreters and the options (cstack_check.py compares C frames)."""
    assert direct["tool"]["backend"] == "direct" and gdb["tool"]["backend"] == "gdb"
    assert direct["python"]["version"] == gdb["python"]["version"]

    def view(doc: Dict[str, Any]) -> Dict[str, Any]:
        doc = dict(doc, tool=None, python=None)
        doc["threads"] = [dict(t, frames=[dict(f, level=None) for f in t["frames"] if f["kind"] == "python"])
                          for t in doc["threads"]]
        return doc

    ours, theirs = view(direct), view(gdb)
    for mine, expected in zip(ours["threads"], theirs["threads"]):
        assert mine == expected
    assert ours == theirs


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
    python = options.get("python", PYTHONS[version])
    with running(version, "thread_states.py", env=env, **options) as target:
        pid = str(target.pid)
        live = document(dump(pid, "--json"))
        live_native = document(dump(pid, "--json", "--native", "--backend", "direct"))
        running_untraced(target)
        live_gdb, live_gdb_native, live_table = gdb_view(pid=target.pid)
        # Locals are read only when asked for: the same either way.
        with_locals = document(dump(pid, "--json", "--locals"))
        with_locals_gdb = document(dump(pid, "--json", "--locals", "--backend", "gdb"))
        core = gcore(target.pid, tmp_path)
        if build == "dwarf":
            check_file_backed_pages(target.pid, core)
    text = ok(dump(str(core)))  # a core: the one stop gdb reads too (the GIL waiter moves between live stops)
    core_direct = document(dump(str(core), "--json"))
    core_native = document(dump(str(core), "--json", "--native"))
    core_gdb, core_gdb_native, core_table = gdb_view(core=core, executable=python)
    fields = ("threads", "interpreters", "options", "target")
    same_threads(live, live_gdb, live_table, fields, live=True)
    same_threads(live_native, live_gdb_native, live_table, fields, live=True)
    same_threads(core_direct, core_gdb, core_table, fields)
    same_threads(core_native, core_gdb_native, core_table, fields)
    # The <built-in ...> lines come from the C frames' variables where DWARF locates them (equal to gdb's,
    # above); without DWARF neither backend has them. 2.7 calls time.sleep with no frame of its own.
    builtins = [f["repr"] for t in live["threads"] for f in t["frames"] if f["kind"] == "builtin"]
    assert bool(builtins) == (build == "dwarf" and version != "2.7"), builtins
    assert python_frames(with_locals) == python_frames(with_locals_gdb)
    assert "locals" not in live["threads"][0]["frames"][0]
    assert any(f["locals"] for t in with_locals["threads"] for f in t["frames"] if f["kind"] == "python")
    assert text == "\n".join(render(as_direct_text(core_gdb, core_table))) + "\n"
    # Without DWARF the layout comes from the interpreter's _Py_DebugOffsets from 3.13 (3.13t's too).
    assert live["python"]["layout"] == ("_Py_DebugOffsets" if minor_of(version) >= (3, 13) else "generated table")
    assert live["python"]["free_threaded"] == (version in FT_PYTHONS)
    threads = {t["python_name"]: t for t in live["threads"]}
    if version in FT_PYTHONS:  # no GIL to hold or wait for
        assert {t["gil"] for t in live["threads"]} == {"no GIL"}, live
    else:
        assert threads["MainThread"]["gil"] == "held" and threads["gil-waiter"]["gil"] == "waiting"
    assert threads["collector"]["gc"] and not threads["MainThread"]["gc"]
    assert threads["gil-waiter"]["os_name"] == "os-waiter"
    assert threads.get("subinterp", {"interpreter_id": 1})["interpreter_id"] == 1  # none on 2.7
    assert threads["MainThread"]["frames"][0]["line"] == line_of("thread_states.py", "hold")
    assert [t["python_name"] for t in core_direct["threads"]] == [t["python_name"] for t in live["threads"]]
    assert core_direct["target"]["core"] == str(core) and core_direct["target"]["pid"] == target.pid
    # Every Python frame stands on a C frame, and the C frames go down to the thread's start.
    for thread in core_native["threads"]:
        assert all(f["level"] is not None for f in thread["frames"])
        # main ends it where main is a frame of its own (not a tail call): gdb stops there (backtrace past-main).
        assert thread["frames"][-1]["function"] in ("_start", "main", "clone3", "clone"), thread["frames"][-1]


# Programs whose C stacks say more: two threads each waiting for a lock;
# a recursion 300 deep through built-ins (sorted's key, map), asleep, and
# running Python code (a stop inside the eval loop, where every C frame is
# unwound); a C signal handler blocked on top of the call it interrupted.
C_STACK_CASES = {
    "lock": ("deadlock.py",),
    "deep": ("deep_mixed.py", "300"),
    "spin": ("deep_mixed.py", "300", "spin"),
    "signal": ("in_signal_handler.py",),
}


def _in_place(case: str, target) -> None:
    """Wait until the program's threads sit where the case needs them."""
    if case == "lock":
        wait_blocked(target.pid, list(json.loads(target.ready).values()))
    elif case == "signal":
        wait_blocked(target.pid, [int(target.ready)], syscall=PAUSE_SYSCALL)


@pytest.mark.parametrize("case", C_STACK_CASES)
def test_c_stacks_equal_gdb(version, case, tmp_path):
    with running(version, *C_STACK_CASES[case], env=MALLOC_ENV) as target:
        _in_place(case, target)
        live_native = document(dump(str(target.pid), "--json", "--native"))
        core = gcore(target.pid, tmp_path)
        if case in ("lock", "signal"):  # threads that do not move: the same stop for gdb
            _, live_gdb_native, live_table = gdb_view(pid=target.pid)
            same_threads(live_native, live_gdb_native, live_table)
    text = ok(dump(str(core)))
    plain = document(dump(str(core), "--json"))
    native = document(dump(str(core), "--json", "--native"))
    gdb_plain, gdb_native, table = gdb_view(core=core, executable=PYTHONS[version])
    same_threads(plain, gdb_plain, table)
    same_threads(native, gdb_native, table)
    assert text == "\n".join(render(as_direct_text(gdb_plain, table))) + "\n"
    main = native["threads"][0]
    functions = [f.get("function") for f in main["frames"]]
    if case == "lock":
        released = "no GIL" if version.endswith("t") else "not held"
        assert all(t["lock_wait"] and t["gil"] == released for t in plain["threads"])
    elif case == "deep":
        python = [f for f in plain["threads"][0]["frames"] if f["kind"] == "python"]
        assert len(python) > 300 and all(f["level"] is not None for f in python)
    elif case == "spin":
        held = "no GIL" if version.endswith("t") else "held"  # a free-threaded build runs without the GIL
        assert plain["threads"][0]["gil"] == held
        # 2.7's eval loop runs even a bare loop through helpers (its ticks' GIL check): a C frame or two on top.
        kinds = [f["kind"] for f in main["frames"]]
        first = kinds.index("python")
        # Before it, only calls inlined into the eval loop where it runs (at its level, from DWARF).
        inlined = [f for f in main["frames"][:first] if f["level"] == main["frames"][first]["level"]]
        assert first - len(inlined) <= (2 if version == "2.7" else 0), kinds[:4]
    else:
        assert functions[:3] == ["pause", "__restore_rt", "kill"], functions[:5]
        python = [f for f in main["frames"] if f["kind"] == "python"]
        assert python[0]["line"] == line_of("in_signal_handler.py", "kill")


@pytest.mark.parametrize("minor", sorted({VERSIONS[0], VERSIONS[-1]}) if VERSIONS else [])
def test_busy_thread_equals_gdb(minor, tmp_path):
    """A thread stopped wherever it runs (busy.py): in the vDSO, a PLT stub, CPython's code or Python's,
    at a few random stops, the same C stack as gdb's at each."""
    seen = set()
    cores = []
    with running(minor, "busy.py") as target:
        for i in range(4):
            (tmp_path / str(i)).mkdir()
            cores.append(gcore(target.pid, tmp_path / str(i)))
    for core in cores:
        plain = document(dump(str(core), "--json"))
        native = document(dump(str(core), "--json", "--native"))
        gdb_plain, gdb_native, table = gdb_view(core=core, executable=PYTHONS[minor])
        same_threads(plain, gdb_plain, table)
        same_threads(native, gdb_native, table)
        thread = native["threads"][0]
        # _start; main where main is a frame of its own (not a tail call), where gdb stops (backtrace past-main).
        assert thread["note"] is None and thread["frames"][-1]["function"] in ("_start", "main")
        newest = thread["frames"][0]
        seen.add(newest.get("library") or newest["kind"])
        assert [f["line"] for f in thread["frames"] if f["kind"] == "python"][-1] == line_of("busy.py", "module")
    print("newest frames in:", seen)


@pytest.mark.parametrize("minor", sorted({VERSIONS[0], VERSIONS[-1]}) if VERSIONS else [])
def test_crash_core_equals_gdb(minor, tmp_path):
    """A core of a crash in C code called from Python (crash_segv.py: ctypes.string_at(1)), written by the
    kernel where it writes one here, else by gdb: the faulting frame first, through the extension to the
    Python frame that called it, as gdb has it."""
    core, _ = crash_core(minor, "crash_segv.py", tmp_path, signal.SIGSEGV)
    plain = document(dump(str(core), "--json", "--exe", str(PYTHONS[minor])))
    native = document(dump(str(core), "--json", "--native", "--exe", str(PYTHONS[minor])))
    gdb_plain, gdb_native, table = gdb_view(core=core, executable=PYTHONS[minor])
    same_threads(plain, gdb_plain, table)
    same_threads(native, gdb_native, table)
    thread, = native["threads"]
    assert thread["note"] is None and thread["frames"][0]["level"] == 0
    python = [(f["function"], f["line"]) for f in thread["frames"] if f["kind"] == "python"]
    assert python[0][0] == "string_at" and python[1] == ("read_raw", line_of("crash_segv.py", "segv"))
    libraries = [f["library"] or "" for f in thread["frames"] if f["kind"] == "native"]
    assert any("_ctypes" in library for library in libraries), libraries  # through the extension


DEBIAN = Path("/usr/bin/python3.11")


def _has_debian_dbg() -> bool:
    return subprocess.run(["dpkg", "-s", "python3.11-dbg"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


@pytest.mark.skipif(not DEBIAN.exists(), reason="no Debian /usr/bin/python3.11")
@pytest.mark.skipif(not _has_debian_dbg(), reason="python3.11-dbg is not installed (.ci/run installs it)")
@pytest.mark.parametrize("debug_files", [True, False], ids=["debug-files", "no-debug-files"])
def test_debian_python(debug_files, tmp_path, monkeypatch):
    """Debian's stripped /usr/bin/python3.11 (libpython linked in, .dynsym only) and its libc.

    With the separate debug files python3.11-dbg and libc6-dbg install
    (by build id under /usr/lib/debug), their .symtab names every function
    of both; without them (gdb's debug-file-directory elsewhere, ours
    emptied), only exported ones: neither backend can then name take_gil
    or the collector, and both say so the same way.
    """
    from cpython_gdb.direct import answer_cache
    from cpython_gdb.direct.documents import core_document
    from cpython_gdb.direct.stacks import LEVELS, NATIVE
    from cpython_gdb.engine.elf import debugfile, dwarf_places, symbols

    with running("3.11", "thread_states.py", python=DEBIAN, env=MALLOC_ENV) as target:
        core = gcore(target.pid, tmp_path)
    gdb_plain, gdb_native, table = gdb_view(core=core, executable=DEBIAN,
                                            extra=[] if debug_files else ["-iex", "set debug-file-directory /x"])
    if not debug_files:
        monkeypatch.setattr(debugfile, "DEBUG_DIRECTORIES", ())
        monkeypatch.setattr(symbols, "_SYMBOLS", {})
        monkeypatch.setattr(dwarf_places, "_PLACES", {})
        # The answers kept on disk name the debug file they came from: without it, they are not taken.
        monkeypatch.setattr(answer_cache, "_KNOWN", {})
    info = CoreFile(str(core))
    name = info.executable(str(DEBIAN))[2]
    plain = core_document(info, str(DEBIAN), name, False, LEVELS)[0]
    native = core_document(info, str(DEBIAN), name, False, NATIVE)[0]
    same_threads(plain, gdb_plain, table)
    same_threads(native, gdb_native, table)
    # The debug file's compressed .debug_line gives the C frames their lines; without it none has one.
    lines = [f for t in native["threads"] for f in t["frames"] if f["kind"] == "native" and f["line"]]
    assert bool(lines) == debug_files
    threads = {t["python_name"]: t for t in plain["threads"]}
    if debug_files:
        assert threads["gil-waiter"]["gil"] == "waiting" and threads["collector"]["gc"]
    else:
        assert threads["gil-waiter"]["gil"] == "not held" and not threads["collector"]["gc"]
    assert threads["MainThread"]["gil"] == "held"


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


@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
def test_sid_core_under_sysroot(sid_hook):
    """A core of Debian sid's CPython 3.14 (link-time optimised, its DWARF in python3.14-dbg's debug file
    inside the root), dumped on the host with --sysroot: the debug files are found under the sysroot as
    gdb finds them with ``set sysroot``, and both reports say the same, C lines and inlined calls too.
    (``sid_hook`` puts the test programs into the root.)"""
    executable = sid.inside(Path("/usr/bin/python3.14"))
    with sid.running("3.14", "thread_states.py") as target:
        core = target.workdir / "core.gdb"
        sid.gcore(target, sid.root_path(core))
        try:
            root = ["--sysroot", str(sid.SID_ROOT), "--exe", str(executable)]
            plain = document(dump(str(core), "--json", *root))
            native = document(dump(str(core), "--json", "--native", *root))
            gdb_plain, gdb_native, table = gdb_view(core=core, executable=executable,
                                                    extra=["-iex", f"set sysroot {sid.SID_ROOT}"])
        finally:
            core.unlink()
    for doc in (gdb_plain, gdb_native):  # gdb names a library by its path under the sysroot, we as mapped
        for thread in doc["threads"]:
            for entry in thread["frames"]:
                if (entry.get("library") or "").startswith(str(sid.SID_ROOT) + "/"):  # its links, the root's
                    entry["library"] = os.path.realpath(entry["library"])[len(str(sid.SID_ROOT)):]
    same_threads(plain, gdb_plain, table)
    same_threads(native, gdb_native, table)
    lines = [f for t in native["threads"] for f in t["frames"] if f["kind"] == "native" and f["line"]]
    assert any(f["file"].endswith("ceval_gil.c") for f in lines), lines[:5]
    assert any(f["kind"] == "builtin" for t in plain["threads"] for f in t["frames"])
