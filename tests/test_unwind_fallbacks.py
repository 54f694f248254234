"""C frames of code that has no ``.eh_frame`` rules, without gdb: from ``.debug_frame``, else the frame pointer.

A C library called from Python (tests/programs/c_waits.py, through
ctypes) sleeps in libc. It is built here twice, with no unwind tables:
with ``-g`` (its CFI then goes to ``.debug_frame``), and without (no CFI
at all, but frame pointers). Either way the direct backend's C stack must
go on through the library's frame to ctypes, the eval loop and the
Python frames, as gdb's does (gdb reads ``.debug_frame`` too, and finds a
frame without CFI by analysing its prologue): the same frames, live and
on a core, with no note that the stack was cut short.
"""

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Dict, List

import pytest

from cpython_gdb.engine.elf.dwarf import section
from cpython_gdb.engine.elf.image import ElfFile
from cstack_check import gdb_view, same_threads
from harness import GDB, GDB_TIMEOUT, PROGRAMS, PYTHONS, VERSIONS, gcore, running, wait_blocked
from report_check import MALLOC_ENV, line_of
from test_dump import document, dump

NANOSLEEP_SYSCALL = 230  # clock_nanosleep on x86-64: where sleep() waits
SOURCE = """
#include <unistd.h>
int wait_here(int seconds) {
    volatile int slept = sleep(seconds);
    return slept + 1;
}
int crash_here(void) {
    volatile int *nowhere = 0;
    return *nowhere + 1;
}
"""
NO_TABLES = ["-fno-asynchronous-unwind-tables", "-fno-unwind-tables"]
BUILDS = {
    "debug_frame": ["-O0", "-g", *NO_TABLES],
    "frame_pointer": ["-O0", "-fno-omit-frame-pointer", *NO_TABLES],
}

pytestmark = [
    pytest.mark.skipif(not VERSIONS, reason="no CPython 3.8-3.13 under ~/.pyenv/versions"),
    pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc to build the test library (.ci/run installs it)"),
]


@pytest.fixture(scope="module")
def libraries(tmp_path_factory) -> Dict[str, Path]:
    """The library of each build, checked to have only the CFI the build is for."""
    directory = tmp_path_factory.mktemp("unwind-fallbacks")
    source = directory / "waits.c"
    source.write_text(SOURCE)
    built = {}
    for name, flags in BUILDS.items():
        library = directory / f"lib{name}.so"
        subprocess.run(["gcc", "-shared", "-fPIC", *flags, "-o", str(library), str(source)], check=True)
        built[name] = library
    for name, library in built.items():
        with library.open("rb") as f:
            has_debug_frame = section(ElfFile(f, str(library)), ".debug_frame") is not None
        assert has_debug_frame == (name == "debug_frame")
        assert _eh_frame_fdes(library) == [], name  # no .eh_frame rules for wait_here (nor anything else)
    return built


def _eh_frame_fdes(library: Path) -> List[str]:
    """The FDE lines readelf prints for the file's .eh_frame."""
    out = subprocess.run(["readelf", "-W", "--debug-dump=frames", str(library)], stdout=subprocess.PIPE,
                         check=True).stdout.decode()
    eh_frame = out.split("Contents of the .eh_frame section:")[1].split("Contents of the")[0] \
        if "Contents of the .eh_frame section:" in out else ""
    return [line for line in eh_frame.splitlines() if " FDE " in line]


def _check(doc: Dict[str, Any], library: Path) -> None:
    """The one thread's C stack goes through wait_here and on to the Python frames and main."""
    thread, = doc["threads"]
    frames = thread["frames"]
    assert thread["note"] is None, thread["note"]
    names = [f.get("function") for f in frames]
    at = names.index("wait_here")
    assert names[:at][-1] == "sleep" and frames[at]["library"] == str(library), names[:at + 2]
    python = [(f["function"], f["line"]) for f in frames if f["kind"] == "python"]
    assert python[0] == ("call_into_c", line_of("c_waits.py", "c-call"))
    assert all(f["level"] is not None for f in frames if f["kind"] == "python")  # each placed on its eval loop
    assert names.index("call_into_c") > at
    assert names[-1] in ("_start", "main"), names[-3:]


@pytest.mark.parametrize("build", BUILDS)
@pytest.mark.parametrize("minor", sorted({VERSIONS[0], VERSIONS[-1]}) if VERSIONS else [])
def test_frames_without_eh_frame_equal_gdb(minor, build, libraries, tmp_path):
    library = libraries[build]
    with running(minor, "c_waits.py", str(library), env=MALLOC_ENV) as target:
        wait_blocked(target.pid, [int(target.ready)], syscall=NANOSLEEP_SYSCALL)
        live = document(dump(str(target.pid), "--json", "--native"))
        _check(live, library)
        _, live_gdb, live_table = gdb_view(pid=target.pid)
        same_threads(live, live_gdb, live_table)
        core = gcore(target.pid, tmp_path)
    native = document(dump(str(core), "--json", "--native", "--exe", str(PYTHONS[minor])))
    _check(native, library)
    plain = document(dump(str(core), "--json", "--exe", str(PYTHONS[minor])))
    assert plain["threads"][0]["note"] is None and plain["threads"][0]["gil"] == "not held"
    gdb_plain, gdb_native, table = gdb_view(core=core, executable=PYTHONS[minor])
    same_threads(native, gdb_native, table)
    same_threads(plain, gdb_plain, table)
    assert native["threads"][0]["frames"] == live["threads"][0]["frames"]  # the same stop, read from a core


@pytest.mark.parametrize("build", BUILDS)
def test_crash_in_code_without_eh_frame_equals_gdb(build, libraries, tmp_path):
    """The newest frame itself has no .eh_frame rules: a SIGSEGV in the library's own code, post-mortem."""
    minor = VERSIONS[-1]
    argv = [str(PYTHONS[minor]), str(PROGRAMS / "c_waits.py"), str(libraries[build]), "crash"]
    core = tmp_path / "core.gdb"
    gdb = [GDB, "-q", "-batch", "-nx", "-iex", "set auto-load python-scripts off", "-ex", "run",
           "-ex", f"gcore {core}", "--args", *argv]
    out = subprocess.run(gdb, cwd=str(tmp_path), env=dict(os.environ, **MALLOC_ENV), stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=GDB_TIMEOUT).stdout
    assert b"SIGSEGV" in out and core.is_file(), out[-2000:]
    native = document(dump(str(core), "--json", "--native", "--exe", str(PYTHONS[minor])))
    thread, = native["threads"]
    assert thread["note"] is None, thread["note"]
    frames = [f for f in thread["frames"] if f["kind"] != "python"]
    assert (frames[0]["level"], frames[0]["function"]) == (0, "crash_here"), frames[:2]
    python = [(f["function"], f["line"]) for f in thread["frames"] if f["kind"] == "python"]
    assert python[0] == ("crash_in_c", line_of("c_waits.py", "c-crash"))
    plain = document(dump(str(core), "--json", "--exe", str(PYTHONS[minor])))
    gdb_plain, gdb_native, table = gdb_view(core=core, executable=PYTHONS[minor])
    same_threads(native, gdb_native, table)
    same_threads(plain, gdb_plain, table)
