"""Rendering of Python values, in real gdb, on every CPython version.

tests/programs/values.py builds the values as locals of main() and writes
``name<TAB>id<TAB>expected`` lines. One gdb per version attaches to it and
runs every check below; each check is one section of that gdb's output.

``expected`` is exactly repr(value), except for these documented forms:

- Objects whose repr() shows an address show the address as
  ``at remote 0x...`` (the object's id() in the target), so nobody mistakes
  it for an address in gdb's own process:
  functions and lambdas ``<function QUALNAME at remote 0x...>``,
  code objects, frames, generators, coroutines, and built-in methods
  ``<built-in method append of list object at remote 0x...>``.
- Instances of classes written in Python never run their __repr__ (that would
  need a call into the target): ``<Foo(x=1, y='a') at remote 0x...>``, with
  the attributes of __slots__ (base classes first, each class's slots in
  CPython's sorted order) and then of __dict__ (in insertion order). An
  instance of a subclass of a builtin value type (int, str, list, ...) shows
  that value first: ``<MyInt(12) at remote 0x...>``. An enum member shows
  as its repr() does, ``<Color.GREEN: 2>``, and collections.Counter as
  ``Counter({...})``.
- Instances of types written in C that subclass a builtin value type show
  their tp_name around the value: ``sys.version_info(3, 12, 1, 'final', 0)``;
  OrderedDict and defaultdict (even where a heap type) show their repr().
- Bound methods show their object in the form above:
  ``<bound method Foo.method of <Foo(x=1, y='a') at remote 0x...>>``.
- Modules: ``<module 'sys' at remote 0x...>`` (repr() would add the file,
  which needs a call to read __spec__ and friends).
- Cells show their content instead of its type and address:
  ``<cell at remote 0x...: 'in a cell'>``.
- Ints of more than 12,000 bits print in hexadecimal (``-0x1000...0001``):
  a decimal conversion of such a number is slow, and Python 3.11+ refuses it
  by default (sys.int_info.default_max_str_digits).
- Nesting is shown to at most 100 levels even with ``max-depth unlimited``;
  deeper containers print as ``[...]``.
- Classes always print as ``<class 'module.Qualname'>``, even when a
  metaclass defines another repr() (Enum classes).
"""

import re
from pathlib import Path
from typing import Dict, List, Tuple, Union

from harness import minor_of, run_sections, running

LIMIT_NAMES = ("big_list", "big_str", "deep")
# The pretty-printer on typed pointers: (C pointer type, value name).
CASTS = (
    ("PyObject", "foo"),
    ("PyObject", "str_ucs4"),
    ("PyLongObject", "int_big_negative"),
    ("PyLongObject", "bool_true"),
    ("PyUnicodeObject", "str_escapes"),
    ("PyDictObject", "dict_mixed_keys"),
    ("PyListObject", "list_cycle"),
    ("PyTupleObject", "tuple_one"),
    ("PyFrameObject", "frame"),
    ("PyCodeObject", "code"),
    ("PyTypeObject", "type_foo"),
)
PRINT_RESULT = re.compile(r"^\$\d+ = (.*)$", re.S)
PLACEHOLDER = re.compile(r"<[^>]* at remote 0x[0-9a-f]+>")
Want = Union[None, str, "re.Pattern[str]"]
Check = Tuple[str, str, Want]


def read_expected(workdir: Path) -> Dict[str, Tuple[int, str]]:
    expected = {}
    for line in (workdir / "expected.tsv").read_text(encoding="utf-8").splitlines():
        name, address, text = line.split("\t", 2)
        expected[name] = (int(address, 16), text)
    return expected


def printed(section: str) -> str:
    match = PRINT_RESULT.match(section.strip())
    return match.group(1) if match else "NO RESULT: " + section


