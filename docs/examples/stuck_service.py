"""A small asyncio service that hangs: the example of README's asyncio section.

A request handler holds the cache lock while it awaits a backend call
that never answers; the other handlers wait for that lock; a TaskGroup of
fetchers waits on the handlers; a queue consumer waits for work that
never comes. Run it, then `cpython-gdb dump PID --tasks`.
"""

import asyncio


async def backend_call(key):
    await asyncio.sleep(3600)  # the backend never answers


async def refresh(cache_lock, key):
    async with cache_lock:
        return await backend_call(key)


async def handle(cache_lock, request_id):
    return await refresh(cache_lock, f"user-{request_id}")


async def consumer(queue):
    while True:
        job = await queue.get()
        print(job)


async def serve(group):
    cache_lock = asyncio.Lock()
    for request_id in range(3):
        group.create_task(handle(cache_lock, request_id), name=f"request-{request_id}")


async def main():
    queue = asyncio.Queue()
    worker = asyncio.create_task(consumer(queue), name="queue-consumer")
    async with asyncio.TaskGroup() as group:
        await serve(group)
    await worker


asyncio.run(main())
