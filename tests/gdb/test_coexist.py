"""Living with CPython's own python-gdb.py, which gdb may auto-load too.

Loaded after the program (as `cpython-gdb attach/core/run` and a ~/.gdbinit
line followed by an interactive prompt do), our commands and printers win.
Loaded before it in a batch run, the official script's commands replace
ours until the next prompt, while our printers still come first; either
way nothing fails.
"""

import re

import pytest

from harness import HOOK, official_extension, run_sections, running


def _official_or_skip(version):
    path = official_extension(version)
    if path is None:
        pytest.skip(f"CPython {version} has no python{version}-gdb.py")
    return path


def test_ours_wins_when_loaded_after_the_official_script(version):
    official = _official_or_skip(version)
    with running(version, "recursion.py") as target:
        helptext, printers, locals_ = run_sections(
            ["help py-bt", "info pretty-printer", "py-locals"], pid=target.pid, official=official
        )
    assert "Usage: py-bt" in helptext
    objfile_section = printers.split("objfile", 1)[1]
    assert "cpython-gdb" in objfile_section
    assert locals_.splitlines()[:2] == ["Locals for wait_here", "v = 3"]
    assert "Traceback" not in locals_ + printers


def test_both_loaded_in_batch_order_gives_no_errors(version):
    official = _official_or_skip(version)
    with running(version, "recursion.py") as target:
        (value,) = run_sections(
            ["print (PyObject *) &PyFloat_Type"],
            pid=target.pid,
            official=official,
            ours=False,
            extra=["-iex", f"source {HOOK}"],
        )
    # Our printer is consulted first: the official one prints <type at remote 0x...>.
    assert value.strip() == "$1 = <class 'float'>"


PRETEND = "CPYTHON_GDB_PRETEND_UNKNOWN"  # the adapter's test hook: the target's version taken as unknown


def _whole_and_sections(commands, **kwargs):
    """gdb's whole output (what it said while loading included) and each command's section."""
    from harness import MARK, run_gdb

    wrapped = []
    for i, command in enumerate(commands):
        wrapped += [f"echo {MARK}{i}\\n", command]
    out = run_gdb(wrapped + [f"echo {MARK}end\\n"], **kwargs)
    marks = [out.index(f"{MARK}{i}\n") for i in range(len(commands))] + [out.index(f"{MARK}end\n")]
    return out, [out[start:end].split("\n", 1)[1] for start, end in zip(marks, marks[1:])]


@pytest.mark.parametrize("order", ["ours-after", "ours-before"])
def test_an_unknown_version_is_left_to_python_gdb(version, order, monkeypatch):
    """For a CPython we cannot read, CPython's printers print and its py-* commands stay; ours say why, once."""
    official = _official_or_skip(version)
    monkeypatch.setenv(PRETEND, "1")
    # After the program (cpython-gdb attach), or from the command line before it (a ~/.gdbinit line).
    placement = {"ours": True} if order == "ours-after" else {"ours": False, "extra": ["-iex", f"source {HOOK}"]}
    # Loaded first, we take the py-* names back from the official script at the
    # next prompt after it loads, which a batch run never shows: what that
    # prompt runs is run here.
    reclaim = "python import cpython_gdb.gdb as adapter; adapter._reclaim_pending = True; adapter._reclaim()"
    prompt = [reclaim] if order == "ours-before" else []
    commands = prompt + ["print (PyObject *) &PyFloat_Type", "py-bt", "help py-bt", "py-exc", "info pretty-printer"]
    with running(version, "recursion.py") as target:
        whole, sections = _whole_and_sections(commands, pid=target.pid, official=official, **placement)
    value, py_bt, helptext, py_exc, printers = sections[len(prompt):]
    reason = f"CPython {version} is taken for a version cpython-gdb does not know ({PRETEND} is set, for tests)"
    assert whole.count(f"cpython-gdb: {reason}; cpython-gdb steps aside") == 1, whole
    # The official printer, ours being first but giving nothing.
    assert re.fullmatch(r"\$1 = <type at remote 0x[0-9a-f]+>\n", value), value
    assert "cpython-gdb" in printers.split("objfile", 1)[1]
    # The official py-bt, which names the C built-in call its own way.
    assert helptext.startswith("Display the current python frame and all the frames within its call stack")
    assert py_bt.startswith("Traceback (most recent call first):\n"), py_bt
    assert re.search(r'File ".*recursion\.py", line 18, in wait_here\n    time\.sleep\(1000\)\n', py_bt), py_bt
    assert "in <module>" in py_bt and "Error" not in py_bt
    # Ours where it has no command of that name: it says why it cannot help.
    assert py_exc.strip() == f"py-exc: {reason}"
