"""A thread that runs code in a subinterpreter is shown with the thread that runs it.

tests/programs/sub_runner.py: the main thread creates a subinterpreter
and waits in join() while "sub-runner" runs sub_func in it. Up to 3.12
that code runs on the subinterpreter's first thread state, whose ids are
the main thread's. Whatever the ids say, the subinterpreter's frames
belong under "sub-runner", above its own frames in the main interpreter,
with a marker line between the two (JSON: each frame's interpreter_id),
and none under the main thread: in dump (both backends, live and on a
core) and in gdb's py-bt. 3.14 and 3.15 run in the Debian sid root.
"""

import json
import re
import time
from typing import Any, Dict, List

import pytest

import sid
from harness import PYTHONS, gcore, run_sections, running, wait_blocked
from report_check import MALLOC_ENV, line_of, py_bt_sections, report_blocks
from test_dump import document, dump, ok
from test_dump_nogdb import same_but_layout

VERSIONS = [v for v in ("3.8", "3.9", "3.10", "3.11", "3.12", "3.13") if v in PYTHONS]
SLEEPS = {"23", "35", "230", "270"}  # select, nanosleep, clock_nanosleep, pselect6 (x86-64)
MARKER = "  --- subinterpreter 1 above, main interpreter below ---"
SUB_FRAMES = [("sub_func", 4), ("<module>", 5)]  # in the code sub_runner.py runs


