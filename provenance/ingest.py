"""Ingest: paths, directories and globs to decoded text, or a ``Rejected`` value.

Inputs are local paths, or URLs (``s3://bucket/prefix/``, ``gs://…``, ``file:///…``) read
through fsspec and the store's own package (the ``s3`` extra installs s3fs); see
:func:`is_url`. Decoding order: UTF-8 (with or without BOM), then UTF-16/32 by BOM, then
UTF-8 with its few stray bytes replaced (:func:`utf8_with_stray_bytes`, recorded as a
repair), then charset-normalizer's best guess. Empty, binary, undecodable, oversized and
unreadable files, and paths that are not regular files inside the folder given
(:func:`discover`), become ``Rejected(path, reason, detail)``; this stage never raises
for a bad file, never opens a FIFO and never writes to an input.
"""

from __future__ import annotations

import codecs
import errno
import glob
import hashlib
import os
import re
import stat
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from charset_normalizer import from_bytes

from provenance import remote
from provenance.errors import InputError
from provenance.model import Rejected, RejectReason, Repair
from provenance.names import is_plain, shown
from provenance.settings import IngestSettings

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control characters that do not occur in text (tab, line feed, CR, form feed and
# vertical tab do); counted with one regex scan instead of a Python loop per character.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")
_CONTROL_BYTES = bytes(range(0x00, 0x09)) + bytes(range(0x0E, 0x20))
# The repair that names invalid UTF-8 replaced by U+FFFD in decoding (utf8_with_stray_bytes).
INVALID_UTF8 = "invalid-utf-8"
_ASCII_BYTES = bytes(range(0x80))
_STRAY = re.compile("[\udc80-\udcff]")  # a byte surrogateescape could not decode
# Bytes windows-1252 leaves undefined (C1 controls in latin-1): never in Western single-byte text.
_UNDEFINED_CP1252 = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})
# Errors that say a name leads nowhere (a missing file, or a file where a folder should be).
_MISSING = frozenset({errno.ENOENT, errno.ENOTDIR})
# What a path that is not a regular file is, in a rejection's detail.
_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)
# A URL: a scheme of two or more characters, then "://" (a Windows drive, "C:\\", is not one).
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]+://")


@dataclass(frozen=True, slots=True)
class Source:
    """One input file with its id (path relative to its root, without extension).

    ``file`` is the file's path as a string; :attr:`path` makes a ``Path`` of it where one
    is needed. A corpus's sources are listed, pickled into tasks and unpickled by the
    workers: ``Path`` objects made for 100,000 files took ~0.5 s of the parent before any
    task ran, and as many again in the workers each time a task arrived.
    """

    id: str
    file: str
    display: str

    @property
    def path(self) -> Path:
        return Path(self.file)


@dataclass(frozen=True, slots=True)
class Decoded:
    """A file's text as decoded, the encoding used, the hash of its bytes, and the repairs
    decoding made (invalid UTF-8 replaced: :data:`INVALID_UTF8`)."""

    source: Source
    text: str
    encoding: str
    sha256: str
    repairs: tuple[Repair, ...] = ()


def discover(inputs: Iterable[str | Path], settings: IngestSettings) -> tuple[list[Source], list[Rejected]]:
    """Expand files, directories (recursively) and globs into sources, sorted by id.

    Paths that cannot be read as regular files (dangling or looping symlinks, symlinks
    leading outside the folder given, FIFOs and devices, unreadable folders, over-long
    names) and id clashes are returned as rejections with their reason, so the rest of
    the corpus is still analysed. A symlink is read only where it resolves inside its
    root: the folder given, a pattern's fixed leading folders, a named file's own folder
    (anywhere with ``settings.follow_symlinks``); a symlink to a folder is never entered.
    Ids and display paths are :func:`~provenance.names.shown`; ``file`` keeps the name
    on disk.

    Raises:
        InputError: when nothing was given, or a named path or pattern matches nothing
            (one line for each such input; nothing else is read then).
    """
    inputs = list(inputs)
    if not inputs:
        raise InputError("no input paths given")
    found: list[Source] = []
    rejected: list[Rejected] = []
    missing: list[str] = []
    for item in inputs:
        if isinstance(item, str) and is_url(item):
            found.extend(_expand_url(item, settings, rejected))
        else:
            found.extend(_expand(Path(item), str(item), settings, rejected, missing))
    if missing:
        raise InputError("\n".join(missing))
    by_id: dict[str, Source] = {}
    for source in sorted(found, key=lambda s: (s.id, s.display)):
        first = by_id.get(source.id)
        if first is None:
            by_id[source.id] = source
        elif first.file != source.file and not _same_file(first, source):
            rejected.append(
                Rejected(source.display, "duplicate-id", f"id {source.id!r} is already used by {first.display}")
            )
    return list(by_id.values()), sorted(rejected, key=lambda r: r.path)


