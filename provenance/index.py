"""Signature index: a corpus's fingerprints and metadata in an embedded SQLite database.

``provenance index build DIR`` stores, for every document of a corpus, what the CI gate
needs to check new files against it without reading the corpus again: the content hash
of the file, its fingerprint (:meth:`~provenance.fingerprint.Fingerprint.to_bytes`:
shingle set and MinHash signature), the digest of its shingle set, its *search
signature* (the signature over the shingles left after the corpus-wide ``max_df``
filter, which is what candidate search compares), its *bigram band keys* (column
``bigram_signature``: :func:`~provenance.fingerprint.band_signatures` of its sampled word
bigrams without the corpus's common ones, the second sketch of issue 31), its title,
stated date and outlet credits, and the short lines that can become furniture by repetition. The ``meta``
table records the schema version, the settings that made the signatures, where the
corpus root is (relative to the index, so a moved checkout still works), the corpus's
common shingles, and how many documents hold each repeatable line (``lines``).

``index update`` hashes every file of the corpus, fingerprints only files that are new
or whose bytes changed, deletes rows of files that are gone, and refreshes what depends
on the whole corpus: the common shingles (recomputed exactly from the stored shingle
sets; only documents holding a shingle that entered or left the common set are
re-signed) and the line counts. A document already indexed keeps the furniture decided
when it was indexed; the update says how many lines have since become repeated
furniture, and ``index build --rebuild`` recomputes everything.

Settings that change signatures (``fingerprint.*``, ``normalize.*``, ``candidates.max_df``
and the hashing scheme) are compared with the stored ones before any use: a difference
raises :class:`~provenance.errors.IndexStateError` naming it, never a silent mix.

A build writes a new database next to the target and renames it into place; an update
is one transaction (WAL journal): a reader sees the old index or the new one, never
half of either. Hidden files and directories under the root (``.git``, ``.github``,
``.provenance``) are never corpus documents.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import numpy as np

from provenance import __version__
from provenance.api import build_document
from provenance.candidates import drop_common
from provenance.credits import credits
from provenance.engine import LocalEngine, WorkerLostError
from provenance.errors import FingerprintError, IndexStateError
from provenance.fingerprint import (
    HASH_SCHEME,
    Fingerprint,
    FingerprintParams,
    band_signatures,
    fingerprint,
    signatures,
)
from provenance.furniture import repeat_keys
from provenance.ingest import Source, discover, folder_prefix, read, read_file
from provenance.model import Rejected
from provenance.names import shown
from provenance.normalize import normalize
from provenance.output import fsync_path
from provenance.quotes import extract_quotes
from provenance.settings import Settings
from provenance.trails import statement_keys

# 2: keys undo disguise and fingerprints carry sampled bigrams with their search
# signature (issue 31); an index of another version is refused with a rebuild hint.
SCHEMA_VERSION = 2
DEFAULT_INDEX = Path(".provenance") / "index.sqlite"
# How long a command waits for another process's write to the index to end (--lock-timeout).
LOCK_TIMEOUT = 30.0
# Files described per task handed to a worker process: large enough that pickling the
# batch costs little next to describing it (~1 ms a document), small enough to spread.
_BATCH = 256

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE documents (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime REAL NOT NULL,
    shingles INTEGER NOT NULL,
    digest BLOB NOT NULL,
    fingerprint BLOB NOT NULL,
    search_shingles INTEGER,
    search_signature BLOB,
    bigram_count INTEGER,
    bigram_signature BLOB,
    title TEXT,
    date TEXT,
    credits TEXT NOT NULL,
    lines TEXT NOT NULL
);
CREATE INDEX documents_sha256 ON documents (sha256);
CREATE INDEX documents_digest ON documents (digest);
CREATE TABLE lines (key TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID;
"""

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")


def default_index(root: Path) -> Path:
    """Where the index of a corpus lives unless told otherwise.

    >>> default_index(Path("corpus")).as_posix()
    'corpus/.provenance/index.sqlite'
    """
    return root / DEFAULT_INDEX


def recorded_settings(settings: Settings) -> dict[str, object]:
    """The settings a stored signature depends on, flattened (``stage.name``), tuples as lists.

    >>> recorded_settings(Settings())["fingerprint.shingle_size"]
    5
    """
    out: dict[str, object] = {"fingerprint.scheme": HASH_SCHEME}
    everything = settings.as_dict()
    for stage in ("fingerprint", "normalize"):
        out.update({f"{stage}.{name}": value for name, value in everything[stage].items()})
    out["candidates.max_df"] = settings.candidates.max_df
    out["candidates.bigram_perm"] = settings.candidates.bigram_perm
    return dict(sorted(out.items()))


