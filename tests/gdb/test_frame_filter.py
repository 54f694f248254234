"""Plain `bt` shows the Python frames in place of the eval-loop C frames."""

import re

from harness import eval_loop, minor_of, run_sections, running

PY_LINE = re.compile(r"(?:#\d+\s+)?(\S+) \[Python\] \(\) at (\S+):(\d+)$")


def _python_entries(bt):
    found = []
    for line in bt.splitlines():
        match = PY_LINE.match(line.strip())
        if match:
            found.append((match.group(1), int(match.group(3))))
    return found


def test_bt_shows_python_frames_and_no_filters_gives_raw_stack(version):
    with running(version, "recursion.py") as target:
        bt, raw, _, disabled, info = run_sections(
            ["bt", "bt -no-filters", "disable frame-filter global cpython-gdb", "bt", "info frame-filter"],
            pid=target.pid,
        )
    names = [name for name, _ in _python_entries(bt)]
    if minor_of(version) < (3, 11):
        # Code objects have no co_qualname before 3.11: the short name shows.
        names = ["recursive_function.<locals>." + n if n == "<lambda>" else n for n in names]
    assert names == [
        "wait_here",
        "recursive_function.<locals>.<lambda>",
        "recursive_function",
        "recursive_function",
        "recursive_function",
        "recursive_function",
        "<module>",
    ], bt
    lines = [line for _, line in _python_entries(bt)]
    assert lines[0] == 18 and lines[-1] == 31
    # The raw stack still has the C frames of the eval loop and no Python ones.
    assert eval_loop(version) in raw and "[Python]" not in raw
    assert eval_loop(version) not in bt
    assert "[Python]" not in disabled
    assert "cpython-gdb" in info
