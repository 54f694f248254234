"""What fills the heap: a census of the live Python objects by type, their instances and referrers.

``blocks`` reads memory in large blocks, ``gc_lists`` finds the
collector's lists, ``shapes`` what each type is, ``sizes`` what
sys.getsizeof counts, ``referents`` what an object refers to, ``census``
the walk, ``referrers`` who holds an object, ``diff`` two censuses compared.
"""
