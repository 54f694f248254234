"""Checks shared by the py-threads and dump tests: the JSON schema, the text.

`validate` implements the part of JSON Schema that docs/dump-schema.json
uses (type, const, enum, required, properties, items, $ref, allOf,
if/then), so the tests need no jsonschema package.
"""

import re
from pathlib import Path
from typing import Any, Dict, List, Tuple

from harness import PROGRAMS, ROOT

SCHEMA_PATH = ROOT / "docs" / "dump-schema.json"
MALLOC_ENV = {"MALLOC_ARENA_MAX": "1"}  # no 64 MiB arena per thread in cores

_TYPES = {
    "object": dict, "array": list, "string": str, "boolean": bool, "null": type(None),
    "integer": int, "number": (int, float),
}
_KNOWN = {"$schema", "$id", "$defs", "title", "description", "type", "const", "enum", "required",
          "properties", "items", "$ref", "allOf", "if", "then"}


def _is(value: Any, name: str) -> bool:
    if name in ("integer", "number") and isinstance(value, bool):
        return False
    return isinstance(value, _TYPES[name])


def errors(value: Any, schema: Dict[str, Any], root: Dict[str, Any], path: str = "$") -> List[str]:
    """What is wrong with ``value`` under ``schema`` ([] if it is valid)."""
    unknown = set(schema) - _KNOWN
    assert not unknown, f"validator does not know {unknown}"
    if "$ref" in schema:
        target: Any = root
        for part in schema["$ref"].lstrip("#/").split("/"):
            target = target[part]
        return errors(value, target, root, path)
    out: List[str] = []
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_is(value, n) for n in names):
            return [f"{path}: {value!r} is not {names}"]
    if "const" in schema and value != schema["const"]:
        out.append(f"{path}: {value!r} != {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, dict):
        out += [f"{path}: lacks {key!r}" for key in schema.get("required", ()) if key not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                out += errors(value[key], sub, root, f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            out += errors(item, schema["items"], root, f"{path}[{i}]")
    for sub in schema.get("allOf", ()):
        if "if" in sub and not errors(value, sub["if"], root, path):
            out += errors(value, sub.get("then", {}), root, path)
    return out


def validate(doc: Dict[str, Any]) -> None:
    import json

    schema = json.loads(SCHEMA_PATH.read_text())
    problems = errors(doc, schema, schema)
    assert not problems, "\n".join(problems[:20])


def line_of(program: str, mark: str) -> int:
    """The line of tests/programs/PROGRAM that ends with '# mark: MARK'."""
    lines = (PROGRAMS / program).read_text().splitlines()
    found = [i + 1 for i, line in enumerate(lines) if line.rstrip().endswith(f"# mark: {mark}")]
    assert len(found) == 1, (program, mark, found)
    return found[0]


HEADING = re.compile(r"^Thread (\d+) \(LWP (\d+)\)(.*)$")


def report_blocks(text: str) -> Dict[int, Tuple[str, str]]:
    """py-threads / dump text: (heading, body) of each thread, by LWP."""
    out: Dict[int, Tuple[str, str]] = {}
    for chunk in text.strip("\n").split("\n\n")[1:]:
        heading, _, body = chunk.partition("\n")
        match = HEADING.match(heading)
        assert match, heading
        out[int(match.group(2))] = (heading, body + "\n")
    return out


def py_bt_sections(text: str) -> Dict[int, str]:
    """`thread apply all py-bt` output by LWP."""
    out: Dict[int, str] = {}
    for chunk in re.split(r"\n(?=Thread \d+ )", "\n" + text):
        match = re.match(r"Thread \d+ \(Thread 0x[0-9a-f]+ \(LWP (\d+)\)[^\n]*\):\n", chunk)
        if match:
            out[int(match.group(1))] = chunk[match.end():].rstrip("\n") + "\n"
    return out


def innermost(body: str) -> Tuple[str, int]:
    """(function, line) of the first Python frame of a py-bt body."""
    match = re.search(r'^  File "[^"]*", line (\d+), in (\S+)$', body, re.M)
    assert match, body
    return match.group(2), int(match.group(1))


def program_path(program: str) -> Path:
    return PROGRAMS / program


def thread_states_expectations(version: str, ready: str) -> Dict[str, Any]:
    """What tests/programs/thread_states.py shows: LWPs, headings, innermost frames."""
    import json

    ids = json.loads(ready)
    major, minor = map(int, version.rstrip("t").split("."))
    # A free-threaded build ("3.13t") runs without a GIL: no interpreter has
    # one, no thread holds or waits for one ("gil-waiter" only sleeps).
    free_threaded = version.endswith("t")
    program = "thread_states.py"
    sub_gil = "GIL released" if minor >= 12 else "GIL held by thread 1"
    main_gil = "GIL held by thread 1"
    if free_threaded:
        sub_gil = main_gil = "no GIL (free-threaded)"
    if (major, minor) <= (3, 8):
        sub_gil += ", garbage collection running"  # one collector for the whole runtime
    interpreters = [f"Main interpreter: {main_gil}, garbage collection running"]
    if "subinterp" in ids:  # not on 2.7
        interpreters.append(f"Subinterpreter 1: {sub_gil}")
    # 2.7 runs the collector's weak reference callback, not a __del__.
    collecting = ("on_collect", line_of(program, "weakref-callback")) if major == 2 else ("__del__",
                                                                                          line_of(program, "del"))
    return {
        "free_threaded": free_threaded,
        "lwp": {role: ids[role][1] for role in ids},
        "interpreters": interpreters,
        "heading": {
            "main": ', Python thread "MainThread"' + ("" if free_threaded else ": holds the GIL"),
            "collector": ', Python thread "collector": collecting garbage',
            "subinterp": ', Python thread "subinterp", subinterpreter 1',
            "gil-waiter": ', Python thread "gil-waiter"' + ("" if free_threaded else ": waiting for the GIL"),
        },
        "innermost": {
            "main": ("main", line_of(program, "hold")),
            "collector": collecting,
            "subinterp": ("<module>", 1),
            "gil-waiter": ("waiter", line_of(program, "waiter")),
        },
    }


def check_thread_states(version: str, ready: str, report: str, py_bt: str) -> Dict[int, Tuple[str, str]]:
    """The report of thread_states.py, each thread's body checked against py-bt."""
    expected = thread_states_expectations(version, ready)
    lines = report.splitlines()
    assert lines[1:1 + len(expected["interpreters"])] == expected["interpreters"], report
    blocks = report_blocks(report)
    sections = py_bt_sections(py_bt)
    assert set(blocks) == set(expected["lwp"].values()) == set(sections), report
    for role, lwp in expected["lwp"].items():
        heading, body = blocks[lwp]
        assert heading.endswith(expected["heading"][role]), (role, heading)
        assert innermost(body) == expected["innermost"][role], (role, body)
        assert body == sections[lwp], (role, body, sections[lwp])
    return blocks
