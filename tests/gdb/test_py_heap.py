"""py-heap and py-refs in gdb (issue 15): the same census as `cpython-gdb heap`, live and on cores."""

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import sid
from harness import gcore, minor_of, newest, run_sections, running, version_params
from report_check import MALLOC_ENV
from test_heap import NO_HEAP, SCALE, census, check_against_truth

# The census's types as JSON, printed by gdb's Python through the command's own walk.
TYPES = ("python import json; from cpython_gdb.gdb.commands.py_heap import heap_walk; "
         "from cpython_gdb.engine.heap.document import census_document; c, w, f = heap_walk(False); "
         "print(json.dumps(census_document(c, f)))")


def _one_line(section: str) -> str:
    lines = [line for line in section.splitlines() if line.strip()]
    assert len(lines) == 1, section
    assert "Traceback" not in section and "Python Exception" not in section, section
    return lines[0]


@pytest.mark.parametrize("version", version_params(exclude=NO_HEAP))
def test_py_heap_live_and_core(version, tmp_path):
    """GIVEN the populations WHEN py-heap runs in gdb, attached and on a core THEN the CLI's census, the truth."""
    truth_file = tmp_path / "truth.json"
    with running(version, "heap_population.py", str(truth_file), SCALE, env=MALLOC_ENV) as target:
        truth = json.loads(truth_file.read_text())
        cli = census(str(target.pid))
        commands = [TYPES, "py-heap --top 3", "py-heap --sort count --top 2",
                    "py-heap --type __main__.WithDict --limit 2", f"py-refs {truth['instance']}",
                    f"py-refs {truth['instance']} --chain", "py-heap --type NoSuchType",
                    f"py-refs {truth['held']} --chain", f"py-refs {truth['cycle']}"]
        live = run_sections(commands, pid=target.pid)
        core = gcore(target.pid, tmp_path)
    on_core = run_sections([TYPES, "py-heap --top 3"], core=core, executable=Path(target.proc.args[0]))
    core.unlink()
    doc = json.loads(live[0].strip().splitlines()[-1])
    check_against_truth(doc, truth)
    assert doc["types"] == cli["types"]
    assert json.loads(on_core[0].strip().splitlines()[-1])["types"] == cli["types"]
    top = live[1].splitlines()
    heading = rf"Heap of process {target.pid} \(CPython {re.escape(version.rstrip('t'))}(\.\d+)?\): [\d,]+ objects, .*"
    assert re.fullmatch(heading, top[0]), top[0]
    assert [line.split()[2] for line in top[2:5]] == [e["type"] for e in cli["types"][:3]]
    assert on_core[1].splitlines()[2:] == top[2:-1]
    assert top[-1].startswith("resident size of the process: ")  # live only
    by_count = live[2].splitlines()
    assert [line.split()[2] for line in by_count[2:4]] == [
        e["type"] for e in sorted(cli["types"], key=lambda e: (-e["count"], -e["bytes"], e["type"]))[:2]]
    instances = live[3].splitlines()
    n = truth["tracked"]["__main__.WithDict"][0]
    assert instances[0] == f"{n:,} instances of __main__.WithDict, the first 2 by address:"
    assert all(re.fullmatch(r"  0x[0-9a-f]+  <WithDict\(number=\d+, name='w'\) at remote 0x[0-9a-f]+>", line)
               for line in instances[1:]), instances
    refs = live[4].splitlines()
    assert refs[0] == f"Referrers of {truth['instance']}:"
    assert refs[1].startswith(f"  {truth['instances_list']}  list  (list item 7)  [<WithDict(")
    assert len(refs) == 2
    chain = live[5].splitlines()
    assert chain[:2] == refs and chain[2] == "Kept alive by:"
    assert "(dict value for key 'INSTANCES')" in chain[4] and "module  (md_dict)" in chain[5]
    assert "no object of type 'NoSuchType' in the heap" in _one_line(live[6])
    # Held only by a local variable of a running function (a frame object up to 3.10, not from 3.11).
    held = live[7].splitlines()
    assert re.fullmatch(r"  frame  \(local 'held' of serve\(\) in thread \d+\)", held[1]), held
    assert re.fullmatch(r"Kept alive by: held by local 'held' of serve\(\) in thread \d+", held[2]), held
    # CYCLE: held by a slot, by the other Node's attribute (in split or inline values from 3.11, in its
    # __dict__ before) and by a global.
    cycle = sorted(live[8].splitlines()[1:])
    assert any(line.startswith(f"  {truth['slotted5']}  __main__.WithSlots  (attribute 'y' (slot))")
               for line in cycle), cycle
    in_values = f"  {truth['cycle_other']}  __main__.Node  (attribute 'other')"
    in_dict = f"  {truth['cycle_other']}  __main__.Node  (attribute 'other' (in its __dict__ 0x"
    assert any(line.startswith(in_values if minor_of(version) >= (3, 11) else in_dict) for line in cycle), cycle
    assert any("(dict value for key 'CYCLE')" in line for line in cycle), cycle


