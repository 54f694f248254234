"""A container that cannot be read prints balanced text (issue 16).

tests/programs/corrupt_dict.py holds a dict whose keys table claims 2**60
slots, alone and inside a list, a dict and a tuple. It prints as one
placeholder, with no opening brace left behind, in gdb (commands and
pretty-printer), in dump --locals and on a core.
"""

import json

from harness import PYTHONS, gcore, run_sections, running
from hostile import dump_argv, run_held


def test_unreadable_dict_prints_balanced(version, tmp_path):
    with running(version, "corrupt_dict.py") as target:
        address = int(target.ready, 16)
        sections = run_sections(["py-print bad", "py-print inside_list", "py-print inside_dict",
                                 "py-print inside_tuple", f"print (PyObject *){address}", "py-bt-full"],
                                pid=target.pid)
        live = run_held(dump_argv(str(target.pid), "--json", "--locals"))
        core = gcore(target.pid, tmp_path)
    on_core = run_held(dump_argv(str(core), "--json", "--locals"))
    (core_full,) = run_sections(["py-bt-full"], core=core, executable=PYTHONS[version])
    bad = f"<unreadable dict at remote {address:#x}>"
    expected = {"bad": bad, "inside_list": f"[{bad}, 'x']", "inside_dict": f"{{'k': {bad}}}",
                "inside_tuple": f"({bad},)"}
    printed = [section.strip() for section in sections[:4]]
    assert printed == [f"local {name!r} = {text}" for name, text in expected.items()]
    assert sections[4].strip().endswith(f"= {bad}"), sections[4]
    inline = ", ".join(f"{name}={text}" for name, text in expected.items())
    assert f"in wait_here (args: {inline})" in sections[5], sections[5]
    assert f"in wait_here (args: {inline})" in core_full, core_full
    for result in (live, on_core):
        frames = [f for t in json.loads(result.stdout)["threads"] for f in t["frames"]
                  if f.get("function") == "wait_here"]
        assert {local["name"]: local["repr"] for local in frames[0]["locals"]} == expected
