"""py-exc prints the handled exception and its cause as Python's traceback does."""

import re

from harness import run_sections, running


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
    assert "The above exception was the direct cause of the following exception:" in lines


def test_py_exc_without_exception(version):
    with running(version, "recursion.py") as target:
        (out,) = run_sections(["py-exc"], pid=target.pid)
    assert out.strip().splitlines()[-1] == "No Python exception is being raised or handled in this thread."
