"""The C stack, read without a debugger: call frame information and unwinding."""
