"""Print the asyncio offsets of one CPython build, from its DWARF, as a Python dict.

Usage: python3 tools/gen_asyncio_layouts.py LIBPYTHON_OR_EXE ASYNCIO_SO

Runs gdb (no process) on the two files and prints, for every field
engine/asyncio/tables.py needs, its byte offset (absent fields are left
out). The output is pasted into that module by hand, one dict per minor.
"""

import subprocess
import sys

# (canonical key, C type, field) read from the _asyncio module.
ASYNCIO_FIELDS = [
    ("TaskObj.task_loop", "TaskObj", "task_loop"),
    ("TaskObj.task_exception", "TaskObj", "task_exception"),
    ("TaskObj.task_result", "TaskObj", "task_result"),
    ("TaskObj.task_state", "TaskObj", "task_state"),
    ("TaskObj.task_fut_waiter", "TaskObj", "task_fut_waiter"),
    ("TaskObj.task_coro", "TaskObj", "task_coro"),
    ("TaskObj.task_name", "TaskObj", "task_name"),
    ("TaskObj.task_awaited_by", "TaskObj", "task_awaited_by"),
    ("TaskObj.task_is_task", "TaskObj", "task_is_task"),
    ("TaskObj.task_awaited_by_is_set", "TaskObj", "task_awaited_by_is_set"),
    ("TaskObj.task_node", "TaskObj", "task_node"),
    ("futureiterobject.future", "futureiterobject", "future"),
]
# (canonical key, C type, field) read from libpython (or the executable).
CORE_FIELDS = [
    ("PyGenObject.gi_frame_state", "PyGenObject", "gi_frame_state"),
    ("PyGenObject.gi_running", "PyGenObject", "gi_running"),
    ("PyGenObject.gi_frame", "PyGenObject", "gi_frame"),
    ("PyGenObject.gi_iframe", "PyGenObject", "gi_iframe"),
    ("PyFrameObject.f_stacktop", "PyFrameObject", "f_stacktop"),
    ("PyFrameObject.f_valuestack", "PyFrameObject", "f_valuestack"),
    ("PyFrameObject.f_stackdepth", "PyFrameObject", "f_stackdepth"),
    ("PyFrameObject.f_lasti", "PyFrameObject", "f_lasti"),
    ("PyFrameObject.f_state", "PyFrameObject", "f_state"),
    ("PyCodeObject.co_code", "PyCodeObject", "co_code"),
    ("_PyInterpreterFrame.stacktop", "_PyInterpreterFrame", "stacktop"),
    ("_PyInterpreterFrame.stackpointer", "_PyInterpreterFrame", "stackpointer"),
    ("_PyInterpreterFrame.prev_instr", "_PyInterpreterFrame", "prev_instr"),
    ("_PyInterpreterFrame.instr_ptr", "_PyInterpreterFrame", "instr_ptr"),
    ("PyWeakReference.wr_object", "PyWeakReference", "wr_object"),
    ("_PyThreadStateImpl.asyncio_running_loop", "_PyThreadStateImpl", "asyncio_running_loop"),
    ("_PyThreadStateImpl.asyncio_running_task", "_PyThreadStateImpl", "asyncio_running_task"),
    ("_PyThreadStateImpl.asyncio_tasks_head", "_PyThreadStateImpl", "asyncio_tasks_head"),
    ("PyInterpreterState.asyncio_tasks_head", "PyInterpreterState", "asyncio_tasks_head"),
]


def offsets(binary: str, fields: list) -> dict:
    """Each field's offset that gdb finds in BINARY's DWARF (one gdb per field: an unknown one prints nothing)."""
    found = {}
    for key, ctype, field in fields:
        check = subprocess.run(["gdb", "-q", "-batch", "-nx", binary, "-ex",
                                f"print (long)&((({ctype} *)0)->{field})"], capture_output=True, text=True)
        if check.stdout.startswith("$"):
            found[key] = int(check.stdout.split("= ", 1)[1])
    return found


def main() -> None:
    core, asyncio_so = sys.argv[1], sys.argv[2]
    found = {**offsets(asyncio_so, ASYNCIO_FIELDS), **offsets(core, CORE_FIELDS)}
    for key in sorted(found):
        print(f"    {key!r}: {found[key]},")


if __name__ == "__main__":
    main()