def is_url(item: str) -> bool:
    """True when an input names a URL (read through fsspec), not a local path.

    >>> is_url("s3://news/2024/"), is_url("file:///srv/news"), is_url("news/2024"), is_url("C:\\news")
    (True, True, False, False)
    """
    return _URL.match(item) is not None


def _same_file(a: Source, b: Source) -> bool:
    """Whether two sources of one id are the same file reached twice (a URL only by itself)."""
    if is_url(a.file) or is_url(b.file):
        return a.file == b.file
    return a.path.resolve() == b.path.resolve()


def _expand(
    path: Path, given: str, settings: IngestSettings, rejected: list[Rejected], missing: list[str]
) -> Iterator[Source]:
    """The sources one local input names; what matches nothing goes to ``missing``."""
    try:
        mode = os.lstat(given).st_mode
    except OSError as exc:
        if glob.has_magic(given):
            yield from _expand_glob(given, settings, rejected, missing)
        else:  # a name that cannot even be looked up (missing, too long, a parent not searchable)
            problem = "no such file or directory" if exc.errno in _MISSING else _strerror(exc)
            missing.append(f"{shown(given)}: {problem}")
        return
    if stat.S_ISDIR(mode) or (stat.S_ISLNK(mode) and path.is_dir()):  # a folder named is the root
        base = str(path)
        yield from _files_under(base, folder_prefix(base), settings, rejected)
        return
    if _regular(given, mode, str(path.parent), settings, rejected):
        yield Source(shown(_doc_id(path.name)), given, shown(given))


def folder_prefix(base: str) -> str:
    """What the display path of a file found under the folder ``base`` starts with.

    >>> folder_prefix("."), folder_prefix("corpus"), folder_prefix("/")
    ('', 'corpus/', '/')
    """
    return "" if base == "." else base if base.endswith("/") else f"{base}/"


def _expand_glob(
    pattern: str, settings: IngestSettings, rejected: list[Rejected], missing: list[str]
) -> Iterator[Source]:
    """A pattern's matches (folders among them are not read: a pattern selects files)."""
    root = _fixed_part(pattern)
    matched = False
    for match in sorted(glob.glob(pattern, recursive=True)):  # noqa: PTH207 (user patterns may be absolute)
        try:
            mode = os.lstat(match).st_mode
            if stat.S_ISDIR(mode) or (stat.S_ISLNK(mode) and Path(match).is_dir()):
                continue
        except OSError as exc:  # gone since it was listed
            rejected.append(_os_rejected(shown(match), exc))
            continue
        matched = True
        if _regular(match, mode, root, settings, rejected):
            yield Source(shown(_doc_id(Path(match).name)), match, shown(match))
    if not matched:
        missing.append(f"{shown(pattern)}: the pattern matches no file")


def _fixed_part(pattern: str) -> str:
    """The folder all of a pattern's matches lie under: its leading parts without wildcards.

    >>> _fixed_part("corpus/2024/*.txt"), _fixed_part("*.txt"), _fixed_part("/news/**/a?.md")
    ('corpus/2024', '.', '/news')
    """
    head = pattern
    while glob.has_magic(head):
        head = os.path.dirname(head)  # noqa: PTH120 (a pattern is no path: Path would normalise it)
    return head or "."


def _regular(path: str, mode: int, root: str, settings: IngestSettings, rejected: list[Rejected]) -> bool:
    """Whether the file at ``path`` (``lstat`` mode ``mode``) may be read: a regular file,
    or a symlink to one inside ``root``; if not, its rejection is added."""
    if stat.S_ISLNK(mode):
        mode, problem = _follow(path, os.path.realpath(root), root, settings.follow_symlinks)
        if problem is not None:
            rejected.append(Rejected(shown(path), *problem))
            return False
    if stat.S_ISREG(mode):
        return True
    rejected.append(_not_regular(path, mode))
    return False


