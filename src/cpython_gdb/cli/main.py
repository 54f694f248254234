"""The ``cpython-gdb`` command: start gdb with the extension loaded.

    cpython-gdb gdbinit                          print the line for ~/.gdbinit
    cpython-gdb run [GDB-OPTION...] -- PROGRAM [ARG...]
    cpython-gdb attach PID [GDB-OPTION...]
    cpython-gdb core CORE [EXECUTABLE] [--sysroot DIR] [--lib-path DIR[:DIR]]
                     [--debug-file-directory DIR] [GDB-OPTION...]
    cpython-gdb demo [--python PYTHON]
    cpython-gdb dump PID|CORE [--exe PYTHON] [--locals] [--native] [--json]
    cpython-gdb heap PID|CORE [--top N] [--sort bytes|count] [--json] [--type NAME] [--refs ADDR [--chain]]
    cpython-gdb heap --diff BEFORE AFTER

run, attach and core replace this process with gdb (``$CPYTHON_GDB_GDB`` or
``gdb`` from PATH), so their exit status is gdb's; ``--dry-run`` prints the gdb
command line instead.  Standard library only; runs on Python 3.8 and later.
"""

from __future__ import annotations

import os
import sys

from cpython_gdb import __version__
from cpython_gdb.cli.launcher import GDB_ENV, HOOK, PROG, UserError, find_gdb, hook_command, make_parser

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Callable, Dict, List, Optional, Sequence, Tuple

# Each command imports what it needs when it runs: `dump` is timed against
# py-spy, and most of its wall time would otherwise be importing modules
# that only the gdb commands use (argparse pieces, subprocess, shutil, json).


def gdb_command(extra: Sequence[str]) -> List[str]:
    # -ex runs after gdb has loaded the program, attached or read the core,
    # and so after it auto-loaded any python-gdb.py: our commands then win.
    return [find_gdb(), "-ex", hook_command(), *extra]


def launch(argv: List[str], dry_run: bool) -> int:
    if dry_run:
        import shlex
        print(shlex.join(argv))
        return 0
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execv(argv[0], argv)
    except OSError as exc:
        raise UserError(f"cannot run {argv[0]}: {exc.strerror}") from None


def _strip_dry_run(args: List[str]) -> bool:
    """Remove our --dry-run from pass-through gdb options; True if present."""
    found = "--dry-run" in args
    args[:] = [arg for arg in args if arg != "--dry-run"]
    return found


DRY_RUN_HELP = "print the gdb command line instead of running it"
GDB_OPTIONS_HELP = "other gdb options, passed through (e.g. -batch -ex py-bt)"


def cmd_gdbinit(argv: List[str]) -> int:
    parser = make_parser("gdbinit", "Print the gdb commands that load cpython-gdb, for "
                     f"example to append to ~/.gdbinit: {PROG} gdbinit >> ~/.gdbinit")
    parser.parse_args(argv)
    if not os.path.isfile(HOOK):
        raise UserError(f"the gdb hook is missing from the installation: {HOOK}")
    print(f"# cpython-gdb {__version__}: Python stacks, locals and objects in gdb")
    print(hook_command())
    return 0


def cmd_run(argv: List[str]) -> int:
    usage = f"{PROG} run [--dry-run] [GDB-OPTION...] -- PROGRAM [ARG...]"
    parser = make_parser("run", "Run PROGRAM under gdb with cpython-gdb loaded.", usage)
    parser.add_argument("--dry-run", action="store_true", help=DRY_RUN_HELP)
    import shutil
    if "--" in argv:
        split = argv.index("--")
        own, program = argv[:split], argv[split + 1:]
    else:
        own, program = argv, []
    args, gdb_options = parser.parse_known_args(own)
    if not program:
        raise UserError(f"{PROG} run: no program given; usage: {usage}", 2)
    if shutil.which(program[0]) is None:
        raise UserError(f"{PROG} run: program not found: {program[0]}")
    return launch(gdb_command([*gdb_options, "--args", *program]), args.dry_run)


def _parse_pid(text: str) -> int:
    try:
        pid = int(text, 10)
    except ValueError:
        pid = 0
    if pid <= 0:
        raise UserError(f"{PROG} attach: invalid process id: {text!r}", 2)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        raise UserError(f"{PROG} attach: no process with id {pid}") from None
    except PermissionError:
        pass  # it exists; gdb reports whether it may attach
    return pid


def _parse_launch(argv: List[str], parser: "argparse.ArgumentParser", what: str) -> "Tuple[argparse.Namespace, bool]":
    """The arguments of attach and core, whose own positionals ``parser`` has, then gdb's; and --dry-run."""
    import argparse

    parser.add_argument("gdb_options", metavar="GDB-OPTION", nargs=argparse.REMAINDER,
                        help=GDB_OPTIONS_HELP)
    if all(arg == "--dry-run" for arg in argv):
        parser.error(f"missing {what}")
    args = parser.parse_args(argv)
    return args, _strip_dry_run(args.gdb_options) or args.dry_run


def cmd_attach(argv: List[str]) -> int:
    parser = make_parser("attach", "Attach gdb, with cpython-gdb loaded, to a running process.")
    parser.add_argument("--dry-run", action="store_true", help=DRY_RUN_HELP)
    parser.add_argument("pid", metavar="PID", help="process id")
    args, dry_run = _parse_launch(argv, parser, "PID")
    pid = _parse_pid(args.pid)
    return launch(gdb_command([*args.gdb_options, "-p", str(pid)]), dry_run)


