"""The answers of DWARF and symbols `cpython-gdb dump` keeps between runs (direct/answer_cache.py).

On a gcore core of tests/programs/thread_states.py (one stop, read again
and again): a cold run, a warm run and a run with the cache off print the
same `--native` text and the same built-in call lines; the warm run
answers from the cache file (a source file and a function name planted
there are what it prints);
a cache file written for other DWARF readers or damaged is ignored and
written anew; a cache directory that cannot be written changes nothing
but the time taken.
"""

import marshal
import os
from pathlib import Path
from typing import Any, Dict

import pytest

from cpython_gdb.engine.elf.image import ElfFile
from harness import PYTHONS, gcore, running
from report_check import MALLOC_ENV
from test_dump import dump, ok

PLANTED = "planted_by_the_test"


def libpython(minor: str) -> Path:
    lib = PYTHONS[minor].parent.parent / "lib"
    return next(lib.glob(f"libpython{minor}*.so.1.0"))


def build_id(path: Path) -> str:
    with open(path, "rb") as f:
        found = ElfFile(f, str(path)).build_id()
    assert found
    return found.hex()


@pytest.fixture(scope="module", params=["3.8", "3.12"])
def core(request, tmp_path_factory):
    minor = request.param
    if minor not in PYTHONS:
        pytest.skip(f"no CPython {minor}")
    directory = tmp_path_factory.mktemp(f"dwarf-cache-{minor}")
    with running(minor, "thread_states.py", env=MALLOC_ENV) as target:
        path = gcore(target.pid, directory)
    yield minor, path
    path.unlink()


def run(core_path: Path, cache: Path, *options: str, off: bool = False) -> str:
    env: Dict[str, str] = {"CPYTHON_GDB_CACHE_DIR": str(cache)}
    if off:
        env["CPYTHON_GDB_CACHE"] = "0"
    return ok(dump(str(core_path), *options, env=env))


def test_warm_equals_cold_and_off(core, tmp_path):
    minor, path = core
    cache = tmp_path / "cache"
    off = run(path, cache, "--native", off=True)
    assert not cache.exists()  # off: nothing written
    cold = run(path, cache, "--native")
    entry = cache / "files" / build_id(libpython(minor))
    assert entry.is_file()
    written = entry.stat().st_mtime_ns
    warm = run(path, cache, "--native")
    assert cold == off and warm == off
    assert "ceval.c" in off, off  # DWARF's lines are in the output
    assert entry.stat().st_mtime_ns == written  # nothing new to keep: not written again
    # The plain dump's built-in lines (from the C variables' locations) come from the cache as well.
    plain = run(path, cache, off=True)
    assert "<built-in " in plain, plain
    assert run(path, cache) == plain and run(path, cache) == plain


def _load(entry: Path) -> Any:
    return marshal.loads(entry.read_bytes())


def test_warm_run_answers_from_the_cache(core, tmp_path):
    minor, path = core
    cache = tmp_path / "cache"
    shown = run(path, cache, "--native")
    entry = cache / "files" / build_id(libpython(minor))
    stamp, at, inlined, variables, names = _load(entry)
    # A frame shown with its source file, and one shown with its name (the eval loop's are not shown).
    address = next(a for a, places in at.items() if places and f" at {places[-1][1]}:" in shown)
    at[address] = [(function, PLANTED + ".c", line) for function, _, line in at[address]]
    named = next(key for key, name in names.items() if name and f" in {name} " in shown)
    names[named] = PLANTED + "_function"
    entry.write_bytes(marshal.dumps((stamp, at, inlined, variables, names)))
    text = run(path, cache, "--native")
    assert PLANTED + ".c" in text and PLANTED + "_function" in text
    # Answers kept for other readers (their files changed) are not taken, and are replaced.
    stale = (stamp[:-1] + ((("elf", "dwarf_lines.py", 1, 1),),))
    entry.write_bytes(marshal.dumps((stale, at, inlined, variables, names)))
    assert PLANTED not in run(path, cache, "--native")
    assert _load(entry)[0] == stamp and PLANTED not in repr(_load(entry))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "wrong shapes"])
def test_damaged_cache_is_ignored_and_rewritten(core, tmp_path, damage):
    _, path = core
    cache = tmp_path / "cache"
    expected = run(path, cache, "--native", off=True)
    run(path, cache, "--native")
    entries = list((cache / "files").iterdir())
    assert entries
    for entry in entries:
        data = entry.read_bytes()
        if damage == "garbage":
            entry.write_bytes(os.urandom(len(data)))
        elif damage == "truncated":
            entry.write_bytes(data[: len(data) // 2])
        else:
            stamp, at, inlined, variables, names = marshal.loads(data)
            entry.write_bytes(marshal.dumps((stamp, {1: "not a list"}, [inlined], variables, names)))
    assert run(path, cache, "--native") == expected
    for entry in entries:  # written anew, whole
        stamp, at, inlined, variables, names = marshal.loads(entry.read_bytes())
        assert isinstance(at, dict) and isinstance(inlined, dict) and isinstance(names, dict)


def test_unwritable_cache_directory(core, tmp_path):
    _, path = core
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory\n")
    expected = run(path, tmp_path / "elsewhere", "--native", off=True)
    assert run(path, blocker, "--native") == expected  # and ok(): exit 0, nothing on stderr
    assert blocker.read_text() == "not a directory\n"
    assert not list(tmp_path.glob("a-file*.*"))  # no temporary file left behind
