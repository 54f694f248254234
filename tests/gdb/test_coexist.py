"""Living with CPython's own python-gdb.py, which gdb may auto-load too.

Loaded after the program (as `cpython-gdb attach/core/run` and a ~/.gdbinit
line followed by an interactive prompt do), our commands and printers win.
Loaded before it in a batch run, the official script's commands replace
ours until the next prompt, while our printers still come first; either
way nothing fails.
"""

from harness import HOOK, official_extension, run_sections, running


def _official_or_skip(version):
    import pytest

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
    kind = "type" if version == "2.7" else "class"  # as repr() says
    assert value.strip() == f"$1 = <{kind} 'float'>"
