"""Where asyncio's fields are, and how each CPython marks what a coroutine awaits, per minor version.

The ``_asyncio`` module's TaskObj/FutureObj, and the generator and frame
fields the coroutine chain needs, from the DWARF of real builds
(tools/gen_asyncio_layouts.py: pyenv 3.8.18 to 3.13.0, Debian sid's
3.14d/3.15d; the release builds of 3.14 and 3.15 have the same TaskObj, as
their ``.AsyncioDebug`` sections say). Decoders read :class:`AsyncioLayout`
values and never compare version numbers.
"""

from __future__ import annotations

from ..record import frozen

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Mapping, Optional, Tuple

# Future states (fut_state, every version): PENDING, CANCELLED, FINISHED.
FUTURE_STATES = ("pending", "cancelled", "finished")

# Names a generator state can have: "created", "suspended", "awaiting"
# (suspended in await / yield from), "running", "finished".


@frozen
class AsyncioLayout:
    offsets: Mapping[str, int]
    # Where a generator says its state: gi_running and gi_frame (<= 3.9),
    # its frame's f_state (3.10), or gi_frame_state (3.11+, bpo-45813).
    gen_state: str  # "gi_running" | "f_state" | "gi_frame_state"
    # The values of f_state / gi_frame_state and what each means.
    states: Mapping[int, str]
    # How to tell a frame suspended in await / yield from: the next opcode
    # is YIELD_FROM (<= 3.10), the next code unit a RESUME with oparg >= 2
    # (3.11/3.12, as _PyGen_yf tests), or the state says so (3.13+).
    await_test: str  # "yield_from" | "resume" | "state"
    await_opcodes: Tuple[int, ...]
    # Where the awaited object is: f_stacktop[-1] (<= 3.9),
    # f_valuestack[f_stackdepth - 1] (3.10), localsplus[stacktop - 1]
    # (3.11-3.13) or stackpointer[-depth] (3.14: 1, 3.15: 2).
    await_slot: str  # "f_stacktop" | "f_stackdepth" | "stacktop" | "stackpointer"
    slot_depth: int
    # 3.14+: every pending native task is in a per-thread linked list
    # (gh-128307); before, in the module's weak sets.
    linked_lists: bool
    # PyInterpreterState.asyncio_tasks_head in a release and a debug build
    # (the sentinel tells which one is right).
    interp_heads: Tuple[int, ...] = ()


def _task(loop: int, exception: int, result: int, state: int, waiter: int, coro: int, name: int) -> Dict[str, int]:
    return {"TaskObj.task_loop": loop, "TaskObj.task_exception": exception, "TaskObj.task_result": result,
            "TaskObj.task_state": state, "TaskObj.task_fut_waiter": waiter, "TaskObj.task_coro": coro,
            "TaskObj.task_name": name, "futureiterobject.future": 16, "PyWeakReference.wr_object": 16,
            "PyAsyncGenASend.ags_gen": 16}


_STATES_311 = {-2: "created", -1: "suspended", 0: "running", 1: "finished", 4: "finished"}
_STATES_313 = {-3: "created", -2: "suspended", -1: "awaiting", 0: "running", 1: "finished", 4: "finished"}
_STATES_315 = {0: "created", 1: "suspended", 2: "awaiting", 3: "awaiting", 4: "running", 5: "finished"}
_STATES_310 = {-2: "created", -1: "suspended", 0: "running", 1: "finished", 2: "finished", 3: "finished",
               4: "finished"}
_YIELD_FROM = (72,)
_LIST_314 = {"TaskObj.task_awaited_by": 96, "TaskObj.task_is_task": 108, "TaskObj.task_awaited_by_is_set": 109,
             "TaskObj.task_node": 152, "_PyInterpreterFrame.stackpointer": 64}

