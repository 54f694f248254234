"""A runtime whose thread states hold what cannot be right (issue 16).

tests/programs/tstates.py announces its thread states; the tests write
corrupt pointers into them through /proc/PID/mem, as a memory corruption
would leave them:

- a thread's frame pointer to just below the main thread's stack: reading
  there through /proc/PID/mem or ptrace would make the kernel grow the
  stack to cover it. Neither gdb nor the direct backend may read there:
  the target's mappings stay as they were, and the thread says in one line
  that its frames cannot be read;
- a list of thread states (and one of interpreters) that loops: every
  command still works, the threads are read up to the loop, and the loop
  is said once.
"""

import json
import os
import re
import signal
import subprocess
from typing import Any, Dict, List

from cpython_gdb.engine.report.text import render
from harness import PYTHONS, gcore, run_sections, running, wait_blocked
from hostile import dump_argv, layout_offsets, mappings, peek, poke, stack_start
from report_check import MALLOC_ENV, line_of, validate

BELOW_STACK = 1 << 20  # 1 MiB: within the default 8 MiB stack limit, so the kernel would grow the stack
PROGRAM = "tstates.py"
MARKER = "main's local"
BROKEN = ("Python Exception", "Traceback (most recent call last)", "Error occurred")


def _dump(*args: str) -> "subprocess.CompletedProcess[str]":
    return subprocess.run(dump_argv(*args), stdin=subprocess.DEVNULL, capture_output=True, encoding="utf-8",
                          errors="replace", env=dict(os.environ, PYTHONHASHSEED="0"), timeout=300)


def _printed(result: "subprocess.CompletedProcess[str]", what: str) -> str:
    assert result.returncode == 0 and not result.stderr, (what, result.returncode, result.stderr)
    for marker in BROKEN:
        assert marker not in result.stdout, (what, result.stdout)
    return result.stdout


def _frame_field(offsets: Dict[str, int]) -> str:
    """The thread state's pointer to its frames: tstate->cframe (3.11, 3.12), else ->current_frame (3.13;
    ->frame before 3.11, which the tables name so too)."""
    return "PyThreadState.cframe" if "_PyCFrame.current_frame" in offsets else "PyThreadState.current_frame"


def _blocks(text: str) -> Dict[str, List[str]]:
    """A report's lines by thread heading (the lines before the first heading under "")."""
    blocks: Dict[str, List[str]] = {"": []}
    current = ""
    for line in text.splitlines():
        if line.startswith("Thread "):
            current = line
            blocks[current] = []
        elif line:
            blocks[current].append(line)
    return blocks


def test_frame_pointer_below_the_stack_is_not_read(version):
    with running(version, PROGRAM) as target:
        ready = json.loads(target.ready)
        offsets = layout_offsets(version)
        os.kill(target.pid, signal.SIGSTOP)  # nothing of its own changes its memory or mappings now
        below = stack_start(target.pid) - BELOW_STACK
        poke(target.pid, ready["main"][0] + offsets[_frame_field(offsets)], below)
        before = mappings(target.pid)
        py_bt, threads = run_sections(["py-bt", "py-threads"], pid=target.pid)
        assert mappings(target.pid) == before, "gdb's reads grew the stack"
        outputs = {what: _printed(_dump(str(target.pid), *options), what)
                   for what, options in (("direct", []), ("direct json", ["--json"]), ("gdb", ["--backend", "gdb"]))}
        assert mappings(target.pid) == before, "dump's reads grew the stack"
    # Each way of reading it says in one line that the frames there cannot be read.
    for what, text in (("py-bt", py_bt), ("py-threads", threads), ("direct", outputs["direct"]),
                       ("gdb", outputs["gdb"])):
        _says_unreadable(text, below, what)
        if what != "py-bt":
            assert text.count("gate.acquire()  # mark: worker") == 2, (what, text)  # the other threads as ever
    doc = json.loads(outputs["direct json"])
    validate(doc)
    (main,) = [thread for thread in doc["threads"] if thread["lwp"] == target.pid]
    assert "cannot read" in (main["note"] or main["truncated"] or ""), main
    assert "\n".join(render(doc)) + "\n" == outputs["direct"]


def _says_unreadable(text: str, below: int, what: str) -> None:
    """One line of TEXT says that memory in the page at BELOW cannot be read; no error otherwise."""
    for marker in BROKEN:
        assert marker not in text, (what, text)
    lines = [line for line in text.splitlines() if "cannot read" in line]
    assert len(lines) == 1, (what, text)
    addresses = [int(word, 16) for word in re.findall(r"0x[0-9a-f]+", lines[0])]
    assert any(below <= address < below + 4096 for address in addresses), (what, hex(below), lines[0])


