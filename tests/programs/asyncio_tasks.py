"""asyncio tasks in every state the listing must tell, then blocked in the event loop.

Usage: asyncio_tasks.py TRUTH_FILE [EXTRA_TASKS]

Tasks: a main task that gathers workers; a gather of two tasks; a
coroutine chain 20 deep; a Lock held by one task and waited for by
another; an Event and a Queue.get; a TaskGroup (3.11+); an eager task
(3.12+); a task of the pure-Python class; a cancelled task and a failed
one whose exception was never retrieved (both kept referenced); two tasks
awaiting each other (an await cycle); a second event loop in a second
thread, whose main task runs (blocked in time.sleep) while its other task
waits; and EXTRA_TASKS sleepers. The target writes what asyncio
itself says of each task to TRUTH_FILE (JSON), then announces itself.
"""

import asyncio
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
from ready import announce  # noqa: E402

TRUTH = sys.argv[1]
EXTRA = int(sys.argv[2]) if len(sys.argv) > 2 else 0
# "corrupt": before it announces itself, the program breaks two of its own
# tasks (the garbage collector is off, and nothing runs them again): one's
# coroutine pointer, the other's type pointer.
CORRUPT = len(sys.argv) > 3 and sys.argv[3] == "corrupt"
FOREVER = 3600
keep = []
lock = None
others = {}


async def nap():
    await asyncio.sleep(FOREVER)  # mark: nap


async def deep(n):
    if n == 0:
        await asyncio.sleep(FOREVER)  # mark: deep-bottom
    else:
        await deep(n - 1)  # mark: deep


async def hold_lock():
    async with lock:
        await asyncio.sleep(FOREVER)  # mark: holder


async def hold_this(lock_arg):
    async with lock_arg:
        await asyncio.sleep(FOREVER)  # mark: arg-holder


async def want_this(lock_arg):
    async with lock_arg:  # mark: arg-waiter
        pass


async def lock_pair(made):
    """A lock held by one task and wanted by another, which only they refer to."""
    lock_arg = asyncio.Lock()
    made.append(asyncio.ensure_future(hold_this(lock_arg)))
    made[-1].set_name("arg-holder")
    await asyncio.sleep(0)
    made.append(asyncio.ensure_future(want_this(lock_arg)))
    made[-1].set_name("arg-waiter")
    return id(lock_arg)


async def want_lock():
    async with lock:  # mark: lock-waiter
        pass


async def wait_event(event):
    await event.wait()  # mark: event-waiter


async def get_item(queue):
    await queue.get()  # mark: queue-getter


async def gather_two():
    await asyncio.gather(asyncio.ensure_future(nap()), asyncio.ensure_future(nap()))  # mark: gather


async def group():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(nap(), name="tg-a")
        tg.create_task(nap(), name="tg-b")


async def ticker():
    while True:
        await asyncio.sleep(FOREVER)  # mark: ticker
        yield 1


async def consume_ticks(gen):
    async for _ in gen:  # mark: agen-consumer
        pass


async def fail():
    raise ValueError("boom")


async def await_other(name):
    await asyncio.sleep(0)
    await others[name]  # mark: cycle


def numbers():
    yield 1  # mark: generator
    yield 2


def chain_of(task):
    """The coroutines from the task's down to the innermost await: (qualname, line), outermost first."""
    out = []
    coro = task.get_coro()
    while coro is not None and hasattr(coro, "cr_frame"):
        frame = coro.cr_frame
        if frame is None:
            break
        out.append([coro.__qualname__, frame.f_lineno])
        coro = coro.cr_await
    return out


def describe(task):
    if task.cancelled():
        state = "cancelled"
    elif task.done():
        state = "failed" if task.exception() is not None else "done"
    else:
        state = "pending"
    return {"address": id(task), "name": task.get_name(), "state": state, "chain": chain_of(task),
            "native": type(task).__module__ == "_asyncio"}


def corrupt(victims):
    """Point the first task's coroutine and the second task's type at unmapped memory."""
    import ctypes
    import gc

    gc.disable()
    bad = 0xDEAD0000
    coro_task, type_task = sorted(victims, key=lambda t: t.get_name() != "sleeper")
    words = (ctypes.c_size_t * 32).from_address(id(coro_task))
    index = list(words).index(id(coro_task.get_coro()))
    words[index] = bad
    ctypes.c_size_t.from_address(id(type_task) + 8).value = bad
    return {"coroutine": id(coro_task), "type": id(type_task)}


