"""One ELF file, read on demand: its header, program headers, sections, symbols and notes.

The core reader, the symbol look-up of the direct backend and the
unwinder all read ELF files through :class:`ElfFile`. Standard library
only, Python 3.8+, no gdb. Headers and notes are read in both ELF classes
and byte orders (a core may come from another machine); symbol tables only
in 64-bit little-endian files, those of the processes this package reads.
Nothing is read until asked for, and then only that: a symbol is found
through the GNU hash table's one bucket and chain where the table has one,
not by reading the whole symbol table. Every read is bounded
(``MAX_READ``), and a file too short for what its headers say raises
:class:`ElfError`.
"""

from __future__ import annotations

import os
import stat
import struct

from ...errors import CpythonGdbError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, BinaryIO, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, TypeVar, Union

    _T = TypeVar("_T")

    # As the class's struct unpacks it: name, type, flags, addr, offset, size, link, info, addralign, entsize.
    SectionHeader = Tuple[int, ...]
    # Either class's, in one order: the file's bytes [offset, offset + filesz) at vaddr.
    ProgramHeader = Tuple[int, int, int, int, int, int, int]  # offset, vaddr, filesz, memsz, type, flags, align

ET_EXEC = 2
PT_LOAD, PT_NOTE = 1, 4
NT_GNU_BUILD_ID = 3
MAX_BUILD_ID_NOTES = 4096  # bytes of a file's notes searched for its build id
PN_XNUM = 0xFFFF  # e_phnum when the count is in section 0's sh_info
SHT_SYMTAB, SHT_DYNSYM = 2, 11
SHT_GNU_HASH = 0x6FFFFFF6
SHN_UNDEF = 0
MAX_READ = 256 << 20  # bytes of one table (headers, symbols, strings) read at most

_SYM = struct.Struct("<IBBHQQ")  # 64-bit little-endian: name, info, other, shndx, value, size
_SYM_SIZE = _SYM.size
_GNU_HASH_HEAD = struct.Struct("<IIII")  # nbuckets, symoffset, bloom words, bloom shift
_U32 = struct.Struct("<I")


def file_identity(path: str) -> Tuple[str, int, int, int, int]:
    """What tells that the file at ``path`` is still the one read before: its path, device, inode, size
    and time of last change (a rebuilt library is read again). OSError if it is not a regular file."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise OSError(f"{path} is not a regular file")
    return path, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns


def per_file(cache: Dict[Tuple[str, int, int, int, int], Any], path: str, make: Callable[[str], _T]) -> Union[_T, str]:
    """``make(path)``, kept in ``cache`` for as long as the file is the same (file_identity); or why it could
    not be made, kept the same way, as a one-line string."""
    try:
        key = file_identity(path)
    except (OSError, ValueError) as exc:
        return f"{path}: {getattr(exc, 'strerror', None) or exc}"
    found = cache.get(key)
    if found is None:
        try:
            found = make(path)
        except Exception as exc:  # noqa: BLE001 - a file's bytes are untrusted input, like memory
            found = f"{path}: {getattr(exc, 'strerror', None) or exc}"
        cache[key] = found
    return found


class ReadAt:
    """The bytes of a file, read where asked (pread on a descriptor kept open: a table's few entries are
    read, not the whole table), or of an ELF image read from memory (the vDSO's)."""

    def __init__(self, path: str, image: Optional[bytes] = None) -> None:
        self._image = image
        self._fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC) if image is None else None

    def __call__(self, size: int, offset: int) -> bytes:
        if self._fd is None:
            return (self._image or b"")[offset:offset + size]
        return os.pread(self._fd, size, offset)

    def __del__(self) -> None:
        fd = getattr(self, "_fd", None)
        if fd is not None:
            os.close(fd)


class ElfError(CpythonGdbError):
    """The file is not an ELF file, or one whose headers cannot be right (one-line message)."""


