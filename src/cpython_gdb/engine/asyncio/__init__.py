"""asyncio as CPython keeps it: where the tasks are, what each one is doing, who awaits whom.

- ``tables``: the offsets and version behaviour of this package, per minor
  (the ``_asyncio`` module's structs are not in libpython's debug info);
- ``tasklists``: finding every task (weak sets up to 3.13, the per-thread
  linked lists from 3.14);
- ``coroutine``: a coroutine's or generator's state, frame and what it awaits;
- ``task``: one task decoded into a :class:`~.task.TaskInfo` record;
- ``graph``: the await graph (awaits, awaited by, cycles, the tree).
"""
