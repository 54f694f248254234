#!/usr/bin/env python3
"""Run every benchmark of bench/ and print its tables: one command for all.

In gdb (run.py: each command against python-gdb.py, bench/results.md),
then the gdb-free dump (dump.py: against py-spy and pystack,
bench/results-dump.md). Both take the same --versions; --rounds applies to
each (the defaults are theirs).

    python3 bench/all.py [--versions 3.8 3.9 3.10 3.11 3.12 3.13] [--rounds N]
"""

import argparse
import sys
from typing import List

import dump
import run


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--versions", nargs="+", default=["3.8", "3.9", "3.10", "3.11", "3.12", "3.13"])
    parser.add_argument("--rounds", type=int)
    args = parser.parse_args(argv)
    common = ["--versions", *args.versions] + (["--rounds", str(args.rounds)] if args.rounds else [])
    status = run.main(common)
    return dump.main(common) or status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
