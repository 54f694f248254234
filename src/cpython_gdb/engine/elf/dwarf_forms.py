"""DWARF's attribute forms (DWARF 5, 7.5.6, and GNU's), and how dwarf_units.py reads an entry of given forms.

An entry's attributes are read by a plan made once per abbreviation: the
values of the attributes wanted, the others skipped in as few steps as
their forms allow (a run of fixed sizes in one), which is what makes a
walk over thousands of entries affordable in Python.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import FrozenSet, List, Tuple

    Step = Tuple[int, int, int, int]  # operation, attribute (or a size), form, constant

# Forms (DWARF 5, 7.5.6), and GNU's.
F_ADDR, F_BLOCK2, F_BLOCK4, F_DATA2, F_DATA4, F_DATA8, F_STRING, F_BLOCK, F_BLOCK1 = 1, 3, 4, 5, 6, 7, 8, 9, 0xA
F_DATA1, F_FLAG, F_SDATA, F_STRP, F_UDATA = 0xB, 0xC, 0xD, 0xE, 0xF
F_REF_ADDR, F_REF1, F_REF2, F_REF4 = 0x10, 0x11, 0x12, 0x13
F_REF8, F_REF_UDATA, F_INDIRECT, F_SEC_OFFSET, F_EXPRLOC, F_FLAG_PRESENT = 0x14, 0x15, 0x16, 0x17, 0x18, 0x19
F_STRX, F_ADDRX, F_REF_SUP4, F_STRP_SUP, F_DATA16, F_LINE_STRP, F_REF_SIG8 = 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F, 0x20
F_IMPLICIT_CONST, F_LOCLISTX, F_RNGLISTX, F_REF_SUP8 = 0x21, 0x22, 0x23, 0x24
F_STRX1, F_STRX2, F_STRX3, F_STRX4, F_ADDRX1, F_ADDRX2, F_ADDRX3, F_ADDRX4 = range(0x25, 0x2D)
F_GNU_ADDR_INDEX, F_GNU_STR_INDEX, F_GNU_REF_ALT, F_GNU_STRP_ALT = 0x1F01, 0x1F02, 0x1F20, 0x1F21
FIXED = {F_DATA1: 1, F_DATA2: 2, F_DATA4: 4, F_DATA8: 8, F_FLAG: 1, F_REF1: 1, F_REF2: 2, F_REF4: 4, F_REF8: 8,
         F_REF_SUP4: 4, F_REF_SUP8: 8, F_REF_SIG8: 8, F_DATA16: 16}
LOCAL_REFS = (F_REF1, F_REF2, F_REF4, F_REF8, F_REF_UDATA)
STRX = {F_STRX1: 1, F_STRX2: 2, F_STRX3: 3, F_STRX4: 4}
ADDRX = {F_ADDRX1: 1, F_ADDRX2: 2, F_ADDRX3: 3, F_ADDRX4: 4}
DATA = (F_DATA1, F_DATA2, F_DATA4, F_DATA8, F_SDATA, F_UDATA, F_IMPLICIT_CONST)

# The steps of a plan: skip a number of bytes, a LEB128 number or a string; read a value (_value), kept
# (a wanted attribute) or not.
SKIP, ULEB, CSTRING, READ, WANT = range(5)
ULEB_FORMS = (F_UDATA, F_SDATA, F_REF_UDATA, F_LOCLISTX, F_RNGLISTX)


def read_plan(specs: List[Tuple[int, int, int]], offset_size: int, version: int, wanted: FrozenSet[int]) -> List[Step]:
    """How to read an entry of these attributes: the values of the ``wanted`` ones, the others skipped in
    as few steps as their forms allow (runs of fixed sizes in one)."""
    sizes = dict(FIXED)
    sizes.update({F_ADDR: 8, F_SEC_OFFSET: offset_size, F_STRP: offset_size, F_LINE_STRP: offset_size,
                  F_STRP_SUP: offset_size, F_GNU_REF_ALT: offset_size, F_GNU_STRP_ALT: offset_size,
                  F_REF_ADDR: offset_size if version >= 3 else 8, F_FLAG_PRESENT: 0, F_IMPLICIT_CONST: 0})
    sizes.update(STRX)
    sizes.update(ADDRX)
    plan: List[Step] = []
    for attribute, form, constant in specs:
        if attribute in wanted:
            plan.append((WANT, attribute, form, constant))
        elif form in sizes:
            if plan and plan[-1][0] == SKIP:
                plan[-1] = (SKIP, plan[-1][1] + sizes[form], 0, 0)
            else:
                plan.append((SKIP, sizes[form], 0, 0))
        elif form in ULEB_FORMS or form in (F_STRX, F_ADDRX, F_GNU_ADDR_INDEX, F_GNU_STR_INDEX):
            plan.append((ULEB, 0, 0, 0))
        elif form == F_STRING:
            plan.append((CSTRING, 0, 0, 0))
        else:  # blocks, indirect forms, forms unknown (_value says so)
            plan.append((READ, attribute, form, constant))
    return [step for step in plan if step != (SKIP, 0, 0, 0)]
