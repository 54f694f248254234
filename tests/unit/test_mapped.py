"""engine.memory.Mapped: which reads fall inside a live process's mappings."""

import pytest

from cpython_gdb.engine.memory import Mapped
from cpython_gdb.errors import MemoryReadError

PAGE = 0x1000


def test_reads_inside_and_across_adjacent_mappings_pass():
    # Two adjacent mappings (a library's data and its .bss), a gap, then the stack.
    mapped = Mapped([(0x7000 * PAGE, 0x7001 * PAGE), (0x10 * PAGE, 0x12 * PAGE), (0x12 * PAGE, 0x13 * PAGE)])
    mapped.check(0x10 * PAGE, 8)
    mapped.check(0x12 * PAGE - 4, 8)  # across the two adjacent ones
    mapped.check(0x13 * PAGE - 8, 8)  # up to the end
    mapped.check(0x7000 * PAGE, PAGE)


@pytest.mark.parametrize("address, size", [
    (0x10 * PAGE - 8, 8),  # below the first
    (0x10 * PAGE - 4, 8),  # starts below it
    (0x13 * PAGE - 4, 8),  # runs past the end
    (0x13 * PAGE, 8),  # in the gap
    (0x7000 * PAGE - 8, 8),  # just below the stack: where the kernel would grow it
    (0x7001 * PAGE, 8),  # past everything
])
def test_reads_outside_are_refused(address, size):
    mapped = Mapped([(0x10 * PAGE, 0x12 * PAGE), (0x12 * PAGE, 0x13 * PAGE), (0x7000 * PAGE, 0x7001 * PAGE)])
    with pytest.raises(MemoryReadError):
        mapped.check(address, size)


def test_nothing_mapped_refuses_everything():
    with pytest.raises(MemoryReadError):
        Mapped([]).check(PAGE, 8)
