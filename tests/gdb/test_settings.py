"""`set cpython ...`: the defaults of README's table, max-frames, and what 0 and
`unlimited` mean (no limit of ours, reads capped at 2^30 of a kind).

tests/gdb/test_values.py sets every limit it checks; here a fresh gdb relies
on the defaults.
"""

import json
import re
from typing import List

from test_values import read_expected

from harness import newest, run_sections, running
from test_dump import document, dump

DEFAULTS = {"max-string": 512, "max-items": 200, "max-depth": 8, "max-output": 1024, "max-frames": 100000,
            "max-source-line": 300, "max-tasks": 10000}
FIELDS = {"max-string": "max_string", "max-items": "max_items", "max-depth": "max_depth",
          "max-output": "max_output", "max-frames": "max_frames", "max-source-line": "max_source_line",
          "max-tasks": "max_tasks"}
CAP = 1 << 30
LIMITS = ("python from cpython_gdb.gdb.state import limits; import json; l = limits(); "
          "print(json.dumps(dict(zip(type(l)._fields, l))))")


def test_default_limits():
    version = newest()
    with running(version, "values.py") as target:
        expected = read_expected(target.workdir)
        commands = [f"show cpython {name}" for name in DEFAULTS] + [
            "py-print big_str", "py-print big_list", "py-print deep", "py-print dict_300"]
        out = run_sections(commands, pid=target.pid)
        doc = document(dump(str(target.pid), "--locals", "--json"))
    for (name, value), shown in zip(DEFAULTS.items(), out):
        assert shown == f"cpython {name} is {value}.\n"
    big_str, big_list, deep, dict_300 = out[len(DEFAULTS):]
    assert big_str == "local 'big_str' = '" + "x" * 512 + "'... (10000000 chars)\n"  # max-string
    assert big_list == "local 'big_list' = [" + ", ".join(map(str, range(200))) + "]... (1000000 items)\n"  # max-items
    assert deep == "local 'deep' = " + "[" * 8 + "[...]" + "]" * 8 + "\n"  # max-depth
    whole = expected["dict_300"][1]
    assert len(whole) > 1024 and whole.count(": ") == 300
    assert dict_300 == f"local 'dict_300' = {whole[:1024]}...(truncated)\n"  # max-output
    # A dump's --locals: the same defaults.
    (main,) = [f for f in doc["threads"][0]["frames"]
               if f["kind"] == "python" and any(v["name"] == "big_str" for v in f["locals"])]
    reprs = {local["name"]: local["repr"] for local in main["locals"]}
    assert reprs["big_str"] == "'" + "x" * 512 + "'... (10000000 chars)"
    assert reprs["dict_300"] == whole[:1024] + "...(truncated)"


def py_bt_cut(full: str, frames: int) -> str:
    """FULL (py-bt's text) as far as its FRAMES-th Python frame, then the note that the walk stopped."""
    lines = full.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith('  File "')]
    assert len(starts) > frames
    end = starts[frames]
    while lines[end - 1].startswith("  <built-in ") or lines[end - 1].startswith("  Waiting for"):
        end -= 1  # C calls made by the next frame, not shown
    return "".join(lines[:end]) + f"  (stopped after {frames} frames)\n"


def test_max_frames(version):
    """Python frames walked per thread: py-bt, py-bt-full and py-threads stop after that many,
    and say so; 0 means no limit of ours."""
    commands: List[str] = ["show cpython max-frames", "py-bt"]
    for n in (3, 2, 1):
        commands += [f"set cpython max-frames {n}", "py-bt", "py-bt-full", "py-threads"]
    commands += ["set cpython max-frames 0", "show cpython max-frames", "py-bt", "py-threads"]
    with running(version, "recursion.py") as target:
        out = run_sections(commands, pid=target.pid)
    assert out[0] == "cpython max-frames is 100000.\n"
    full = out[1]
    assert full.count('  File "') == 7, full
    for i, n in enumerate((3, 2, 1)):
        bt, bt_full, threads = out[3 + 4 * i: 6 + 4 * i]
        assert bt == py_bt_cut(full, n), (n, bt)
        assert threads.endswith("\n" + bt), (n, threads)
        assert len(re.findall(r"^\[\d+\] #\d+ Frame 0x", bt_full, re.M)) == n, (n, bt_full)
        assert bt_full.endswith(f"\n(stopped after {n} frames)\n"), (n, bt_full)
    assert out[-3] == "cpython max-frames is unlimited.\n"
    assert out[-2] == full and out[-1].endswith("\n" + full)


def test_zero_and_unlimited_cap_reads_at_2_to_the_30():
    commands: List[str] = [LIMITS]
    for i, name in enumerate(DEFAULTS):
        commands += [f"set cpython {name} {'0' if i % 2 else 'unlimited'}", f"show cpython {name}"]
    commands += [LIMITS, "py-bt"]
    with running(newest(), "recursion.py") as target:
        out = run_sections(commands, pid=target.pid)
    assert json.loads(out[0]) == {FIELDS[name]: value for name, value in DEFAULTS.items()}
    for i, name in enumerate(DEFAULTS):
        assert out[2 + 2 * i] == f"cpython {name} is unlimited.\n"
    assert json.loads(out[-2]) == {field: CAP for field in FIELDS.values()}
    assert out[-1].count('  File "') == 7 and "stopped after" not in out[-1]
