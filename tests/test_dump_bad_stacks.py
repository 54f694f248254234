"""cpython-gdb dump without gdb, on C stacks it cannot follow to their end.

A stack pointer outside any mapping, a pc or a return address in no
mapped file, a core without the stack's pages, a damaged ``.eh_frame``,
a thread whose registers cannot be read: that thread's C stack ends with
a one-line reason (its ``note``, printed under its native stack), never
with frames made of garbage; its Python frames still print; the other
threads are as they were; exit status 0.

The cores are gcore cores of tests/programs/deadlock.py (two threads,
each blocked on a lock), changed where a writer or the hardware could
have left them wrong.
"""

import json
import shutil
import struct
from pathlib import Path
from typing import Any, Dict

import pytest

from cpython_gdb.direct.core import CoreMemory, core_mappings
from cpython_gdb.direct.images import Images
from cpython_gdb.direct.registers import frame_zero
from cpython_gdb.direct.stacks import LEVELS
from cpython_gdb.engine.elf.corefile import CoreFile
from cpython_gdb.engine.elf.image import ElfFile
from cpython_gdb.engine.native.unwind import Unwinder
from harness import PYTHONS, VERSIONS, gcore, running, wait_blocked
from hostile import RIP, RSP, drop_memory, set_register, write_memory
from report_check import MALLOC_ENV, line_of
from test_dump import dump, ok

pytestmark = pytest.mark.skipif(not VERSIONS, reason="no CPython 3.8-3.13 under ~/.pyenv/versions")
VERSION = VERSIONS[-1] if VERSIONS else ""
UNMAPPED = 0x10_0000_0000  # below any mapping of a process here: no file, no stack


@pytest.fixture(scope="module")
def deadlock(tmp_path_factory) -> Dict[str, Any]:
    workdir = tmp_path_factory.mktemp("bad-stacks")
    with running(VERSION, "deadlock.py", env=MALLOC_ENV) as target:
        lwps = json.loads(target.ready)
        wait_blocked(target.pid, list(lwps.values()))
        core = gcore(target.pid, workdir)
    return {"core": core, "lwp": lwps, "dir": workdir, "doc": _doc(core)}


def _doc(core: Path, *options: str) -> Dict[str, Any]:
    return json.loads(ok(dump(str(core), "--json", "--exe", str(PYTHONS[VERSION]), *options)))


def _threads(doc: Dict[str, Any]) -> Dict[int, Dict[str, Any]]:
    return {t["lwp"]: t for t in doc["threads"]}


def _python(thread: Dict[str, Any]):
    return [(f["function"], f["line"]) for f in thread["frames"] if f["kind"] == "python"]


def _changed(deadlock: Dict[str, Any], name: str, change) -> Path:
    data = bytearray(deadlock["core"].read_bytes())
    change(data, CoreFile(str(deadlock["core"])))
    path = deadlock["dir"] / name
    path.write_bytes(bytes(data))
    return path


def _registers(core: CoreFile, lwp: int):
    return next(t.registers for t in core.threads if t.lwp == lwp)


def _check(deadlock: Dict[str, Any], core: Path, *reason: str) -> Dict[str, Any]:
    """The worker's C stack ends with REASON; everything else is as in the unchanged core's dump."""
    worker, main = deadlock["lwp"]["worker"], deadlock["lwp"]["main"]
    before = _threads(deadlock["doc"])
    for options in ((), ("--native",)):
        after = _threads(_doc(core, *options))
        note = after[worker]["note"]
        assert note.startswith("C stack cut short: ") and "\n" not in note, note
        for fragment in reason:
            assert fragment in note, note
        assert _python(after[worker]) == _python(before[worker])
        assert _python(after[worker])[0] == ("worker", line_of("deadlock.py", "worker-lock"))
        if not options:
            assert after[main] == before[main]
    text = ok(dump(str(core), "--native", "--exe", str(PYTHONS[VERSION])))
    assert f"({note})" in text and 'line {}, in main'.format(line_of("deadlock.py", "main-lock")) in text
    return after[worker]


def test_stack_pointer_outside_any_mapping(deadlock):
    lwp = deadlock["lwp"]["worker"]
    core = _changed(deadlock, "rsp", lambda data, _: set_register(data, lwp, RSP, UNMAPPED))
    worker = _check(deadlock, core, "stack unreadable")
    # Its pc is real: frame 0 only (with the calls DWARF says are inlined there, at its level).
    assert {f["level"] for f in worker["frames"] if f["kind"] == "native"} == {0}


