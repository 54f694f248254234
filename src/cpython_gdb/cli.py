"""The ``cpython-gdb`` command: start gdb with the extension loaded.

    cpython-gdb gdbinit                          print the line for ~/.gdbinit
    cpython-gdb run [GDB-OPTION...] -- PROGRAM [ARG...]
    cpython-gdb attach PID [GDB-OPTION...]
    cpython-gdb core CORE [EXECUTABLE] [--sysroot DIR] [--lib-path DIR[:DIR]]
                     [--debug-file-directory DIR] [GDB-OPTION...]
    cpython-gdb demo [--python PYTHON]
    cpython-gdb dump PID|CORE [--exe PYTHON] [--locals] [--native] [--json]

run, attach and core replace this process with gdb (``$CPYTHON_GDB_GDB`` or
``gdb`` from PATH), so their exit status is gdb's; ``--dry-run`` prints the gdb
command line instead.  Standard library only; runs on Python 3.8 and later.
"""

from __future__ import annotations

import argparse
import os
import select
import shlex
import shutil
import subprocess
import sys
import time
from typing import Dict, List, NoReturn, Optional, Sequence

from cpython_gdb import __version__, coreopts
from cpython_gdb.demo import SAMPLE
from cpython_gdb.dump import cmd_dump
from cpython_gdb.elfcore import CoreError

PROG = "cpython-gdb"
GDB_ENV = "CPYTHON_GDB_GDB"
HOOK = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gdb_hook.py")

# What `cpython-gdb demo` runs in gdb once attached to the sample: each step is
# (title, gdb commands).  The sample's main thread is gdb's thread 1, and
# `py-locals` / `py-print` act on the innermost Python frame of the selected
# thread, which is `idle` there.
DEMO_STEPS = [
    ("info threads", ["info threads"]),
    ("thread apply all py-bt", ["thread apply all py-bt"]),
    ("py-locals (main thread, innermost Python frame)", ["thread 1", "py-locals"]),
    ("py-print job", ["py-print job"]),
]
PTRACE_DENIED = ("ptrace: Operation not permitted", "Could not attach to process")


class UserError(Exception):
    """An error reported on one line, without a traceback."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """Usage errors become one-line UserErrors."""

    def error(self, message: str) -> NoReturn:
        raise UserError(f"{self.prog}: {message} (see '{self.prog} --help')", 2)


def _parser(command: str, description: str, usage: Optional[str] = None) -> _Parser:
    return _Parser(prog=f"{PROG} {command}", description=description, usage=usage,
                   allow_abbrev=False)


def hook_command() -> str:
    """The gdb command that loads the extension."""
    return f"source {HOOK}"


def find_gdb() -> str:
    configured = os.environ.get(GDB_ENV)
    found = shutil.which(configured or "gdb")
    if found is None:
        if configured:
            raise UserError(f"gdb not found: {GDB_ENV}={configured} is not an executable")
        raise UserError(f"gdb not found on PATH: install it (e.g. 'apt-get install gdb') "
                        f"or set {GDB_ENV} to its path")
    return os.path.abspath(found)


def gdb_command(extra: Sequence[str]) -> List[str]:
    # -ex runs after gdb has loaded the program, attached or read the core,
    # and so after it auto-loaded any python-gdb.py: our commands then win.
    return [find_gdb(), "-ex", hook_command(), *extra]


def launch(argv: List[str], dry_run: bool) -> int:
    if dry_run:
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
    parser = _parser("gdbinit", "Print the gdb commands that load cpython-gdb, for "
                     f"example to append to ~/.gdbinit: {PROG} gdbinit >> ~/.gdbinit")
    parser.parse_args(argv)
    if not os.path.isfile(HOOK):
        raise UserError(f"the gdb hook is missing from the installation: {HOOK}")
    print(f"# cpython-gdb {__version__}: Python stacks, locals and objects in gdb")
    print(hook_command())
    return 0


def cmd_run(argv: List[str]) -> int:
    usage = f"{PROG} run [--dry-run] [GDB-OPTION...] -- PROGRAM [ARG...]"
    parser = _parser("run", "Run PROGRAM under gdb with cpython-gdb loaded.", usage)
    parser.add_argument("--dry-run", action="store_true", help=DRY_RUN_HELP)
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


def cmd_attach(argv: List[str]) -> int:
    parser = _parser("attach", "Attach gdb, with cpython-gdb loaded, to a running process.")
    parser.add_argument("--dry-run", action="store_true", help=DRY_RUN_HELP)
    parser.add_argument("pid", metavar="PID", help="process id")
    parser.add_argument("gdb_options", metavar="GDB-OPTION", nargs=argparse.REMAINDER,
                        help=GDB_OPTIONS_HELP)
    if all(arg == "--dry-run" for arg in argv):
        parser.error("missing PID")
    args = parser.parse_args(argv)
    dry_run = _strip_dry_run(args.gdb_options) or args.dry_run
    pid = _parse_pid(args.pid)
    return launch(gdb_command([*args.gdb_options, "-p", str(pid)]), dry_run)


def cmd_core(argv: List[str]) -> int:
    parser = _parser("core", "Open a core file in gdb with cpython-gdb loaded. Without "
                     "EXECUTABLE, the one the core names (AT_EXECFN, NT_FILE, argv[0]) is used.")
    parser.add_argument("--dry-run", action="store_true", help=DRY_RUN_HELP)
    parser.add_argument("core", metavar="CORE", help="core file")
    parser.add_argument("executable", metavar="EXECUTABLE", nargs="?",
                        help="the program that dumped it (the Python interpreter)")
    coreopts.add_arguments(parser)
    parser.add_argument("gdb_options", metavar="GDB-OPTION", nargs=argparse.REMAINDER,
                        help=GDB_OPTIONS_HELP)
    if all(arg == "--dry-run" for arg in argv):
        parser.error("missing CORE")
    args = parser.parse_args(argv)
    dry_run = _strip_dry_run(args.gdb_options) or args.dry_run
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


def _first_line(command: List[str]) -> str:
    try:
        result = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UserError(f"cannot run {shlex.join(command)}: {exc}") from None
    lines = result.stdout.decode(errors="replace").splitlines()
    if result.returncode != 0 or not lines:
        raise UserError(f"{shlex.join(command)} failed with status {result.returncode}")
    return lines[0].strip()


def _check_ptrace_scope() -> None:
    try:
        with open("/proc/sys/kernel/yama/ptrace_scope") as f:
            scope = int(f.read().strip())
    except (OSError, ValueError):
        return
    if scope >= 3:
        raise UserError("cannot attach: ptrace attach is disabled on this system "
                        "(kernel.yama.ptrace_scope=3)")
    if scope == 2 and os.geteuid() != 0:
        raise UserError("cannot attach: ptrace needs root here (kernel.yama.ptrace_scope=2); "
                        "run as root or set kernel.yama.ptrace_scope to 0 or 1")


def _wait_ready(process: subprocess.Popen[bytes], timeout: float) -> str:
    """Wait for the sample's ``ready ...`` line; return it."""
    assert process.stdout is not None
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise UserError(f"the sample program was not ready within {timeout:g} s")
        readable, _, _ = select.select([process.stdout], [], [], remaining)
        if readable:
            break
    line = process.stdout.readline().decode(errors="replace").strip()
    if not line.startswith("ready "):
        status = process.wait()
        raise UserError(f"the sample program exited with status {status} before it was ready")
    return line


