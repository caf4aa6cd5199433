"""Ingest: paths, directories and globs to decoded text, or a ``Rejected`` value.

Inputs are local paths, or URLs (``s3://bucket/prefix/``, ``gs://…``, ``file:///…``) read
through fsspec and the store's own package (the ``s3`` extra installs s3fs); see
:func:`is_url`. Decoding order: UTF-8 (with or without BOM), then UTF-16/32 by BOM, then
UTF-8 with its few stray bytes replaced (:func:`utf8_with_stray_bytes`, recorded as a
repair), then charset-normalizer's best guess. Empty, binary, undecodable, oversized and
unreadable files become ``Rejected(path, reason, detail)``; this stage never raises
for a bad file and never writes to an input.
"""

from __future__ import annotations

import codecs
import glob
import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from charset_normalizer import from_bytes

from provenance import remote
from provenance.errors import InputError
from provenance.model import Rejected, Repair
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

    Missing paths and id clashes are returned as rejections rather than raised, so
    the rest of the corpus is still analysed.

    Raises:
        InputError: when nothing at all was given.
    """
    inputs = list(inputs)
    if not inputs:
        raise InputError("no input paths given")
    found: list[Source] = []
    rejected: list[Rejected] = []
    for item in inputs:
        if isinstance(item, str) and is_url(item):
            found.extend(_expand_url(item, settings, rejected))
        else:
            found.extend(_expand(Path(item), str(item), settings, rejected))
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


def _expand(path: Path, given: str, settings: IngestSettings, rejected: list[Rejected]) -> Iterator[Source]:
    if path.is_dir():
        base = str(path)
        prefix = "" if base == "." else base if base.endswith("/") else f"{base}/"
        for relative, stem in _files_under(base, settings.extensions):
            yield Source(stem, prefix + relative, prefix + relative)
        return
    if path.is_file():
        yield Source(_doc_id(path.name), str(path), given)
        return
    if glob.has_magic(given):
        matches = sorted(Path(p) for p in glob.glob(given, recursive=True))  # noqa: PTH207 (user patterns may be absolute)
        files = [m for m in matches if m.is_file()]
        if not files:
            rejected.append(Rejected(given, "unreadable", "the pattern matches no file"))
        for match in files:
            yield Source(_doc_id(match.name), str(match), str(match))
        return
    rejected.append(Rejected(given, "unreadable", "no such file or directory"))


def _expand_url(given: str, settings: IngestSettings, rejected: list[Rejected]) -> Iterator[Source]:
    """The sources a URL names (:func:`provenance.remote.expand`): ids as for local paths,
    the path below the given prefix without its extension, or a file's name without it."""
    try:
        listed = remote.expand(given)
    except remote.RemoteError as exc:
        rejected.append(Rejected(given, "unreadable", str(exc)))
        return
    for item in listed:
        head, _, name = item.relative.rpartition("/")
        stem, suffix = _split_suffix(name)
        if item.below and suffix.lower() not in settings.extensions:
            continue
        yield Source(f"{head}/{stem}" if head else stem, item.url, item.display)


def _files_under(root: str, extensions: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    """Files below ``root`` with one of ``extensions`` (any case), as their path relative
    to ``root`` and their id (that path without the extension), in no particular order.

    What ``Path.rglob("*")`` and ``is_file`` find (links to files count, linked directories
    are not entered, an unreadable directory is skipped) on strings and ``os.scandir``
    entries, whose types come with the listing: pathlib's objects, sorting and a
    ``stat`` per file took 5.4 s for 100,000 files, before any task could start.
    """
    pending = [("", root)]
    while pending:
        relative, directory = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = list(listing)
        except OSError:
            continue
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((f"{relative}{name}/", entry.path))
                    continue
                stem, suffix = _split_suffix(name)
                if suffix.lower() in extensions and entry.is_file():
                    yield relative + name, relative + stem
            except OSError:
                continue


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
        descriptor = os.open(source.file, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            size = os.fstat(descriptor).st_size
            if size > settings.max_bytes:
                return _too_large(source, size, settings)
            data = _read_to_end(descriptor, size)
        finally:
            os.close(descriptor)
    except OSError as exc:
        return Rejected(source.display, "unreadable", exc.strerror or type(exc).__name__)
    return decode(source, data, settings)


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
