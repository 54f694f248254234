"""``cpython-gdb heap``: what fills the heap of a process or core, by type, read without gdb.

    cpython-gdb heap PID|CORE [--top N] [--sort bytes|count] [--json] [--exe PYTHON] [--max-objects N]
    cpython-gdb heap PID|CORE --type NAME [--limit K]
    cpython-gdb heap PID|CORE --refs ADDR [--chain]
    cpython-gdb heap --diff BEFORE AFTER [--top N] [--json]

A process is stopped while its heap is walked, then resumed. BEFORE and
AFTER are files written by ``heap --json``, or processes or cores, whose
census is then taken.

Exit status: 0 printed; 1 the target cannot be read; 2 usage error.
"""

from __future__ import annotations

import json
import os
import sys

from cpython_gdb.cli.launcher import UserError
from cpython_gdb.engine.heap.census import DEFAULT_MAX_OBJECTS
from cpython_gdb.engine.heap.document import census_document, find_type_names, instances_entry, is_census
from cpython_gdb.engine.report import heap_text
from cpython_gdb.engine.report.text import json_text
from cpython_gdb.errors import CpythonGdbError, NoInterpreter

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from typing import Any, Callable, Dict, List, NoReturn, Optional

    from cpython_gdb.direct.heap import HeapResult
    from cpython_gdb.engine.heap.census import HeapWalk

PROG = "cpython-gdb heap"
EXIT_OK, EXIT_TARGET, EXIT_USAGE = 0, 1, 2
DEFAULT_LIMIT = 20


def _parser() -> "argparse.ArgumentParser":
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise UserError(f"{message} (see '{PROG} --help')", EXIT_USAGE)

    parser = _Parser(prog=PROG, allow_abbrev=False, description=(
        "Count every live Python object of a running process or a core file by type (objects on the "
        "cyclic collector's lists, and the objects they refer to that it does not track), with their size as "
        "sys.getsizeof counts it. A process is stopped while it is read, then resumed."),
        epilog="exit status: 0 printed, 1 target cannot be read, 2 usage error")
    parser.add_argument("target", metavar="PID|CORE", nargs="?", help="process id, or core file")
    parser.add_argument("--exe", metavar="PYTHON", help="the Python executable (for a core: found from the core "
                        "if not given)")
    parser.add_argument("--top", metavar="N", type=int, default=heap_text.DEFAULT_TOP,
                        help="types shown (default: %(default)s)")
    parser.add_argument("--sort", choices=heap_text.SORTS, default="bytes", help="order of the types")
    parser.add_argument("--json", action="store_true", help="print the census (every type) as JSON, "
                        "for --diff")
    parser.add_argument("--type", metavar="NAME", help="list the instances of this type (module.Class, or "
                        "a builtin's name)")
    parser.add_argument("--limit", metavar="K", type=int, default=DEFAULT_LIMIT,
                        help="instances listed with --type (default: %(default)s)")
    parser.add_argument("--refs", metavar="ADDR", help="list the objects that refer to the object at ADDR")
    parser.add_argument("--chain", action="store_true", help="with --refs: follow referrers up to a module, "
                        "a class or a frame's locals")
    parser.add_argument("--diff", nargs=2, metavar=("BEFORE", "AFTER"),
                        help="the types that grew from BEFORE to AFTER (heap --json files, cores or PIDs)")
    parser.add_argument("--max-objects", metavar="N", type=int, default=DEFAULT_MAX_OBJECTS,
                        help="stop the walk after N objects (default: %(default)s)")
    return parser


def _progress() -> Optional[Callable[[int, str], None]]:
    if not sys.stderr.isatty():
        return None
    from cpython_gdb.direct.heap import stderr_progress

    return stderr_progress(sys.stderr)


def _census(target: str, exe: Optional[str], max_objects: int,
            use: Optional[Callable[[HeapWalk], Any]] = None) -> HeapResult:
    from cpython_gdb.cli.dump import _check_core, _check_pid
    from cpython_gdb.direct.heap import core_heap, process_heap
    from cpython_gdb.direct.live import TargetError

    warning = None
    progress = _progress()
    try:
        try:
            if target.isdigit():
                pid = int(target)
                what = f"process {pid}"
                _check_pid(pid)
                return process_heap(pid, exe, max_objects, progress, use)
            if not os.path.exists(target):
                raise UserError(f"no such process or core file: {target}")
            what = f"core {target}"
            info, on_disk, name, warning = _check_core(target, exe, None)
            result = core_heap(info, on_disk, name, max_objects, progress, use)
            if warning:
                print(f"{PROG}: warning: {warning}", file=sys.stderr)
            return result
        finally:
            if progress is not None:
                sys.stderr.write("\r\x1b[K")
                sys.stderr.flush()
    except UserError:
        raise
    except NoInterpreter as exc:
        message = f"cannot read {what}: {exc}" if warning else f"{what} is not a Python process ({exc})"
    except TargetError as exc:
        message = str(exc)
    except CpythonGdbError as exc:
        message = f"cannot read {what}: {exc}"
    except OSError as exc:
        message = f"cannot read {what}: {exc.strerror or exc}"
    raise UserError(message + (f"; {warning}" if warning else ""), EXIT_TARGET)