def test_py_heap_bounds_and_errors():
    """max-heap-objects makes a partial census; bad arguments are one-line errors."""
    with tempfile.TemporaryDirectory() as tmp, \
            running(newest(), "heap_population.py", str(Path(tmp) / "t.json"), "0.01") as target:
        commands = ["show cpython max-heap-objects", "set cpython max-heap-objects 500", "py-heap --top 1",
                    "py-heap --bogus", "py-heap --top x", "py-heap --sort size", "py-heap --type",
                    "py-refs", "py-refs 1 2", "py-refs nonsense_symbol", "py-refs 0x10"]
        out = run_sections(commands, pid=target.pid)
    assert out[0].strip() == "cpython max-heap-objects is 50000000."
    partial = out[2].splitlines()
    assert "500 objects" in partial[0] and partial[1] == "PARTIAL: stopped at the limit of 500 objects " \
                                                          "(set cpython max-heap-objects)"
    assert "unknown argument '--bogus'" in _one_line(out[3])
    assert "--top: not a count: 'x'" in _one_line(out[4])
    assert "--sort takes bytes or count" in _one_line(out[5])
    assert "--type needs a type name" in _one_line(out[6])
    assert _one_line(out[7]) == _one_line(out[8]) == "usage: py-refs ADDR [--chain]"
    assert "not an address: 'nonsense_symbol'" in _one_line(out[9])
    refs = out[10].splitlines()
    assert refs == ["Referrers of 0x10 (not an object the census found):",
                    "  none among the objects the census walks"]


def test_py_heap_without_a_process_or_python():
    assert "no process" in _one_line(run_sections(["py-heap"])[0])
    sleeper = subprocess.Popen(["sleep", "600"])
    try:
        out = run_sections(["py-heap", "py-refs 0x1000"], pid=sleeper.pid)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert all("no CPython runtime" in _one_line(section) for section in out)


@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
@pytest.mark.parametrize("name, dwarf", [("3.14", True), ("3.14", False), ("3.15", True), ("3.15", False)])
def test_py_heap_sid(name, dwarf):
    """Debian sid's 3.14 and 3.15 in the host's gdb, with DWARF and from _Py_DebugOffsets: the CLI's census."""
    hook = sid.install()
    workdir = Path(tempfile.mkdtemp(prefix="cpython-gdb-heap-", dir=sid.inside(Path("/tmp"))))
    try:
        truth_file = workdir / "truth.json"
        with sid.running(name, "heap_population.py", str(sid.root_path(truth_file)), SCALE) as target:
            cli = census(str(target.pid))
            out = sid.sections([TYPES], target, name, "host", dwarf, hook)
        doc = json.loads(out[0].strip().splitlines()[-1])
        check_against_truth(doc, json.loads(truth_file.read_text()))
        assert doc["types"] == cli["types"]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(sid.inside(hook).parent.parent, ignore_errors=True)


INTERRUPT = """python
import os, signal, threading
threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
gdb.execute("py-heap --top 1")
end"""


def test_ctrl_c_stops_a_walk_with_a_partial_census(tmp_path):
    """GIVEN a heap of over a million objects WHEN gdb gets SIGINT during py-heap THEN the census so far is
    printed marked partial, and the next py-heap walks again, whole."""
    with running(newest(), "heap_population.py", str(tmp_path / "t.json"), "2") as target:
        script = tmp_path / "interrupt.gdb"
        script.write_text(INTERRUPT + "\n")
        out = run_sections([f"source {script}", "py-heap --top 1"], pid=target.pid)
    first, second = out[0].splitlines(), out[1].splitlines()
    assert first[1] == "PARTIAL: interrupted", first
    assert "PARTIAL" not in out[1]
    total = int(second[0].split(": ")[1].split()[0].replace(",", ""))
    assert int(first[0].split(": ")[1].split()[0].replace(",", "")) < total
    assert "Traceback" not in out[0] and "Python Exception" not in out[0]


def test_py_heap_on_corrupt_lists_says_where_they_break():
    with running(newest(), "heap_corrupt.py", "break") as target:
        out = run_sections(["py-heap --top 1", "py-heap --top 1"], pid=target.pid)
    lines = out[0].splitlines()
    assert lines[-3] == "unreadable: 1 (pointers that lead to no readable object: skipped)"
    assert lines[-2].startswith("resident size of the process: ")
    assert lines[-1] == "note: the generation 0 list of interpreter 0 breaks at 0xdead0000"
    assert out[1] == out[0]  # the walk kept for the stop: said the same again