def cmd_core(argv: List[str]) -> int:
    import shutil

    from cpython_gdb.cli import coreopts
    from cpython_gdb.engine.elf.corefile import CoreError
    parser = make_parser("core", "Open a core file in gdb with cpython-gdb loaded. Without "
                     "EXECUTABLE, the one the core names (AT_EXECFN, NT_FILE, argv[0]) is used.")
    parser.add_argument("--dry-run", action="store_true", help=DRY_RUN_HELP)
    parser.add_argument("core", metavar="CORE", help="core file")
    parser.add_argument("executable", metavar="EXECUTABLE", nargs="?",
                        help="the program that dumped it (the Python interpreter)")
    coreopts.add_arguments(parser)
    args, dry_run = _parse_launch(argv, parser, "CORE")
    try:
        settings = coreopts.take_settings(args, args.gdb_options)
    except coreopts.OptionError as exc:
        raise UserError(f"{PROG} core: {exc}", 2) from None
    if not os.path.isfile(args.core):
        raise UserError(f"{PROG} core: core file not found: {args.core}")
    executable: Optional[str] = args.executable
    if executable is not None and not os.path.isfile(executable):
        executable = shutil.which(executable)
        if executable is None:
            raise UserError(f"{PROG} core: executable not found: {args.executable}")
    find_gdb()  # no gdb is the first thing to hear about
    try:
        executable, notes = coreopts.executable_for(args.core, executable, args.sysroot)
    except CoreError as exc:
        raise UserError(f"{PROG} core: {exc}") from None
    for note in notes:
        print(f"{PROG} core: {note}", file=sys.stderr)
    return launch(gdb_command([*settings, *args.gdb_options, executable, "-c", args.core]), dry_run)


def cmd_demo(argv: List[str]) -> int:
    from cpython_gdb.cli.demo.run import cmd_demo as run_demo
    return run_demo(argv)


def cmd_dump(argv: List[str]) -> int:
    import gc

    # Importing what a dump needs makes thousands of objects (classes,
    # functions, tables), none of them garbage, and the cyclic collector would
    # go over them again and again: about 1 ms of a 30 ms dump (bench/dump.py).
    # So it is paused for the imports, and what exists then is frozen out of
    # later collections, which still run while the target is read.
    pause = gc.isenabled() and "cpython_gdb.cli.dump" not in sys.modules
    if pause:
        gc.disable()
    try:
        from cpython_gdb.cli.dump import cmd_dump as run_dump
    finally:
        if pause:
            gc.freeze()
            gc.enable()
    return run_dump(argv)


def cmd_heap(argv: List[str]) -> int:
    from cpython_gdb.cli.heap import cmd_heap as run_heap
    return run_heap(argv)


COMMANDS: Dict[str, Tuple[Callable[[List[str]], int], str]] = {
    "gdbinit": (cmd_gdbinit, "print the gdb command that loads cpython-gdb (for ~/.gdbinit)"),
    "run": (cmd_run, "run a program under gdb with cpython-gdb loaded"),
    "attach": (cmd_attach, "attach gdb with cpython-gdb loaded to a running process"),
    "core": (cmd_core, "open a core file in gdb with cpython-gdb loaded"),
    "demo": (cmd_demo, "attach to a bundled sample program and show its Python stacks"),
    "dump": (cmd_dump,
             "print every thread of a process or core once (text or JSON) and exit"),
    "heap": (cmd_heap, "count the live Python objects of a process or core by type (also --diff, --type, --refs)"),
}


def _usage() -> str:
    lines = [f"usage: {PROG} [--version] COMMAND [ARG...]", "",
             "Show what a CPython process or core dump is doing, in gdb.", "", "commands:"]
    lines += [f"  {name:<9} {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", f"'{PROG} COMMAND --help' describes a command. gdb is ${GDB_ENV} if set, "
              "else gdb from PATH."]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    try:
        status = _run(list(sys.argv[1:] if argv is None else argv))
    except BrokenPipeError:
        # The reader went away (`cpython-gdb dump PID | head`): stop quietly,
        # with the status a shell gives a process killed by SIGPIPE.
        status = 128 + 13
        if argv is None:
            os._exit(status)
    if argv is None:
        _exit(status)
    return status


def _exit(status: int) -> None:
    """End the program now, skipping the interpreter's teardown.

    Nothing is left to release (a dumped process was resumed when its
    block ended), and tearing down the imported modules costs about 4 ms
    of a 35 ms ``dump`` (bench/dump.py).
    """
    for stream in (sys.stdout, sys.stderr):
        if stream is None:  # started with the descriptor closed
            continue
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can be said
            status = status or 1
    os._exit(status)


def _run(args: List[str]) -> int:
    try:
        if not args:
            print(_usage(), file=sys.stderr)
            return 2
        if args[0] in ("-h", "--help"):
            print(_usage())
            return 0
        if args[0] == "--version":
            print(f"{PROG} {__version__}")
            return 0
        entry = COMMANDS.get(args[0])
        if entry is None:
            raise UserError(f"{PROG}: unknown command {args[0]!r} (see '{PROG} --help')", 2)
        return entry[0](args[1:])
    except UserError as exc:
        message = str(exc)
        if not message.startswith(PROG):
            message = f"{PROG}: {message}"
        print(message, file=sys.stderr)
        return exc.status
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
