"""Sourced into gdb by test_dwarf_places.py: what gdb's frames would say of each code address.

Reads the addresses (hexadecimal, one file: $DWARF_ORACLE_ADDRESSES) and
prints one line, "DWARF-ORACLE " and a JSON object: for each address, the
functions whose blocks hold it, innermost first (inlined calls, then the
function), each with the source file and line gdb shows for its frame:
the innermost the line table's at the address, each outer one the place
where it called the inner one (the inlined symbol's own file and line).
"""

import json
import os

import gdb

with open(os.environ["DWARF_ORACLE_ADDRESSES"]) as listing:
    addresses = [int(word, 16) for word in listing.read().split()]
answers = {}
for address in addresses:
    try:
        block = gdb.block_for_pc(address)
    except RuntimeError:
        block = None
    functions = []
    while block is not None:
        if block.function is not None:
            functions.append(block.function)
        block = block.superblock
    sal = gdb.find_pc_line(address)
    file = sal.symtab.filename if sal.symtab is not None else None
    line = sal.line or None
    places = []
    for function in functions:
        places.append([function.name, file, line])
        file = function.symtab.filename if function.symtab is not None else None
        line = function.line or None
    answers[f"{address:#x}"] = places
print("DWARF-ORACLE " + json.dumps(answers))
