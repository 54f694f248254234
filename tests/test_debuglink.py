"""A C library's separate debug file found by its ``.gnu_debuglink``, without gdb, as gdb finds it.

The library tests/programs/c_waits.py calls (through ctypes) sleeps in a
static function, named only by ``.symtab``. It is stripped here, its
symbols and DWARF kept in ``.debug/libwaits.so.debug`` beside it
(``objcopy --only-keep-debug``, ``--add-gnu-debuglink``), where only the
link leads: no build-id directory holds it. The direct backend must then
name the static function and give its source line, as gdb does; and must
not take a debug file whose CRC is not the one the link gives (gdb
refuses it too).
"""

import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from cstack_check import gdb_view, same_threads
from harness import PYTHONS, VERSIONS, gcore, running, wait_blocked
from report_check import MALLOC_ENV
from test_dump import document, dump
from test_unwind_fallbacks import NANOSLEEP_SYSCALL

SOURCE = """
#include <unistd.h>
static int nap(int seconds) {
    volatile int slept = sleep(seconds);  /* nap-line */
    return slept;
}
int wait_here(int seconds) {
    return nap(seconds) + 1;
}
"""
NAP_LINE = next(n for n, line in enumerate(SOURCE.splitlines(), 1) if "nap-line" in line)
VERSION = VERSIONS[-1] if VERSIONS else ""

pytestmark = [
    pytest.mark.skipif(not VERSIONS, reason="no CPython 3.8-3.13 under ~/.pyenv/versions"),
    pytest.mark.skipif(any(shutil.which(tool) is None for tool in ("gcc", "objcopy", "strip")),
                       reason="gcc or binutils is not installed (.ci/run installs them)"),
]


def _library(directory: Path, crc_matches: bool) -> Path:
    """libwaits.so, stripped, with its debug file in .debug/ (changed after linking where not ``crc_matches``)."""
    source, library = directory / "waits.c", directory / "libwaits.so"
    debug = directory / ".debug" / "libwaits.so.debug"
    debug.parent.mkdir()
    source.write_text(SOURCE)
    subprocess.run(["gcc", "-shared", "-fPIC", "-O0", "-g", "-o", str(library), str(source)], check=True)
    subprocess.run(["objcopy", "--only-keep-debug", str(library), str(debug)], check=True)
    subprocess.run(["strip", "--strip-debug", "--strip-unneeded", str(library)], check=True)
    subprocess.run(["objcopy", f"--add-gnu-debuglink={debug}", str(library)], check=True)
    symbols = subprocess.run(["nm", str(library)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT).stdout
    assert b" nap" not in symbols  # named by the debug file alone
    if not crc_matches:
        with debug.open("ab") as f:
            f.write(b"\0")
    return library


def _nap(doc: Dict[str, Any]) -> List[Optional[Any]]:
    """The native entry of the frame that called sleep: [function, file, line]."""
    frames = [f for f in doc["threads"][0]["frames"] if f["kind"] == "native"]
    at = [f["function"] for f in frames].index("sleep") + 1
    return [frames[at]["function"], frames[at]["file"], frames[at]["line"]]


@pytest.mark.parametrize("crc_matches", [True, False], ids=["linked", "other-crc"])
def test_debug_file_by_link_equals_gdb(crc_matches, tmp_path):
    library = _library(tmp_path, crc_matches)
    with running(VERSION, "c_waits.py", str(library), env=MALLOC_ENV) as target:
        wait_blocked(target.pid, [int(target.ready)], syscall=NANOSLEEP_SYSCALL)
        live = document(dump(str(target.pid), "--json", "--native"))
        core = gcore(target.pid, tmp_path)
    native = document(dump(str(core), "--json", "--native", "--exe", str(PYTHONS[VERSION])))
    expected = ["nap", str(tmp_path / "waits.c"), NAP_LINE] if crc_matches else [None, None, None]
    assert _nap(live) == _nap(native) == expected
    assert native["threads"][0]["note"] is None
    _, gdb_native, table = gdb_view(core=core, executable=PYTHONS[VERSION])
    same_threads(native, gdb_native, table)