class ElfFile:
    """The ELF file open as ``f`` (``path`` names it in messages), or an image in an io.BytesIO; see the
    module docstring.

    The file must stay open while anything not yet read is asked for: the
    header is read here, the rest when first needed, then kept.
    """

    def __init__(self, f: BinaryIO, path: str) -> None:
        self.path = path
        self._file = f
        # A file, or an image read from memory (io.BytesIO: the vDSO).
        getbuffer = getattr(f, "getbuffer", None)
        self.size = len(getbuffer()) if getbuffer is not None else os.fstat(f.fileno()).st_size
        ident = self.read_some(0, 64)
        if len(ident) < 16 or ident[:4] != b"\x7fELF":
            raise ElfError(f"{path} is not an ELF file" + ("" if ident else " (it is empty)"))
        if ident[4] not in (1, 2) or ident[5] not in (1, 2):
            raise ElfError(f"{path}: unknown ELF class or byte order")
        self.wordsize = 4 if ident[4] == 1 else 8
        self.order = "<" if ident[5] == 1 else ">"
        word = "I" if self.wordsize == 4 else "Q"
        header = struct.Struct(f"{self.order}HHI{word}{word}{word}IHHHHHH")
        if len(ident) < 16 + header.size:
            raise ElfError(f"{path} is truncated inside its ELF header")
        (self.type, self.machine, _, self.entry, self.phoff, self.shoff, _, _, self.phentsize, phnum,
         self.shentsize, self.shnum, self.shstrndx) = header.unpack_from(ident, 16)
        self._section_struct = struct.Struct(f"{self.order}II{word}{word}{word}{word}II{word}{word}")
        if phnum == PN_XNUM and self.shoff:  # more segments than e_phnum holds (a core of many mappings)
            phnum = self._section_struct.unpack(self.read(self.shoff, self._section_struct.size))[7]
        self.phnum = phnum
        self._program_headers: Optional[List[ProgramHeader]] = None
        self._sections: Optional[List[Tuple[str, SectionHeader]]] = None

    # -- reading -------------------------------------------------------------

    def read_some(self, offset: int, size: int) -> bytes:
        """At most ``size`` bytes at ``offset``: fewer where the file ends."""
        if size > MAX_READ:
            raise ElfError(f"{self.path}: a table of {size} bytes")
        if offset >= self.size:  # past the end, maybe where no file reaches (seek would fail)
            return b""
        self._file.seek(offset)
        return self._file.read(size)

    def read(self, offset: int, size: int) -> bytes:
        """``size`` bytes at ``offset``; ElfError where the file ends before them."""
        data = self.read_some(offset, size)
        if len(data) != size:
            raise ElfError(f"{self.path} is truncated")
        return data

    def _read_in(self, section: SectionHeader, offset: int, size: int) -> bytes:
        """``size`` bytes at ``offset`` in ``section``, which must hold them."""
        if offset + size > section[5]:
            raise ElfError(f"{self.path}: a read past the end of a section")
        return self.read(section[4] + offset, size)

    # -- program headers and notes -------------------------------------------

    def program_headers(self) -> List[ProgramHeader]:
        """(offset, vaddr, filesz, memsz, type, flags, align) of each, in file order (plain tuples:
        a record class would cost the dump's start-up more than all its uses)."""
        if self._program_headers is None:
            entry = struct.Struct(self.order + ("IIQQQQQQ" if self.wordsize == 8 else "IIIIIIII"))
            if self.phnum and self.phentsize < entry.size:
                raise ElfError(f"{self.path}: program headers of {self.phentsize} bytes are too small")
            table = self.read(self.phoff, self.phentsize * self.phnum)
            rows = [entry.unpack_from(table, i * self.phentsize) for i in range(self.phnum)]
            if self.wordsize == 8:  # the classes order the fields differently
                self._program_headers = [(offset, vaddr, filesz, memsz, kind, flags, align)
                                         for kind, flags, offset, vaddr, _, filesz, memsz, align in rows]
            else:
                self._program_headers = [(offset, vaddr, filesz, memsz, kind, flags, align)
                                         for kind, offset, vaddr, _, filesz, memsz, flags, align in rows]
        return self._program_headers

    def segments(self, kind: int) -> List[ProgramHeader]:
        """The program headers of type ``kind`` (PT_LOAD, PT_NOTE...), in file order."""
        return [header for header in self.program_headers() if header[4] == kind]

    def notes(self, header: ProgramHeader, limit: int) -> Iterator[Tuple[bytes, int, bytes]]:
        """(name, type, descriptor) of each note of a PT_NOTE segment, in at most ``limit`` bytes.

        As far as the file holds them: a core cut short keeps the notes
        before the cut.
        """
        offset, _, filesz, _, _, _, align = header
        data = self.read_some(offset, min(filesz, limit))
        align = 8 if align == 8 else 4
        pos = 0
        while pos + 12 <= len(data):
            namesz, descsz, kind = struct.unpack_from(f"{self.order}III", data, pos)
            name_start = pos + 12
            desc_start = name_start + (namesz + align - 1) // align * align
            end = desc_start + descsz
            if end > len(data):
                return
            yield data[name_start:name_start + namesz].rstrip(b"\0"), kind, data[desc_start:end]
            pos = desc_start + (descsz + align - 1) // align * align

    def build_id(self) -> Optional[bytes]:
        """The GNU build id (``NT_GNU_BUILD_ID``), which names the file's separate debug file; None without one."""
        for header in self.segments(PT_NOTE):
            for name, kind, desc in self.notes(header, MAX_BUILD_ID_NOTES):
                if name == b"GNU" and kind == NT_GNU_BUILD_ID and desc:
                    return desc
        return None

    # -- sections and symbols ------------------------------------------------

    @property
    def sections(self) -> List[Tuple[str, SectionHeader]]:
        """Every section header with its name, read (with the names) when first asked for."""
        if self._sections is None:
            count = self.shnum if self.shoff else 0
            size = self._section_struct.size
            if count and self.shentsize < size:
                raise ElfError(f"{self.path}: section headers of {self.shentsize} bytes are too small")
            table = self.read(self.shoff, self.shentsize * count)
            raw = [self._section_struct.unpack_from(table, i * self.shentsize) for i in range(count)]
            names = self.read(raw[self.shstrndx][4], raw[self.shstrndx][5]) if 0 < self.shstrndx < count else b""
            self._sections = [(_name_at(names, sh[0]), sh) for sh in raw]
        return self._sections

    def section_address(self, name: str) -> Optional[int]:
        """The link-time address of the section ``name``, if it has one."""
        for section_name, sh in self.sections:
            if section_name == name and sh[3]:
                return int(sh[3])
        return None

    def lookup(self, wanted: Sequence[str], hashed: bool = True) -> Dict[str, int]:
        """Link-time addresses of the ``wanted`` symbols that are defined here.

        ``.dynsym`` first, then ``.symtab``. ``hashed``: look names up in a
        GNU hash table where one is attached to the symbol table, rather
        than read the whole table and its strings.
        """
        found: Dict[str, int] = {}
        if self.wordsize != 8 or self.order != "<":
            return found  # not a file of a process this package reads
        sections = self.sections
        for kind in (SHT_DYNSYM, SHT_SYMTAB):
            for index, (_, sh) in enumerate(sections):
                if sh[1] != kind or not 0 < sh[6] < len(sections) or sh[9] != _SYM_SIZE:
                    continue
                strtab = sections[sh[6]][1]
                missing = [name for name in wanted if name not in found]
                if not missing:
                    return found
                table_hash = self._gnu_hash_of(index) if hashed else None
                if table_hash is not None:
                    try:
                        found.update(self._hashed(table_hash, sh, strtab, missing))
                        continue
                    except (ElfError, struct.error):
                        pass  # a damaged hash table: read the whole symbol table
                strings = self.read(strtab[4], strtab[5])
                table = self.read(sh[4], sh[5] - sh[5] % _SYM_SIZE)
                found.update(scan_table(table, strings, missing))
        return found

    def _gnu_hash_of(self, table: int) -> Optional[SectionHeader]:
        """The GNU hash table (``.gnu.hash``) of the symbol table in section ``table``, if any."""
        for _, sh in self.sections:
            if sh[1] == SHT_GNU_HASH and sh[6] == table:
                return sh
        return None

    def _hashed(self, table_hash: SectionHeader, symtab: SectionHeader, strtab: SectionHeader,
                names: Sequence[str]) -> Dict[str, int]:
        """:meth:`lookup` through a GNU hash table: the few entries that may hold each name.

        ``.dynsym`` of libpython has thousands of entries, and reading it
        and its strings whole cost more than half a millisecond of a dump.
        A GNU hash table lists every defined symbol of its table (those
        from ``symoffset`` on): a name it does not have is not defined there.
        """
        nbuckets, symoffset, bloom_words, _ = _GNU_HASH_HEAD.unpack(self._read_in(table_hash, 0, _GNU_HASH_HEAD.size))
        buckets = _GNU_HASH_HEAD.size + 8 * bloom_words  # 64-bit bloom filter words
        chains = buckets + 4 * nbuckets
        count = symtab[5] // _SYM_SIZE
        found: Dict[str, int] = {}
        for name in names:
            if not nbuckets:
                break
            raw = name.encode() + b"\0"
            wanted = _gnu_hash(raw[:-1])
            index = _U32.unpack(self._read_in(table_hash, buckets + 4 * (wanted % nbuckets), 4))[0]
            while symoffset <= index < count:  # an empty bucket holds 0
                value = _U32.unpack(self._read_in(table_hash, chains + 4 * (index - symoffset), 4))[0]
                if value | 1 == wanted | 1:  # the low bit ends a chain
                    st_name, _, _, shndx, address, _ = _SYM.unpack(self._read_in(symtab, index * _SYM_SIZE, _SYM_SIZE))
                    if (shndx != SHN_UNDEF and address and st_name + len(raw) <= strtab[5]
                            and self._read_in(strtab, st_name, len(raw)) == raw):
                        found[name] = int(address)
                        break
                if value & 1:
                    break
                index += 1
        return found


