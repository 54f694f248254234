"""COUNT pending asyncio tasks, each DEPTH coroutines deep (the innermost in asyncio.sleep), then wait."""

import asyncio
import os
import sys


async def level(n):
    if n <= 1:
        await asyncio.sleep(3600)
    else:
        await level(n - 1)


async def main(count, depth):
    tasks = [asyncio.ensure_future(level(depth - 1)) for _ in range(count)]  # + sleep: DEPTH coroutines
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    with open(os.environ["READY_FILE"], "w") as f:
        f.write("ready\n")
    await asyncio.gather(*tasks)


asyncio.run(main(int(sys.argv[1]), int(sys.argv[2])))
