"""Output hygiene: nothing of ours inside gdb's own lines, one-line errors, said-once lines.

- The first breakpoint stop after the extension loads: gdb's `Breakpoint 1,
  builtin_id (self=..., v=...) at FILE:LINE` line holds nothing of ours but
  the printed argument values (the load notice comes after it); without
  debug info (a stripped copy) `Breakpoint 1, 0x... in builtin_id ()`; on
  sid's 3.14 and 3.15 with their DWARF (without it, no symbol names
  builtin_id: skipped, saying so).
- `print $pyobj(1, 2)`: one line, no Python exception.
- `py-list` past the end of the file, or with a reversed range, says so.
- A thread that collects garbage shows `Garbage-collecting` once, whether
  the collection is gc.collect()'s or an automatic one.
- `show cpython` lists every setting with its value.
"""

import re
import shutil
import tempfile
from pathlib import Path

import pytest

import sid
from harness import PROGRAMS, PYTHONS, gdb_argv, run_gdb, run_sections, running, stripped_copy

SHOW = ("cpython max-output is 1024.\ncpython max-items is 200.\ncpython max-depth is 8.\n"
        "cpython max-string is 512.\ncpython max-frames is 100000.\ncpython max-source-line is 300.\n"
        "cpython max-tasks is 10000.\ncpython fast-unwind is on.\ncpython max-heap-objects is 50000000.\n")


# The stop line of `break builtin_id`: with DWARF its arguments and source
# line (self is the builtins module, printed as one, or as a plain pointer
# where gdb's type is not PyObject *); without, its address only.
STOP_DWARF = (r"Breakpoint 1, builtin_id \(self=(<module '__builtin__' at remote 0x[0-9a-f]+>|"
              r"<module 'builtins' at remote 0x[0-9a-f]+>|0x[0-9a-f]+), v=4242\) at \S+:\d+")
STOP_BARE = r"Breakpoint 1, 0x[0-9a-f]+ in builtin_id \(\)( from \S+)?"
SCRIPT = "x = 4242\nprint(id(x))\n"
STOP_COMMANDS = ["set breakpoint pending on", "break builtin_id"]


def test_first_breakpoint_stop_line(version, tmp_path):
    script = tmp_path / "ids.py"
    script.write_text(SCRIPT)
    out = run_gdb([*STOP_COMMANDS, f"run {script}", "py-bt"], executable=PYTHONS[version])
    _check_stop(out, STOP_DWARF)


def test_first_breakpoint_stop_line_without_debug_info(version, tmp_path):
    """A stripped copy (.symtab kept: gdb finds builtin_id): the line has no arguments, and the notice follows it."""
    copy = stripped_copy(version, tmp_path / "stripped")
    script = tmp_path / "ids.py"
    script.write_text(SCRIPT)
    environment = [f"set environment {name} {value}" for name, value in copy["env"].items()]
    out = run_gdb([*environment, *STOP_COMMANDS, f"run {script}", "py-bt"], executable=copy["python"])
    _check_stop(out, STOP_BARE)


@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
@pytest.mark.parametrize("name, dwarf", [
    ("3.14", True), ("3.15", True),
    *(pytest.param(name, False, marks=pytest.mark.skip(
        reason="Debian's release build keeps no .symtab: without its DWARF gdb has no builtin_id to break on"))
      for name in ("3.14", "3.15"))])
def test_first_breakpoint_stop_line_sid(name, dwarf, sid_hook):
    """The same on Debian sid's 3.14 and 3.15, run by the root's gdb 18 (the host's cannot start a program of
    the root: its C library is the host's)."""
    where = Path(tempfile.mkdtemp(prefix="cpython-gdb-stop-", dir=sid.inside(Path("/tmp"))))
    try:
        (where / "ids.py").write_text(SCRIPT)
        argv = gdb_argv([*STOP_COMMANDS, f"run {sid.root_path(where / 'ids.py')}", "py-bt"],
                        executable=Path(sid.INTERPRETERS[name]), gdb="gdb", hook=sid_hook,
                        extra=[] if dwarf else sid.NO_DWARF)
        proc = sid.run(argv, where)
    finally:
        shutil.rmtree(where, ignore_errors=True)
    _check_stop(proc.stdout + proc.stderr, STOP_DWARF if dwarf else STOP_BARE)


def _check_stop(out, stop_line):
    stops = [line for line in out.splitlines() if line.startswith("Breakpoint 1, ")]
    assert len(stops) == 1, out
    assert re.fullmatch(stop_line, stops[0]), stops[0]
    # The notice is said, on a line of its own, after the stop's lines.
    notices = [line for line in out.splitlines() if "cpython-gdb:" in line]
    assert len(notices) == 1 and re.fullmatch(r"cpython-gdb: CPython \d+\.\d+\S*( free-threaded)? \(layout from .*\)",
                                              notices[0]), out
    assert out.index(stops[0]) < out.index(notices[0]) < out.index("Traceback (most recent call first):"), out


@pytest.mark.parametrize("automatic", [False, True], ids=["gc.collect", "automatic"])
def test_hygiene(version, automatic):
    args = ["--automatic"] if automatic else []
    with running(version, "hygiene.py", *args) as target:
        bt, listed_past, reversed_range, pyobj, pyobj_none, shown = run_sections(
            ["thread apply all py-bt", "py-list 100", "py-list 8,5", "print $pyobj(1, 2)", "print $pyobj()",
             "show cpython"], pid=target.pid)
    lines = len((PROGRAMS / "hygiene.py").read_text().splitlines())
    assert bt.count("  Garbage-collecting\n") == 1, bt
    # It sits between the __del__ that the collection runs and the frame that collects.
    assert re.search(r"in __del__\n    never.wait\(\)\n  Garbage-collecting\n", bt), bt
    assert listed_past == f"Line number 100 out of range; {str(PROGRAMS / 'hygiene.py')!r} has {lines} lines.\n"
    assert reversed_range == "Line range 8,5 is reversed: END comes before START.\n"
    assert pyobj == "$pyobj takes one argument, the object's address (2 given)\n"
    assert pyobj_none == "$pyobj takes one argument, the object's address (0 given)\n"
    assert shown == SHOW