def wait_asleep(pid: int, tid: int, timeout: float = 30) -> None:
    """Wait until the runner sleeps in time.sleep (it announces just before)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/task/{tid}/syscall") as f:
                if f.read().split()[0] in SLEEPS:
                    return
        except (OSError, IndexError):
            pass
        time.sleep(0.01)
    raise RuntimeError(f"thread {tid} of {pid} did not go to sleep")


def settle(pid: int, ids: Dict[str, List[int]]) -> None:
    wait_blocked(pid, [ids["main"][1]])
    wait_asleep(pid, ids["runner"][1])


def python_frames(body: str) -> List[Any]:
    """(function, line) of each Python frame of a py-bt body, and the marker lines, in order."""
    out: List[Any] = []
    for line in body.splitlines():
        match = re.match(r'  File "[^"]*", line (\d+), in (\S+)$', line)
        if match:
            out.append((match.group(2), int(match.group(1))))
        elif line.startswith("  ---"):
            out.append(line)
    return out


def check_text(text: str, ids: Dict[str, List[int]]) -> Dict[int, str]:
    """The runner's block shows both interpreters' frames, the main thread's none of the subinterpreter's."""
    blocks = report_blocks(text)
    assert set(blocks) == {ids["main"][1], ids["runner"][1]}, text
    main_heading, main_body = blocks[ids["main"][1]]
    assert 'Python thread "MainThread"' in main_heading and "subinterpreter" not in main_heading, text
    main_frames = python_frames(main_body)
    assert main_frames[-1] == ("<module>", line_of("sub_runner.py", "join")), main_body
    assert not any(frame in main_frames for frame in SUB_FRAMES) and MARKER not in main_body, main_body
    heading, body = blocks[ids["runner"][1]]
    assert re.search(r'Python thread "sub-runner", subinterpreter 1(:|$)', heading), heading
    frames = python_frames(body)
    at = frames.index(MARKER)
    assert frames[:at] == SUB_FRAMES, body
    assert ("runner", line_of("sub_runner.py", "run")) in frames[at + 1:], body
    return {lwp: body for lwp, (_, body) in blocks.items()}


def check_json(doc: Dict[str, Any], ids: Dict[str, List[int]]) -> None:
    threads = {t["lwp"]: t for t in doc["threads"]}
    assert set(threads) == {ids["main"][1], ids["runner"][1]}, "no thread state is left without its thread"
    main, runner = threads[ids["main"][1]], threads[ids["runner"][1]]
    assert main["interpreter_id"] == 0 and main["ident"] == ids["main"][0] and main["python_name"] == "MainThread"
    assert all("interpreter_id" not in f for f in main["frames"])
    # The runner's own ident and name, though the subinterpreter's thread state may carry the main thread's.
    assert runner["interpreter_id"] == 1 and runner["ident"] == ids["runner"][0]
    assert runner["python_name"] == "sub-runner"
    python = [f for f in runner["frames"] if f["kind"] == "python"]
    assert [(f["function"], f["line"]) for f in python[:2]] == SUB_FRAMES
    assert [f["interpreter_id"] for f in python] == [1, 1] + [0] * (len(python) - 2)


@pytest.mark.parametrize("version", VERSIONS)
def test_subinterpreter_runner(version, tmp_path):
    with running(version, "sub_runner.py", env=MALLOC_ENV) as target:
        ids = json.loads(target.ready)
        settle(target.pid, ids)
        pid = str(target.pid)
        texts = {"direct": ok(dump(pid)), "gdb": ok(dump(pid, "--backend", "gdb"))}
        docs = {"direct": document(dump(pid, "--json")), "gdb": document(dump(pid, "--json", "--backend", "gdb"))}
        runner_thread = "2"  # gdb's number: the main thread is 1
        out = run_sections(["thread apply all py-bt", f"thread {runner_thread}", "py-bt", "py-bt-full"],
                           pid=target.pid)
        core = gcore(target.pid, tmp_path)
    core_docs = {"direct": document(dump(str(core), "--json")),
                 "gdb": document(dump(str(core), "--json", "--backend", "gdb"))}
    core_text = ok(dump(str(core)))
    for text in [*texts.values(), core_text]:
        check_text(text, ids)
    for doc in [*docs.values(), *core_docs.values()]:
        check_json(doc, ids)
    same_but_layout(docs["direct"], docs["gdb"])
    same_but_layout(core_docs["direct"], core_docs["gdb"])
    # gdb's py-bt of each thread is the body dump prints for it.
    bodies = check_text(texts["gdb"], ids)
    sections = py_bt_sections(out[0])
    assert sections == bodies
    assert out[2] == bodies[ids["runner"][1]]
    full = out[3]
    assert full.index(" in sub_func (") < full.index(MARKER.strip()) < full.index(" in runner (")



@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
@pytest.mark.parametrize("name", ["3.14", "3.15"])
def test_subinterpreter_runner_sid(name, sid_hook, tmp_path):
    """concurrent.interpreters' Interpreter.exec, dumped from the host, live and on a core, and py-bt in gdb 18."""
    with sid.running(name, "sub_runner.py") as target:
        ids = json.loads(target.ready)
        settle(target.pid, ids)
        pid = str(target.pid)
        (py_bt,) = sid.sections(["thread apply all py-bt"], target, name, "root", True, sid_hook)
        texts = [ok(dump(pid)), ok(dump(pid, "--backend", "gdb"))]
        docs = [document(dump(pid, "--json")), document(dump(pid, "--json", "--backend", "gdb"))]
        core = sid.gcore_into(target, tmp_path)
    sysroot = ["--sysroot", str(sid.SID_ROOT)]
    core_docs = [document(dump(str(core), "--json", *sysroot)),
                 document(dump(str(core), "--json", "--backend", "gdb", *sysroot))]
    for text in texts:
        # Its executable as the process names it, not as the host does (under the root's directory).
        assert text.startswith(f"Process {pid}, /usr/bin/python{name}: CPython {name}."), text
        check_text(text, ids)
    sections = py_bt_sections(py_bt)
    frames = python_frames(sections[ids["runner"][1]])
    assert frames[:3] == SUB_FRAMES + [MARKER] and ("runner", line_of("sub_runner.py", "run")) in frames, py_bt
    assert not set(SUB_FRAMES) & set(python_frames(sections[ids["main"][1]])), py_bt
    for doc in docs + core_docs:
        check_json(doc, ids)
    # The host's gdb 13 does not always unwind the root's C library (a note says so): the
    # Python frames are the same.
    assert python_frames_of(docs[0]) == python_frames_of(docs[1]) == python_frames_of(core_docs[0])
    assert python_frames_of(core_docs[0]) == python_frames_of(core_docs[1])


def python_frames_of(doc: Dict[str, Any]) -> Dict[int, List[Any]]:
    return {t["lwp"]: [(f["function"], f["file"], f["line"], f["source"], f.get("interpreter_id"))
                       for f in t["frames"] if f["kind"] == "python"] for t in doc["threads"]}
