"""Version behaviour that offsets alone cannot express, as data per minor.

Each field names a variant of one mechanism; the decoders branch on these
values, never on the version number.
"""

from __future__ import annotations

from ...errors import UnsupportedVersion
from ..record import frozen, replace

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional


@frozen
class Scheme:
    # How a Python frame is stored: a PyFrameObject per call (<= 3.10) or a
    # _PyInterpreterFrame on the thread's data stack (3.11+, bpo-44590).
    frame: str  # "frameobject" | "interpreter_frame"
    # How a C call of _PyEval_EvalFrameDefault marks the first Python frame it
    # runs: every frame is its own C call (<= 3.10), an is_entry flag (3.11),
    # or a shim frame owned by the C stack (3.12+, gh-100762).
    entry: str  # "each" | "is_entry" | "owner"
    # Where entry == "owner": the owner value of that shim and up. The shim
    # is FRAME_OWNED_BY_CSTACK (3) in 3.12/3.13; 3.14 inserted
    # FRAME_OWNED_BY_INTERPRETER (3) before CSTACK (now 4) and owns the shim
    # by it; CPython itself tests owner >= FRAME_OWNED_BY_INTERPRETER.
    owner_shim: int
    owner_generator: int
    # What a frame's f_executable and localsplus slots hold: PyObject*
    # (<= 3.13) or _PyStackRef (3.14+, gh-118450), whose low bits are tags:
    # (bits & 3) == 3 is a tagged int, not an object; otherwise the object
    # is bits & ~3, and 0 there is NULL.
    stack_refs: str  # "pointer" | "tagged"
    # The line-number table: co_lnotab (<= 3.9; its line increments unsigned
    # in 2.7, signed from 3.6, bpo-26107), PEP 626's co_linetable (3.10) or
    # the PEP 657 location table (3.11+).
    linetable: str  # "lnotab27" | "lnotab" | "linetable310" | "locations311"
    # f_lasti counts bytes before 3.10 and code units from 3.10 (bpo-27129).
    lasti_unit: int
    # The int representation: sign in ob_size (<= 3.11) or lv_tag (3.12+,
    # gh-101291).
    long: str  # "ob_size" | "lv_tag"
    # str state bits (the struct is a bitfield): where "ready" is, if any.
    str_ready_bit: Optional[int]
    # Dict keys: one table of entries in the dict itself (2.7), a keys object
    # with dk_size (3.6-3.10, the compact dict of bpo-27350) or with
    # dk_log2_size/dk_kind (3.11+, bpo-46845).
    dict_keys: str  # "table" | "dk_size" | "log2"
    # Split-table values: a plain PyObject*[] (<= 3.10) or PyDictValues (3.11+).
    split_values: str  # "array" | "struct"
    # Where a managed __dict__ lives (3.11+): see decoders in objects/instance.
    managed_dict: str  # "none" | "311" | "312" | "313"
    # Local names: co_varnames/cellvars/freevars (<= 3.10) or
    # co_localsplusnames with co_localspluskinds (3.11+).
    localsplus: str  # "varnames" | "kinds"
    # Where the managed-dict words sit, in bytes from the object, just
    # before its PyGC_Head (16 bytes): the dict (or 3.12's tagged "dict or
    # values") one word before it, MANAGED_DICT_OFFSET = -3 words (3.11+);
    # 3.11's split values pointer one word further (-4 words: 3.12 gave that
    # word to the weakref list). 0 where the version has no such word.
    managed_dict_offset: int = 0
    managed_values_offset: int = 0
    # The hash of str (PEP 456): SipHash-2-4 up to 3.10, SipHash-1-3 from
    # 3.11 (bpo-29410), keyed by _Py_HashSecret. It lets a dict lookup probe
    # the table as CPython does instead of reading every key.
    str_hash: str = "siphash13"  # "siphash24" | "siphash13"
    # A free-threaded build (PEP 703): see free_threaded() below.
    free_threaded: bool = False
    # Where the interpreters start: the struct _PyRuntime (3.7+, bpo-30860)
    # or static variables (2.7, 3.6: see runtime.anchor).
    runtime: str = "pyruntime"  # "pyruntime" | "statics"
    # repr() of an exception: its type's name and its args' repr, as a tuple
    # (<= 3.6: ValueError('x',)) or without a single item's comma (3.7+,
    # bpo-30399: ValueError('x')).
    exception_repr: str = "args"  # "tuple" | "args"
    # The builtin types and their repr(): 2.7's str is bytes (PyStringObject)
    # beside a separate unicode, its int (PyIntObject) is beside long
    # (376L), its classic classes (classobj) and their instances beside the
    # new-style ones, and builtin types print as <type 'int'>.
    builtins: str = "py3"  # "py2" | "py3"
    # The C function that runs a Python frame: PyEval_EvalFrameEx, or from 3.6
    # the frame evaluator PEP 523 put behind it.
    eval_loop: str = "_PyEval_EvalFrameDefault"  # | "PyEval_EvalFrameEx"
    # The attribute of a threading.Thread that holds its name: 2.7's is the
    # private self.__name.
    thread_name: str = "_name"
    # What of a running thread state lies on the C stack of the OS thread
    # that runs it (runtime/os_thread.py), since its ids may name another:
    # nothing but the eval loop's copies of its frame object's address
    # (<= 3.9: "frame_scan"), tstate->cframe, set by each eval-loop call to
    # a record in its own C frame (3.10-3.12, bpo-43760), or the shim frame
    # record that each eval-loop call keeps in its C frame (3.13+, where
    # cframe is gone: gh-108036).
    running_anchor: str = "cframe"  # "frame_scan" | "cframe" | "entry_shim"
    # What sys.getsizeof adds before an object (_PySys_GetSizeOf): the
    # PyGC_Head of a GC type, plus two words when the type has one of these
    # flags: none up to 3.10, Py_TPFLAGS_MANAGED_DICT in 3.11 (gh-89503),
    # Py_TPFLAGS_PREHEADER (managed dict or managed weakref) from 3.12.
    sizeof_preheader_flags: int = 0
    # int.__sizeof__ counts |ob_size| digits up to 3.10, at least one from
    # 3.11 (the digit zero holds).
    int_min_digits: int = 0
    # dict.__sizeof__ of a split table counts its values array as
    # USABLE_FRACTION(dk_size) slots (<= 3.10) or dk_nentries + dk_usable
    # (3.11+: shared_keys_usable_size).
    split_values_size: str = "usable"  # "usable" | "nentries_usable"
    # Whether sys.getsizeof of a static type adds a PyGC_Head: 3.11 and
    # 3.12 (_PyType_PreHeaderSize of any type); not before (tp_is_gc) nor
    # from 3.13 (static types skipped).
    static_type_preheader: bool = False
    # bytearray.__sizeof__ from 3.15 also counts the header of the bytes
    # object that holds its buffer (PyBytesObject and its NUL) when it has one.
    bytearray_bytes_header: int = 0
    # hash(None): its address rotated right by four bits, as any object
    # without __hash__ (<= 3.11), or the constant 0xFCA86420 (3.12+,
    # gh-99540); py-print's d[None] probes a dict with it.
    none_hash: str = "pointer"  # "pointer" | "constant"
    # repr() of an OrderedDict: its pairs as a list (<= 3.11) or as a dict
    # (3.12+, gh-101446).
    ordered_dict_repr: str = "pairs"  # "pairs" | "dict"
    # repr() of a timedelta: its fields positionally (2.7, 3.6) or those
    # not 0 as keywords (3.7+, bpo-30302).
    timedelta_repr: str = "keywords"  # "positional" | "keywords"
    # Whether time and datetime have PEP 495's fold byte after their fields (3.6+).
    datetime_fold: bool = True
    # How collections.deque keeps its items (objects/deques.py): 64-item
    # blocks, its length in PyObject_VAR_HEAD (3.5+), or 62-item blocks,
    # its length after the block indexes (2.7).
    deque: str = "blocks64"  # "blocks64" | "blocks62"
    # repr() of a functools.partial: the call it makes (3.x), or object's
    # default, its type and address (2.7's partial has no repr of its own).
    partial_repr: str = "call"  # "call" | "object"
    # Where the exception an older frame handles is kept while newer frames
    # run (py-exc of a selected frame): each running generator pushes its
    # own _PyErr_StackItem on tstate->exc_info (3.7+, bpo-25612); a running
    # generator's frame keeps its caller's in f_exc_* (3.6); every frame
    # that handled one keeps the one before it in f_exc_* (2.7). Ordinary
    # frames of 3.x keep the one before theirs on their value stack.
    exc_state: str = "stack"  # "stack" | "generator_frame" | "frame"


