"""The fuzz campaign on real targets: live processes and core files (issue 16).

Quick tier (the default): per version, QUICK_LIVE random live cases and
QUICK_CORE random core cases (one live case on the sid root's versions),
and each targeted case (targeted.py) on one version, taken in turn. Long tier (``--fuzz-cases N``): cases 0..N-1 of
both kinds on every version of ``--fuzz-versions``, in chunks, and every
targeted case on every version; its figures end the run (conftest.py).

A case fails with a minimised reproduction when it shows a finding that no
open bug explains; one whose findings are all known bugs is xfailed with
their names (targeted cases carry xfail(strict=False) marks, so they pass
once the fixes land).
"""

import pytest
from fuzzlib import known
from fuzzlib.campaign import (
    SID_NAMES,
    CoreBase,
    LiveTarget,
    available_versions,
    confirm_hangs,
    figures,
    minimise,
    reproduction,
    run_core_case,
    run_live_case,
    run_targeted,
)
from fuzzlib.known import KnownBug
from fuzzlib.targeted import CASES, by_name

QUICK_LIVE = 2
QUICK_CORE = 1
VERSIONS = available_versions()


def pytest_generate_tests(metafunc):
    config = metafunc.config
    long_cases = config.getoption("--fuzz-cases")
    versions = VERSIONS
    wanted = config.getoption("--fuzz-versions")
    if wanted:
        versions = [v for v in wanted.split(",") if v]
    names = metafunc.fixturenames
    if "quick_case" in names:
        params = [] if long_cases else [(v, kind, n) for v in versions for kind, count in _quick_counts(v)
                                        for n in range(count)]
        metafunc.parametrize("quick_case", params or [pytest.param(None, marks=pytest.mark.skip("long tier"))],
                             ids=[f"{k}-{v}-{n}" for v, k, n in params] or None)
    if "long_chunk" in names:
        first, chunk = config.getoption("--fuzz-first"), config.getoption("--fuzz-chunk")
        kinds = [k for k in config.getoption("--fuzz-kinds").split(",") if k]
        params = [(v, kind, start, min(start + chunk, first + long_cases))
                  for v in versions for kind in kinds for start in range(first, first + long_cases, chunk)]
        metafunc.parametrize("long_chunk", params or [pytest.param(None, marks=pytest.mark.skip("quick tier"))],
                             ids=[f"{k}-{v}-{a}-{b - 1}" for v, k, a, b in params] or None)
    if "targeted_case" in names:
        params = []
        for i, case in enumerate(CASES):
            usable = [v for v in versions if case.versions is None or v in case.versions]
            if not usable:
                continue
            # Quick tier: each case on one version, in turn; long tier: on all.
            chosen = usable if long_cases else [usable[i % len(usable)]]
            marks = ([pytest.mark.xfail(strict=False, raises=KnownBug, reason=case.bug)] if case.bug in known.OPEN
                     else [])
            params += [pytest.param((case.name, v), marks=marks, id=f"{case.name}-{v}") for v in chosen]
        metafunc.parametrize("targeted_case", params)


def _quick_counts(version):
    """Quick-tier cases of a version: the sid root's cost about twice as much (gdb reads a larger DWARF
    through the sysroot), so they get one live case each; the long tier does the rest."""
    if version in SID_NAMES:
        return (("live", 1),)
    return (("live", QUICK_LIVE), ("core", QUICK_CORE))


_targets = {}
_cores = {}


@pytest.fixture(scope="session")
def targets():
    """One hostile target per version in this worker, started when first needed."""
    def get(version):
        target = _targets.get(version)
        if target is None:
            target = _targets[version] = LiveTarget(version)
        return target
    yield get
    for target in _targets.values():
        target.close()
    _targets.clear()
    _cores.clear()


def core_base(get, version):
    base = _cores.get(version)
    if base is None:
        base = _cores[version] = CoreBase(get(version))
    return base


def _runner(target, kind, seed, base=None, gdb_dumps=True):
    def run(ops=None, only=None):
        if kind == "core":
            return run_core_case(base, seed, ops, only, gdb_dumps=gdb_dumps)
        return run_live_case(target, seed, ops, only, gdb_dumps=gdb_dumps)
    return run


def _verdict(result, run):
    """Fail with a minimised reproduction for a new finding; xfail when every finding is a known bug."""
    result = confirm_hangs(result, run)
    new = result.unknown()
    if new:
        texts = []
        for finding in new[:3]:
            ops, only = minimise(run, result, finding) if not result.name else (result.ops, [])
            texts.append(reproduction(result, finding, ops, only))
        pytest.fail("\n\n".join(texts), pytrace=False)
    bugs = [bug for bug, _ in result.known()]
    if bugs:
        return bugs
    return []


def test_quick(quick_case, targets):
    version, kind, seed = quick_case
    target = targets(version)
    base = core_base(targets, version) if kind == "core" else None
    # The dumps through gdb (a gdb each) in a version's first case only.
    run = _runner(target, kind, seed, base, gdb_dumps=seed == 0)
    result = run()
    bugs = _verdict(result, run)
    if bugs:
        pytest.xfail("known bug(s): " + "; ".join(sorted(set(bugs))))


def test_targeted(targeted_case, targets):
    name, version = targeted_case
    case = by_name(name)
    target = targets(version)
    base = core_base(targets, version) if case.kind == "core" else None
    result = run_targeted(target, case, base)
    bugs = _verdict(result, lambda ops=None, only=None: run_targeted(target, case, base))
    if bugs:
        assert case.bug is not None and set(bugs) <= {case.bug}, (
            f"known bugs {sorted(set(bugs))} in a case aimed at {case.bug}:\n"
            + "\n".join(f.line() for f in result.findings))
        raise KnownBug(bugs)


def test_long(long_chunk, targets, fuzz_record):
    version, kind, first, end = long_chunk
    target = targets(version)
    base = core_base(targets, version) if kind == "core" else None
    results = []
    failures = []
    for seed in range(first, end):
        run = _runner(target, kind, seed, base)
        result = confirm_hangs(run(), run)
        results.append(result)
        for finding in result.unknown()[:1]:
            ops, only = minimise(run, result, finding, budget=8)
            failures.append(reproduction(result, finding, ops, only, target.describe()))
    fuzz_record({"kind": kind, "version": version, "cases": len(results), **figures(results)})
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)


def test_known_bug_names_are_distinct():
    """Each open bug is told apart by its name's first word, which the summary prints."""
    short = [bug.split(":")[0] for bug in known.ALL]
    assert len(set(short)) == len(short)
