"""What the CLI's subcommands share: one-line errors, argument parsing, finding gdb."""

from __future__ import annotations

import os

from cpython_gdb.errors import CpythonGdbError

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import List, NoReturn, Optional

PROG = "cpython-gdb"
GDB_ENV = "CPYTHON_GDB_GDB"
HOOK = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "gdb_hook.py")
PTRACE_DENIED = ("ptrace: Operation not permitted", "Could not attach to process")


class UserError(CpythonGdbError):
    """An error the command line reports on one line, without a traceback, and exits with ``status``.

    Every subcommand's, ``dump``'s included (its statuses are listed in cli/dump.py).
    """

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


def make_parser(command: str, description: str, usage: Optional[str] = None) -> "argparse.ArgumentParser":
    """A parser whose usage errors become one-line UserErrors (argparse is imported here, when needed)."""
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise UserError(f"{self.prog}: {message} (see '{self.prog} --help')", 2)

    return Parser(prog=f"{PROG} {command}", description=description, usage=usage,
                  allow_abbrev=False)


def hook_command() -> str:
    """The gdb command that loads the extension."""
    return f"source {HOOK}"


def find_gdb() -> str:
    import shutil

    configured = os.environ.get(GDB_ENV)
    found = shutil.which(configured or "gdb")
    if found is None:
        if configured:
            raise UserError(f"gdb not found: {GDB_ENV}={configured} is not an executable")
        raise UserError(f"gdb not found on PATH: install it (e.g. 'apt-get install gdb') "
                        f"or set {GDB_ENV} to its path")
    return os.path.abspath(found)


def first_line(command: List[str]) -> str:
    import shlex
    import subprocess

    try:
        result = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"cannot run {shlex.join(command)}: {exc}") from None
    lines = result.stdout.decode(errors="replace").splitlines()
    if result.returncode != 0 or not lines:
        raise UserError(f"{shlex.join(command)} failed with status {result.returncode}")
    return lines[0].strip()


def check_ptrace_scope() -> None:
    """A UserError if this system lets no attach by this user work (before gdb is started for one)."""
    from cpython_gdb.direct.ptrace_scope import attach_refusal

    refusal = attach_refusal()
    if refusal is not None:
        raise UserError(f"cannot attach: {refusal}")