_V310 = Scheme(
    frame="frameobject",
    entry="each",
    owner_shim=-1,
    owner_generator=-1,
    stack_refs="pointer",
    linetable="linetable310",
    lasti_unit=2,
    long="ob_size",
    str_ready_bit=7,
    dict_keys="dk_size",
    split_values="array",
    managed_dict="none",
    localsplus="varnames",
    str_hash="siphash24",
)
_V39 = replace(_V310, linetable="lnotab", lasti_unit=1, running_anchor="frame_scan")
_V36 = replace(_V39, runtime="statics", exception_repr="tuple", timedelta_repr="positional",
               exc_state="generator_frame")
_V27 = replace(_V36, linetable="lnotab27", str_ready_bit=None, dict_keys="table", split_values="none",
               str_hash="none", builtins="py2", eval_loop="PyEval_EvalFrameEx", thread_name="_Thread__name",
               datetime_fold=False, deque="blocks62", partial_repr="object",
               exc_state="frame")
_V311 = replace(
    _V310,
    frame="interpreter_frame",
    entry="is_entry",
    owner_generator=1,
    linetable="locations311",
    dict_keys="log2",
    split_values="struct",
    managed_dict="311",
    managed_dict_offset=-3 * 8,
    managed_values_offset=-4 * 8,
    localsplus="kinds",
    str_hash="siphash13",
    sizeof_preheader_flags=1 << 4,
    static_type_preheader=True,
    int_min_digits=1,
    split_values_size="nentries_usable",
)
_V312 = replace(
    _V311,
    entry="owner",
    owner_shim=3,
    long="lv_tag",
    str_ready_bit=None,
    managed_dict="312",
    managed_values_offset=0,
    none_hash="constant",
    sizeof_preheader_flags=(1 << 4) | (1 << 3),
    ordered_dict_repr="dict",
)
_V313 = replace(_V312, managed_dict="313", running_anchor="entry_shim", static_type_preheader=False)
_V314 = replace(_V313, stack_refs="tagged")
_V315 = replace(_V314, bytearray_bytes_header=33)