def _follow(link: str, real_root: str, root: str, anywhere: bool) -> tuple[int, tuple[RejectReason, str] | None]:
    """The mode of what the symlink ``link`` leads to, or why it is not read: it leads
    nowhere, in a loop, to a folder, or out of ``root`` (whose real path is ``real_root``)."""
    try:
        mode = os.stat(link).st_mode  # noqa: PTH116 (a string from a listing: no Path made for it)
    except OSError as exc:
        if exc.errno in _MISSING:
            return 0, ("dangling-symlink", "the symlink leads to nothing (its target does not exist)")
        if exc.errno == errno.ELOOP:
            return 0, ("symlink-loop", "the symlink leads back to itself (a symlink loop)")
        return 0, ("unreadable", _strerror(exc))
    if stat.S_ISDIR(mode):
        return mode, ("symlink-to-folder", "a symlink to a folder, not entered (name the folder to read it)")
    if not anywhere and not _inside(os.path.realpath(link), real_root):
        return mode, ("outside-root", f"a symlink leading outside {shown(root)}, not read (--follow-symlinks reads it)")
    return mode, None


def _inside(path: str, folder: str) -> bool:
    """Whether the real path ``path`` is ``folder`` or below it (both resolved).

    >>> _inside("/corpus/a.txt", "/corpus"), _inside("/corpus2/a.txt", "/corpus"), _inside("/a.txt", "/")
    (True, False, True)
    """
    return path == folder or path.startswith(folder if folder.endswith(os.sep) else folder + os.sep)


def _not_regular(path: str, mode: int) -> Rejected:
    return Rejected(shown(path), "not-regular-file", f"not a regular file ({_kind(mode)})")


def _kind(mode: int) -> str:
    """What a file that is not a regular one is, for its rejection."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "an unknown kind of file"


def _strerror(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def _os_rejected(display: str, exc: OSError, *, folder: bool = False) -> Rejected:
    """An error met on a path, as the reason it is skipped (a long name or a loop said as such)."""
    if exc.errno == errno.ENAMETOOLONG:
        return Rejected(display, "name-too-long", _strerror(exc))
    if exc.errno == errno.ELOOP:
        return Rejected(display, "symlink-loop", _strerror(exc))
    return Rejected(display, "unreadable-folder" if folder else "unreadable", _strerror(exc))


def _expand_url(given: str, settings: IngestSettings, rejected: list[Rejected]) -> Iterator[Source]:
    """The sources a URL names (:func:`provenance.remote.expand`): ids as for local paths,
    the path below the given prefix without its extension, or a file's name without it."""
    try:
        listed = remote.expand(given)
    except remote.RemoteError as exc:
        rejected.append(Rejected(shown(given), "unreadable", str(exc)))
        return
    for item in listed:
        head, _, name = item.relative.rpartition("/")
        stem, suffix = _split_suffix(name)
        if item.below and suffix.lower() not in settings.extensions:
            continue
        yield Source(shown(f"{head}/{stem}" if head else stem), item.url, shown(item.display))


def _files_under(root: str, prefix: str, settings: IngestSettings, rejected: list[Rejected]) -> Iterator[Source]:
    """The sources of the files below ``root`` with one of the corpus extensions (any
    case), ids their path relative to ``root`` without the extension, displayed after
    ``prefix``; in no particular order. Skipped paths are added to ``rejected``:
    unreadable folders, symlinks that :func:`_follow` refuses (those to folders whatever
    their name, the others when they have a corpus extension), named files that are not
    regular files.

    ``os.scandir`` entries carry their type with the listing, so a regular file costs no
    ``stat``; only symlinks are resolved. pathlib's objects, sorting and a ``stat`` per file
    took 5.4 s for 100,000 files, before any task could start.
    """
    extensions = settings.extensions
    real_root = os.path.realpath(root)
    pending = [("", root)]
    while pending:
        relative, directory = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError as exc:
            rejected.append(_os_rejected(shown((prefix + relative).rstrip("/") or root), exc, folder=True))
            continue
        plain = is_plain(prefix + relative)  # names are shown (escaped) only where they need it
        for entry in entries:
            name = entry.name
            wanted = False
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((f"{relative}{name}/", entry.path))
                    continue
                stem, suffix = _split_suffix(name)
                wanted = suffix.lower() in extensions
                if entry.is_file(follow_symlinks=False):
                    if wanted:
                        path = prefix + relative + name
                        if plain and is_plain(name):
                            yield Source(relative + stem, path, path)
                        else:
                            yield Source(shown(relative + stem), path, shown(path))
                    continue
                if entry.is_symlink():
                    mode, problem = _follow(entry.path, real_root, root, settings.follow_symlinks)
                    if problem is not None and (wanted or problem[0] == "symlink-to-folder"):
                        rejected.append(Rejected(shown(prefix + relative + name), *problem))
                    elif problem is None and wanted:
                        path = prefix + relative + name
                        if stat.S_ISREG(mode):
                            yield Source(shown(relative + stem), path, shown(path))
                        else:
                            rejected.append(_not_regular(path, mode))
                elif wanted:  # a FIFO (opening one blocks), a socket, a device
                    rejected.append(_not_regular(prefix + relative + name, entry.stat(follow_symlinks=False).st_mode))
            except OSError as exc:
                if wanted:
                    rejected.append(_os_rejected(shown(prefix + relative + name), exc))


