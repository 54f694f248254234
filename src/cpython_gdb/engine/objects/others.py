"""Objects shown in a descriptive form: functions, types, modules, code..."""

from __future__ import annotations

from ...errors import CpythonGdbError
from ..model import TypeInfo
from .containers import tuple_items, write_items
from .descriptors import builtin_function_text
from .dicts import dict_lookup_str
from .strings import str_or
from .writer import Writer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .writer import WriteFn


def _text_field(w: Writer, obj: int, key: str, default: str = "?") -> str:
    t = w.target
    if not t.layout.has(key):
        return default
    try:
        addr = t.field_ptr(obj, key)
    except CpythonGdbError:
        return default
    return str_or(t, addr, default, 300)


def write_singleton(text: str) -> WriteFn:
    def write(w: Writer, _obj: int, _tp: TypeInfo) -> None:
        w.write(text)

    return write


def write_function(w: Writer, obj: int, _tp: TypeInfo) -> None:
    name = _text_field(w, obj, "PyFunctionObject.func_qualname")
    if name == "?":
        name = _text_field(w, obj, "PyFunctionObject.func_name")
    w.write(f"<function {name} at remote 0x{obj:x}>")


def write_method(w: Writer, obj: int, _tp: TypeInfo) -> None:
    t = w.target
    func = t.field_ptr(obj, "PyMethodObject.im_func")
    if t.layout.has("PyMethodObject.im_class"):
        # 2.7 names a method by its class and function (no qualname), and
        # has unbound methods too.
        name = _class_name(w, t.field_ptr(obj, "PyMethodObject.im_class"))
        name += "." + _text_field(w, func, "PyFunctionObject.func_name")
        if not t.field_ptr(obj, "PyMethodObject.im_self"):
            w.write(f"<unbound method {name}>")
            return
    else:
        name = _text_field(w, func, "PyFunctionObject.func_qualname")
    w.write(f"<bound method {name} of ")
    w.write_object(w, t.field_ptr(obj, "PyMethodObject.im_self"))
    w.write(">")


def _class_name(w: Writer, cls: int) -> str:
    """__name__ of a class: a type's (tp_name after its module) or 2.7's classic class's."""
    from .instances import classic_class_name

    t = w.target
    if not cls:
        return "?"
    if t.type_of(cls).name == "classobj":
        return classic_class_name(t, cls)
    return t.type_info(cls).name.rsplit(".", 1)[-1]


def write_builtin(w: Writer, obj: int, _tp: TypeInfo) -> None:
    w.write(builtin_function_text(w.target, obj))


def write_module(w: Writer, obj: int, _tp: TypeInfo) -> None:
    t = w.target
    name = "?"
    md_dict = t.field_ptr(obj, "PyModuleObject.md_dict")
    if md_dict:
        found = dict_lookup_str(t, md_dict, "__name__")
        if found:
            name = str_or(t, found, name, 300)
    w.write(f"<module {name!r} at remote 0x{obj:x}>")


def write_type(w: Writer, obj: int, tp: TypeInfo) -> None:
    t = w.target
    this = t.type_info(obj)
    name = this.name
    if this.is_heap and this.dict_address:
        module = dict_lookup_str(t, this.dict_address, "__module__")
        mod = str_or(t, module, None, 300) if module else None
        if mod is not None and mod not in ("builtins", "__builtin__"):
            name = _text_field(w, obj, "PyHeapTypeObject.ht_qualname", name)
            name = f"{mod}.{name}"
    # 2.7 calls the types written in C types: <type 'int'>.
    kind = "type" if t.scheme.builtins == "py2" and not this.is_heap else "class"
    w.write(f"<{kind} {name!r}>")


def write_classic_class(w: Writer, obj: int, _tp: TypeInfo) -> None:
    """2.7's classic class, as its repr() (<class __main__.Old at 0x...>) with the address remote."""
    from .instances import classic_class_name

    t = w.target
    module = None
    namespace = t.field_ptr(obj, "PyClassObject.cl_dict")
    if namespace:
        found = dict_lookup_str(t, namespace, "__module__")
        module = str_or(t, found, None, 300) if found else None
    w.write(f"<class {module or '?'}.{classic_class_name(t, obj)} at remote 0x{obj:x}>")


def write_code(w: Writer, obj: int, _tp: TypeInfo) -> None:
    from ..frames.code import read_code

    code = read_code(w.target, obj)
    w.write(
        f"<code object {code.name} at remote 0x{obj:x}, "
        f'file "{code.filename}", line {code.firstlineno}>'
    )


def write_frame(w: Writer, obj: int, _tp: TypeInfo) -> None:
    from ..frames.walk import frame_object_frame

    frame = frame_object_frame(w.target, obj)
    if frame is None:
        w.write(f"<frame at remote 0x{obj:x}>")
        return
    w.write(
        f"<frame at remote 0x{obj:x}, file {frame.code.filename!r}, "
        f"line {frame.lineno}, code {frame.code.name}>"
    )


def write_cell(w: Writer, obj: int, _tp: TypeInfo) -> None:
    content = w.target.field_ptr(obj, "PyCellObject.ob_ref")
    w.write(f"<cell at remote 0x{obj:x}: ")
    if content:
        w.write_object(w, content)
    else:
        w.write("empty")
    w.write(">")


def write_exception(w: Writer, obj: int, tp: TypeInfo) -> None:
    args = w.target.field_ptr(obj, "PyBaseExceptionObject.args")
    # repr(BaseException) is the type's short name and its args, without the
    # one-item tuple's trailing comma (with it up to 3.6: the scheme says).
    w.write(tp.name.rsplit(".", 1)[-1] + "(")
    if args:
        items = list(tuple_items(w, args))
        if write_items(w, items):
            w.write(", ...")  # the arguments of a call, not a container: the mark stays inside
        if len(items) == 1 and items[0] != -1 and w.target.scheme.exception_repr == "tuple":
            w.write(",")
    w.write(")")


def write_generator(w: Writer, obj: int, tp: TypeInfo) -> None:
    """repr() of a generator, coroutine or async generator, and where it is: ``, suspended at FILE:LINE``."""
    from ..asyncio.coroutine import generator_place  # here: only a generator needs its frame's state

    name = _text_field(w, obj, "PyGenObject.gi_qualname")
    if name == "?" and not w.target.layout.has("PyGenObject.gi_qualname"):
        # 2.7's generator has no name of its own: its code's.
        name = _text_field(w, w.target.field_ptr(obj, "PyGenObject.gi_code"), "PyCodeObject.co_name")
    place = generator_place(w.target, obj, tp.name)
    w.write(f"<{tp.name} object {name} at remote 0x{obj:x}" + (f", {place}>" if place else ">"))


def write_memoryview(w: Writer, obj: int, _tp: TypeInfo) -> None:
    w.write(f"<memory at remote 0x{obj:x}>")