def settings_difference(stored: Mapping[str, object], current: Mapping[str, object]) -> list[str]:
    """``name=stored, current value`` for every recorded setting that differs.

    >>> settings_difference({"fingerprint.shingle_size": 5}, {"fingerprint.shingle_size": 4})
    ['fingerprint.shingle_size=5, current 4']
    """
    names = sorted(set(stored) | set(current))
    return [
        f"{name}={stored.get(name, '(none)')}, current {current.get(name, '(none)')}"
        for name in names
        if stored.get(name) != current.get(name)
    ]


def is_hidden(relative: str) -> bool:
    """True for paths inside hidden directories or naming hidden files (``.git/…``, ``.github/…``).

    >>> is_hidden(".github/pr.md"), is_hidden("wire/.draft.txt"), is_hidden("wire/a.txt")
    (True, True, False)
    """
    return any(part.startswith(".") for part in relative.split("/"))


# --- describing files (pure over plain data: runs in worker processes) ---------------------------


@dataclass(frozen=True, slots=True)
class Scan:
    """One corpus file hashed (and, when new or changed, its repeatable lines read)."""

    id: str
    sha256: str | None
    lines: frozenset[str] | None
    rejected: Rejected | None


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of the ``documents`` table, before it is written."""

    id: str
    path: str
    sha256: str
    size: int
    mtime: float
    fingerprint: bytes
    shingles: int
    digest: bytes
    title: str | None
    date: str | None
    credits: str
    lines: str


def scan(batch: Sequence[tuple[Source, str | None]], settings: Settings) -> list[Scan]:
    """Hash each file; read the repeatable lines of files whose hash is not the one stored (given with it).

    An unchanged file is only read and hashed, never decoded.
    """
    out: list[Scan] = []
    for source, known in batch:
        if known is not None:
            try:
                data: bytes | None = read_file(source.file)
            except OSError:
                data = None
            if data is not None and hashlib.sha256(data).hexdigest() == known:
                out.append(Scan(source.id, known, None, None))
                continue
        result = read(source, settings.ingest)
        if isinstance(result, Rejected):
            out.append(Scan(source.id, None, None, result))
        else:
            keys = repeat_keys(normalize(result.text).clean, settings.normalize)
            out.append(Scan(source.id, result.sha256, keys, None))
    return out


def describe(
    batch: Sequence[tuple[Source, str]], settings: Settings, repeated: frozenset[str]
) -> tuple[list[Entry], list[Rejected]]:
    """Read, describe and fingerprint files (each with its path relative to the root) as index rows."""
    documents, paths, stats, rejected = [], [], [], []
    for source, relative in batch:
        result = read(source, settings.ingest)
        if isinstance(result, Rejected):  # changed on disk since it was scanned
            rejected.append(result)
            continue
        normalized = normalize(result.text)
        documents.append(build_document(result, normalized, settings.normalize, repeated))
        paths.append((relative, repeat_keys(normalized.clean, settings.normalize)))
        info = source.path.stat()
        stats.append((info.st_size, info.st_mtime))
    statements = [statement_keys(extract_quotes(d, settings.quotes)) for d in documents]
    entries = []
    for doc, fp, (relative, keys), (size, mtime) in zip(
        documents, fingerprint(documents, settings.fingerprint, statements), paths, stats, strict=True
    ):
        found = [
            {"outlet": c.outlet, "scope": c.scope, "kind": c.cue.kind, "text": c.cue.text}
            for c in credits(doc, settings.lineage)
        ]
        entries.append(
            Entry(
                id=doc.id,
                path=relative,
                sha256=doc.sha256,
                size=size,
                mtime=mtime,
                fingerprint=fp.to_bytes(),
                shingles=fp.size,
                digest=fp.content_digest(),
                title=doc.metadata.title,
                date=doc.metadata.date,
                credits=json.dumps(found, ensure_ascii=False, sort_keys=True),
                lines=json.dumps(sorted(keys), ensure_ascii=False),
            )
        )
    return entries, rejected


def _batches(items: Sequence[T], size: int = _BATCH) -> list[Sequence[T]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _run(function: Callable[..., R], batches: Sequence[Any], jobs: int, *args: Any) -> Iterator[R]:
    """``function(batch, *args)`` for each batch, in order; in ``jobs`` worker processes when > 1
    (the engine's pool: a dead worker's batch is retried once, workers die with this process)."""
    if jobs <= 1 or len(batches) <= 1:
        for batch in batches:
            yield function(batch, *args)
        return
    with LocalEngine(jobs) as engine:
        try:
            yield from engine.map(_Bound(function, args), batches)
        except WorkerLostError as exc:
            task: Sequence[tuple[Source, object]] = exc.task if isinstance(exc.task, Sequence) else ()
            files = [source.display for source, _ in task]
            more = f" and {len(files) - 3} more files" if len(files) > 3 else ""
            raise exc.naming(f"indexing {', '.join(files[:3])}{more}") from exc


@dataclass(frozen=True, slots=True)
class _Bound:
    """``function(batch, *args)`` as a picklable one-argument callable for the engine."""

    function: Callable[..., Any]
    args: tuple[Any, ...]

    def __call__(self, batch: Any) -> Any:
        return self.function(batch, *self.args)


# --- the store ------------------------------------------------------------------------------------


_LOCKED = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
# Faults of the disk or the file's permissions, not of the index's content.
_UNWRITABLE = (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN)


def _code(exc: sqlite3.Error) -> int | None:
    """sqlite's primary result code of an error (extended codes keep it in their low byte)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_locked(exc: sqlite3.Error) -> bool:
    """True when sqlite gave up waiting for another connection's lock (SQLITE_BUSY or SQLITE_LOCKED)."""
    code = _code(exc)
    return code in _LOCKED if code is not None else "locked" in str(exc)


