"""`cpython-gdb demo`: attach to the bundled sample program and show its stacks."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import sys
import time
from typing import Dict, List

from cpython_gdb.cli.demo import SAMPLE
from cpython_gdb.cli.launcher import (
    PROG,
    PTRACE_DENIED,
    UserError,
    check_ptrace_scope,
    find_gdb,
    first_line,
    hook_command,
    make_parser,
)

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
    parser = make_parser("demo", "Start the bundled sample program (threads blocked in "
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
    gdb_version = first_line([gdb, "--version"])
    check_ptrace_scope()

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