def _doc_id(name: str) -> str:
    """A file's id: its name without extension.

    >>> _doc_id("000_3a0f.txt")
    '000_3a0f'
    """
    return _split_suffix(name)[0]


def _split_suffix(name: str) -> tuple[str, str]:
    """``name`` as ``Path.stem`` and ``Path.suffix`` split it: at its last dot, unless
    that dot is its first or last character (then there is no suffix).

    >>> _split_suffix("a.b.txt"), _split_suffix(".txt"), _split_suffix("notes."), _split_suffix("README")
    (('a.b', '.txt'), ('.txt', ''), ('notes.', ''), ('README', ''))
    """
    dot = name.rfind(".")
    if 0 < dot < len(name) - 1:
        return name[:dot], name[dot:]
    return name, ""


def read(source: Source, settings: IngestSettings) -> Decoded | Rejected:
    """Read and decode one file, or say in one line why it cannot be analysed."""
    return _read_url(source, settings) if is_url(source.file) else _read_path(source, settings)


def _read_path(source: Source, settings: IngestSettings) -> Decoded | Rejected:
    """:func:`read` for a local file."""
    try:
        # The path string as it is (see Source), and one descriptor for the size and the
        # bytes: a buffered file object cost 15 against 9.5 µs a 4 KB article.
        descriptor = os.open(source.file, _OPEN_FLAGS)
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):  # named as such, or swapped for a FIFO since it was listed
                return _not_regular(source.display, info.st_mode)
            if info.st_size > settings.max_bytes:
                return _too_large(source, info.st_size, settings)
            data = _read_to_end(descriptor, info.st_size)
        finally:
            os.close(descriptor)
    except OSError as exc:
        return _os_rejected(source.display, exc)
    return decode(source, data, settings)


# Non-blocking: opening a FIFO for reading waits for a writer; this way it opens at once and
# is refused as not a regular file (O_NONBLOCK changes nothing for a regular file).
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)


def read_file(file: str) -> bytes:
    """The bytes of a regular file (what the index hashes), never blocking on a FIFO.

    Raises:
        OSError: it cannot be read, or is not a regular file.
    """
    descriptor = os.open(file, _OPEN_FLAGS)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, f"not a regular file ({_kind(info.st_mode)})", file)
        return _read_to_end(descriptor, info.st_size)
    finally:
        os.close(descriptor)


# Files named by URL fetched at once (remote.fetch_many): ~32 requests in flight hide a
# store's latency, and a batch holds at most 32 files of up to ingest.max_bytes each.
_FETCH_BATCH = 32


def read_many(sources: Sequence[Source], settings: IngestSettings) -> list[Decoded | Rejected]:
    """:func:`read` of each source, in order; the files named by URL fetched in batches."""
    out: list[Decoded | Rejected | None] = [None if is_url(s.file) else _read_path(s, settings) for s in sources]
    at = [index for index, item in enumerate(out) if item is None]
    for start in range(0, len(at), _FETCH_BATCH):
        batch = at[start : start + _FETCH_BATCH]
        fetched = remote.fetch_many([sources[index].file for index in batch], settings.max_bytes)
        for index, data in zip(batch, fetched, strict=True):
            out[index] = _from_fetched(sources[index], data, settings)
    return cast("list[Decoded | Rejected]", out)  # every place filled: read, or fetched in a batch


def _read_url(source: Source, settings: IngestSettings) -> Decoded | Rejected:
    """:func:`read` for a file named by URL."""
    return _from_fetched(source, remote.fetch_many([source.file], settings.max_bytes)[0], settings)


def _from_fetched(source: Source, data: remote.Fetched, settings: IngestSettings) -> Decoded | Rejected:
    if isinstance(data, remote.TooLargeError):
        return _too_large(source, data.size, settings)
    if isinstance(data, remote.RemoteError):
        return Rejected(source.display, "unreadable", str(data))
    return decode(source, data, settings)


def _too_large(source: Source, size: int, settings: IngestSettings) -> Rejected:
    return Rejected(source.display, "too-large", f"{size:,} bytes, over the {settings.max_bytes:,}-byte limit")


def _read_to_end(descriptor: int, size: int) -> bytes:
    """Every byte left in an open file, ``size`` of them expected (more if it grew since)."""
    parts = [os.read(descriptor, size + 1)]
    while parts[-1]:
        parts.append(os.read(descriptor, max(size, 1 << 16)))
    return parts[0] if len(parts) == 2 else b"".join(parts)


