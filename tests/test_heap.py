"""`cpython-gdb heap` (issue 15): the census of a live process and of its core, against the truth the
target computes itself (gc.get_objects() and sys.getsizeof, tests/programs/heap_population.py).

The populations are the issue's times HEAP_TEST_SCALE (default 0.05, for a
quick tier; 1 runs the issue's own numbers: 100,000 instances with a
__dict__, 20,000 with __slots__, 50,000 dicts, 200,000 ints, 100,000 strs).
"""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

import sid
from harness import PYTHONS, gcore, newest, running, stripped_copy, version_params
from report_check import MALLOC_ENV

SCALE = os.environ.get("HEAP_TEST_SCALE", "0.05")
USER_CLASSES = ("__main__.WithDict", "__main__.WithSlots", "__main__.Node", "__main__.HeldByFrame")
DEBIAN_PYTHON = Path("/usr/bin/python3.11")
# 2.7 and 3.6 keep the collector's generations in gcmodule.c's statics,
# which the census does not find yet: it refuses them (test_refused_before_3_7).
NO_HEAP = ("2.7", "3.6")


@pytest.fixture(params=version_params(exclude=NO_HEAP))
def version(request):
    return request.param


def heap(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cpython_gdb.cli.main", "heap", *args], stdin=subprocess.DEVNULL,
                          capture_output=True, encoding="utf-8", errors="replace", timeout=300)


