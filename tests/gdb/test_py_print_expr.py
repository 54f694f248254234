"""py-print EXPR against what Python itself says each expression is.

tests/programs/expressions.py evaluates every expression in the target
before it stops, and writes the repr() of its value (or the error Python
raised, in py-print's words) to expected.json. py-print must say exactly
that, having only read memory: names, attributes (instance dicts, 3.11+
inline values, __slots__, class and module attributes), items of lists,
tuples, str and bytes, and dict values found by the key's hash. Where
repr() shows an address, the value is compared with py-repr of the id
Python gave; a descriptor is shown as itself, with a note.
"""

import json
from typing import Any, Dict, List, Tuple

import pytest

import sid
from harness import run_sections, running


def _commands(target) -> Tuple[List[Dict[str, Any]], List[str], List[str]]:
    """The cases the target wrote, the commands that print them, and the addresses printed by py-repr."""
    cases = json.loads((target.workdir / "expected.json").read_text(encoding="utf-8"))
    commands = [f"py-print {case['expr']}" for case in cases]
    # The objects whose repr() shows an address, printed by address.
    by_id = sorted({case.get("same_as") or case["id"] for case in cases
                    if "same_as" in case or " at 0x" in case.get("text", "")})
    return cases, commands + [f"py-repr {address}" for address in by_id], by_id


def test_expressions_match_python(version):
    with running(version, "expressions.py") as target:
        cases, commands, by_id = _commands(target)
        out = run_sections(commands, pid=target.pid)
    _check(cases, by_id, out)



@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
@pytest.mark.parametrize("name, dwarf", [("3.14", True), ("3.14", False), ("3.15", True)])
def test_expressions_match_python_sid(name, dwarf, sid_hook):
    """The same on Debian sid's 3.14 and 3.15, with and without their DWARF."""
    with sid.running(name, "expressions.py") as target:
        cases, commands, by_id = _commands(target)
        out = sid.sections(commands, target, name, "host", dwarf, sid_hook)
    _check(cases, by_id, out)


def _check(cases: List[Dict[str, Any]], by_id: List[str], out: List[str]) -> None:
    reprs = dict(zip(by_id, out[len(cases):]))
    assert len(cases) > 80
    failures = []
    for case, got in zip(cases, out):
        expr = case["expr"]
        if "error" in case:
            want = case["error"] + "\n"
        elif "same_as" in case:
            want = f"{case['scope']} {expr!r} = {reprs[case['same_as']].rstrip()}{case['note']}\n"
        elif " at 0x" in case["text"]:
            want = f"{case['scope']} {expr!r} = {reprs[case['id']]}"
        else:
            want = f"{case['scope']} {expr!r} = {case['text']}\n"
        if got != want:
            failures.append(f"py-print {expr}\n  want {want!r}\n  got  {got!r}")
    assert not failures, "\n".join(failures)


def test_usage_and_help(version):
    with running(version, "expressions.py") as target:
        usage, helped = run_sections(["py-print", "help py-print"], pid=target.pid)
    assert usage == "usage: py-print EXPR\n"
    for form in ("EXPR.NAME", "EXPR[N]", "EXPR[KEY]", "self.items[3].name", "not called"):
        assert form in helped, helped


PROBE = """python
from cpython_gdb.gdb import state
from cpython_gdb.gdb.lookup import symbol_address
from cpython_gdb.gdb.commands.base import selected_python_frame_only
from cpython_gdb.engine.objects import keyfind
from cpython_gdb.engine.objects.lookup import Context, find_name
target, frame, _ = selected_python_frame_only()
ctx = Context(target, frame, state.hash_secret(), symbol_address("_Py_NoneStruct") or 0)
keys = {"d": ["k", 3, -5, None, b"k", True, False, 12345678901234567890, "missing", 2],
        "ints": [0, 1, 1000, 1999, -1, 5000], "strs": ["key0", "key500", "key999", "nokey", 5]}
for name, wanted in keys.items():
    mapping = find_name(ctx, name)[1]
    for key in wanted:
        answered, value = keyfind._probe(target, mapping, key, ctx.secret, ctx.none_address)
        scanned = keyfind.dict_find(target, mapping, key, None, 0)
        print(name, repr(key), answered, value == scanned or not answered)
"""


def test_dict_keys_found_by_hash(version):
    """Every key kind is found by probing the index table with the hash CPython gives it, as a scan finds it."""
    with running(version, "expressions.py") as target:
        (out,) = run_sections([PROBE], pid=target.pid)
    lines = out.splitlines()
    assert len(lines) == 21, out
    for line in lines:
        answered, same = line.split()[-2:]
        assert same == "True", line
        # 2.7's dicts hash otherwise: every key is read there.
        assert answered == ("False" if version == "2.7" else "True"), line