def decode(source: Source, data: bytes, settings: IngestSettings) -> Decoded | Rejected:
    """Decode bytes; see the module docstring for the order tried."""
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        return Rejected(
            source.display, "empty", "the file has no text" if not data else "the file holds only whitespace"
        )
    text, encoding, replaced = _decode_bytes(data)
    if text is None:
        if b"\x00" in data:
            return Rejected(source.display, "binary", "contains NUL bytes and is not UTF-16/32 text")
        return Rejected(source.display, "undecodable", "not UTF-8, has no BOM, and no charset fits")
    if not text.strip():  # a byte-order mark and nothing else, or only whitespace
        return Rejected(source.display, "empty", "the file holds only whitespace")
    # UTF-8 without a byte-order mark was decoded only from bytes without NUL (2.9 µs a page).
    if encoding != "utf-8" and "\x00" in text:
        return Rejected(source.display, "binary", f"contains NUL characters after decoding as {encoding}")
    ratio = _control_count(text, data, encoding) / len(text)
    if ratio > settings.max_control_ratio:
        return Rejected(source.display, "binary", f"{ratio:.1%} control characters: not text")
    return Decoded(source, text, encoding, digest, (Repair(INVALID_UTF8, replaced),) if replaced else ())


def _decode_bytes(data: bytes) -> tuple[str | None, str, int]:
    """The text, the encoding that gave it and how many invalid UTF-8 sequences were replaced."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig", 0
        except UnicodeDecodeError:
            return None, "", 0
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(name), name.replace("-le", "").replace("-be", "") + "-bom", 0
            except UnicodeDecodeError:
                return None, "", 0
    if b"\x00" in data:
        return None, "", 0
    try:
        return data.decode("utf-8"), "utf-8", 0
    except UnicodeDecodeError:
        pass
    damaged = utf8_with_stray_bytes(data)
    if damaged is not None:
        return damaged[0], "utf-8", damaged[1]
    best = from_bytes(data).best()
    if best is None:
        return None, "", 0
    return str(best), best.encoding, 0


def utf8_with_stray_bytes(data: bytes) -> tuple[str, int] | None:
    """``data`` decoded as UTF-8 with each invalid sequence replaced by U+FFFD, and how
    many were, when the bytes are UTF-8 text with a few stray bytes; else ``None``
    (a single-byte encoding's text, left to charset-normalizer).

    UTF-8 it is when valid multi-byte sequences hold at least three quarters of the
    non-ASCII bytes: cp1252 or latin-1 text almost never forms one (a capital accented
    letter directly followed by a symbol), so its non-ASCII bytes are nearly all invalid,
    and so are most of a legacy CJK encoding's. A file with no multi-byte sequence is
    UTF-8 only when each invalid byte is one windows-1252 leaves undefined (latin-1's C1
    controls): no single-byte Western text holds those. Otherwise one stray byte let
    charset-normalizer choose a codec (mac_iceland, cp775) that garbled every curly quote.

    >>> utf8_with_stray_bytes("“Yes,” she said.".encode() + b"\\x81")
    ('“Yes,” she said.\\ufffd', 1)
    >>> utf8_with_stray_bytes(b"One stray byte\\x8d."), utf8_with_stray_bytes("Noël, l’été".encode("cp1252"))
    (('One stray byte\\ufffd.', 1), None)
    """
    escaped = data.decode("utf-8", "surrogateescape")  # each invalid byte one lone surrogate
    invalid = _STRAY.findall(escaped)
    high = len(data.translate(None, _ASCII_BYTES))  # the non-ASCII bytes
    multibyte = len(invalid) < high
    if multibyte and 4 * len(invalid) > high:
        return None
    if not multibyte and not all(ord(byte) - 0xDC00 in _UNDEFINED_CP1252 for byte in invalid):
        return None
    text = data.decode("utf-8", "replace")  # one U+FFFD for each maximal invalid sequence
    return text, text.count("\ufffd") - escaped.count("\ufffd")


def _control_count(text: str, data: bytes, encoding: str) -> int:
    """Control characters in ``text``, decoded from ``data`` as ``encoding``.

    In UTF-8 each of them is one byte that no other character's encoding holds, so
    deleting them from the bytes counts them: 3 against 26 µs a generated article.
    """
    if encoding in ("utf-8", "utf-8-sig"):
        return len(data) - len(data.translate(None, _CONTROL_BYTES))
    return len(_CONTROL.findall(text))
