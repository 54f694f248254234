"""Generators of Python 3 syntax (`yield from`, coroutines, async generators), for printers.py.

Each is left in a known state: not started, suspended (at a `yield`, in
`yield from`, in `await`), or finished. ``values()`` returns them by
name, each with whether it was ever started.
"""


class Pause:
    """An awaitable that suspends its awaiter once."""

    def __await__(self):
        yield


def inner_numbers():
    yield 1
    yield 2


def delegating():
    yield from inner_numbers()


async def waiting():
    await Pause()
    return 1


async def ticks():
    yield 1
    await Pause()
    yield 2


def _step(awaitable):
    """Run ``awaitable`` to its next suspension; what StopIteration carries is a yielded value."""
    try:
        awaitable.send(None)
    except StopIteration:
        pass


def values():
    found = {}
    delegator = delegating()
    next(delegator)
    found["gen_yield_from"] = (delegator, True)
    found["coro_created"] = (waiting(), False)
    awaiting = waiting()
    _step(awaiting)
    found["coro_awaiting"] = (awaiting, True)
    done = waiting()
    _step(done)
    _step(done)
    found["coro_finished"] = (done, True)
    found["agen_created"] = (ticks(), False)
    at_yield = ticks()
    _step(at_yield.asend(None))
    found["agen_suspended"] = (at_yield, True)
    in_await = ticks()
    _step(in_await.asend(None))
    _step(in_await.asend(None))
    found["agen_awaiting"] = (in_await, True)
    closed = ticks()
    _step(closed.asend(None))
    _step(closed.aclose())
    found["agen_closed"] = (closed, True)
    return found