def value_checks(ids: Dict[str, int], values: Dict[str, str], c_global: str = "_PyRuntime",
                 py2: bool = False) -> List[Check]:
    """Every check of one gdb session, in order: (label, command, expected).

    ``expected`` is None for a setting, a str to equal, or a pattern to match
    in full; for a `print`, the text after ``$N = ``. ``py2``: values27.py's
    values, on 2.7, whose dicts keep their keys in hash order (the limits
    are checked on what 2.7 shows first).
    """
    checks: List[Check] = []

    def setup(command: str) -> None:
        checks.append(("setup", command, None))

    def check(label: str, command: str, want: Want) -> None:
        checks.append((label, command, want))

    def shown(name: str, body: str) -> str:
        """py-print's line for an instance; ``body`` is "Class(attributes)"."""
        return f"local {name!r} = <{body} at remote 0x{ids[name]:x}>"

    def limits(output: str, items: str, string: str, depth: str) -> None:
        for name, value in (("max-output", output), ("max-items", items), ("max-string", string), ("max-depth", depth)):
            setup(f"set cpython {name} {value}")

    limits("unlimited", "unlimited", "unlimited", "unlimited")
    for name, text in values.items():
        check(name, f"py-print {name}", f"local {name!r} = {text}")
    # The pretty-printer, on pointers of several types.
    for ctype, name in CASTS:
        check(f"({ctype} *) {name}", f"print ({ctype} *) 0x{ids[name]:x}", values[name])
    check("NULL", "print (PyObject *) 0", "0x0")
    corrupt = {
        "small pointer": "0x10",
        "unmapped": "0x100000000000",
        "inside str data": f"0x{ids['big_str'] + 4096:x}",
        "misaligned object": f"0x{ids['big_list'] + 8:x}",
        "a C global": f"&{c_global}",
    }
    for label, where in corrupt.items():
        check(label, f"print (PyObject *) {where}", PLACEHOLDER)
    # Each limit, visibly.
    setup("set cpython max-items 3")
    check("max-items list", "py-print list_mixed", "local 'list_mixed' = [1, 'two', 3.0]... (5 items)")
    check("max-items tuple", "py-print tuple_many", "local 'tuple_many' = (0, 1, 2)... (20 items)")
    if py2:
        check("max-items dict", "py-print dict_deleted",
              re.compile(r"local 'dict_deleted' = \{'(\d+)': \1, '(\d+)': \2, '(\d+)': \3\}\.\.\. \(9 items\)"))
        check("max-items set", "py-print set_value", "local 'set_value' = set([1, 2, 3])... (4 items)")
    else:
        check("max-items dict", "py-print dict_deleted", "local 'dict_deleted' = {'1': 1, '2': 2, '3': 3}... (9 items)")
        check("max-items set", "py-print set_value", "local 'set_value' = {1, 2, 3}... (4 items)")
    check(
        "max-items attributes",
        "py-print slotted_child",
        shown("slotted_child", "SlottedChild(first=1, second='two', third=3.5)"),
    )
    if py2:
        check("max-items attributes", "py-print materialized", f"local 'materialized' = {values['materialized']}")
        setup("set cpython max-items 2")
        check("max-items attributes", "py-print materialized",
              re.compile(r"local 'materialized' = <Foo\(\w=[^,]+, \w=[^,]+, \.\.\.\) at remote 0x[0-9a-f]+>"))
    else:
        check("max-items attributes", "py-print materialized", shown("materialized", "Foo(x=3, y='b', z='added')"))
        setup("set cpython max-items 2")
        check("max-items attributes", "py-print materialized", shown("materialized", "Foo(x=3, y='b', ...)"))
    setup("set cpython max-items unlimited")
    setup("set cpython max-string 5")
    str_unit = "bytes" if py2 else "chars"  # 2.7's str holds bytes
    check("max-string str", "py-print str_ascii", f"local 'str_ascii' = 'hello'... (11 {str_unit})")
    bytes_prefix = "" if py2 else "b"  # 2.7's str is bytes
    check("max-string bytes", "py-print bytes_value",
          f"local 'bytes_value' = {bytes_prefix}'abc\\x00\\xff'... (7 bytes)")
    setup("set cpython max-string unlimited")
    setup("set cpython max-depth 1")
    if py2:
        check("max-depth", "py-print nested",
              re.compile(r"local 'nested' = \{('a': \[\.\.\.\], 'c': \(\.\.\.\)|'c': \(\.\.\.\), 'a': \[\.\.\.\])\}"))
        check("max-depth", "py-print foo_nested", shown("foo_nested", "Foo(y={...}, x=[...])"))
    else:
        check("max-depth", "py-print nested", "local 'nested' = {'a': [...], 'c': (...)}")
        check("max-depth", "py-print foo_nested", shown("foo_nested", "Foo(x=[...], y={...})"))
    setup("set cpython max-depth unlimited")
    # 5000 nested lists: "unlimited" depth stops at 100 levels, no RecursionError.
    check("max-depth unlimited", "py-print deep", "local 'deep' = " + "[" * 100 + "[...]" + "]" * 100)
    setup("set cpython max-output 20")
    if py2:
        check("max-output", "py-print dict_300",
              re.compile(r"local 'dict_300' = (?=\{'k\d+': \d+, ').{20}\.\.\.\(truncated\)"))
    else:
        check("max-output", "py-print dict_300", "local 'dict_300' = {'k0': 0, 'k1': 1, '...(truncated)")
    # Huge values: the default limits, then only max-output. The output is
    # bounded by the limits whatever the size of the value.
    limits("1024", "200", "512", "8")
    check("1M list", "py-print big_list",
          "local 'big_list' = [" + ", ".join(map(str, range(200))) + "]... (1000000 items)")
    check("10 MB str", "py-print big_str", "local 'big_str' = '" + "x" * 512 + f"'... (10000000 {str_unit})")
    limits("1024", "unlimited", "unlimited", "unlimited")
    check(
        "1M list, all items",
        "py-print big_list",
        re.compile(r"local 'big_list' = \[0, 1, .{900,1100}\.\.\.\(truncated\)"),
    )
    check("10 MB str, all chars", "py-print big_str", re.compile(r"local 'big_str' = 'x{1000,1024}\.\.\.\(truncated\)"))
    # The printer collection.
    check("info pretty-printer", "info pretty-printer", re.compile(r".*^  cpython-gdb$.*", re.S | re.M))
    setup("disable pretty-printer global cpython-gdb")
    check("disabled", f"print (PyObject *) 0x{ids['foo']:x}", f"(PyObject *) 0x{ids['foo']:x}")
    setup("enable pretty-printer global cpython-gdb")
    check("enabled again", f"print (PyObject *) 0x{ids['foo']:x}", values["foo"])
    return checks


