"""Dies of SIGSEGV inside a C call: ctypes.string_at(1) reads address 1."""

import ctypes


def read_raw(address):
    label = "raw read"
    return ctypes.string_at(address), label  # mark: segv


def main():
    sizes = [1, 2, 3]
    return read_raw(len(sizes) - 2)  # mark: main


main()  # mark: module
