"""Bounds on what one rendering may read and print."""


from .record import frozen


@frozen
class Limits:
    max_output: int = 1024  # characters in one rendered value
    max_items: int = 200  # elements shown per container
    max_depth: int = 8  # nesting of containers and instances
    max_string: int = 512  # characters shown of one str or bytes
    max_frames: int = 100_000  # Python frames walked per thread
    max_source_line: int = 300  # characters shown of one source line (its indentation not counted)
    max_tasks: int = 10_000  # asyncio tasks listed (py-tasks, dump --tasks)


DEFAULT_LIMITS = Limits()
