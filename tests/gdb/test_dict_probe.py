"""py-print finds globals and builtins by probing the dict's hash table.

With the process's _Py_HashSecret, a str's hash is computed as CPython
computes it and the index table is probed; every name of the module's
globals and of builtins (and a missing one) must give what reading every
key gives, and the probe must have been the one to answer.
"""

import pytest

from harness import run_sections, running

CHECK = """python
import gdb
from cpython_gdb.gdb import state
from cpython_gdb.gdb.commands.base import selected_python_frame_only
from cpython_gdb.engine.objects import dicts
from cpython_gdb.engine.objects.strings import str_text
target, frame, _ = selected_python_frame_only()
secret = state.hash_secret()
checked = answered = 0
for mapping in (frame.globals_address, frame.builtins_address):
    names = [str_text(target, k) for k, _ in dicts.dict_items(target, mapping, 100000)]
    for name in names + ["no_such_name_anywhere"]:
        scanned = dicts.dict_lookup_str(target, mapping, name)
        ok, probed = dicts._probe(target, mapping, name, secret)
        answered += ok
        assert probed == scanned, (name, probed, scanned)
        checked += 1
print("checked", checked, "answered", answered, target.str_hash_confirmed)
"""


def test_probe_equals_scan(version):
    if version == "2.7":
        pytest.skip("2.7 hashes str without PEP 456's SipHash: its look-ups read every key, there is no probe")
    with running(version, "recursion.py") as target:
        (out,) = run_sections(["py-up", CHECK], pid=target.pid)[1:]
    words = out.split()
    assert words[0] == "checked" and words[4] == "True", out
    checked, answered = int(words[1]), int(words[3])
    assert checked > 150 and answered == checked, out