def index_error(path: Path, exc: sqlite3.Error, lock_timeout: float) -> IndexStateError:
    """The one-line error for what sqlite raised about the index at ``path``."""
    if is_locked(exc):
        return locked_error(path, lock_timeout)
    if _code(exc) in _UNWRITABLE:
        return IndexStateError(f"index {path}: cannot write ({exc})")
    return damaged_error(path, exc)


def locked_error(path: Path, lock_timeout: float) -> IndexStateError:
    return IndexStateError(
        f"index {path} is locked by another process (waited {lock_timeout:g} s): "
        "try again when it is done, or wait longer with --lock-timeout SECONDS"
    )


def rebuild_hint(path: Path) -> str:
    """The command that makes the index at ``path`` again (its corpus folder when it is the default place).

    >>> rebuild_hint(Path("corpus/.provenance/index.sqlite"))
    'rebuild it with `provenance index build corpus --rebuild`'
    """
    folder = path.parent.parent if path.parent.name == DEFAULT_INDEX.parent.name else "DIR"
    return f"rebuild it with `provenance index build {folder} --rebuild`"


def damaged_error(path: Path, detail: object) -> IndexStateError:
    return IndexStateError(f"index {path} is damaged ({detail}): {rebuild_hint(path)}")


@contextmanager
def index_faults(path: Path, lock_timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Turn what a damaged or locked index raises (sqlite errors, undecodable fingerprints)
    into one :class:`IndexStateError` naming the index and what to do."""
    try:
        yield
    except sqlite3.Error as exc:
        raise index_error(path, exc, lock_timeout) from exc
    except FingerprintError as exc:
        raise damaged_error(path, exc) from exc


def _guarded(method: Callable[P, R]) -> Callable[P, R]:
    """A :class:`SignatureIndex` method whose faults are :func:`index_faults`; data it cannot
    decode (a signature of the wrong length, a credit that is not JSON) is damage too."""

    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        store = args[0]
        assert isinstance(store, SignatureIndex)
        with index_faults(store.path, store.lock_timeout):
            try:
                return method(*args, **kwargs)
            except (ValueError, TypeError, KeyError) as exc:
                raise damaged_error(store.path, exc) from exc

    return run


@dataclass(frozen=True, slots=True)
class IndexReport:
    """What a build or an update did."""

    index: str
    documents: int
    added: int
    changed: int
    removed: int
    unchanged: int
    fingerprinted: int
    resigned: int
    common_shingles: int
    stale_lines: int
    rejected: tuple[Rejected, ...] = ()

    def summary(self) -> str:
        """One line for people: counts of what changed and what was fingerprinted."""
        line = (
            f"index {self.index}: {self.documents} documents; added {self.added}, changed {self.changed}, "
            f"removed {self.removed}, unchanged {self.unchanged}; fingerprinted {self.fingerprinted}, "
            f"re-signed {self.resigned}; {self.common_shingles} common shingles"
        )
        if self.rejected:
            line += f"; {len(self.rejected)} rejected"
        if self.stale_lines:
            lines = "1 short line has" if self.stale_lines == 1 else f"{self.stale_lines} short lines have"
            line += (
                f"; {lines} become (or stopped being) repeated furniture since some documents were indexed "
                "(run `provenance index build --rebuild` to refresh them)"
            )
        return line


@dataclass(slots=True)
class SignatureIndex:
    """An open index database. Use :func:`open_index`; close with :meth:`close` (or ``with``)."""

    path: Path
    connection: sqlite3.Connection
    meta: dict[str, Any] = field(default_factory=dict)
    lock_timeout: float = LOCK_TIMEOUT

    def __enter__(self) -> SignatureIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.connection.close()

    @property
    def root(self) -> Path | None:
        """The corpus root the index describes, or None when not recorded."""
        relative = self.meta.get("root")
        return None if relative is None else (self.path.parent / from_sql(relative)).resolve()

    @property
    def params(self) -> FingerprintParams:
        return FingerprintParams(**json.loads(str(self.meta["params"])))

    @property
    def common(self) -> np.ndarray:
        """The corpus's common shingles (in more than ``candidates.max_df`` distinct texts), sorted."""
        blob = self.meta.get("common") or b""
        return np.frombuffer(bytes(blob), dtype="<u8").astype(np.uint64)

    @property
    def common_bigrams(self) -> np.ndarray:
        """The corpus's common sampled bigrams (in more than ``candidates.max_df`` texts), sorted."""
        blob = self.meta.get("common_bigrams") or b""
        return np.frombuffer(bytes(blob), dtype="<u8").astype(np.uint64)

    @_guarded
    def require_settings(self, settings: Settings) -> None:
        """Raise :class:`IndexStateError` unless the index was made with the current settings."""
        stored = json.loads(str(self.meta.get("settings", "{}")))
        diffs = settings_difference(stored, recorded_settings(settings))
        if diffs:
            root = self.root
            where = f" {root}" if root is not None else ""
            raise IndexStateError(
                f"index {self.path} built with {'; '.join(diffs)}: run `provenance index build{where} --rebuild`"
            )

    @_guarded
    def count(self) -> int:
        return int(self.connection.execute("SELECT count(*) FROM documents").fetchone()[0])

    @_guarded
    def search_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row ids, search set sizes and the search signature matrix of every indexed document."""
        rows = self.connection.execute(
            "SELECT rowid, search_shingles, search_signature FROM documents ORDER BY rowid"
        ).fetchall()
        num_perm = self.params.num_perm
        rowids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
        sizes = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
        matrix = np.frombuffer(b"".join(r[2] for r in rows), dtype="<u4").reshape(len(rows), num_perm)
        return rowids, sizes, matrix.astype(np.uint32)

    @_guarded
    def bigram_arrays(self, bands: int) -> tuple[np.ndarray, np.ndarray]:
        """Bigram set sizes and band key matrix (:func:`~provenance.fingerprint.band_signatures`)
        of every indexed document, by row id; a document without keys has size 0."""
        rows = self.connection.execute("SELECT bigram_count, bigram_signature FROM documents ORDER BY rowid").fetchall()
        whole = [bool(r[1]) and len(r[1]) == 4 * bands for r in rows]
        sizes = np.fromiter(((r[0] or 0) if ok else 0 for r, ok in zip(rows, whole, strict=True)), np.int64, len(rows))
        blank = b"\xff" * (4 * bands)
        blobs = b"".join(r[1] if ok else blank for r, ok in zip(rows, whole, strict=True))
        return sizes, np.frombuffer(blobs, dtype="<u4").reshape(len(rows), bands).astype(np.uint32)

    @_guarded
    def records(self, rowids: Iterable[int]) -> list[IndexedDocument]:
        """Stored documents by row id (in the order given)."""
        wanted = list(dict.fromkeys(int(r) for r in rowids))
        found: dict[int, IndexedDocument] = {}
        for chunk in _batches(wanted, 500):
            marks = ",".join("?" * len(chunk))
            for row in self.connection.execute(
                f"SELECT rowid, id, path, sha256, fingerprint, title, date, credits FROM documents "
                f"WHERE rowid IN ({marks})",
                list(chunk),
            ):
                found[row[0]] = IndexedDocument(
                    row[0],
                    row[1],
                    from_sql(row[2]),
                    row[3],
                    Fingerprint.from_bytes(row[4]),
                    row[5],
                    row[6],
                    json.loads(row[7]),
                )
        return [found[r] for r in wanted if r in found]

    @_guarded
    def rowids_where(self, column: str, values: Iterable[object]) -> dict[object, list[int]]:
        """Row ids of documents whose ``id``, ``sha256`` or ``digest`` is one of ``values``."""
        if column not in {"id", "sha256", "digest"}:
            raise ValueError(column)
        out: dict[object, list[int]] = {}
        for chunk in _batches(list(dict.fromkeys(values)), 500):
            marks = ",".join("?" * len(chunk))
            query = f"SELECT {column}, rowid FROM documents WHERE {column} IN ({marks}) ORDER BY id"
            for value, rowid in self.connection.execute(query, list(chunk)):
                out.setdefault(value, []).append(rowid)
        return out

    @_guarded
    def line_counts(self) -> dict[str, int]:
        """Indexed documents holding each repeatable short line."""
        return dict(self.connection.execute("SELECT key, docs FROM lines"))


@dataclass(frozen=True, slots=True)
class IndexedDocument:
    """A document as the index stores it."""

    rowid: int
    id: str
    path: str
    sha256: str
    fingerprint: Fingerprint
    title: str | None
    date: str | None
    credits: list[dict[str, str]]


def _connect(path: Path, *, readonly: bool, lock_timeout: float = LOCK_TIMEOUT) -> sqlite3.Connection:
    uri = f"{path.resolve().as_uri()}?mode=ro" if readonly else str(path)
    # sqlite waits this long for another connection's write lock, then says "database is locked".
    return sqlite3.connect(uri, uri=readonly, timeout=lock_timeout)


@functools.cache
def expected_columns() -> dict[str, tuple[str, ...]]:
    """Each table of the schema and its columns, read from the schema itself."""
    with sqlite3.connect(":memory:") as connection:
        connection.executescript(_SCHEMA)
        return _columns(connection, ("meta", "documents", "lines"))


def _columns(connection: sqlite3.Connection, tables: Iterable[str]) -> dict[str, tuple[str, ...]]:
    return {t: tuple(row[1] for row in connection.execute(f"PRAGMA table_info({t})")) for t in tables}


def schema_problem(connection: sqlite3.Connection) -> str | None:
    """What is missing from the tables an index must have (a table, a column), or None."""
    expected = expected_columns()
    found = _columns(connection, expected)
    for table, columns in expected.items():
        if not found[table]:
            return f"table {table} is missing"
        missing = [c for c in columns if c not in found[table]]
        if missing:
            return f"table {table} has no column {', '.join(missing)}"
    return None


def _json_object(value: object) -> dict[str, Any]:
    found = json.loads(str(value))
    if not isinstance(found, dict):
        raise ValueError("not a JSON object")
    return found


def _common_blob(value: object) -> None:
    if value is not None and (not isinstance(value, bytes) or len(value) % 8):
        raise ValueError("not a list of 8-byte shingles")


def _root_path(value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise ValueError("not a path")


# What each ``meta`` entry must hold to be read later; each reader raises ValueError or TypeError.
_META: dict[str, Callable[[Any], object]] = {
    "params": lambda value: FingerprintParams(**_json_object(value)),
    "settings": _json_object,
    "common": _common_blob,
    "common_bigrams": _common_blob,
    "root": _root_path,
}


def meta_problem(meta: Mapping[str, Any]) -> str | None:
    """What in the ``meta`` table cannot be read (JSON, fingerprint parameters, common shingles), or None.

    >>> meta_problem({"params": '{"shingle_size": 5', "settings": "{}"})
    "meta 'params' cannot be read (Expecting ',' delimiter: line 1 column 19 (char 18))"
    """
    for key, reader in _META.items():
        if key in ("params", "settings") and key not in meta:
            return f"meta has no {key!r}"
        try:
            reader(meta.get(key))
        except (ValueError, TypeError) as exc:
            return f"meta {key!r} cannot be read ({exc})"
    return None


def open_index(path: Path, *, readonly: bool = True, lock_timeout: float = LOCK_TIMEOUT) -> SignatureIndex:
    """Open an existing index, check its schema and read its ``meta`` table.

    Raises:
        IndexStateError: when there is no index at ``path``, it is not one, it is damaged (a
            table or column missing, unreadable meta), its schema is another, or it stays locked.
    """
    if not path.is_file():
        raise IndexStateError(f"no index at {path}: run `provenance index build DIR` first")
    connection: sqlite3.Connection | None = None
    try:
        connection = _connect(path, readonly=readonly, lock_timeout=lock_timeout)
        meta = dict(connection.execute("SELECT key, value FROM meta"))
        version = meta.get("schema_version")
        problem = None if version != SCHEMA_VERSION else schema_problem(connection) or meta_problem(meta)
    except sqlite3.Error as exc:
        if connection is not None:
            connection.close()
        if is_locked(exc):
            raise locked_error(path, lock_timeout) from exc
        raise IndexStateError(f"{path} is not a provenance index or is damaged ({exc}): {rebuild_hint(path)}") from exc
    if version != SCHEMA_VERSION:
        connection.close()
        raise IndexStateError(
            f"index {path} has schema {version}, this provenance reads {SCHEMA_VERSION}: {rebuild_hint(path)}"
        )
    if problem is not None:
        connection.close()
        raise damaged_error(path, problem)
    return SignatureIndex(path, connection, meta, lock_timeout)


# --- build and update -----------------------------------------------------------------------------


def corpus_sources(
    root: Path, settings: Settings, exclude: Iterable[str] = ()
) -> tuple[list[tuple[Source, str]], list[Rejected]]:
    """The corpus files under ``root`` (with their paths relative to it), hidden ones and ``exclude`` left out."""
    sources, rejected = discover([root], settings.ingest)
    skip = set(exclude)
    out = []
    for source in sources:
        relative = source.path.relative_to(root).as_posix()
        if not is_hidden(relative) and relative not in skip:
            out.append((source, relative))
    shown_prefix = shown(folder_prefix(str(root)))  # rejections are named by their display path
    return out, [
        r for r in rejected if not (r.path.startswith(shown_prefix) and is_hidden(r.path[len(shown_prefix) :]))
    ]


def build_index(
    root: Path, index: Path, settings: Settings, *, rebuild: bool = False, jobs: int = 1, exclude: Iterable[str] = ()
) -> IndexReport:
    """Index every document under ``root`` into a new database at ``index`` (renamed into place at the end).

    Raises:
        IndexStateError: when ``index`` exists and ``rebuild`` is not set.
    """
    if index.exists() and not rebuild:
        raise IndexStateError(
            f"{index} exists: run `provenance index update {root}` to bring it up to date, "
            f"or `provenance index build {root} --rebuild` to start again"
        )
    if not root.is_dir():
        raise IndexStateError(f"{root}: {'not a directory' if root.exists() else 'no such file or directory'}")
    index.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{index.name}.", suffix=".tmp", dir=index.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        with index_faults(index):
            connection = sqlite3.connect(tmp)
            try:
                connection.executescript(_SCHEMA)
                _write_meta(connection, index, root, settings, np.zeros(0, dtype=np.uint64))
                report = _sync(connection, root, index, settings, jobs=jobs, exclude=exclude)
                connection.commit()
                connection.execute("PRAGMA journal_mode = WAL")
            finally:
                connection.close()
        tmp.chmod(0o644)
        fsync_path(tmp)  # on disk before it replaces the old index, not only in the page cache
        for suffix in ("-wal", "-shm"):
            Path(f"{index}{suffix}").unlink(missing_ok=True)
        tmp.replace(index)
        fsync_path(index.parent)
    except BaseException:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{tmp}{suffix}").unlink(missing_ok=True)
        raise
    return report


def update_index(
    root: Path | None,
    index: Path,
    settings: Settings,
    *,
    jobs: int = 1,
    exclude: Iterable[str] = (),
    lock_timeout: float = LOCK_TIMEOUT,
) -> IndexReport:
    """Bring ``index`` up to date with the files under ``root`` (default: the root it records), in one transaction.

    ``exclude`` are paths relative to the root kept out of the corpus (the files a check
    is about to judge): rows for them are removed. The database is checked
    (``PRAGMA quick_check``) before the update is committed, so an update never reports
    success on a damaged index; another process's write is waited for ``lock_timeout`` seconds.
    """
    store = open_index(index, readonly=False, lock_timeout=lock_timeout)
    try:
        store.require_settings(settings)
        root = root if root is not None else store.root
        if root is None or not root.is_dir():
            raise IndexStateError(f"index {index}: corpus root {root} is not a directory")
        connection = store.connection
        with index_faults(index, lock_timeout):
            connection.execute("BEGIN IMMEDIATE")
            try:
                report = _sync(connection, root, index, settings, jobs=jobs, exclude=exclude)
                _set_meta(connection, "root", to_sql(_relative_root(index, root)))
                verdict = connection.execute("PRAGMA quick_check").fetchone()
                if verdict is None or verdict[0] != "ok":
                    raise damaged_error(index, verdict[0] if verdict else "quick_check gave nothing")
                connection.commit()
            except BaseException:
                with suppress(sqlite3.Error):  # a damaged file may refuse the rollback too
                    connection.rollback()
                raise
    finally:
        store.close()
    return report


def _relative_root(index: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(root.resolve(), index.parent.resolve())).as_posix()
    except ValueError:  # another drive (Windows)
        return root.resolve().as_posix()


def to_sql(path: str) -> str | bytes:
    """A path as the index stores it: text, or the name's bytes where they are not UTF-8
    (``os.fsdecode`` made lone surrogates of them, which SQLite's text cannot hold).

    >>> to_sql("wire/a.txt"), to_sql("caf\\udce9.txt")
    ('wire/a.txt', b'caf\\xe9.txt')
    """
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path)
    return path


def from_sql(value: str | bytes) -> str:
    """The inverse of :func:`to_sql`."""
    return value if isinstance(value, str) else os.fsdecode(value)


def _set_meta(connection: sqlite3.Connection, key: str, value: object) -> None:
    connection.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))


def _write_meta(
    connection: sqlite3.Connection, index: Path, root: Path, settings: Settings, common: np.ndarray
) -> None:
    params = FingerprintParams.from_settings(settings.fingerprint)
    _set_meta(connection, "schema_version", SCHEMA_VERSION)
    _set_meta(connection, "provenance_version", __version__)
    _set_meta(connection, "params", json.dumps(asdict(params), sort_keys=True))
    _set_meta(connection, "settings", json.dumps(recorded_settings(settings), sort_keys=True))
    _set_meta(connection, "root", to_sql(_relative_root(index, root)))
    _set_meta(connection, "common", common.astype("<u8").tobytes())
    _set_meta(connection, "common_bigrams", np.zeros(0, dtype="<u8").tobytes())  # set by _refresh_bigrams


def _sync(
    connection: sqlite3.Connection,
    root: Path,
    index: Path,
    settings: Settings,
    *,
    jobs: int,
    exclude: Iterable[str],
) -> IndexReport:
    """Make the ``documents`` and ``lines`` tables describe the files under ``root`` (no commit)."""
    stored = {
        doc_id: (rowid, sha, lines)  # lines stay JSON text: only removed and changed files need them
        for rowid, doc_id, sha, lines in connection.execute("SELECT rowid, id, sha256, lines FROM documents")
    }
    sources, rejected = corpus_sources(root, settings, exclude)
    work = [(source, stored[source.id][1] if source.id in stored else None) for source, _ in sources]
    scans = [s for part in _run(scan, _batches(work), jobs, settings) for s in part]
    relative = {source.id: path for source, path in sources}
    by_id = {source.id: source for source, _ in sources}
    added: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    new_lines: dict[str, frozenset[str]] = {}
    for item in scans:
        if item.rejected is not None:
            rejected.append(item.rejected)
        elif item.id in stored and item.lines is None:
            unchanged.append(item.id)
        else:
            (changed if item.id in stored else added).append(item.id)
            new_lines[item.id] = item.lines or frozenset()
    present = set(unchanged) | set(changed)
    removed = sorted(doc_id for doc_id in stored if doc_id not in present)
    # Line counts: what the removed and changed files held goes, what the new versions hold comes.
    counts = Counter(dict(connection.execute("SELECT key, docs FROM lines")))
    before = {key for key, n in counts.items() if n >= settings.normalize.furniture_min_docs}
    for doc_id in [*removed, *changed]:
        counts.subtract(json.loads(stored[doc_id][2]))
    for keys in new_lines.values():
        counts.update(keys)
    repeated = frozenset(key for key, n in counts.items() if n >= settings.normalize.furniture_min_docs)
    # Lines that entered or left the repeated set are furniture now (or no longer) in documents
    # indexed earlier and not fingerprinted again: say how many, a rebuild refreshes them.
    refreshed = Counter(key for keys in new_lines.values() for key in keys)
    stale_lines = sum(1 for key in repeated ^ before if counts[key] - refreshed[key] > 0)
    connection.execute("DELETE FROM lines")
    kept = sorted((key, n) for key, n in counts.items() if n > 0)
    connection.executemany("INSERT INTO lines (key, docs) VALUES (?, ?)", kept)
    for doc_id in [*removed, *changed]:
        connection.execute("DELETE FROM documents WHERE rowid = ?", (stored[doc_id][0],))
    todo = [(by_id[doc_id], relative[doc_id]) for doc_id in sorted([*added, *changed])]
    fingerprinted = 0
    for entries, unreadable in _run(describe, _batches(todo), jobs, settings, repeated):
        rejected.extend(unreadable)
        connection.executemany(
            "INSERT INTO documents (id, path, sha256, size, mtime, shingles, digest, fingerprint, title, date, "
            "credits, lines) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    e.id,
                    to_sql(e.path),
                    e.sha256,
                    e.size,
                    e.mtime,
                    e.shingles,
                    e.digest,
                    e.fingerprint,
                    e.title,
                    e.date,
                    e.credits,
                    e.lines,
                )
                for e in entries
            ],
        )
        fingerprinted += len(entries)
    late = {r.path for r in rejected}
    added = [a for a in added if by_id[a].display not in late]
    changed = [c for c in changed if by_id[c].display not in late]
    common, resigned = _refresh_search(connection, settings, force=bool(added or changed or removed))
    total = int(connection.execute("SELECT count(*) FROM documents").fetchone()[0])
    return IndexReport(
        index=str(index),
        documents=total,
        added=len(added),
        changed=len(changed),
        removed=len(removed),
        unchanged=len(unchanged),
        fingerprinted=fingerprinted,
        resigned=resigned,
        common_shingles=common,
        stale_lines=stale_lines,
        rejected=tuple(sorted(rejected, key=lambda r: (r.path, r.reason))),
    )


def _refresh_search(connection: sqlite3.Connection, settings: Settings, *, force: bool) -> tuple[int, int]:
    """Recompute the common shingles and the search signatures that depend on them.

    Returns the number of common shingles and of documents re-signed.
    """
    stored_common = connection.execute("SELECT value FROM meta WHERE key = 'common'").fetchone()
    old = np.frombuffer(bytes(stored_common[0] or b""), dtype="<u8").astype(np.uint64) if stored_common else None
    if not force and old is not None:
        return int(old.size), 0
    rows = connection.execute(
        "SELECT rowid, digest, fingerprint, search_signature IS NULL FROM documents ORDER BY rowid"
    ).fetchall()
    fps = [Fingerprint.from_bytes(row[2]) for row in rows]
    distinct: dict[bytes, np.ndarray] = {}
    for row, fp in zip(rows, fps, strict=True):
        if fp.size:
            distinct.setdefault(row[1], fp.shingles)
    _, _, common = drop_common(list(distinct.values()), settings.candidates.max_df)
    moved = np.setxor1d(old if old is not None else np.zeros(0, np.uint64), common)
    stale = [i for i, row in enumerate(rows) if row[3]]
    if moved.size and fps:
        owners = np.repeat(np.arange(len(fps)), [fp.size for fp in fps])
        hit = np.unique(owners[np.isin(np.concatenate([fp.shingles for fp in fps]), moved)])
        stale = sorted(set(stale) | set(hit.tolist()))
    params = FingerprintParams.from_settings(settings.fingerprint)
    for part in _batches(stale, 4096):
        sets = [np.setdiff1d(fps[i].shingles, common, assume_unique=True) for i in part]
        sigs = signatures(sets, params.num_perm, params.seed)
        connection.executemany(
            "UPDATE documents SET search_shingles = ?, search_signature = ? WHERE rowid = ?",
            [
                (int(s.size), sig.astype("<u4").tobytes(), rows[i][0])
                for i, s, sig in zip(part, sets, sigs, strict=True)
            ],
        )
    _set_meta(connection, "common", common.astype("<u8").tobytes())
    _refresh_bigrams(connection, settings, fps, rows)
    return int(common.size), len(stale)


def _refresh_bigrams(
    connection: sqlite3.Connection, settings: Settings, fps: Sequence[Fingerprint], rows: Sequence[Any]
) -> None:
    """Recompute the common sampled bigrams and the bigram signatures that depend on them."""
    stored = connection.execute("SELECT value FROM meta WHERE key = 'common_bigrams'").fetchone()
    old = np.frombuffer(bytes(stored[0] or b""), dtype="<u8").astype(np.uint64) if stored else np.zeros(0, np.uint64)
    distinct: dict[bytes, np.ndarray] = {}
    for row, fp in zip(rows, fps, strict=True):
        if fp.bigrams.size:
            distinct.setdefault(row[1], fp.bigrams)
    _, _, common = drop_common(list(distinct.values()), settings.candidates.max_df)
    moved = np.setxor1d(old, common)
    unsigned = {row[0] for row in connection.execute("SELECT rowid FROM documents WHERE bigram_signature IS NULL")}
    stale = [i for i, row in enumerate(rows) if row[0] in unsigned]
    if moved.size and fps:
        owners = np.repeat(np.arange(len(fps)), [fp.bigrams.size for fp in fps])
        hit = np.unique(owners[np.isin(np.concatenate([fp.bigrams for fp in fps]), moved)])
        stale = sorted(set(stale) | set(hit.tolist()))
    num_perm, seed = settings.candidates.bigram_perm, settings.fingerprint.seed
    for part in _batches(stale, 4096):
        sets = [np.setdiff1d(fps[i].bigrams, common, assume_unique=True) for i in part]
        sigs = band_signatures(sets, num_perm, seed)
        connection.executemany(
            "UPDATE documents SET bigram_count = ?, bigram_signature = ? WHERE rowid = ?",
            [(int(b.size), g.astype("<u4").tobytes(), rows[i][0]) for i, b, g in zip(part, sets, sigs, strict=True)],
        )
    _set_meta(connection, "common_bigrams", common.astype("<u8").tobytes())