def _loop_notes(interp: int, main: int, head: int) -> List[str]:
    return [f"the list of interpreters loops ({interp:#x} links back to {interp:#x}): read up to there",
            f"the thread-state list of interpreter 0 loops ({main:#x} links back to {head:#x}): read up to there"]


NEWEST = ["main_wait", "worker", "worker"]  # each thread's newest Python function


def _newest(block: List[str]) -> str:
    return next(line for line in block if line.lstrip().startswith('File "')).rsplit(", in ", 1)[1]


def _check_report(text: str, notes: List[str], where: str) -> None:
    for marker in BROKEN:
        assert marker not in text, (where, text)
    for note in notes:
        assert text.count(note) == 1, (where, note, text)
    blocks = _blocks(text)
    assert [line for line in blocks[""] if line.startswith("Note: ")] == [f"Note: {note}" for note in notes], text
    assert sorted(_newest(block) for heading, block in blocks.items() if heading) == NEWEST, (where, text)


def _check_commands(sections: List[str], notes: List[str], where: str) -> None:
    every_bt, py_bt, py_print, py_locals, threads = sections
    for text in sections:
        for marker in BROKEN:
            assert marker not in text, (where, text)
    # Said once a stop: by the first command that read the lists.
    for note in notes:
        assert every_bt.count(note) == 1 and "".join(sections[1:4]).count(note) == 0, (where, note, sections)
    assert every_bt.count("Traceback (most recent call first):") == 3, (where, every_bt)
    assert every_bt.count("gate.acquire()  # mark: worker") == 2, (where, every_bt)
    assert f", line {line_of(PROGRAM, 'main')}, in main_wait" in py_bt, (where, py_bt)
    assert py_print.strip() == f"local 'marker' = {MARKER!r}", (where, py_print)
    assert f"marker = {MARKER!r}" in py_locals, (where, py_locals)
    _check_report(threads, notes, where)


def _check_document(doc: Dict[str, Any], notes: List[str], where: str) -> None:
    validate(doc)
    assert doc["notes"] == notes, (where, doc["notes"])
    assert [i["id"] for i in doc["interpreters"]] == [0], where
    newest = [next((f["function"] for f in thread["frames"] if f["kind"] == "python"), "")
              for thread in doc["threads"]]
    assert sorted(newest) == NEWEST, (where, doc["threads"])


COMMANDS = ["thread apply all py-bt", "py-bt", "py-print marker", "py-locals", "py-threads"]


def test_loops_in_the_runtime_lists(version, tmp_path):
    exe = PYTHONS[version]
    with running(version, PROGRAM, env=MALLOC_ENV) as target:
        ready = json.loads(target.ready)
        wait_blocked(target.pid, [ready["first"][1], ready["second"][1]])
        offsets = layout_offsets(version)
        interp, main = ready["interp"], ready["main"][0]
        head = peek(target.pid, interp + offsets["PyInterpreterState.threads_head"])
        next_tstate, next_interp = main + offsets["PyThreadState.next"], interp + offsets["PyInterpreterState.next"]
        # The main thread's state ends the list, the main interpreter the other.
        assert peek(target.pid, next_tstate) == 0 and peek(target.pid, next_interp) == 0
        poke(target.pid, next_tstate, head)  # links back to the first thread state: a loop of all three
        poke(target.pid, next_interp, interp)  # links to itself
        notes = _loop_notes(interp, main, head)
        live = run_sections(COMMANDS, pid=target.pid)
        outputs = {f"live {what}": _printed(_dump(str(target.pid), *options), what)
                   for what, options in (("direct", []), ("direct json", ["--json"]),
                                         ("gdb json", ["--backend", "gdb", "--json"]))}
        core = gcore(target.pid, tmp_path)
    on_core = run_sections(COMMANDS, core=core, executable=exe)
    for what, options in (("direct", []), ("direct json", ["--json"]), ("gdb json", ["--backend", "gdb", "--json"])):
        outputs[f"core {what}"] = _printed(_dump(str(core), "--exe", str(exe), *options), what)
    _check_commands(live, notes, "live")
    _check_commands(on_core, notes, "core")
    for what, text in outputs.items():
        if what.endswith("json"):
            _check_document(json.loads(text), notes, what)
        else:
            _check_report(text, notes, what)
