"""The printers of range, slice, descriptors, collections, datetime, enum and
functools.partial values, decimal.Decimal (3.x), generators, coroutines and
async generators, and the form of a truncated value, in real gdb.

tests/programs/printers.py makes the values as globals and writes
what each must print: its own repr() with `` at 0x`` made `` at remote 0x``,
except these documented forms:

- classmethod and staticmethod show what they wrap on every version, as
  3.10+'s repr() does: ``<classmethod(<function plain at remote 0x...>)>``;
- functools.partial shows its function, arguments and keywords as 3.x's
  repr() does, ``functools.partial(<function plain at remote 0x...>, 1)``,
  and on 2.7 as 2.7's repr(), ``<functools.partial object at remote 0x...>``;
- enum members show ``<Color.RED: 1>`` (their repr(), without calling it);
- a truncated str, bytes or container ends in ``...`` after its closing
  quote or bracket, with its full length: ``'xxxx'... (10000 chars)``,
  ``[0, 1]... (300 items)``;
- a generator, coroutine or async generator says where it is, as Python
  says (its frame's file and f_lineno, gi_running / cr_running,
  gi_yieldfrom / cr_await / ag_await, no frame once finished):
  ``<generator object counting at remote 0x..., suspended at FILE:LINE>``,
  ``..., not started at FILE:LINE>``, ``..., running at FILE:LINE>``,
  ``..., suspended in await at FILE:LINE>`` (``in yield from`` for a
  generator), ``..., finished>``; one of each on every version that has it,
  and the program waits inside a running one.

Each value is printed with ``py-print NAME`` and as ``print (PyObject *) ADDRESS``,
on a live process, and on a core of it, on every version; and on Debian
sid's 3.14 and 3.15, with and without DWARF.
"""

import json

import pytest

import sid
from harness import PYTHONS, gcore, run_sections, running


def _expected(workdir):
    with open(workdir / "printers.json") as f:
        return json.load(f)


def _commands(expected, dwarf=True):
    """py-print NAME, then the address through the pretty-printer, or where gdb has no
    PyObject type (no DWARF) through py-repr."""
    # max-output unlimited: the default max-items and max-string cut the long values, not it.
    commands = ["set cpython max-output unlimited"]
    for name, (address, _text) in expected.items():
        commands += [f"py-print {name}", f"print (PyObject *) 0x{address:x}" if dwarf else f"py-repr 0x{address:x}"]
    return commands


def _check(expected, out, dwarf=True):
    out = out[1:]
    assert len(out) == 2 * len(expected), out
    for index, (name, (_address, text)) in enumerate(expected.items()):
        assert out[2 * index] == f"global {name!r} = {text}\n", name
        by_address = out[2 * index + 1]
        assert (by_address.split(" = ", 1)[-1] if dwarf else by_address) == text + "\n", name


def test_printers(version, tmp_path):
    with running(version, "printers.py") as target:
        expected = _expected(target.workdir)
        _check(expected, run_sections(_commands(expected), pid=target.pid))
        core = gcore(target.pid, tmp_path)
    _check(expected, run_sections(_commands(expected), core=core, executable=PYTHONS[version]))



@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
@pytest.mark.parametrize("name,gdb,dwarf", [("3.14", "host", True), ("3.14", "host", False), ("3.14", "root", True),
                                            ("3.15", "host", True), ("3.15", "host", False)])
def test_printers_sid(name, gdb, dwarf, sid_hook):
    with sid.running(name, "printers.py") as target:
        expected = _expected(target.workdir)
        _check(expected, sid.sections(_commands(expected, dwarf), target, name, gdb, dwarf, sid_hook), dwarf)
