"""The fuzz campaign of issue 16: hostile targets for every command and printer.

- ``process``: a live process held stopped; writing its memory; the
  evidence of a side effect (memory checksums, registers, mappings).
- ``structures``: where the target's CPython structures are, found once
  on the pristine target with the engine itself.
- ``plan``: a case number -> a deterministic list of corruption writes.
- ``tools``: every command, printer and ``dump`` variant run on a target,
  and the classification of what they did (escape, hang, huge, crash).
- ``campaign``: live and core cases end to end, minimisation and the
  reproduction printed on failure.
- ``known``: the bugs that other branches are fixing, told by their marks.
"""
