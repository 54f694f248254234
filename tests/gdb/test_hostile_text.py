"""Names, file names, strings and source lines no terminal or encoding takes as they are (issue 16).

tests/programs/hostile_text.py, run from a directory whose name holds the
byte 0xff, has a function whose name and file name hold a lone surrogate,
a NUL and an escape sequence, a local holding the same, a thread named
with it, a raw ESC in a source line and a function named past ASCII.
Every command prints them escaped as repr() escapes them (values exactly
as repr()), with no Python exception; the JSON is valid UTF-8 and valid
Unicode; under LC_ALL=C the frame filter and the pretty-printer escape
what gdb's ASCII charsets lack.
"""

import json
from typing import Any, Iterator

from harness import PYTHONS, gcore, gdb_argv, run_sections
from hostile import copy_program, dump_argv, launched, odd_directory, run_held

ODD = "a\udcffb\x00c\x1b[2J"  # as in the program
SHOWN = repr(ODD)[1:-1]  # a\udcffb\x00c\x1b[2J, escaped
JSON_ODD = ODD.replace("\udcff", "\\udcff")  # JSON keeps the NUL and ESC (escaped its way), not the surrogate
SOURCE_SHOWN = "time.sleep(1000)  # \\x1b[2J: clears a terminal screen if printed raw"


def _program(version: str) -> str:
    # 2.7's names and str are bytes: a program of its own (its names show as Python 3's would).
    return "hostile_text27.py" if version == "2.7" else "hostile_text.py"


def _reprs(version: str) -> Any:
    """repr() of ODD and of "café" in the program: 2.7's are of its bytes."""
    if version == "2.7":
        return "'a\\xffb\\x00c\\x1b[2J'", "'caf\\xc3\\xa9'"
    return repr(ODD), repr("café")


def _escaped(text: str) -> str:
    return text.replace("\udcff", "\\udcff")


def _clean(out: str) -> None:
    assert "Python Exception" not in out and "Error occurred" not in out, out
    assert "\x00" not in out and "\x1b" not in out and "\ufffd" not in out, out


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _check_json(raw: bytes, script: str, backend: str) -> None:
    doc = json.loads(raw.decode("utf-8"))  # strict: valid UTF-8
    for text in _strings(doc):
        text.encode("utf-8")  # strict: no lone surrogate
    frames = [f for t in doc["threads"] for f in t["frames"] if f["kind"] == "python"]
    by_function = {f["function"]: f for f in frames}
    odd = by_function["odd" + JSON_ODD]
    assert odd["file"] == "/nonexistent/odd" + JSON_ODD + ".py", backend
    wait = by_function["wait_here"]
    assert wait["file"] == _escaped(script), backend
    assert wait["source"] == "time.sleep(1000)  # \x1b[2J: clears a terminal screen if printed raw", backend
    assert "café" in by_function, backend
    names = [t["python_name"] for t in doc["threads"]]
    assert "main" + JSON_ODD in names, (backend, names)


def _check_traceback(text: str, script: str) -> None:
    assert f'File "/nonexistent/odd{SHOWN}.py", line ' in text and f", in odd{SHOWN}\n" in text, text
    assert f'File "{_escaped(script)}", line ' in text and ", in wait_here\n" in text, text
    assert SOURCE_SHOWN in text, text
    assert ", in café\n" in text, text


def test_odd_text_in_gdb(version, tmp_path):
    script = str(copy_program(_program(version), odd_directory(tmp_path), ESC="\x1b"))
    odd_repr, cafe_repr = _reprs(version)
    with launched(version, [script]) as target:
        odd, code, cafe = (int(word) for word in target.ready.split())
        sections = run_sections(
            ["py-bt", "py-bt-full", "thread apply all py-bt", "py-locals", "py-list", "py-threads", "bt",
             "py-print odd", f"print (PyObject *){odd}", f"print (PyObject *){code}", f"print $pyobj({code})"],
            pid=target.pid,
        )
        ascii_gdb = run_held(gdb_argv(["bt", f"print (PyObject *){cafe}", f"print (PyObject *){code}"],
                                      pid=target.pid), env={"LC_ALL": "C", "LANG": "C"})
    py_bt, full, all_bt, py_locals, py_list, threads, bt, py_print, printed, printed_code, pyobj = sections
    for section in sections:
        _clean(section)
    _check_traceback(py_bt, script)
    _check_traceback(all_bt, script)
    assert py_bt.strip() in all_bt
    assert f"odd={odd_repr}" in full and f"for file /nonexistent/odd{SHOWN}.py, line " in full, full
    assert f", in café (locals: name={cafe_repr})" in full, full
    assert f"odd = {odd_repr}\n" in py_locals, py_locals
    assert SOURCE_SHOWN in py_list, py_list
    assert f'Python thread "main{SHOWN}"' in threads, threads
    _check_traceback(threads, script)
    assert f"odd{SHOWN} [Python] () at /nonexistent/odd{SHOWN}.py:" in bt, bt
    assert f"wait_here [Python] () at {_escaped(script)}:" in bt and "café [Python] ()" in bt, bt
    assert py_print.strip() == f"local 'odd' = {odd_repr}"
    assert printed.strip().endswith(f"= {odd_repr}"), printed
    assert f'= <code object odd{SHOWN} at remote {code:#x}, file "/nonexistent/odd{SHOWN}.py", line ' \
        in printed_code, printed_code
    assert "<code object odd" in pyobj, pyobj
    # gdb's host and target charsets are ASCII: what they lack is escaped too.
    out = ascii_gdb.stdout.decode("utf-8")
    _clean(out + ascii_gdb.stderr.decode("utf-8"))
    assert "caf\\xe9 [Python] ()" in out, out
    assert f"<code object caf\\xe9 at remote {cafe:#x}, file \"{_escaped(script)}\", line " in out, out
    assert f"<code object odd{SHOWN} at remote {code:#x}" in out, out


def test_odd_text_in_dump(version, tmp_path):
    script = str(copy_program(_program(version), odd_directory(tmp_path), ESC="\x1b"))
    with launched(version, [script]) as target:
        outputs = {f"live {backend} {form}": run_held(dump_argv(str(target.pid), *options))
                   for backend, form, options in (("direct", "text", []), ("direct", "json", ["--json"]),
                                                  ("gdb", "text", ["--backend", "gdb"]),
                                                  ("gdb", "json", ["--backend", "gdb", "--json"]))}
        core = gcore(target.pid, tmp_path)
    for form, options in (("text", []), ("json", ["--json"])):
        outputs[f"core direct {form}"] = run_held(dump_argv(str(core), "--exe", str(PYTHONS[version]), *options))
    core_bt = run_sections(["py-bt", "py-locals"], core=core, executable=PYTHONS[version])
    for what, result in outputs.items():
        assert result.returncode == 0 and not result.stderr, (what, result.stderr)
        if what.endswith("json"):
            _check_json(result.stdout, script, what)
            continue
        text = result.stdout.decode("utf-8")
        _clean(text)
        _check_traceback(text, script)
        assert f'Python thread "main{SHOWN}"' in text, (what, text)
    for section in core_bt:
        _clean(section)
    _check_traceback(core_bt[0], script)
    assert f"odd = {_reprs(version)[0]}\n" in core_bt[1], core_bt[1]