def test_pc_in_no_mapped_file(deadlock):
    lwp = deadlock["lwp"]["worker"]
    core = _changed(deadlock, "rip", lambda data, _: set_register(data, lwp, RIP, UNMAPPED))
    worker = _check(deadlock, core, f"at {UNMAPPED:#x} (no mapped file)", "no file mapped")
    assert [(f["pc"], f["function"]) for f in worker["frames"] if f["kind"] == "native"] == [(UNMAPPED, None)]


def test_return_address_in_no_mapped_code(deadlock):
    lwp = deadlock["lwp"]["worker"]

    def change(data, info):
        # Where the newest frame keeps its return address: just below its caller's stack pointer.
        mappings = core_mappings(info, info.executable(str(PYTHONS[VERSION]))[2], str(PYTHONS[VERSION]))
        with CoreMemory(info, mappings) as memory:
            pc, regs = frame_zero(_registers(info, lwp))
            images = Images(mappings, None, "", every_name=False)
            caller = Unwinder(images, lambda a: struct.unpack("<Q", memory.read(a, 8))[0]).step(pc, regs, True)
        write_memory(data, caller[1][7] - 8, struct.pack("<Q", UNMAPPED))

    core = _changed(deadlock, "ra", change)
    worker = _check(deadlock, core, f"return address {UNMAPPED:#x} is in no mapped code")
    assert {f["level"] for f in worker["frames"] if f["kind"] == "native"} == {0}


def test_core_without_the_stack(deadlock):
    lwp = deadlock["lwp"]["worker"]
    core = _changed(deadlock, "nostack", lambda data, info: drop_memory(data, _registers(info, lwp)[RSP]))
    _check(deadlock, core, "stack unreadable")


def test_damaged_eh_frame(tmp_path):
    """A libpython whose .eh_frame is overwritten (it still runs: nothing here throws or cancels)."""
    python = PYTHONS[VERSION]
    libs = sorted((python.parent.parent / "lib").glob(f"libpython{VERSION}*.so.1.0"))
    if not libs:
        pytest.skip("no shared libpython")
    (tmp_path / "lib").mkdir()
    copy = Path(shutil.copy2(libs[0], tmp_path / "lib" / libs[0].name))
    with open(copy, "rb") as f:
        section = next(sh for name, sh in ElfFile(f, str(copy)).sections if name == ".eh_frame")
    data = bytearray(copy.read_bytes())
    data[section[4]:section[4] + section[5]] = b"\xa5" * section[5]
    copy.write_bytes(bytes(data))
    env = dict(MALLOC_ENV, LD_LIBRARY_PATH=str(tmp_path / "lib"))
    with running(VERSION, "deadlock.py", env=env) as target:
        lwps = json.loads(target.ready)
        wait_blocked(target.pid, list(lwps.values()))
        doc = json.loads(ok(dump(str(target.pid), "--json", "--native")))
        text = ok(dump(str(target.pid)))
    for thread in doc["threads"]:
        assert thread["note"].startswith("C stack cut short: ") and str(copy) in thread["note"], thread["note"]
        natives = [f for f in thread["frames"] if f["kind"] == "native"]
        # The C library's frames, down to the first of libpython's: no garbage after it.
        assert natives[-1]["library"] == str(copy) and natives[-1]["function"]
        assert all(f["level"] is None for f in thread["frames"] if f["kind"] == "python")
        assert thread["lock_wait"]
    for role, function in (("main", "main"), ("worker", "worker")):
        assert f'line {line_of("deadlock.py", f"{role}-lock")}, in {function}' in text


def test_thread_without_registers(deadlock):
    """A thread whose registers cannot be read (gone between the listing of threads and the read)."""
    info = CoreFile(str(deadlock["core"]))
    name = info.executable(str(PYTHONS[VERSION]))[2]
    mappings = core_mappings(info, name, str(PYTHONS[VERSION]))
    from cpython_gdb.direct.documents import Process, build, os_thread
    from cpython_gdb.direct.symbols import find_runtime

    with CoreMemory(info, mappings) as memory:
        runtime = find_runtime(memory, mappings, name)
        threads = [os_thread(t.lwp, None, None if t.lwp == deadlock["lwp"]["worker"] else t.registers)
                   for t in info.threads]
        doc, _ = build(memory, runtime, threads, Process({}, mappings, name), False, LEVELS)
    before = _threads(deadlock["doc"])
    worker = _threads(doc)[deadlock["lwp"]["worker"]]
    assert worker["note"] == "C stack cut short: its registers cannot be read (the thread is gone?)"
    assert _python(worker) == _python(before[deadlock["lwp"]["worker"]])
    assert all(f["level"] is None for f in worker["frames"])
