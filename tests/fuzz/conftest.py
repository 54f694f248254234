"""Options of the fuzz campaign (issue 16), and its summary at the end of the run.

Quick tier (every CI run): the default, a few cases per version.
Long tier: ``pytest tests/fuzz --fuzz-cases 2000 --fuzz-versions 3.8,3.10,3.12``
runs that many live cases and as many core cases per version, in chunks
that pytest-xdist spreads over its workers, and prints per version the
cases run and the escapes, hangs, huge outputs, crashes and side effects
found (also written as JSON to ``--fuzz-report``).
"""

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

QUICK_EXAMPLES = 40


def pytest_addoption(parser):
    group = parser.getgroup("fuzz", "fuzz campaign (tests/fuzz)")
    group.addoption("--fuzz-cases", type=int, default=0,
                    help="long tier: this many live cases and as many core cases per version (default: quick tier)")
    group.addoption("--fuzz-versions", default="",
                    help="comma-separated versions for the long tier (default: every one found)")
    group.addoption("--fuzz-first", type=int, default=0, help="first case number of the long tier (default 0)")
    group.addoption("--fuzz-chunk", type=int, default=25, help="cases per test item in the long tier")
    group.addoption("--fuzz-kinds", default="live,core", help="long tier: live, core or both")
    group.addoption("--fuzz-report", default="", help="long tier: write the figures and findings as JSON here")


def pytest_configure(config):
    cases = config.getoption("--fuzz-cases", 0) or 0
    # Deterministic in the quick tier (the same examples every run); the
    # long tier draws new ones (a failure prints its reproduce_failure).
    settings.register_profile("fuzz-quick", max_examples=QUICK_EXAMPLES, derandomize=True, database=None,
                              deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("fuzz-long", max_examples=max(QUICK_EXAMPLES, cases), database=None, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile("fuzz-long" if cases else "fuzz-quick")


@pytest.fixture
def fuzz_record(request):
    """Collects a long-tier chunk's figures; they travel to the controller in the test report."""
    def record(figures):
        request.node.user_properties.append(("fuzz", json.dumps(figures)))
    return record


def pytest_runtest_logreport(report):
    if report.when != "call":
        return
    for name, value in getattr(report, "user_properties", ()):
        if name == "fuzz":
            _results.append(json.loads(value))


_results = []


def pytest_terminal_summary(terminalreporter, config):
    if not _results:
        return
    totals = {}
    for chunk in _results:
        key = (chunk["kind"], chunk["version"])
        total = totals.setdefault(key, {"cases": 0, "escape": 0, "hang": 0, "huge": 0, "crash": 0,
                                        "side effect": 0, "known": {}, "new": []})
        total["cases"] += chunk["cases"]
        for kind in ("escape", "hang", "huge", "crash", "side effect"):
            total[kind] += chunk["counts"].get(kind, 0)
        for bug, count in chunk["known"].items():
            total["known"][bug] = total["known"].get(bug, 0) + count
        total["new"] += chunk["new"]
    write = terminalreporter.write_line
    write("")
    write("fuzz campaign: cases with a finding of each class (a case may count in several)")
    write(f"{'kind':5} {'version':7} {'cases':>6} {'escape':>7} {'hang':>5} {'huge':>5} {'crash':>6} {'side eff.':>9}"
          "  known bugs hit (cases)")
    for (kind, version), t in sorted(totals.items(), key=lambda item: (item[0][0], _vkey(item[0][1]))):
        known = ", ".join(f"{bug.split(':')[0]} {n}" for bug, n in sorted(t["known"].items())) or "-"
        write(f"{kind:5} {version:7} {t['cases']:>6} {t['escape']:>7} {t['hang']:>5} {t['huge']:>5} {t['crash']:>6} "
              f"{t['side effect']:>9}  {known}")
        for line in t["new"][:20]:
            write(f"    NEW: {line}")
    path = config.getoption("--fuzz-report")
    if path:
        rows = [{"kind": k, "version": v, **t} for (k, v), t in totals.items()]
        Path(path).write_text(json.dumps(rows, indent=2) + "\n")
        write(f"fuzz report written to {os.path.abspath(path)}")


def _vkey(version):
    return tuple(int(part) for part in version.split(".") if part.isdigit())
