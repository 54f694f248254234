"""Source "files" that are not files, and a source line of 12 MB (issue 16).

A program run as ``python /dev/stdin < script.py``, with frames whose
file names are a FIFO and /dev/zero, must not make py-bt, py-list or dump
block reading them (the commands run with a stdin that never ends, as a
terminal's): those frames print without a source line. A 12 MB source
line is cut at max-source-line characters, the same in py-bt, py-list,
py-bt-full and dump, the cut marked.
"""

import json
import re

from harness import PROGRAMS, PYTHONS, gcore, gdb_argv, run_sections
from hostile import dump_argv, launched, run_held

TRUNCATED = "...(truncated)"  # marks a cut, as in values


def _frames(text: str):
    """(file, function, source line or None) of each frame of a py-bt output."""
    found = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        match = re.match(r'\s*File "(.*)", line \d+, in (.*)$', line)
        if match:
            following = lines[i + 1] if i + 1 < len(lines) else ""
            source = following.strip() if following.startswith("    ") and "File " not in following else None
            found.append((match.group(1), match.group(2), source))
    return found


def _expected(fifo: str):
    return [("/dev/stdin", "wait_here", None), (fifo, "call", None), ("/dev/zero", "call", None),
            ("/dev/stdin", "<module>", None)]


def test_sources_that_are_not_files(version, tmp_path):
    program = PROGRAMS / "nonfile_sources.py"
    with launched(version, ["/dev/stdin"], stdin_file=program, env={"PYTHONPATH": str(PROGRAMS)}) as target:
        fifo = target.ready.strip()
        live = run_held(gdb_argv(["py-bt", "py-list", "thread apply all py-bt", "py-bt-full"], pid=target.pid))
        direct = run_held(dump_argv(str(target.pid)))
        as_json = run_held(dump_argv(str(target.pid), "--json"))
        core = gcore(target.pid, tmp_path)
        on_core = run_held(gdb_argv(["py-bt"], core=core, executable=PYTHONS[version]))
        core_direct = run_held(dump_argv(str(core)))
    out = live.stdout.decode()
    frames = _frames(out)
    # py-bt, then thread apply all py-bt: the same frames, none with a source line.
    assert frames == _expected(fifo) * 2, out
    assert "Unable to read source file /dev/stdin" in out, out
    assert "Python Exception" not in out, out
    for result in (direct, core_direct, on_core):
        assert result.returncode == 0, result.stderr
        assert _frames(result.stdout.decode()) == _expected(fifo), result.stdout.decode()
    doc = json.loads(as_json.stdout)
    python = [f for t in doc["threads"] for f in t["frames"] if f["kind"] == "python"]
    assert [(f["file"], f["function"], f["source"]) for f in python] == _expected(fifo)


def test_long_source_line_is_cut(version, tmp_path):
    with launched(version, [str(PROGRAMS / "long_line.py")]) as target:
        module = target.workdir / "long_line_module.py"
        line = module.read_text().splitlines()[3]
        sections = run_sections(
            ["py-bt", "py-list", "py-bt-full", "show cpython max-source-line", "set cpython max-source-line 40",
             "py-bt", "py-list 4, 4", "set cpython max-source-line unlimited", "py-list 4, 4"],
            pid=target.pid,
        )
        direct = run_held(dump_argv(str(target.pid)))
        as_json = run_held(dump_argv(str(target.pid), "--json"))
        core = gcore(target.pid, tmp_path)
        core_direct = run_held(dump_argv(str(core), "--json"))
    py_bt, py_list, full, shown, _, py_bt_40, py_list_40, _, py_list_all = sections
    text = line.strip()
    assert len(text) > 12 << 20
    cut, cut_40 = text[:300] + TRUNCATED, text[:40] + TRUNCATED
    assert f"\n    {cut}\n" in py_bt and len(py_bt) < 2000, py_bt[:2000]
    # py-list keeps the indentation and cuts the text at the same character.
    assert f"  >4        {cut}\n" in py_list and len(py_list) < 2000, py_list[:2000]
    assert f"\n    {cut}\n" in full, full[:2000]
    assert "cpython max-source-line is 300." in shown
    assert f"\n    {cut_40}\n" in py_bt_40, py_bt_40
    assert py_list_40 == f"  >4        {cut_40}\n", py_list_40
    assert py_list_all == f"  >4    {line}\n"
    assert f"\n    {cut}\n" in direct.stdout.decode()
    for result in (as_json, core_direct):
        sources = [f["source"] for t in json.loads(result.stdout)["threads"] for f in t["frames"]
                   if f["kind"] == "python" and f["function"] == "in_long_line"]
        assert sources == [cut]
