"""Python-frame selection (py-up, py-down, py-frame) and the groups of py-locals, exact text.

frames.py walk: <module> -> first -> second -> third -> fourth, asleep. On
3.11+ one eval-loop C frame runs all five; before, each its own: the
same walk must give the same Python frames, with their C frame numbers,
with the interpreter's DWARF and without (a stripped copy; sid's 3.14 and
3.15 without their debug files), where py-bt-full only lacks the C
built-in call's line.
"""

import json
from typing import List

import pytest
from test_commands import B, F, Item, Stack, major_minor, norm
from test_sid import sid_stack

import sid
from harness import run_sections, running, stripped_copy

WALK = ["py-bt-full", "py-frame", "py-print mark"]
WALK += ["py-up", "py-print mark", "py-print n"] * 3
WALK += ["py-down", "py-print mark", "py-print n"] * 3
WALK += ["py-down", "py-frame 2", "py-print mark", "py-locals", "py-list 26, 28", "frame 0", "py-print mark",
         "py-frame", "py-frame 4", "py-up", "py-frame 5", "py-frame x", "py-frame 1 2"]


@pytest.fixture(scope="module")
def stripped_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("stripped")


def walk_items() -> List[Item]:
    return [
        B("<built-in function sleep>"),
        F("fourth", "# mark: sleep", "n=4, mark='fourth'"),
        F("third", "return fourth(n + 1) + len(mark)", "n=3, mark='third'"),
        F("second", "return third(n + 1) + len(mark)", "n=2, mark='second'"),
        F("first", "return second(n + 1) + len(mark)", "n=1, mark='first'"),
        F("<module>", "first(1)", "", entry=True),
    ]


def lines(stack: Stack, f: F, number=None) -> str:
    return "".join(line + "\n" for line in stack.summary(f, number))


def test_up_down_frame_one_python_frame_at_a_time(version):
    with running(version, "frames.py", "walk") as target:
        bt = run_sections(["bt -no-filters"], pid=target.pid)[0]
        out = run_sections(WALK, pid=target.pid)
    _check_walk(version, out, Stack(version, "frames.py", walk_items(), bt=bt))


def test_up_down_frame_without_debug_info(version, stripped_dir):
    """The same on a stripped copy (its .symtab kept: gdb's bt names the C frames, the test's C levels)."""
    copy = stripped_copy(version, stripped_dir / version)
    with running(version, "frames.py", "walk", **copy) as target:
        bt = run_sections(["bt -no-filters"], pid=target.pid)[0]
        out = run_sections(WALK, pid=target.pid)
    _check_walk(version, out, Stack(version, "frames.py", walk_items(), bt=bt, dwarf=False))


@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
@pytest.mark.parametrize("name, dwarf", [("3.14", True), ("3.14", False), ("3.15", True), ("3.15", False)])
def test_up_down_frame_sid(name, dwarf, sid_hook):
    """The same on Debian sid's 3.14 and 3.15, with and without their DWARF (their release builds
    tail-call the built-in away: py-bt-full has no line for it; test_sid.sid_stack)."""
    with sid.running(name, "frames.py", "walk") as target:
        bt, *out = sid.sections(["bt -no-filters", *WALK], target, name, "host", dwarf, sid_hook)
    _check_walk(name, out, sid_stack(name, "frames.py", walk_items(), bt, out[0]))


def _check_walk(version, out, stack):
    fourth, third, second, first, module = stack.frames
    if major_minor(version) >= (3, 11):
        # The case this is for: one C frame runs every Python frame.
        assert len({stack.levels[id(f)] for f in stack.frames}) == 1
    results = iter(out)
    assert norm(next(results)) == stack.py_bt_full()
    # Nothing selected yet: the newest Python frame, number 0.
    assert norm(next(results)) == lines(stack, fourth, 0)
    assert next(results) == "local 'mark' = 'fourth'\n"
    for f, n in ((third, 3), (second, 2), (first, 1)):
        assert norm(next(results)) == lines(stack, f)
        assert next(results) == f"local 'mark' = '{f.name}'\n"
        assert next(results) == f"local 'n' = {n}\n"
    for f, n in ((second, 2), (third, 3), (fourth, 4)):
        assert norm(next(results)) == lines(stack, f)
        assert next(results) == f"local 'mark' = '{f.name}'\n"
        assert next(results) == f"local 'n' = {n}\n"
    assert next(results) == "Unable to find a newer python frame\n"
    # py-frame 2 selects second, as py-bt-full numbers it; the other commands use it.
    assert norm(next(results)) == lines(stack, second, 2)
    assert next(results) == "local 'mark' = 'second'\n"
    assert next(results) == "Locals for second\nArguments:\n  n = 2\nLocal variables:\n  mark = 'second'\n"
    assert next(results) == stack.listing(second, 26, 28)
    # gdb's `frame 0` selects another C frame: back to its newest Python frame.
    assert next(results).startswith("#0 ")
    assert next(results) == "local 'mark' = 'fourth'\n"
    assert norm(next(results)) == lines(stack, fourth, 0)
    # The oldest, then past it.
    assert norm(next(results)) == lines(stack, module, 4)
    assert next(results) == "Unable to find an older python frame\n"
    assert next(results) == "py-frame: no Python frame 5: this thread has 5, 0 to 4\n"
    assert next(results) == "py-frame: usage: py-frame [N]\n"
    assert next(results) == "py-frame: usage: py-frame [N]\n"


def group_lines(values, version):
    """py-locals' text for target() in frames.py groups, from the repr()s the program wrote."""
    args = ["p", "q", "rest", "k", "kw"] if not version.startswith("2.") else ["p", "q", "rest", "kw"]
    out = ["Locals for target", "Arguments:"]
    out += [f"  {name} = {values[name]}" for name in args]
    out += ["Local variables:", f"  plain = {values['plain']}"]
    out += ["Cell variables:", f"  shared = {values['shared']}"]
    out += ["Free variables:", f"  base = {values['base']}"]
    return "\n".join(out) + "\n"


def test_locals_grouped_by_kind(version):
    """A parameter of each kind (q, captured, stays with them), a local, a cell and a free variable."""
    with running(version, "frames.py", "groups") as target:
        values = json.loads(target.ready)
        out = run_sections(["py-locals", "py-bt-full"], pid=target.pid)
    _check_groups(version, values, out)



@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
@pytest.mark.parametrize("name, dwarf", [("3.14", True), ("3.14", False), ("3.15", True)])
def test_locals_grouped_by_kind_sid(name, dwarf, sid_hook):
    """The same on Debian sid's 3.14 and 3.15, with and without their DWARF."""
    with sid.running(name, "frames.py", "groups") as target:
        values = json.loads(target.ready)
        out = sid.sections(["py-locals", "py-bt-full"], target, name, "host", dwarf, sid_hook)
    _check_groups(name, values, out)


def _check_groups(version, values, out):
    assert out[0] == group_lines(values, version)
    args = ", ".join(f"{name}={values[name]}" for name in ("p", "q", "rest", "k", "kw") if name in values)
    inline = f"(args: {args}; locals: plain={values['plain']}; cells: shared={values['shared']}; free: base=7)"
    first_line = next(line for line in out[1].splitlines() if line.startswith("[0] "))
    assert first_line.endswith(" in target " + inline), out[1]