def ok(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 0 and not result.stderr, (result.returncode, result.stderr)
    return result.stdout


def census(*args: str) -> Dict[str, Any]:
    doc: Dict[str, Any] = json.loads(ok(heap(*args, "--json")))
    return doc


def one_line_error(result: subprocess.CompletedProcess, status: int, *fragments: str) -> str:
    assert result.returncode == status, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and not result.stdout, result.stderr
    assert lines[0].startswith("cpython-gdb heap: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def by_type(doc: Dict[str, Any]) -> Dict[str, List[int]]:
    return {entry["type"]: [entry["count"], entry["bytes"]] for entry in doc["types"]}


def within(value: int, low: int, high: int, slack: float = 0.01) -> bool:
    return low * (1 - slack) <= value <= high * (1 + slack)


def check_against_truth(doc: Dict[str, Any], truth: Dict[str, Any]) -> None:
    types = by_type(doc)
    tracked = truth["tracked"]
    # The user classes: exactly what gc.get_objects() lists, bytes included.
    for name in USER_CLASSES:
        assert types[name] == tracked[name], name
    # gc.freeze()'d instances, which gc.get_objects() skips: the count made before freezing.
    assert types["__main__.Frozen"] == [truth["frozen"]["count"], truth["frozen"]["bytes"]]
    # dicts: at least the tracked ones (listed, or frozen), at most those plus the untracked dicts they
    # refer to (a few more: the io objects' dicts, which gc.get_referents does not show).
    low_count = tracked.get("dict", [0, 0])[0] + truth["frozen_dicts"][0]
    low_bytes = tracked.get("dict", [0, 0])[1] + truth["frozen_dicts"][1]
    high_count = low_count + truth["untracked_dicts"][0]
    high_bytes = low_bytes + truth["untracked_dicts"][1]
    count, size = types["dict"]
    assert low_count <= count <= high_count + 10, (count, low_count, high_count)
    assert within(size, low_bytes, high_bytes), (size, low_bytes, high_bytes)
    # At least the ints and strs of the two lists.
    assert types["int"][0] >= truth["ints"][0] and types["int"][1] >= truth["ints"][1]
    assert types["str"][0] >= truth["strs"][0] and types["str"][1] >= truth["strs"][1]
    summary = doc["summary"]
    assert summary["objects"] == sum(c for c, _ in types.values()) == summary["tracked"] + summary["referenced"]
    assert summary["bytes"] == sum(b for _, b in types.values())
    assert summary["unreadable"] == 0 and summary["partial"] is None
    assert [e["bytes"] for e in doc["types"]] == sorted((e["bytes"] for e in doc["types"]), reverse=True)


@pytest.mark.parametrize("old", NO_HEAP)
def test_refused_before_3_7(old):
    """GIVEN a 2.7 or 3.6 process WHEN heap reads it THEN one line says the census does not support it."""
    if old not in PYTHONS:
        pytest.skip(f"no pyenv CPython {old}")
    with running(old, "busy.py") as target:
        one_line_error(heap(str(target.pid)), 1, "2.7 or 3.6", "not supported")


def test_census_live_and_core(version, tmp_path):
    """GIVEN the populations WHEN heap reads the process and then its core THEN both match the truth."""
    truth_file = tmp_path / "truth.json"
    with running(version, "heap_population.py", str(truth_file), SCALE, env=MALLOC_ENV) as target:
        live = census(str(target.pid))
        text = ok(heap(str(target.pid), "--top", "5"))
        core = gcore(target.pid, tmp_path)
    truth = json.loads(truth_file.read_text())
    check_against_truth(live, truth)
    from_core = census(str(core))
    core.unlink()
    assert from_core["types"] == live["types"]
    assert from_core["target"]["kind"] == "core" and from_core["target"]["mapped_heap_bytes"] > 0
    assert live["target"]["resident_bytes"] > live["summary"]["bytes"]
    lines = text.splitlines()
    assert lines[0].startswith(f"Heap of process {target.pid} (CPython {live['target']['python']}): ")
    assert live["target"]["python"] in (".".join(map(str, truth["version"])), version)
    assert lines[1].split() == ["count", "bytes", "type"]
    top = live["types"][:5]
    assert [line.split()[2] for line in lines[2:7]] == [e["type"] for e in top]
    assert lines[7].endswith(f"({len(live['types']) - 5} more types)")
    assert lines[8].split()[:3] == [f"{live['summary']['objects']:,}", f"{live['summary']['bytes']:,}", "total:"]


def test_census_stripped_debian_python(tmp_path):
    """Debian's stripped /usr/bin/python3.11, live and its core: the same truth, from the generated layout table."""
    if not DEBIAN_PYTHON.exists():
        pytest.skip("no /usr/bin/python3.11")
    truth_file = tmp_path / "truth.json"
    with running("3.11", "heap_population.py", str(truth_file), SCALE, env=MALLOC_ENV,
                 python=DEBIAN_PYTHON) as target:
        live = census(str(target.pid))
        core = gcore(target.pid, tmp_path)
    check_against_truth(live, json.loads(truth_file.read_text()))
    assert census(str(core))["types"] == live["types"]
    core.unlink()


def test_census_stripped_copy(tmp_path):
    """A copy of the newest pyenv CPython without symbols or DWARF."""
    version = newest()
    options: Dict[str, Any] = stripped_copy(version, tmp_path / "stripped")
    env = dict(MALLOC_ENV, **options.pop("env", {}))
    truth_file = tmp_path / "truth.json"
    with running(version, "heap_population.py", str(truth_file), SCALE, env=env, **options) as target:
        live = census(str(target.pid))
    check_against_truth(live, json.loads(truth_file.read_text()))


def test_sort_top_type_refs_and_diff(tmp_path):
    """--sort count, --top, --type, --refs (--chain), and --diff finding the 10,000 objects added."""
    version = newest()
    truth_file = tmp_path / "truth.json"
    with running(version, "heap_population.py", str(truth_file), SCALE, env=MALLOC_ENV) as target:
        pid = str(target.pid)
        truth = json.loads(truth_file.read_text())
        by_count = ok(heap(pid, "--sort", "count", "--top", "3")).splitlines()
        counts = [int(line.split()[0].replace(",", "")) for line in by_count[2:5]]
        assert counts == sorted(counts, reverse=True) and len(by_count) == 8
        slotted = ok(heap(pid, "--type", "__main__.WithSlots", "--limit", "2")).splitlines()
        n_slotted = truth["tracked"]["__main__.WithSlots"][0]
        assert slotted[0] == f"{n_slotted:,} instances of __main__.WithSlots, the first 2 by address:"
        assert len(slotted) == 3 and all("<WithSlots(x=" in line for line in slotted[1:])
        refs = ok(heap(pid, "--refs", truth["instance"], "--chain")).splitlines()
        assert refs[0] == f"Referrers of {truth['instance']}:"
        assert refs[1].startswith(f"  {truth['instances_list']}  list  (list item 7)")
        assert "(dict value for key 'INSTANCES')" in refs[4] and "module  (md_dict)" in refs[5]
        assert refs[6].strip() == "a module"
        held = ok(heap(pid, "--refs", truth["held"], "--chain")).splitlines()
        assert held[1].startswith("  frame  (local 'held' of serve() in thread ")
        assert held[2].startswith("Kept alive by: held by local 'held' of serve() in thread ")
        before = tmp_path / "before.json"
        before.write_text(ok(heap(pid, "--json")))
        (tmp_path / "c1").mkdir()
        core_before = gcore(target.pid, tmp_path / "c1")
        os.kill(target.pid, signal.SIGUSR1)
        added = Path(str(truth_file) + ".added")
        deadline = time.monotonic() + 30
        while not added.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)
        diff = json.loads(ok(heap("--diff", str(before), pid, "--json")))
        text = ok(heap("--diff", str(core_before), pid)).splitlines()
    core_before.unlink()
    assert [(e["type"], e["count"]) for e in diff["grew"]] == [("__main__.Leak", 10_000)]
    assert text[1].split() == ["+count", "+bytes", "type"]
    assert text[2].split() == ["+10,000", f"+{diff['grew'][0]['bytes']:,}", "__main__.Leak"]
    assert not text[3].startswith(" ")


def test_errors(tmp_path):
    """Bad input: one line, an exit status, never a traceback."""
    one_line_error(heap(), 2, "missing PID|CORE")
    one_line_error(heap("999999999"), 1, "no process with id 999999999")
    one_line_error(heap(str(tmp_path / "nothing")), 1, "no such process or core file")
    not_core = tmp_path / "not-a-core"
    not_core.write_bytes(b"\x7fELF" + b"\0" * 100)
    one_line_error(heap(str(not_core)), 1, "not a usable core file")
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"tool": {}}')
    one_line_error(heap("--diff", str(bad_json), str(bad_json)), 2, "is not a census")
    one_line_error(heap("--top", "-1", "1"), 2, "--top")
    with running(newest(), "heap_population.py", str(tmp_path / "t.json"), "0.01") as target:
        pid = str(target.pid)
        one_line_error(heap(pid, "--refs", "nothex"), 2, "not an address: 'nothex'")
        one_line_error(heap(pid, "--type", "WithSlot"), 1, "no object of type 'WithSlot'")
        partial = census(pid, "--max-objects", "1000")
        assert partial["summary"]["partial"].startswith("stopped at the limit of 1,000 objects")
        assert partial["summary"]["objects"] == 1000
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        one_line_error(heap(str(sleeper.pid)), 1, f"process {sleeper.pid} is not a Python process")
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.parametrize("mode", ["items", "loop", "break"])
def test_corrupt_pointers_are_skipped_and_said(version, mode):
    """GIVEN list items that point nowhere or at garbage, a collector list that loops, or one that links to
    unmapped memory WHEN heap reads the process THEN it counts the rest, says unreadable and where the list
    broke, and finds what followed a broken list by reference."""
    if version.endswith("t"):
        pytest.skip("free-threaded builds have no collector lists")
    with running(version, "heap_corrupt.py", mode) as target:
        node3, node7, nodes, last = target.ready.split()
        doc = census(str(target.pid))
        refs = ok(heap(str(target.pid), "--refs", "0x" + last)).splitlines()
    summary = doc["summary"]
    types = by_type(doc)
    if mode == "items":
        assert summary["unreadable"] == 2 and summary["notes"] == []
        assert types["__main__.Victim"][0] == 2
    elif mode == "loop":
        assert summary["unreadable"] == 0
        assert summary["notes"] == [f"the generation 0 list of interpreter 0 loops at 0x{node3}"]
    else:
        assert summary["unreadable"] == 1
        assert summary["notes"] == ["the generation 0 list of interpreter 0 breaks at 0xdead0000"]
    # The lists after the damaged node, found from NODES all the same.
    assert refs[:2] == [f"Referrers of 0x{last}:", refs[1]] and refs[1].startswith(f"  0x{nodes}  list  (list item 9)")
    assert summary["partial"] is None and node7


