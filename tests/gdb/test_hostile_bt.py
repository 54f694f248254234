"""Plain `bt` with our frame filter is never worse than gdb's own (issue 16).

In a core whose threads' registers are gone, gdb alone prints
``#0 <unavailable> in ?? ()`` and why the backtrace stopped. Any enabled
frame filter would make gdb print through Python frame decorators, which
fail there ("PC not available"): the filter stands aside, and `bt` is
gdb's own, line for line.
"""

from harness import PYTHONS, gcore, run_sections, running
from hostile import without_registers

COMMANDS = ["bt", "thread apply all bt", "bt full"]


def test_bt_on_a_core_without_registers_is_gdbs_own(version, tmp_path):
    with running(version, "recursion.py") as target:
        core = gcore(target.pid, tmp_path)
    bare = tmp_path / "core.noregs"
    assert without_registers(core, bare) >= 1
    exe = PYTHONS[version]
    ours = run_sections(COMMANDS, core=bare, executable=exe)
    plain = run_sections(COMMANDS, core=bare, executable=exe, ours=False)
    assert ours == plain
    assert "<unavailable> in ?? ()" in plain[0] and "Backtrace stopped" in plain[0], plain[0]
    # With its registers the same core's bt shows the Python frames.
    (whole,) = run_sections(["bt"], core=core, executable=exe)
    assert "wait_here [Python] ()" in whole, whole
