"""What cpython-gdb prints for the values every version has, for values.py and values27.py.

Each function takes ``expect``, the program's own function for any value
(it knows that version's types), and the set ``seen`` of the containers
being printed (a repeat is a cycle). Python 2.7 and 3 syntax.
"""

_HEAPTYPE = 1 << 9


def container(value, seen, expect):
    """A list, tuple or dict: repr() with each item as ``expect`` shows it; None for anything else."""
    tp = type(value)
    if tp in (list, dict) and id(value) in seen:
        return "[...]" if tp is list else "{...}"
    if tp not in (list, tuple, dict) or not value:
        return None
    seen = seen | set([id(value)])
    if tp is dict:
        return "{%s}" % ", ".join("%s: %s" % (expect(k, seen), expect(v, seen)) for k, v in value.items())
    parts = [expect(v, seen) for v in value]
    if tp is tuple:
        return "(%s)" % (parts[0] + "," if len(parts) == 1 else ", ".join(parts))
    return "[%s]" % ", ".join(parts)


def c_subclass(value, seen, expect, value_types):
    """An instance of a type written in C: its tp_name around its builtin value; None for a class
    written in Python; ``<tp_name at remote 0x...>`` for a type cpython-gdb does not know."""
    tp = type(value)
    if tp.__flags__ & _HEAPTYPE:
        return None
    name = "%s.%s" % (tp.__module__, tp.__name__)
    bases = [b for b in tp.__mro__ if b in value_types]
    if not bases:
        return "<%s at remote 0x%x>" % (name, id(value))
    inner = expect(bases[0](value), seen)
    return name + inner if bases[0] is tuple else "%s(%s)" % (name, inner)


def instance(value, seen, expect, value_types, name):
    """An instance of a class written in Python, named ``name``: its builtin value first (for
    subclasses of int, str...), then its __slots__ (base classes first), then its __dict__."""
    tp = type(value)
    parts = []
    for base in tp.__mro__:
        if base in value_types:
            parts.append(expect(base(value), seen))
            break
    slots = []
    for klass in reversed(tp.__mro__):
        names = klass.__dict__.get("__slots__", ())
        slots.extend(sorted((names,) if isinstance(names, str) else names))
    for slot in slots:
        if slot not in ("__dict__", "__weakref__") and hasattr(value, slot):
            parts.append("%s=%s" % (slot, expect(getattr(value, slot), seen)))
    for key, attr in getattr(value, "__dict__", {}).items():
        parts.append("%s=%s" % (key, expect(attr, seen)))
    inner = "(%s)" % ", ".join(parts) if parts else ""
    return "<%s%s at remote 0x%x>" % (name, inner, id(value))


# A generator's, coroutine's and async generator's fields, by type name:
# its frame, whether it runs, and what it awaits (in `yield from` / `await`).
_GENERATOR_FIELDS = {
    "generator": ("gi_frame", "gi_running", "gi_yieldfrom"),
    "coroutine": ("cr_frame", "cr_running", "cr_await"),
    "async_generator": ("ag_frame", "ag_running", "ag_await"),
}


def generator(value, started=True):
    """A generator, coroutine or async generator: its repr() and where it is, as Python itself says.

    The place is its frame's file and f_lineno; suspended in yield from /
    await if it awaits something (gi_yieldfrom, cr_await, ag_await; 2.7 has
    none); else running if it runs; finished when it has no frame.
    ``started`` is False for one the program made and never resumed.
    """
    kind = type(value).__name__
    frame_field, running_field, await_field = _GENERATOR_FIELDS[kind]
    name = getattr(value, "__qualname__", value.__name__)
    head = "<%s object %s at remote 0x%x" % (kind, name, id(value))
    frame = getattr(value, frame_field)
    if frame is None:
        return head + ", finished>"
    if getattr(value, await_field, None) is not None:
        # Before running: from 3.8 an async generator's ag_running says that
        # an asend() is in progress, true while it is suspended in await.
        words = "suspended in yield from" if kind == "generator" else "suspended in await"
    elif getattr(value, running_field):
        words = "running"
    elif not started:
        words = "not started"
    else:
        words = "suspended"
    return "%s, %s at %s:%d>" % (head, words, frame.f_code.co_filename, frame.f_lineno)