@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
@pytest.mark.parametrize("name", ["3.14", "3.15"])
def test_census_sid(name):
    """CPython 3.14 and 3.15 of the Debian sid root, read from the host: live, and a core of the root's gdb
    (its executable given, as the core names it inside the root)."""
    sid.install()
    workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-heap-", dir=sid.inside(Path("/tmp"))))
    truth_file = workdir / "truth.json"
    try:
        with sid.running(name, "heap_population.py", str(sid.root_path(truth_file)), SCALE) as target:
            live = census(str(target.pid))
            sid.gcore(target, sid.root_path(workdir / "core"))
        check_against_truth(live, json.loads(truth_file.read_text()))
        assert live["target"]["python"].startswith(name)
        exe = str(sid.inside(Path(sid.INTERPRETERS[name])))
        assert census(str(workdir / "core"), "--exe", exe)["types"] == live["types"]
    finally:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)


if not PYTHONS:
    pytestmark = pytest.mark.skip("no CPython to test")


def test_each_interpreter_has_its_lists(version):
    """A subinterpreter's objects are on its own collector lists (3.9+): both interpreters are walked."""
    from cpython_gdb.direct.heap import process_heap
    from cpython_gdb.engine.heap.gc_lists import gc_lists
    from cpython_gdb.engine.runtime.tstate import interpreters

    with running(version, "thread_states.py", env=MALLOC_ENV) as target:
        result = process_heap(target.pid, use=lambda walk: (
            [(gl.interpreter, gl.name) for gl in gc_lists(walk.t, walk.runtime)]
            if not walk.t.scheme.free_threaded else [], len(interpreters(walk.t, walk.runtime))))
    lists, n_interpreters = result.extra
    assert n_interpreters == 2
    if version.endswith("t"):
        assert lists == []
    elif version in ("3.7", "3.8"):
        assert lists == [(0, "generation 0"), (0, "generation 1"), (0, "generation 2"), (0, "permanent")]
    else:
        assert sorted({i for i, _ in lists}) == [0, 1] and len(lists) == 8
    summary = census_of(result)
    assert summary["unreadable"] == 0 and summary["notes"] == [] and summary["objects"] > 1000