def _load(side: str, exe: Optional[str], max_objects: int) -> Dict[str, Any]:
    """A census document: a heap --json file, or the census of a process or core taken now."""
    if not side.isdigit() and os.path.isfile(side):
        try:
            with open(side, "rb") as f:
                head = f.read(1)
                if head in (b"{", b" ", b"\n"):
                    doc = json.loads(head + f.read())
                    if not is_census(doc):
                        raise UserError(f"{side} is not a census written by '{PROG} --json'", EXIT_USAGE)
                    return dict(doc)
        except (OSError, ValueError) as exc:
            raise UserError(f"cannot read {side}: {exc}", EXIT_USAGE) from None
    result = _census(side, exe, max_objects)
    return census_document(result.census, result.target)


def _write(text: str) -> None:
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if reconfigure is not None:
        reconfigure(errors="backslashreplace")
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _parse_address(text: str) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        value = -1
    if value <= 0:
        raise UserError(f"not an address: {text!r}", EXIT_USAGE)
    return value


def run(argv: List[str]) -> int:
    from cpython_gdb.engine.limits import DEFAULT_LIMITS

    args = _parser().parse_args(argv)
    if args.top < 0 or args.limit < 0 or args.max_objects <= 0:
        raise UserError("--top and --limit must be 0 or more, --max-objects more than 0", EXIT_USAGE)
    if args.diff:
        if args.target is not None or args.type or args.refs:
            raise UserError("--diff takes BEFORE and AFTER only", EXIT_USAGE)
        from cpython_gdb.engine.heap.diff import diff_document

        before, after = (_load(side, args.exe, args.max_objects) for side in args.diff)
        diff = diff_document(before, after)
        _write(json_text(diff, indent=2) if args.json else "\n".join(heap_text.diff_lines(diff, args.top)))
        return EXIT_OK
    if args.target is None:
        raise UserError(f"missing PID|CORE (see '{PROG} --help')", EXIT_USAGE)
    if args.type and args.refs:
        raise UserError("--type and --refs do not go together", EXIT_USAGE)
    if args.chain and not args.refs:
        raise UserError("--chain goes with --refs", EXIT_USAGE)
    if args.type:
        name = args.type

        def instances(walk: HeapWalk) -> Dict[str, Any]:
            entry = instances_entry(walk, name, args.limit, DEFAULT_LIMITS)
            if not entry["count"]:
                entry["similar"] = find_type_names(walk, name)
            return entry

        entry = _census(args.target, args.exe, args.max_objects, instances).extra
        if not entry["count"]:
            similar = entry.get("similar") or []
            hint = f" (did you mean {', '.join(similar)}?)" if similar else ""
            raise UserError(f"no object of type {name!r} in the heap{hint}", EXIT_TARGET)
        _write(json_text(entry, indent=2) if args.json else "\n".join(heap_text.instances_lines(entry)))
        return EXIT_OK
    if args.refs:
        from cpython_gdb.engine.heap.referrers import referrers_entry

        address = _parse_address(args.refs)
        chain = args.chain

        def refs(walk: HeapWalk) -> Dict[str, Any]:
            return referrers_entry(walk, address, chain, DEFAULT_LIMITS)

        entry = _census(args.target, args.exe, args.max_objects, refs).extra
        _write(json_text(entry, indent=2) if args.json else "\n".join(heap_text.referrers_lines(entry)))
        return EXIT_OK
    result = _census(args.target, args.exe, args.max_objects)
    doc = census_document(result.census, result.target)
    if result.layout_warning:
        print(f"{PROG}: warning: {result.layout_warning}", file=sys.stderr)
    _write(json_text(doc, indent=2) if args.json else "\n".join(heap_text.census_lines(doc, args.top, args.sort)))
    return EXIT_OK


def cmd_heap(argv: List[str]) -> int:
    try:
        return run(argv)
    except UserError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return exc.status
