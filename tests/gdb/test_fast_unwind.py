"""cpython-gdb's own unwinding of repeated C frames (``set cpython fast-unwind``) changes no output.

On a deep stack that passes through C built-ins, every command prints
exactly what it prints when gdb unwinds every frame itself, with DWARF
and on a stripped copy, live and on a core; the frames past the lessons
are really listed without gdb; and our unwinder finds the same physical
frames as gdb's, pc and stack pointer, all the way down.
"""

import re
from pathlib import Path

import pytest

from harness import PYTHONS, gcore, minor_of, run_sections, running, stripped_copy

CHECK = Path(__file__).with_name("unwind_check.py")
# Frames of the cached stack that were listed without asking gdb.
COUNT_OWN = ("python import cpython_gdb.gdb.state as s, cpython_gdb.gdb.stop as p; "
             "print('OWN', sum(c._frame is None for v in p.stop_state(s.current_target()).stacks.values() "
             "for c in v.cframes))")
COMMANDS = ["py-bt", "py-bt-full", COUNT_OWN, "py-up", "py-up", "frame", "py-locals", "py-down", "frame",
            "py-bt -a"]


def _compare(sections_on, sections_off, dwarf=True, builtins=True):
    for command, on, off in zip(COMMANDS, sections_on, sections_off):
        if command == COUNT_OWN:
            continue
        assert on == off, command
    own = int(sections_on[COMMANDS.index(COUNT_OWN)].split()[-1])
    assert own > 50, "the deep part of the stack was not listed by our own unwinding"
    assert sections_off[COMMANDS.index(COUNT_OWN)].split()[-1] == "0"
    if dwarf and builtins:  # a built-in's name is read from the C variable func (2.7 shows none)
        assert "<built-in function sorted>" in sections_on[0]
    assert sections_on[0].count("in descend") == 301


@pytest.mark.parametrize("build", ["dwarf", "stripped"])
def test_fast_unwind_changes_nothing(version, build, tmp_path):
    kwargs = stripped_copy(version, tmp_path / "stripped") if build == "stripped" else {}
    with running(version, "deep_mixed.py", "300", **kwargs) as target:
        on = run_sections(COMMANDS + [f"source {CHECK}"], pid=target.pid)
        off = run_sections(["set cpython fast-unwind off"] + COMMANDS, pid=target.pid)[1:]
        core = gcore(target.pid, tmp_path)
    try:
        executable = kwargs.get("python") or PYTHONS[version]
        core_on = run_sections(COMMANDS, core=core, executable=executable)
        core_off = run_sections(["set cpython fast-unwind off"] + COMMANDS, core=core, executable=executable)[1:]
    finally:
        core.unlink()
    assert on[-1].strip().startswith("UNWIND-MATCH"), on[-1]
    _compare(on[:-1], off, build == "dwarf", version != "2.7")
    _compare(core_on, core_off, build == "dwarf", version != "2.7")
    assert core_on[0] == on[0]


WHOLE = ("python import cpython_gdb.gdb.state as s, cpython_gdb.gdb.stop as p; "
         "print('WHOLE', [v.whole for v in p.stop_state(s.current_target()).stacks.values()])")


def test_fast_unwind_in_running_code(version):
    """Stopped inside the eval loop (not at a settled stop): the same output, and the walk still ends early.

    Where our unwinding meets a pair of return addresses gdb has not shown,
    it looks on down the stack; with no eval-loop function below, the walk
    ends there instead of gdb unwinding every frame again.
    """
    commands = ["py-bt", "py-bt-full", WHOLE, "set cpython fast-unwind off", "py-bt", "py-bt-full", WHOLE]
    with running(version, "deep_mixed.py", "300", "spin") as target:
        out = run_sections(commands, pid=target.pid)
    assert out[0] == out[4] and out[1] == out[5]
    assert out[0].count("in descend") == 301 and "in wait_here" in out[0]
    if minor_of(version) < (3, 11):
        # One eval-loop call per Python call: the stack below the oldest
        # one is reached by our unwinding (3.11+ reach it through gdb).
        assert out[2].split("WHOLE", 1)[1].strip() == "[False]", out[2]
    assert out[6].split("WHOLE", 1)[1].strip() == "[True]", out[6]


def test_fast_unwind_keeps_gdbs_backtrace_limit(version):
    """Past gdb's `set backtrace limit` gdb lists no frame: neither does our unwinding."""
    commands = ["set backtrace limit 300", "py-bt-full", "py-bt", "set cpython fast-unwind off", "py-bt-full",
                "py-bt"]
    with running(version, "deep_mixed.py", "300") as target:
        out = run_sections(commands, pid=target.pid)
    assert out[1] == out[4] and out[2] == out[5]
    numbers = [int(m.group(1)) for m in re.finditer(r"^(?:\[\d+\] )?#(\d+) ", out[1], re.M)]
    assert numbers and max(numbers) < 300
