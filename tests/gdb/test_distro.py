"""Debian's own /usr/bin/python3.11: stripped, with libpython linked in.

With python3.11-dbg installed gdb finds its DWARF by build id; with gdb's
debug-file-directory pointed elsewhere it has none, and the layout comes
from the 3.11 table (generated from pyenv's 3.11.7: Debian's 3.11.2 has
the same offsets for every field we read, which the DWARF run checks).
The outputs must be the same but for the lines that need C variables.
"""

import json
import re
import subprocess
from pathlib import Path

import pytest

from cpython_gdb.engine.layout.sources import load_table
from harness import notices, run_sections, run_sections_and_prefix, running

DEBIAN = Path("/usr/bin/python3.11")
NO_DWARF = ["-iex", "set debug-file-directory /nonexistent"]
LAYOUT = (
    "python from cpython_gdb.gdb.state import current_target; "
    "lay = current_target().layout; print(lay.source, lay.version_text)"
)
COMMANDS = [LAYOUT, "py-bt", "py-bt-full", "py-locals", "py-print v", "py-print obj", "py-print len",
            "py-list", "py-up", "py-locals", "py-print obj", "py-down", "bt"]


def _has_dbg() -> bool:
    proc = subprocess.run(["dpkg", "-s", "python3.11-dbg"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc.returncode == 0


pytestmark = [
    pytest.mark.skipif(not DEBIAN.exists(), reason="no Debian /usr/bin/python3.11"),
    pytest.mark.skipif(not _has_dbg(), reason="python3.11-dbg is not installed (.ci/run installs it)"),
]


def _python_only(text):
    # Drop the C built-in lines, which need C variables; the C frame numbers
    # differ too, since DWARF adds the inlined C functions as frames.
    lines = [line for line in text.splitlines() if not re.match(r"\s*(#\d+ )?<built-in ", line)]
    lines = [re.sub(r"^(\[\d+\] )?#\d+ ", r"\1#N ", line) for line in lines]
    return [re.sub(r"0x[0-9a-f]+", "0xADDR", line) for line in lines]


def test_debian_python_with_and_without_debug_info():
    with running("3.11", "recursion.py", python=DEBIAN) as target:
        dwarf, dwarf_prefix = run_sections_and_prefix(COMMANDS, pid=target.pid)
        bare, bare_prefix = run_sections_and_prefix(COMMANDS, pid=target.pid, extra=NO_DWARF)
    source, version = dwarf[0].split(None, 1)
    assert source == "DWARF" and version.startswith("CPython 3.11."), dwarf[0]
    assert bare[0].strip() == "generated table " + version.strip(), bare[0]
    assert notices(dwarf_prefix) == [f"cpython-gdb: {version.strip()} (layout from DWARF)"], dwarf_prefix
    assert notices(bare_prefix) == [f"cpython-gdb: {version.strip()} (layout from generated table)"], bare_prefix
    # With DWARF, the C built-in calls are shown too.
    assert "<built-in function sorted>" in dwarf[1]
    for command, a, b in zip(COMMANDS[1:-1], dwarf[1:-1], bare[1:-1]):
        assert _python_only(a) == _python_only(b), command
    assert 'line 18, in wait_here' in bare[1]
    assert "obj=<Foo(x=1, y='a') at remote" in bare[2]
    assert bare[4] == "local 'v' = 3\n"
    assert bare[6] == "builtin 'len' = <built-in function len>\n"
    assert ">  18" in bare[7] or ">18" in bare[7].replace(" ", "")
    # Plain bt: Python frames stand in for the eval loop's C frames either way.
    assert "wait_here [Python]" in dwarf[-1] and "wait_here [Python]" in bare[-1]


DUMP = (
    "python import json; from cpython_gdb.gdb.state import current_target; "
    "lay = current_target().layout; print(json.dumps({'offsets': dict(lay.offsets), 'sizes': dict(lay.sizes)}))"
)


def test_debian_dwarf_equals_the_table():
    """Patch releases may move internal fields: here none that we read moved."""
    with running("3.11", "recursion.py", python=DEBIAN) as target:
        (out,) = run_sections([DUMP], pid=target.pid)
    data = json.loads(out.strip().splitlines()[-1])
    table = load_table(3, 11)
    assert data["offsets"] == dict(table.offsets)
    assert data["sizes"] == dict(table.sizes)


def test_without_a_symbol_for_the_eval_loop(tmp_path):
    """A build whose symbol tables do not name the eval loop: Python frames only, and why."""
    data = DEBIAN.read_bytes()
    name = b"\0_PyEval_EvalFrameDefault\0"
    assert name in data  # in .dynstr (and a string in .rodata): the binary has no .symtab
    copy = tmp_path / "python3.11"
    copy.write_bytes(data.replace(name, b"\0_PyEval_EvalFrameDefaulX\0"))
    copy.chmod(0o755)
    with running("3.11", "recursion.py", python=copy, env={"PYTHONHOME": "/usr"}) as target:
        renamed = run_sections(COMMANDS[1:4], pid=target.pid, extra=NO_DWARF)
    with running("3.11", "recursion.py", python=DEBIAN) as target:
        normal = run_sections(COMMANDS[1:3], pid=target.pid, extra=NO_DWARF)
    bt, full, locals_ = renamed
    why = "(no symbol names the eval loop (_PyEval_EvalFrameDefault) in .symtab or .dynsym"
    assert bt.splitlines()[:-1] == normal[0].splitlines()
    assert bt.splitlines()[-1].startswith("  " + why), bt
    # Without C frames, py-bt-full has no frame numbers ("#?"): the rest is the same.
    assert _python_only(full.replace("#? ", "#N "))[:-1] == _python_only(normal[1])
    assert full.splitlines()[-1].startswith(why), full
    assert locals_ == "Locals for wait_here\nArguments:\n  v = 3\n"
