"""ELF files: what a core file says about the process that dumped it."""
