"""Opening a core file: options for cores taken on another machine, and the
executable named by the core (see :mod:`cpython_gdb.engine.elf.corefile`).

Standard library only; Python 3.8+. Used by ``cpython-gdb core``.
"""

from __future__ import annotations

import argparse

from cpython_gdb.cli.launcher import UserError
from cpython_gdb.engine.elf.corefile import GIVEN, CoreError, CoreFile

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import List, Optional, Tuple

# option -> (gdb setting, help)
CORE_OPTIONS = {
    "--sysroot": ("sysroot", "look for the shared libraries (and the executable) of the core under DIR"),
    "--lib-path": ("solib-search-path", "then look for the libraries in these directories (DIR[:DIR...])"),
    "--debug-file-directory": ("debug-file-directory", "look for separate debug info there (DIR[:DIR...])"),
}


class OptionError(UserError):
    """A core option without its value (a usage error)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    for option, (setting, text) in CORE_OPTIONS.items():
        parser.add_argument(option, metavar="DIR", help=f"{text} (gdb 'set {setting}')")


def take_settings(args: argparse.Namespace, rest: List[str]) -> List[str]:
    """gdb's ``-iex 'set ...'`` arguments for the core options.

    The options may also come after CORE, among the gdb options in ``rest``:
    they are taken out of it. ``args`` gets their values. -iex runs before gdb
    loads the core, as the settings must.
    """
    argv: List[str] = []
    for option, (setting, _) in CORE_OPTIONS.items():
        attribute = option[2:].replace("-", "_")
        value = getattr(args, attribute)
        for i, arg in enumerate(rest):
            if arg == option and i + 1 == len(rest):
                raise OptionError(f"argument {option}: expected one argument", 2)
            if arg == option or arg.startswith(option + "="):
                value = rest.pop(i + 1) if arg == option else arg.split("=", 1)[1]
                del rest[i]
                break
        setattr(args, attribute, value)
        if value is not None:
            argv += ["-iex", f"set {setting} {value}"]
    return argv


def executable_for(core: str, executable: Optional[str], sysroot: Optional[str]) -> Tuple[str, List[str]]:
    """The executable to open CORE with, and the lines to tell the user first.

    A given ``executable`` is kept; a file that is not a readable core is then
    only a warning, as gdb has the last word. Otherwise the core names it:
    CoreError says so, with every name it holds, when none is on disk.
    """
    notes: List[str] = []
    try:
        info = CoreFile(core)
    except CoreError as exc:
        if executable is None:
            raise CoreError(f"{exc}; cannot find its executable") from None
        return executable, [f"warning: {exc}"]
    message = info.truncation_message()
    if message is not None:
        notes.append(f"warning: {message}")
    path, source, _ = info.executable(executable, sysroot)
    if path is None:
        names = ", ".join(f"{name} ({note})" for name, note in info.executable_names())
        raise CoreError(f"cannot find the executable of {core}: the core names {names or 'no file'}; "
                        "pass it as EXECUTABLE after CORE" + (f"; {message}" if message else ""))
    if source != GIVEN:
        notes.append(f"executable {path} (from {source}); {info.describe()}")
    return path, notes
