"""A process in a container, seen from the host.

A container's process names its files from its own root: the host may
have no file at that path, or another one. sid.contained() starts
tests/programs/recursion.py as a container would (a mount namespace of
its own, pivot_root into the Debian sid root, the host's root unmounted),
from a directory the host does not have. Its source lines are read
through /proc/PID/root (dump, both backends; py-bt and py-list in gdb),
and its paths print as the process names them. A core of it needs the
container's files: --sysroot serves the sources as well as the libraries.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sid
from harness import run_sections
from test_dump import document, dump, ok, one_line_error
from test_subinterpreters import python_frames_of

pytestmark = pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))

NAME = "3.15"
EXECUTABLE = "/usr/bin/python3.15"  # as the container names it
SLEEPING = "time.sleep(1000)"  # the source line recursion.py waits at


def program_frames(doc, program):
    frames = [f for t in doc["threads"] for f in t["frames"] if f["kind"] == "python"]
    assert frames and all(f["file"] == program for f in frames), frames
    return frames


def check_sources(doc, program, present=True):
    frames = program_frames(doc, program)
    if present:
        assert frames[0]["source"] == SLEEPING and all(f["source"] for f in frames), frames
    else:
        assert all(f["source"] is None for f in frames), frames


def test_live_process_in_a_container():
    with sid.contained(NAME, "recursion.py") as target:
        pid = str(target.pid)
        program = str(target.inside / "recursion.py")
        assert not os.path.exists(program) and os.path.exists(f"/proc/{pid}/root{program}")
        texts = [ok(dump(pid)), ok(dump(pid, "--backend", "gdb"))]
        docs = [document(dump(pid, "--json")), document(dump(pid, "--json", "--backend", "gdb"))]
        out = run_sections(["py-bt", "py-list", "py-up", "py-list 1, 3"], pid=target.pid)
        usage = dump(pid, "--sysroot", "/")
    for text in texts:
        assert text.startswith(f"Process {pid}, {EXECUTABLE}: CPython {NAME}."), text
        assert f"\n    {SLEEPING}\n" in text
    for doc in docs:
        assert doc["target"]["executable"] == EXECUTABLE
        check_sources(doc, program)
    # The host's gdb 13 may not unwind the root's C library: the Python frames are the same.
    assert python_frames_of(docs[0]) == python_frames_of(docs[1])
    py_bt, listing, _, head = out
    assert f'File "{program}", line 18, in wait_here\n    {SLEEPING}\n' in py_bt
    assert re.search(rf"^ *>18 +{re.escape(SLEEPING)}$", listing, re.M), listing
    assert head.splitlines()[0] == "   1    " + (sid.PROGRAMS / "recursion.py").read_text().splitlines()[0]
    assert "Unable to read source file" not in listing + head
    one_line_error(usage, 2, "--sysroot is for a core")


def test_core_of_a_process_in_a_container(tmp_path):
    with sid.contained(NAME, "recursion.py") as target:
        program = str(target.inside / "recursion.py")
        core = sid.gcore_into(target, tmp_path)
        source = target.workdir / "recursion.py"
        text_of_program = source.read_bytes()
    # The container's files as a sysroot: its /tmp went with it, put the program back.
    source.parent.mkdir(parents=True, exist_ok=True)
    try:
        source.write_bytes(text_of_program)
        sysroot = ["--sysroot", str(sid.SID_ROOT)]
        docs = [document(dump(str(core), "--json", *sysroot)),
                document(dump(str(core), "--json", "--backend", "gdb", *sysroot))]
        text = ok(dump(str(core), *sysroot))
        bare = document(dump(str(core), "--json", "--exe", str(sid.inside(Path(EXECUTABLE)))))
        missing = dump(str(core))
        out = subprocess.run(
            [sys.executable, "-m", "cpython_gdb.cli.main", "core", str(core), *sysroot, "-batch", "-nx",
             "-iex", "set auto-load python-scripts off", "-ex", "py-bt", "-ex", "py-list"],
            capture_output=True, text=True, timeout=300).stdout
    finally:
        shutil.rmtree(source.parent, ignore_errors=True)
    for doc in docs:
        check_sources(doc, program)
    assert python_frames_of(docs[0]) == python_frames_of(docs[1])
    assert f"\n    {SLEEPING}\n" in text
    # Without the container's files, no source: they are not the host's.
    check_sources(bare, program, present=False)
    one_line_error(missing, 1, "cannot find the executable")
    assert f'File "{program}", line 18, in wait_here\n    {SLEEPING}\n' in out
    assert re.search(rf"^ *>18 +{re.escape(SLEEPING)}$", out, re.M), out