def test_values(version):
    # 2.7 has a program of its own, in its syntax, that writes 2.7's repr().
    with running(version, "values27.py" if version == "2.7" else "values.py") as target:
        expected = read_expected(target.workdir)
        ids = {name: address for name, (address, _) in expected.items()}
        values = {name: text for name, (_, text) in expected.items() if name not in LIMIT_NAMES}
        # 2.7 and 3.6 have no _PyRuntime.
        c_global = "_PyRuntime" if minor_of(version) >= (3, 7) else "_PyThreadState_Current"
        checks = value_checks(ids, values, c_global, py2=version == "2.7")
        sections = run_sections([command for _, command, _ in checks], pid=target.pid)

    failures = []
    for (label, command, want), out in zip(checks, sections):
        got = out.strip()
        if command.startswith("print "):
            got = printed(got)
        if "Traceback" in out or "Python Exception" in out or "Error occurred" in out:
            failures.append(f"{label}: {command!r} raised:\n{out}")
        elif isinstance(want, re.Pattern) and not want.fullmatch(got) or isinstance(want, str) and got != want:
            failures.append(f"{label}: {command!r}\n  want {want!r}\n  got  {got!r}")
    summary = f"{len(failures)} of {len(checks)} checks failed:\n"
    assert not failures, summary + "\n".join(failures)
