"""Replay fuzz cases: the reproduction a failing case prints ends with this command line.

    .venv/bin/python tests/fuzz/replay.py live 3.12 1234
    .venv/bin/python tests/fuzz/replay.py live 3.12 1234 --ops 0,2 --command py-bt --show
    .venv/bin/python tests/fuzz/replay.py core 3.10 40-60        # a range of cases
    .venv/bin/python tests/fuzz/replay.py targeted 3.12 fifo-source   # a case of fuzzlib/targeted.py ("all": each)

It starts the target under that CPython, applies the case's corruption
(only the operations ``--ops`` lists, by index), runs every command of the
case (or only the ``--command`` ones; ``dump ARGS`` for a dump variant)
and prints the findings; ``--show`` prints every command's output too.
Exit status 1 when there is a finding.
"""

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent), str(HERE.parent.parent / "src")]

from fuzzlib.campaign import (  # noqa: E402
    CoreBase,
    live_target,
    reproduction,
    run_core_case,
    run_live_case,
    run_targeted,
)
from fuzzlib.known import known_bug  # noqa: E402
from fuzzlib.targeted import CASES, by_name  # noqa: E402


def _seeds(text: str):
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=("live", "core", "targeted"))
    parser.add_argument("version", help="3.8 ... 3.13 (pyenv), 3.14 or 3.15 (sid root)")
    parser.add_argument("seed", help="case number, or FIRST-LAST; for targeted: the case's name, or all")
    parser.add_argument("--ops", help="indexes of the case's operations to apply (default: all)")
    parser.add_argument("--command", action="append", help="run only this command (repeatable)")
    parser.add_argument("--show", action="store_true", help="print every command's output")
    args = parser.parse_args(argv)
    status = 0
    with live_target(args.version) as target:
        base = CoreBase(target) if args.kind in ("core", "targeted") else None
        print(f"target: {target.describe()}, pid {target.pid}")
        if args.kind == "targeted":
            return _targeted(target, base, args)
        for seed in _seeds(args.seed):
            def run(ops=None, only=None, seed=seed):
                if base is not None:
                    return run_core_case(base, seed, ops, only)
                return run_live_case(target, seed, ops, only)

            result = run(None, args.command)
            if args.ops is not None:
                chosen = [result.ops[int(i)] for i in args.ops.split(",")]
                result = run(chosen, args.command)
            print(f"case {args.kind} {args.version} {seed}: {len(result.ops)} operation(s)"
                  + (f"; core: {result.note}" if result.note else ""))
            for op in result.ops:
                print(f"  {op.describe()}")
            for write in result.writes:
                print(f"    {write.describe()}")
            _show(result, args.show)
            for finding in result.findings:
                status = 1
                print(reproduction(result, finding, result.ops, args.command or [], target.describe()))
                bug = [b for b, f in result.known() if f == finding]
                print(f"  known bug: {bug[0]}" if bug else "  NEW FINDING")
            if not result.findings:
                print("  no finding")
    return status


def _show(result, show: bool) -> None:
    """With --show: every command's time, size, status and output (the first 20000 characters)."""
    if show:
        for r in result.runs:
            print(f"--- [{r.tool}] {r.command} ({r.seconds:.2f} s, {r.size} bytes, {r.status})")
            print(r.output[:20000])


def _targeted(target, base, args) -> int:
    status = 0
    names = [case.name for case in CASES] if args.seed == "all" else [args.seed]
    for name in names:
        case = by_name(name)
        if case.versions is not None and args.version not in case.versions:
            continue
        result = run_targeted(target, case, base)
        print(f"targeted {name} ({case.kind}), open bug: {case.bug or 'none'}")
        _show(result, args.show)
        for finding in result.findings:
            status = 1
            bug = known_bug(finding, result)
            print(f"  {finding.line()}" + (f"  [known: {bug.split(':')[0]}]" if bug else "  [NEW]"))
        if not result.findings:
            print("  no finding")
    return status


if __name__ == "__main__":
    sys.exit(main())
