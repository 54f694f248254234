"""The core commands on Debian sid's CPython 3.14 and 3.15, under two gdbs.

Targets: the stripped release builds python3.14 and python3.15, read with
their -dbg packages' DWARF and without it (then from _Py_DebugOffsets over
the generated tables), and the debug build python3.14d. Each is read by
the host's gdb 13 (``set sysroot``) and by the root's gdb 18, whose
embedded Python is 3.14. The expected outputs are those of
test_commands.py: C built-in calls show only where the C stack has their
frames (Debian's release builds tail-call them away).
"""

import json
import re
import shutil

import pytest
from test_commands import (
    F,
    Stack,
    c_levels,
    expected_up_down,
    locals_block,
    norm,
    recursion_items,
    up_down_commands,
)
from test_debug_offsets_dwarf import COMPARE, check

import sid
from harness import notices

pytestmark = pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))

LAYOUT = (
    "python from cpython_gdb.gdb.state import current_target; "
    "lay = current_target().layout; print(lay.description); print(lay.warning)"
)
PROBE = ["bt -no-filters", LAYOUT, "py-bt", "py-bt-full", "py-locals", "py-list", "py-list 1", "py-list 20, 24",
         "py-print v", "py-print Foo", "py-print len", "py-print __name__", "py-print no_such_name"]
# name, DWARF available, what the layout comes from
CASES = [
    ("3.14", True, "DWARF"),
    ("3.14", False, "_Py_DebugOffsets"),
    ("3.14d", True, "DWARF"),
    ("3.15", True, "DWARF"),
    ("3.15", False, "_Py_DebugOffsets"),
]
VALUES = {
    "v=3": ["v = 3"],
    "": [],
    **{
        f"n={n}, obj={obj}, z=[{n}, 'abc']": [f"n = {n}", f"obj = {obj}", f"z = [{n}, 'abc']"]
        for n, obj in [(0, "<Foo(x=1, y='a') at remote 0xADDR>"), (1, "<Foo(x=2, y='a') at remote 0xADDR>"),
                       (2, "<Foo(x=3, y='a') at remote 0xADDR>"), (3, "None")]
    },
}


@pytest.fixture(scope="module")
def hook():
    path = sid.install()
    yield path
    shutil.rmtree(sid.inside(path).parent.parent, ignore_errors=True)


def expected_stack(name, bt, full):
    """The recursion.py stack, with the C built-in calls this build's C stack shows."""
    return sid_stack(name, "recursion.py", recursion_items(name.rstrip("d")), bt, full)


def sid_stack(name, program, items, bt, full):
    """The stack of PROGRAM (ITEMS, innermost first) on sid's NAME, with the C built-in calls its C stack shows.

    Without DWARF, no symbol names the eval loop's frames in `bt` (the calls
    sit in its unnamed .cold part): their numbers are then those py-bt-full
    found from the shim records, checked here to be C frames of `bt`.
    """
    evals, builtins = c_levels(bt)
    if not evals:
        levels = sorted({int(m) for m in re.findall(r"^(?:\[\d+\] )?#(\d+) Frame ", full, re.M)})
        shown = {int(m) for m in re.findall(r"^#(\d+) ", bt, re.M)}
        assert levels and set(levels) <= shown, (levels, bt)
        bt = "".join(f"#{level} 0x0 in _PyEval_EvalFrameDefault (\n" for level in levels)
    if not builtins:
        items = [i for i in items if isinstance(i, F)]
    return Stack(name.rstrip("d"), program, items, bt=bt)


def check_commands(name, out, source):
    version = name.rstrip("d")
    found = dict(zip(PROBE, out))
    description, warning = found[LAYOUT].strip().splitlines()[-2:]
    assert re.fullmatch(rf"CPython {re.escape(version)}\.\d+ \(layout from {source}\)", description), description
    assert warning == "None"
    stack = expected_stack(name, found["bt -no-filters"], found["py-bt-full"])
    assert norm(found["py-bt"]) == stack.py_bt()
    assert norm(found["py-bt-full"]) == stack.py_bt_full()
    assert norm(found["py-locals"]) == locals_block(stack.groups[0][:1], VALUES)
    wait_here = stack.frames[0]
    current = stack.line(wait_here)
    assert found["py-list"] == stack.listing(wait_here, current - 5, current + 5)
    assert found["py-list 1"] == stack.listing(wait_here, 1, 11)
    assert found["py-list 20, 24"] == stack.listing(wait_here, 20, 24)
    assert found["py-print v"] == "local 'v' = 3\n"
    assert found["py-print Foo"] == "global 'Foo' = <class '__main__.Foo'>\n"
    assert found["py-print len"] == "builtin 'len' = <built-in function len>\n"
    assert found["py-print __name__"] == "global '__name__' = '__main__'\n"
    assert found["py-print no_such_name"] == "'no_such_name' not found\n"
    moves = out[len(PROBE):]
    assert [norm(m) for m in moves] == expected_up_down(stack)
    return stack


@pytest.mark.parametrize("name, dwarf, source", CASES, ids=[f"{n}-{'dwarf' if d else 'nodwarf'}" for n, d, _ in CASES])
def test_core_commands_under_both_gdbs(name, dwarf, source, hook):
    n_groups = 2  # recursion.py: <lambda> runs from C (sorted), <module> from C
    n_frames = 7  # wait_here, <lambda>, recursive_function x4, <module>: py-up steps through each
    commands = PROBE + up_down_commands(n_frames) + ([COMPARE] if dwarf else [])
    outputs = {}
    with sid.running(name, "recursion.py") as target:
        for gdb in ("host", "root"):
            outputs[gdb], prefix = sid.sections_and_prefix(commands, target, name, gdb, dwarf, hook)
            # Said once, on one line, as the hook loads: e.g. README's
            # "cpython-gdb: CPython 3.14.10 (layout from _Py_DebugOffsets)".
            lines = notices(prefix)
            assert len(lines) == 1 and re.fullmatch(
                rf"cpython-gdb: CPython {re.escape(name.rstrip('d'))}\.\d+ \(layout from {source}\)", lines[0]), prefix
            assert not notices("".join(outputs[gdb])), gdb
    for gdb, out in outputs.items():
        core = out[: len(commands) - (1 if dwarf else 0)]
        stack = check_commands(name, core, source)
        assert len(stack.groups) == n_groups, gdb
        if dwarf:
            # _Py_DebugOffsets of the live interpreter equal its DWARF.
            check(json.loads(out[-1].strip().splitlines()[-1]))
    # Both gdbs say the same, C frame numbers aside when only one has DWARF.
    assert [norm(o) for o in outputs["host"][1:]] == [norm(o) for o in outputs["root"][1:]]
