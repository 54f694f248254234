"""py-exc prints the handled exception and its cause as Python's traceback does."""

import json
import re

import pytest

import sid
from harness import PROGRAMS, PYTHONS, run_sections, running


def _without_carets(text):
    # 3.11+ underlines the failing expression with ^ and ~; py-exc does not.
    return [line for line in text.splitlines() if not re.fullmatch(r"\s*[\^~]+\s*", line)]


def test_py_exc_matches_traceback_format_exc(version):
    with running(version, "exceptions.py") as target:
        (out,) = run_sections(["py-exc"], pid=target.pid)
        expected = (target.workdir / "expected.txt").read_text()
    lines = out.splitlines()
    start = lines.index("Exception being handled:")
    assert lines[start + 1 :] == _without_carets(expected)
    if version != "2.7":  # 2.7's exceptions have no cause (PEP 3134)
        assert "The above exception was the direct cause of the following exception:" in lines


def test_py_exc_without_exception(version):
    with running(version, "recursion.py") as target:
        (out,) = run_sections(["py-exc"], pid=target.pid)
    assert out.strip().splitlines()[-1] == "No Python exception is being raised or handled in this thread."


def test_py_exc_raised_exception(version):
    """Stopped inside int("x") right after PyErr_Format set the ValueError.

    Up to 3.11 it is not normalized yet (the value is the plain message
    str); from 3.12 it is an exception object. Both print alike.
    """
    program = PROGRAMS / "exceptions_raising.py"
    commands = [
        "handle SIGUSR1 stop print nopass",
        f"run {program}",
        "break PyErr_Format",
        "continue",
        "finish",
        "py-exc",
    ]
    if version == "2.7":
        # 2.7's int() first looks __trunc__ up on the str: an AttributeError,
        # set by PyErr_Format and cleared, before the ValueError.
        commands[3:3] = ["continue"]
    out = run_sections(commands, executable=PYTHONS[version])
    assert "SIGUSR1" in out[1], out[1]
    assert out[-1].splitlines() == [
        "Exception being raised:",
        "ValueError: invalid literal for int() with base 10: 'x'",
    ], out[-1]


def _check_long_chain(out, expected):
    separator = "\n\nThe above exception was the direct cause of the following exception:\n\n"
    lines = out.splitlines()
    start = lines.index("Exception being handled:")
    assert lines[start + 1].startswith("[older chained exceptions left out"), lines[start + 1]
    shown = "\n".join(lines[start + 3 :]).split(separator)
    want = "\n".join(_without_carets(expected)).split(separator)
    assert len(want) == 30 and len(shown) == 21
    assert shown == want[-21:]
    assert len(out) < 20_000


def test_py_exc_long_chain(version):
    """30 exceptions, each raised `from` the one it handles: the chain shown
    is bounded and matches the tail of what traceback prints."""
    if version == "2.7":
        pytest.skip("2.7's exceptions have no chain (PEP 3134 is 3.0's)")
    with running(version, "exceptions_chain.py", "30") as target:
        (out,) = run_sections(["py-exc"], pid=target.pid)
        expected = (target.workdir / "expected.txt").read_text()
    _check_long_chain(out, expected)



@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
@pytest.mark.parametrize("name, dwarf", [("3.14", True), ("3.14", False), ("3.15", True)])
def test_py_exc_long_chain_sid(name, dwarf, sid_hook):
    """The same on Debian sid's 3.14 and 3.15, with and without their DWARF."""
    with sid.running(name, "exceptions_chain.py", "30") as target:
        (out,) = sid.sections(["py-exc"], target, name, "host", dwarf, sid_hook)
        expected = (target.workdir / "expected.txt").read_text()
    _check_long_chain(out, expected)


def test_py_exc_follows_the_selected_frame(version):
    """py-exc shows the exception handled as the selected Python frame sees it:
    the generator's own, then (py-up) the one its caller handles; in main(),
    which handles none, 2.7 knows there is none (every frame keeps the state
    it replaced) and later versions say they cannot tell (outer()'s is on
    its value stack)."""
    with running(version, "exceptions_frames.py") as target:
        out = run_sections(_FRAME_STEPS, pid=target.pid)
        expected = json.loads((target.workdir / "expected.json").read_text())
    _check_frames(version, out, expected)


_FRAME_STEPS = ["py-exc", "py-up", "py-exc", "py-up", "py-exc", "py-down", "py-exc"]


def _check_frames(version, out, expected):
    assert expected["inner"] == "RuntimeError: B inner" and expected["outer"] == "ValueError: A outer", expected
    in_generator, up, in_outer, up_again, in_main, down, back_in_outer = out
    assert "in outer" in up and "in main" in up_again and "in outer" in down, (up, up_again, down)
    for text, mine in ((in_generator, "inner"), (in_outer, "outer"), (back_in_outer, "outer")):
        lines = text.splitlines()
        assert "Exception being handled:" in lines, text
        assert lines[-1] == expected[mine], text  # B's context is A: only A's last line tells
        assert "cannot be told apart" not in text, text
    assert expected["inner"] not in in_outer and expected["inner"] not in back_in_outer, in_outer
    if version == "2.7":
        assert in_main.strip().splitlines()[-1] == (
            "No Python exception is being raised or handled in this thread."), in_main
    else:
        lines = in_main.splitlines()
        assert lines[lines.index("Exception being handled:") - 1] == (
            "(handled by the selected frame or a newer one: their exception states cannot be told apart)"), in_main
        assert lines[-1] == expected["outer"], in_main


@pytest.mark.skipif(sid.unavailable() is not None, reason=str(sid.unavailable()))
@pytest.mark.parametrize("name, dwarf", [("3.14", True), ("3.14", False), ("3.15", True)])
def test_py_exc_follows_the_selected_frame_sid(name, dwarf, sid_hook):
    """The same on Debian sid's 3.14 and 3.15, with and without their DWARF."""
    with sid.running(name, "exceptions_frames.py") as target:
        out = sid.sections(_FRAME_STEPS, target, name, "host", dwarf, sid_hook)
        expected = json.loads((target.workdir / "expected.json").read_text())
    _check_frames(name, out, expected)


def test_py_exc_says_a_key_error_as_python_does(version):
    """KeyError's message is its key's repr() ('missing', quoted; '' for an empty key), a subclass's too."""
    with running(version, "key_error.py") as target:
        (out,) = run_sections(["py-exc"], pid=target.pid)
        first, handled = json.loads((target.workdir / "expected.json").read_text())
    lines = out.splitlines()
    assert lines[-1].split(": ", 1)[1] == handled.split(": ", 1)[1], out
    assert handled.endswith(": ''") and first.endswith(": 'missing'")
    if version != "2.7":  # 2.7's exceptions have no context (PEP 3134)
        assert first in lines, out
