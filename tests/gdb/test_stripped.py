"""Without debug info: stripped copies of each interpreter give the same answers.

The layout then comes from the generated tables, and from 3.13 from the
interpreter's _Py_DebugOffsets over the tables. gdb cannot read C
variables, so the lines for C built-in calls (read from the ``func``
argument of the C call) are absent; every Python frame, line, local and
value is the same.
"""

import re
import subprocess
import sys

import pytest
from test_commands import foo

from harness import (
    PYTHONS,
    VERSIONS,
    gcore,
    minor_of,
    notices,
    run_sections,
    run_sections_and_prefix,
    running,
    stripped_copy,
)

COMMANDS = [
    "python from cpython_gdb.gdb.state import current_target; print(current_target().layout.source)",
    "py-bt",
    "py-bt-full",
    "py-up",
    "py-locals",
    "py-print v",
    "py-print len",
    "py-list",
]


def _python_only(text):
    # Drop the C built-in lines and C frame numbers, which need DWARF (py-bt-full's
    # Python frame numbers, "[N] ", stay).
    lines = [line for line in text.splitlines() if not re.match(r"\s*(#\d+ )?<built-in ", line)]
    lines = [re.sub(r"^(\[\d+\] )?#\d+ ", r"\1#N ", line) for line in lines]
    return [re.sub(r"0x[0-9a-f]+", "0xADDR", line) for line in lines]


@pytest.fixture(scope="module")
def stripped_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("stripped")


def version_text(version):
    """How the notice names CPython VERSION: X.Y.Z from 3.11 (Py_Version), X.Y before (its file names);
    followed by "free-threaded" for a build without the GIL, as the interpreter itself says it is one."""
    if minor_of(version) < (3, 11):
        return version
    ask = ("import platform, sysconfig; print(platform.python_version()"
           " + (' free-threaded' if sysconfig.get_config_var('Py_GIL_DISABLED') else ''))")
    return subprocess.run([str(PYTHONS[version]), "-c", ask],
                          stdout=subprocess.PIPE, encoding="ascii", check=True).stdout.strip()


def test_stripped_interpreter_matches_dwarf(version, stripped_dir):
    copy = stripped_copy(version, stripped_dir / version)
    with running(version, "recursion.py") as target:
        with_dwarf, dwarf_prefix = run_sections_and_prefix(COMMANDS, pid=target.pid)
    with running(version, "recursion.py", **copy) as target:
        without, bare_prefix = run_sections_and_prefix(COMMANDS, pid=target.pid)
    assert with_dwarf[0].strip() == "DWARF"
    newer = minor_of(version) >= (3, 13)
    source = "_Py_DebugOffsets" if newer else "generated table"
    assert without[0].strip() == source
    # gdb says once, when the hook loads, which CPython and layout it reads, on one line.
    text = version_text(version)
    assert notices(dwarf_prefix) == [f"cpython-gdb: CPython {text} (layout from DWARF)"], dwarf_prefix
    assert notices(bare_prefix) == [f"cpython-gdb: CPython {text} (layout from {source})"], bare_prefix
    assert not notices("".join(with_dwarf + without))
    for command, a, b in zip(COMMANDS[1:], with_dwarf[1:], without[1:]):
        assert _python_only(a) == _python_only(b), command
    assert 'in recursive_function' in without[1]
    assert foo(1, version).replace("0xADDR>", "") in without[2]
    assert without[5].strip() == "local 'v' = 3"


# Versions without _PyRuntime: their runtime is found from static variables,
# which only .symtab names (engine/runtime/anchor.py).
WITHOUT_PYRUNTIME = [v for v in VERSIONS if minor_of(v) < (3, 7)]


@pytest.mark.parametrize("minor", WITHOUT_PYRUNTIME)
def test_without_symtab_the_runtime_is_found_from_code(minor, stripped_dir, tmp_path):
    """A distribution's build has no .symtab: interp_head is found from the code of PyInterpreterState_Head,
    and gdb and dump show the same Python frames as with DWARF, live and on a core."""
    copy = stripped_copy(minor, stripped_dir / f"{minor}-all", symtab=False)

    def dump(*args):
        return subprocess.run([sys.executable, "-m", "cpython_gdb.cli.main", "dump", *args], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=300).stdout.decode()

    with running(minor, "recursion.py") as target:
        with_dwarf = run_sections(COMMANDS, pid=target.pid)
    with running(minor, "recursion.py", **copy) as target:
        without = run_sections(COMMANDS + ["py-threads"], pid=target.pid)
        live = dump(str(target.pid))
        core = gcore(target.pid, tmp_path)
    on_core = dump(str(core), "--exe", str(copy["python"]))
    assert without[0].strip() == "generated table"
    for command, a, b in zip(COMMANDS[1:], with_dwarf[1:], without[1:]):
        assert _python_only(a) == _python_only(b), command
    assert foo(1, minor).replace("0xADDR>", "") in without[2]
    assert without[-1].splitlines()[1] == "Main interpreter: GIL released", without[-1]
    stack = without[-1].split("\n\n", 1)[1].split("\n", 1)[1]  # under the thread's heading (a core has no OS name)
    for text in (live, on_core):
        assert text.splitlines()[1] == "Main interpreter: GIL released", text
        assert _python_only(text.split("\n\n", 1)[1].split("\n", 1)[1]) == _python_only(stack)
