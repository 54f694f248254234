"""Bad input gives a one-line message: no process, no Python, bad arguments."""

import subprocess

import pytest

from harness import run_sections, running

COMMANDS = ["py-bt", "py-bt-full", "py-locals", "py-print x", "py-list", "py-up", "py-exc", "py-threads",
            "py-repr 0x10"]


def _assert_one_line(section, command):
    lines = [line for line in section.splitlines() if line.strip()]
    assert len(lines) == 1, (command, section)
    assert "Traceback" not in section and "Python Exception" not in section, (command, section)
    return lines[0]


def test_without_a_process():
    sections = run_sections(COMMANDS)
    for command, section in zip(COMMANDS, sections):
        line = _assert_one_line(section, command)
        assert "no process" in line, (command, line)


def test_on_a_program_that_is_not_python():
    sleeper = subprocess.Popen(["sleep", "600"])
    try:
        sections = run_sections(COMMANDS[:-1], pid=sleeper.pid)
    finally:
        sleeper.kill()
        sleeper.wait()
    for command, section in zip(COMMANDS, sections):
        line = _assert_one_line(section, command)
        assert "no CPython runtime" in line, (command, line)


@pytest.mark.parametrize("command", ["py-locals x", "py-bt-full 3", "py-up 2", "py-down x", "py-exc now"])
def test_commands_without_arguments_refuse_one(command):
    (section,) = run_sections([command])
    line = _assert_one_line(section, command)
    assert "takes no arguments" in line


def test_py_repr_never_writes_or_calls(version):
    with running(version, "recursion.py") as target:
        write, call, plain = run_sections(
            ["py-repr $rax = 1", "py-repr (long) getpid()", "py-repr 0"], pid=target.pid
        )
    assert "would modify the program" in _assert_one_line(write, "write")
    assert "Cannot call functions" in _assert_one_line(call, "call")
    assert _assert_one_line(plain, "plain") == "0x0"


def test_zero_means_unlimited_and_a_change_applies_at_once(version):
    with running(version, "recursion.py") as target:
        _, shown, before, _, after = run_sections(
            ["set cpython max-items 0", "show cpython max-items", "py-bt-full",
             "set cpython max-items 1", "py-bt-full"],
            pid=target.pid,
        )
    assert "unlimited" in shown
    # The stack was cached by the first py-bt-full; the new limit still applies.
    assert "z=[0, 'abc']" in before and "z=[0]... (2 items)" not in before
    assert "z=[0]... (2 items)" in after and "z=[0, 'abc']" not in after