_SCHEMES = {(2, 7): _V27, (3, 6): _V36, (3, 7): _V39, (3, 8): _V39, (3, 9): _V39, (3, 10): _V310, (3, 11): _V311,
            (3, 12): _V312, (3, 13): _V313, (3, 14): _V314, (3, 15): _V315}

# (major, minor) of each version known, oldest first.
SUPPORTED = tuple(sorted(_SCHEMES))


def free_threaded(scheme: Scheme) -> Scheme:
    """The scheme of the same minor's free-threaded build (PEP 703, 3.13+).

    Its objects have no PyGC_Head before them, so the managed-dict word
    sits right before the object: MANAGED_DICT_OFFSET is -1 word there
    (Include/internal/pycore_object.h, under Py_GIL_DISABLED). Everything
    else that differs (the larger object header, dict keys' mutex, the GIL
    that may be off) is in the offsets.
    """
    return replace(scheme, managed_dict_offset=-8 if scheme.managed_dict_offset else 0, free_threaded=True)
def known_range() -> str:
    """The versions known, for messages: "3.6 to 3.15"."""
    return "{}.{} to {}.{}".format(*SUPPORTED[0], *SUPPORTED[-1])


def scheme_for(major: int, minor: int) -> Scheme:
    scheme = _SCHEMES.get((major, minor))
    if scheme is not None:
        return scheme
    raise UnsupportedVersion(f"CPython {major}.{minor} is not supported (this release knows {known_range()})")
