from harness import run_sections, running


def test_py_bt_lists_every_python_frame(version):
    with running(version, "recursion.py") as target:
        (bt,) = run_sections(["py-bt"], pid=target.pid)
    files = [line for line in bt.splitlines() if line.startswith('  File "')]
    names = [line.rsplit(" in ", 1)[1] for line in files]
    assert names == ["wait_here", "<lambda>"] + ["recursive_function"] * 4 + ["<module>"], bt
    assert "Traceback (most recent call first):" in bt
    assert "    announce()" not in bt
    assert "    time.sleep(1000)" in bt
