"""objects.strhash against the hash() of every interpreter here, random secret and PYTHONHASHSEED=0."""

import json
import os
import subprocess

import pytest

from cpython_gdb.engine.layout import scheme_for
from cpython_gdb.engine.objects.strhash import str_hash
from harness import PYTHONS, minor_of, version_params

TEXTS = ["", "a", "abc", "global_9999", "x" * 7, "y" * 8, "z" * 9, "é" * 3, "日本語", "\U0001F600ok", "a" * 100]

# Run by the interpreter under test: its secret (read with ctypes) and its hashes.
PROBE = """
import ctypes, json, sys
secret = ctypes.c_uint64.in_dll(ctypes.pythonapi, "_Py_HashSecret")
k1 = ctypes.c_uint64.from_address(ctypes.addressof(secret) + 8).value
texts = json.loads(sys.argv[1])
print(json.dumps([secret.value, k1, [hash(t) for t in texts]]))
"""


@pytest.mark.parametrize("seed", [None, "0"])
# 2.7 hashes str with a function of its own, before PEP 456: its dict
# look-ups read every key (scheme str_hash "none").
@pytest.mark.parametrize("minor", [p for p in version_params()
                                   if scheme_for(*minor_of(p.values[0])).str_hash != "none"])
def test_hash_is_the_interpreters(minor, seed):
    env = dict(os.environ)
    env.pop("PYTHONHASHSEED", None)
    if seed is not None:
        env["PYTHONHASHSEED"] = seed
    out = subprocess.run([str(PYTHONS[minor]), "-c", PROBE, json.dumps(TEXTS)], env=env, check=True,
                         stdout=subprocess.PIPE, timeout=60).stdout
    k0, k1, hashes = json.loads(out)
    variant = scheme_for(*minor_of(minor)).str_hash
    assert [str_hash(variant, k0, k1, text) for text in TEXTS] == hashes