_LAYOUTS: Dict[int, AsyncioLayout] = {
    8: AsyncioLayout(
        offsets={**_task(16, 48, 56, 72, 104, 112, 120), "PyCodeObject.co_code": 48, "PyFrameObject.f_lasti": 104,
                 "PyFrameObject.f_stacktop": 72, "PyGenObject.gi_frame": 16, "PyGenObject.gi_running": 24},
        gen_state="gi_running", states={}, await_test="yield_from", await_opcodes=_YIELD_FROM,
        await_slot="f_stacktop", slot_depth=1, linked_lists=False),
    9: AsyncioLayout(
        offsets={**_task(16, 48, 56, 80, 144, 152, 160), "PyCodeObject.co_code": 48, "PyFrameObject.f_lasti": 104,
                 "PyFrameObject.f_stacktop": 72, "PyGenObject.gi_frame": 16, "PyGenObject.gi_running": 24},
        gen_state="gi_running", states={}, await_test="yield_from", await_opcodes=_YIELD_FROM,
        await_slot="f_stacktop", slot_depth=1, linked_lists=False),
    10: AsyncioLayout(
        offsets={**_task(16, 48, 64, 88, 152, 160, 168), "PyCodeObject.co_code": 48, "PyFrameObject.f_lasti": 96,
                 "PyFrameObject.f_valuestack": 64, "PyFrameObject.f_stackdepth": 80,
                 "PyFrameObject.f_state": 108, "PyGenObject.gi_frame": 16},
        gen_state="f_state", states=_STATES_310, await_test="yield_from", await_opcodes=_YIELD_FROM,
        await_slot="f_stackdepth", slot_depth=1, linked_lists=False),
    11: AsyncioLayout(
        offsets={**_task(16, 48, 64, 88, 128, 136, 144), "PyGenObject.gi_frame_state": 75,
                 "PyGenObject.gi_iframe": 80, "_PyInterpreterFrame.prev_instr": 56,
                 "_PyInterpreterFrame.stacktop": 64},
        gen_state="gi_frame_state", states=_STATES_311, await_test="resume", await_opcodes=(151, 150),
        await_slot="stacktop", slot_depth=1, linked_lists=False),
    12: AsyncioLayout(
        offsets={**_task(16, 48, 64, 88, 128, 136, 144), "PyGenObject.gi_frame_state": 67,
                 "PyGenObject.gi_iframe": 72, "_PyInterpreterFrame.prev_instr": 56,
                 "_PyInterpreterFrame.stacktop": 64},
        gen_state="gi_frame_state", states=_STATES_311, await_test="resume", await_opcodes=(151, 240),
        await_slot="stacktop", slot_depth=1, linked_lists=False),
    13: AsyncioLayout(
        offsets={**_task(16, 48, 64, 96, 112, 120, 128), "PyGenObject.gi_frame_state": 67,
                 "PyGenObject.gi_iframe": 72, "_PyInterpreterFrame.stacktop": 64},
        gen_state="gi_frame_state", states=_STATES_313, await_test="state", await_opcodes=(),
        await_slot="stacktop", slot_depth=1, linked_lists=False),
    14: AsyncioLayout(
        offsets={**_task(16, 48, 64, 104, 120, 128, 136), **_LIST_314, "PyGenObject.gi_frame_state": 67,
                 "PyGenObject.gi_iframe": 72, "_PyThreadStateImpl.asyncio_running_loop": 864,
                 "_PyThreadStateImpl.asyncio_running_task": 872, "_PyThreadStateImpl.asyncio_tasks_head": 880},
        gen_state="gi_frame_state", states=_STATES_313, await_test="state", await_opcodes=(),
        await_slot="stackpointer", slot_depth=1, linked_lists=True, interp_heads=(10880, 10888)),
    15: AsyncioLayout(
        offsets={**_task(16, 48, 64, 104, 120, 128, 136), **_LIST_314, "PyGenObject.gi_frame_state": 67,
                 "PyGenObject.gi_iframe": 72, "_PyThreadStateImpl.asyncio_running_loop": 1024,
                 "_PyThreadStateImpl.asyncio_running_task": 1032, "_PyThreadStateImpl.asyncio_tasks_head": 1048},
        gen_state="gi_frame_state", states=_STATES_315, await_test="state", await_opcodes=(),
        await_slot="stackpointer", slot_depth=2, linked_lists=True, interp_heads=(10856, 10864)),
}


# Free-threaded builds (PEP 703): a 32-byte object header moves every field
# (DWARF of a 3.13.15t built by tools/build_freethreaded.sh).
_FREE_THREADED: Dict[int, AsyncioLayout] = {
    13: AsyncioLayout(
        offsets={**_task(32, 64, 80, 112, 128, 136, 144), "futureiterobject.future": 32, "PyAsyncGenASend.ags_gen": 32,
                 "PyWeakReference.wr_object": 32, "PyGenObject.gi_frame_state": 83, "PyGenObject.gi_iframe": 88,
                 "_PyInterpreterFrame.stacktop": 64},
        gen_state="gi_frame_state", states=_STATES_313, await_test="state", await_opcodes=(),
        await_slot="stacktop", slot_depth=1, linked_lists=False),
}


def asyncio_layout(version: Tuple[int, int, int], free_threaded: bool = False) -> Optional[AsyncioLayout]:
    """The asyncio layout of a CPython minor (of its free-threaded build), None for one we do not know."""
    if version[0] != 3:
        return None
    return (_FREE_THREADED if free_threaded else _LAYOUTS).get(version[1])


# Before 3.8 no task is listed, but a generator's repr() says where it is:
# these hold only the generator and frame fields that needs (from the
# DWARF of pyenv's 2.7.18, 3.6.15 and 3.7.16). 2.7 has no `yield from`.
_GENERATORS_ONLY: Dict[Tuple[int, int], AsyncioLayout] = {
    (2, 7): AsyncioLayout(
        offsets={"PyCodeObject.co_code": 32, "PyFrameObject.f_lasti": 120, "PyFrameObject.f_stacktop": 72,
                 "PyGenObject.gi_frame": 16, "PyGenObject.gi_running": 24},
        gen_state="gi_running", states={}, await_test="yield_from", await_opcodes=(),
        await_slot="f_stacktop", slot_depth=1, linked_lists=False),
    (3, 6): AsyncioLayout(
        offsets={"PyCodeObject.co_code": 40, "PyFrameObject.f_lasti": 120, "PyFrameObject.f_stacktop": 72,
                 "PyGenObject.gi_frame": 16, "PyGenObject.gi_running": 24},
        gen_state="gi_running", states={}, await_test="yield_from", await_opcodes=_YIELD_FROM,
        await_slot="f_stacktop", slot_depth=1, linked_lists=False),
    (3, 7): AsyncioLayout(
        offsets={"PyCodeObject.co_code": 40, "PyFrameObject.f_lasti": 104, "PyFrameObject.f_stacktop": 72,
                 "PyGenObject.gi_frame": 16, "PyGenObject.gi_running": 24},
        gen_state="gi_running", states={}, await_test="yield_from", await_opcodes=_YIELD_FROM,
        await_slot="f_stacktop", slot_depth=1, linked_lists=False),
}


def generator_layout(version: Tuple[int, int, int], free_threaded: bool = False) -> Optional[AsyncioLayout]:
    """What a generator's state and frame need: asyncio_layout(), and 2.7-3.7's generator fields."""
    found = _GENERATORS_ONLY.get((version[0], version[1]))
    return found if found is not None else asyncio_layout(version, free_threaded)