def census_of(result) -> Dict[str, Any]:
    from cpython_gdb.engine.heap.document import census_document

    return census_document(result.census, result.target)["summary"]


def test_progress_on_a_terminal(tmp_path):
    """stderr a terminal: a progress line with a percentage, erased before the census prints; else none."""
    import pty

    with running(newest(), "heap_population.py", str(tmp_path / "t.json"), "1") as target:
        controller, terminal = pty.openpty()
        try:
            proc = subprocess.run([sys.executable, "-m", "cpython_gdb.cli.main", "heap", str(target.pid), "--top", "1"],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=terminal, timeout=300)
            os.close(terminal)
            said = b""
            while True:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                said += chunk
        finally:
            os.close(controller)
        plain = heap(str(target.pid), "--top", "1")
    assert proc.returncode == 0 and proc.stdout.decode().startswith("Heap of process")
    text = said.decode()
    assert "\rcpython-gdb heap: 65,536 objects (lists " in text and "%)" in text, text
    assert text.endswith("\r\x1b[K"), text
    assert plain.returncode == 0 and plain.stderr == ""


def _size_mismatches(truth_file: Path):
    """A use= function: (type, getsizeof, ours) of each object of heap_sizes.py where they differ."""
    def use(walk) -> List[Any]:
        out = []
        type_at = walk.t.layout.off("PyObject.ob_type")
        for address, name, size in json.loads(truth_file.read_text()):
            obj = int(address, 16)
            shape = walk.shapes.get(walk.mem.u64(obj + type_at))
            ours = walk.sizer.size(obj, shape) if shape is not None else None
            if ours != size:
                out.append((name, size, ours))
        return out
    return use


def test_sizes_equal_getsizeof(version, tmp_path):
    """GIVEN objects of every kind the census sizes (tests/programs/heap_sizes.py) WHEN it sizes each THEN
    the bytes are what sys.getsizeof said in the target."""
    from cpython_gdb.direct.heap import process_heap

    truth_file = tmp_path / "sizes.json"
    with running(version, "heap_sizes.py", str(truth_file)) as target:
        result = process_heap(target.pid, use=_size_mismatches(truth_file))
    assert len(json.loads(truth_file.read_text())) > 50
    assert result.extra == []


@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
@pytest.mark.parametrize("name", ["3.14", "3.15"])
def test_sizes_equal_getsizeof_sid(name):
    from cpython_gdb.direct.heap import process_heap

    sid.install()
    workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-heap-", dir=sid.inside(Path("/tmp"))))
    try:
        truth_file = workdir / "sizes.json"
        with sid.running(name, "heap_sizes.py", str(sid.root_path(truth_file))) as target:
            result = process_heap(target.pid, use=_size_mismatches(truth_file))
        assert result.extra == []
    finally:
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)
