"""py-repr EXPR and $pyobj(EXPR): an address printed as a Python object.

Both matter most without debug info, where gdb has no PyObject type to
cast an address to: each version is checked with DWARF and on a stripped
copy of its interpreter.
"""

import re

from harness import run_sections, running, stripped_copy

# 2.7's dicts keep hash order: y comes first there.
FOO = re.compile(r"<Foo\((?:x=1, y='a'|y='a', x=1)\) at remote (0x[0-9a-f]+)>")


def _address(version, **kwargs):
    with running(version, "recursion.py", **kwargs) as target:
        (printed,) = run_sections(["py-bt-full"], pid=target.pid)
        match = FOO.search(printed)
        assert match, printed
        address = match.group(1)
        commands = [f"py-repr {address}", f"print $pyobj({address})", f"py-repr {int(address, 16) - 8} + 8",
                    "py-repr", "py-repr 0", "py-repr no_such_symbol_here", f"output $_strlen($pyobj({address}))"]
        out = run_sections(commands, pid=target.pid)
    return match.group(0), out


def check(text, out):
    by_addr, printed, computed, usage, null, bad, length = out
    assert by_addr == text + "\n"
    assert printed == f'$1 = "{text}"\n'
    assert computed == text + "\n"
    assert "usage: py-repr EXPR" in usage
    assert null == "0x0\n"
    assert "No symbol" in bad and "Traceback" not in bad
    assert length == str(len(text))


def test_py_repr_and_pyobj(version):
    check(*_address(version))


def test_py_repr_and_pyobj_without_debug_info(version, tmp_path):
    check(*_address(version, **stripped_copy(version, tmp_path)))