def _gnu_hash(name: bytes) -> int:
    """The GNU hash (dl_new_hash) of a symbol name."""
    value = 5381
    for byte in name:
        value = (value * 33 + byte) & 0xFFFFFFFF
    return value


def _name_at(strings: bytes, offset: int) -> str:
    end = strings.find(b"\0", offset)
    return strings[offset:end if end >= 0 else len(strings)].decode("ascii", "replace")


def scan_table(table: bytes, strings: bytes, names: Sequence[str]) -> Dict[str, int]:
    """:meth:`ElfFile.lookup` without a hash table: the whole symbol table and its strings."""
    # Find each name's string first (a linker may share the tail of a longer
    # name), then the defined symbols that point at one of them.
    wanted: Dict[int, str] = {}
    for name in names:
        needle = name.encode() + b"\0"
        start = strings.find(needle)
        while start >= 0:
            wanted[start] = name
            start = strings.find(needle, start + 1)
    if not wanted:
        return {}
    found: Dict[str, int] = {}
    name_column = memoryview(table).cast("I")[0::_SYM_SIZE // 4].tolist()
    for index, st_name in enumerate(name_column):
        symbol = wanted.get(st_name)
        if symbol is not None and symbol not in found:
            _, _, _, shndx, value, _ = _SYM.unpack_from(table, index * _SYM_SIZE)
            if shndx != SHN_UNDEF and value:
                found[symbol] = int(value)
    return found
