"""record.frozen: the dataclass spelling, frozen, on the Pythons gdb embeds (3.8-3.15)."""

import importlib.util
import subprocess
from pathlib import Path

import pytest

import sid
from cpython_gdb.engine import record_new
from cpython_gdb.engine.layout import scheme_for
from cpython_gdb.engine.limits import Limits
from cpython_gdb.engine.model import PyFrame, TypeInfo
from cpython_gdb.engine.record import frozen, replace
from harness import PYTHONS, SID_ROOT, minor_of, version_params

SRC = Path(__file__).resolve().parents[2] / "src"
TOOLS = Path(__file__).resolve().parents[2] / "tools"


def test_fields_defaults_methods_and_frozenness() -> None:
    limits = Limits(max_items=3)
    assert (limits.max_output, limits.max_items, limits.max_frames) == (1024, 3, 100_000)
    assert replace(limits, max_depth=2) == Limits(max_items=3, max_depth=2)
    assert limits == Limits(max_items=3) and hash(limits) == hash(Limits(max_items=3))
    with pytest.raises(AttributeError):
        limits.max_items = 4  # type: ignore[misc]
    with pytest.raises(TypeError):
        Limits(max_lines=3)  # type: ignore[call-arg]
    heap = TypeInfo(address=1, name="C", flags=1 << 9, basicsize=16, itemsize=0, dictoffset=0, base=0,
                    dict_address=0)
    assert heap.is_heap and not replace(heap, flags=0).is_heap  # properties survive
    assert "entry_shim" in repr(PyFrame(address=1, code=None, lineno=None, locals_address=0,  # type: ignore[arg-type]
                                        globals_address=0, builtins_address=0, is_entry=False))
    assert scheme_for(3, 12).frame == "interpreter_frame"
    assert not hasattr(limits, "__dict__")


def test_every_written_out_constructor_and_past_them() -> None:
    """Each of record_new's constructors (and one compiled past them) keeps every field in its place,
    by position, by name and by default."""
    for count in (*range(1, record_new.MAX_FIELDS + 1), record_new.MAX_FIELDS + 5):
        names = [f"f{i}" for i in range(count)]
        made = frozen(type(f"R{count}", (), {"__annotations__": dict.fromkeys(names, "int"), names[-1]: -1}))
        assert tuple(made(*range(count))) == tuple(range(count))
        by_name = made(**{name: i * 2 for i, name in enumerate(names[:-1])})
        assert tuple(by_name) == (*range(0, 2 * (count - 1), 2), -1)
        assert made.__new__.__code__.co_varnames[:count + 1] == ("_cls", *names)


def test_written_out_constructors_are_the_generators() -> None:
    """src/cpython_gdb/engine/record_new.py is what tools/gen_record_new.py writes (run it after a change)."""
    spec = importlib.util.spec_from_file_location("gen_record_new", TOOLS / "gen_record_new.py")
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    assert Path(record_new.__file__).read_text() == generator.source()


CHECK = """
import sys
sys.path.insert(0, sys.argv[1])
from cpython_gdb.engine.limits import Limits
from cpython_gdb.engine import record_new
from cpython_gdb.engine.record import frozen, replace
limits = replace(Limits(max_items=3), max_depth=2)
try:
    limits.max_items = 4
except AttributeError:
    print(limits.max_output, limits.max_items, limits.max_depth)
"""


# The package runs in gdb's Python (3.8+, the oldest it supports) and our
# tools' (3.11); 2.7, 3.6 and 3.7 are only ever targets.
@pytest.mark.parametrize("minor", [p for p in version_params() if minor_of(p.values[0]) >= (3, 8)])
def test_same_on_every_pyenv_python(minor: str) -> None:
    out = subprocess.run([str(PYTHONS[minor]), "-c", CHECK, str(SRC)], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, timeout=60).stdout.decode()
    assert out.split() == ["1024", "3", "2"], out


@pytest.mark.parametrize("minor", ["3.14", "3.15"])
def test_same_on_sid_python(minor: str) -> None:
    """3.14 made class annotations lazy (PEP 649): gdb 18 in sid embeds it."""
    reason = sid.unavailable()
    if reason:
        pytest.skip(reason)
    package = sid.install().parent.parent
    argv = ["chroot", str(SID_ROOT), f"/usr/bin/python{minor}", "-c", CHECK, str(package)]
    out = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60).stdout.decode()
    assert out.split() == ["1024", "3", "2"], out