def other_loop():
    async def other_main():
        task = asyncio.ensure_future(nap())
        task.set_name("other-loop")
        await asyncio.sleep(0)
        others["loop2"] = [describe(t) for t in asyncio.all_tasks()]
        others["loop2-thread"] = threading.get_native_id()
        others["ready"].set()
        time.sleep(FOREVER)  # mark: blocking

    asyncio.run(other_main())


async def main():
    global lock
    asyncio.current_task().set_name("main")
    lock = asyncio.Lock()
    event = asyncio.Event()
    queue = asyncio.Queue()
    loop = asyncio.get_running_loop()
    edges = {}  # awaiter name -> awaited names
    made = []
    made.append(asyncio.ensure_future(nap()))
    made[-1].set_name("sleeper")
    made.append(asyncio.ensure_future(deep(20)))
    made[-1].set_name("deep")
    made.append(asyncio.ensure_future(hold_lock()))
    made[-1].set_name("holder")
    await asyncio.sleep(0)
    lock2_id = await lock_pair(made)
    made.append(asyncio.ensure_future(want_lock()))
    made[-1].set_name("lock-waiter")
    made.append(asyncio.ensure_future(wait_event(event)))
    made[-1].set_name("event-waiter")
    made.append(asyncio.ensure_future(get_item(queue)))
    made[-1].set_name("queue-getter")
    made.append(asyncio.ensure_future(consume_ticks(ticker())))
    made[-1].set_name("agen-consumer")
    gatherer = asyncio.ensure_future(gather_two())
    gatherer.set_name("gatherer")
    made.append(gatherer)
    if sys.version_info >= (3, 11):
        made.append(asyncio.ensure_future(group()))
        made[-1].set_name("grouper")
    if sys.version_info >= (3, 12):
        made.append(asyncio.Task(nap(), loop=loop, name="eager", eager_start=True))
    py_task = asyncio.tasks._PyTask(nap(), loop=loop)
    py_task.set_name("py-task")
    made.append(py_task)
    cancelled = asyncio.ensure_future(nap())
    cancelled.set_name("cancelled")
    failed = asyncio.ensure_future(fail())
    failed.set_name("failed")
    keep.extend([cancelled, failed])
    others["a"] = asyncio.ensure_future(await_other("b"))
    others["a"].set_name("cycle-a")
    others["b"] = asyncio.ensure_future(await_other("a"))
    others["b"].set_name("cycle-b")
    for i in range(EXTRA):
        asyncio.ensure_future(nap()).set_name(f"extra-{i}")
    for _ in range(5):
        await asyncio.sleep(0)
    cancelled.cancel()
    for _ in range(5):
        await asyncio.sleep(0)
    # The gather's children: the two tasks the gatherer waits for.
    children = [t for t in asyncio.all_tasks() if t.get_name().startswith("Task-")
                and chain_of(t) and chain_of(t)[0][0] == "nap"]
    edges["gatherer"] = sorted(t.get_name() for t in children)
    if sys.version_info >= (3, 11):
        edges["grouper"] = ["tg-a", "tg-b"]
    edges["cycle-a"] = ["cycle-b"]
    edges["cycle-b"] = ["cycle-a"]
    tasks = [describe(t) for t in asyncio.all_tasks()]
    # Generators and coroutines as print shows them: where each is.
    suspended = numbers()
    next(suspended)
    finished = numbers()
    list(finished)
    deep_task = next(t for t in asyncio.all_tasks() if t.get_name() == "deep")
    coro = deep_task.get_coro()
    keep.extend([suspended, finished])
    generators = {"suspended": [id(suspended), suspended.gi_frame.f_lineno],
                  "finished": [id(finished), None],
                  "awaiting": [id(coro), coro.cr_frame.f_lineno],
                  "file": __file__}
    known = {t["address"] for t in tasks}
    tasks += [describe(t) for t in (cancelled, failed) if id(t) not in known]
    others["ready"].wait()
    truth = {"lock2": lock2_id, "generators": generators, "tasks": tasks + others["loop2"], "edges": edges,
             "extra": EXTRA, "running_thread": others["loop2-thread"],
             "lock": id(lock), "event_waiter_primitive": id(event), "queue": id(queue)}
    if CORRUPT:
        truth["corrupt"] = corrupt([t for t in asyncio.all_tasks() if t.get_name() in ("sleeper", "holder")])
    with open(TRUTH, "w") as f:
        json.dump(truth, f)
    announce()
    await asyncio.sleep(FOREVER)  # mark: main


others["ready"] = threading.Event()
threading.Thread(target=other_loop, name="loop2", daemon=True).start()
asyncio.run(main())