def _fields(line: str) -> Dict[str, str]:
    return dict(item.split("=", 1) for item in line.split()[1:] if "=" in item)


def cmd_demo(argv: List[str]) -> int:
    parser = _parser("demo", "Start the bundled sample program (threads blocked in "
                     "recursion), attach gdb with cpython-gdb loaded, and show every "
                     "thread's Python stack, the main thread's locals and one object.")
    parser.add_argument("--python", metavar="PYTHON", default=sys.executable,
                        help="the Python that runs the sample (default: this one, %(default)s)")
    parser.add_argument("--timeout", metavar="SECONDS", type=float, default=300.0,
                        help="give up if gdb takes longer (default: %(default)g)")
    args = parser.parse_args(argv)

    gdb = find_gdb()
    python = shutil.which(args.python)
    if python is None:
        raise UserError(f"{PROG} demo: python not found: {args.python}")
    python = os.path.abspath(python)
    gdb_version = _first_line([gdb, "--version"])
    _check_ptrace_scope()

    # The sample exits by itself once gdb would have timed out, in case we die.
    sample = subprocess.Popen([python, SAMPLE, "--timeout", str(args.timeout + 60)],
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE)
    try:
        fields = _fields(_wait_ready(sample, timeout=60.0))
        # The demo shows cpython-gdb alone: no auto-loaded python-gdb.py (and
        # no warning about declining it), no thread start/exit chatter.
        commands = [
            gdb, "-batch", "-iex", "set auto-load python-scripts off",
            "-iex", "set print thread-events off", "-iex", hook_command(),
            "-p", str(sample.pid),
        ]
        for title, steps in DEMO_STEPS:
            commands += ["-ex", f"echo \\n=== {title} ===\\n"]
            for step in steps:
                commands += ["-ex", step]
        print(f"{PROG} demo: sample {SAMPLE} (pid {sample.pid})")
        print(f"  python: {python} ({fields.get('python', '?')})")
        print(f"  gdb:    {gdb} ({gdb_version})")
        sys.stdout.flush()
        # No debuginfod downloads or prompts for the system libraries.
        env = {key: value for key, value in os.environ.items() if key != "DEBUGINFOD_URLS"}
        try:
            result = subprocess.run(commands, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, timeout=args.timeout, env=env)
        except subprocess.TimeoutExpired:
            raise UserError(f"gdb did not finish within {args.timeout:g} s") from None
        output = result.stdout.decode(errors="replace")
        if any(marker in output for marker in PTRACE_DENIED):
            raise UserError("gdb may not attach to the sample (ptrace not permitted): run as "
                            "root, set kernel.yama.ptrace_scope=0, or give the container "
                            "CAP_SYS_PTRACE")
        sys.stdout.flush()
        sys.stdout.buffer.write(result.stdout)  # as gdb wrote it, whatever our encoding
        sys.stdout.buffer.flush()
        return result.returncode
    finally:
        sample.kill()
        sample.wait()
        if sample.stdout is not None:
            sample.stdout.close()


COMMANDS = {
    "gdbinit": (cmd_gdbinit, "print the gdb command that loads cpython-gdb (for ~/.gdbinit)"),
    "run": (cmd_run, "run a program under gdb with cpython-gdb loaded"),
    "attach": (cmd_attach, "attach gdb with cpython-gdb loaded to a running process"),
    "core": (cmd_core, "open a core file in gdb with cpython-gdb loaded"),
    "demo": (cmd_demo, "attach to a bundled sample program and show its Python stacks"),
    "dump": (cmd_dump,
             "print every thread of a process or core once (text or JSON) and exit"),
}


def _usage() -> str:
    lines = [f"usage: {PROG} [--version] COMMAND [ARG...]", "",
             "Show what a CPython process or core dump is doing, in gdb.", "", "commands:"]
    lines += [f"  {name:<9} {text}" for name, (_, text) in COMMANDS.items()]
    lines += ["", f"'{PROG} COMMAND --help' describes a command. gdb is ${GDB_ENV} if set, "
              "else gdb from PATH."]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
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
