"""The corpus run as tasks: per-document stages in chunks, alignment by cluster, on an engine.

The same stages as :func:`provenance.api.analyze_documents`, arranged so each task
reads its own files and returns compact results, and the parent process never does
per-document work one document after another:

1. **scan** (chunks of files): read, decode, normalise; return rejections and each
   document's candidate furniture lines (:func:`~provenance.furniture.repeat_keys`).
   The parent counts them into the corpus's repeated lines. Each task leaves its
   decoded, normalised files in a private temporary directory (a pickle each) for the
   build task of the same chunk and for the alignment tasks (a worker that cannot see
   it reads the files again).
2. **build** (the same chunks): classify lines, segment,
   metadata, then everything that needs one document only: its fingerprint, its
   quotes, its lineage cues and its composition as if it shared no text. The parent
   keeps each document without matching keys and body lines (:func:`without_keys`).
3. **candidates** (parent; band ranges on workers): one index over all signatures,
   the colliding pairs counted per range of minhash rows and summed.
4. **align** (clusters of related documents): a task rebuilds the documents of its
   clusters from the scan's files, aligns their pairs and composes them (a
   document's passages all lie in its cluster).
5. **quotes**: one task links the quotes into groups from their keys, kinds and places
   while the parent searches the candidate pairs; the parent then makes the trails while
   the workers align. **lineage** (parent) runs over the compact results.

Results are identical to the in-process stages (same pairs, passages, trails,
lineage; tests compare the reports byte for byte): every task computes exactly what
the serial stage computes for its documents, and results are merged in input order.
"""

from __future__ import annotations

import copyreg
import os
import pickle
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

import numpy as np

from provenance import __version__, scratch, wire
from provenance.align import align_corpus, composition, copied_composition
from provenance.candidates import colliding_pairs, confirmed, find_pairs, renamed
from provenance.credits import Credit
from provenance.documents import describe, keyed_again, read_sources
from provenance.engine import Engine, LocalEngine, WorkerLostError
from provenance.fingerprint import Fingerprint, FingerprintParams, fingerprint
from provenance.furniture import repeat_keys, repeated_keys
from provenance.ingest import Decoded, Source, discover
from provenance.lineage import DocFacts, contradicted_dates, document_facts, duplicate_groups, infer_lineage
from provenance.model import (
    Analysis,
    Composition,
    Document,
    DocumentQuotes,
    DuplicateGroup,
    KeylessSegments,
    OffsetMap,
    Pair,
    Passage,
    Quote,
    QuoteTrail,
    Rejected,
    Repair,
)
from provenance.normalize import Normalized, normalize
from provenance.output import paused_gc
from provenance.pieces import find_pieces
from provenance.quotes import extract_quotes
from provenance.settings import QuoteSettings, Settings
from provenance.trails import (
    Linked,
    build_trails,
    document_counts,
    link_quotes,
    quote_balance,
    quote_facts,
    quote_key,
    shared_statements,
    statement_keys,
    with_lineage,
)
from provenance.wire import Shared

T = TypeVar("T")
R = TypeVar("R")

# (stage, done, total): called as tasks finish, for a progress display.
Progress = Callable[[str, int, int], None]

# Documents per task: ~0.1-0.3 s of work, small enough to balance 2 workers and to
# report progress, large enough that scheduling costs nothing (a Dask task ~1 ms).
CHUNK_DOCS = 200
# Pairs per alignment task (whole clusters are never split).
CHUNK_PAIRS = 400
# Signature matrices smaller than this (cells) are searched in the parent: below ~30k
# documents the whole index takes well under a second, less than shipping it to workers.
BAND_SPLIT_CELLS = 1 << 22


# Where the scan left one decoded, normalised file: (cache file, first byte, end byte).
Place = tuple[str, int, int]


@dataclass(frozen=True, slots=True)
class ScanTask:
    sources: tuple[Source, ...]
    settings: Settings
    cache: str | None = None  # where the task leaves its decoded, normalised files for later tasks


@dataclass(frozen=True, slots=True)
class ScanResult:
    rejected: tuple[Rejected, ...]
    counts: Counter[str]
    seconds: dict[str, float]
    places: tuple[tuple[str, Place], ...] = ()  # (source id, place) of each file left in the cache


@dataclass(frozen=True, slots=True)
class BuildTask:
    sources: tuple[Source, ...]
    settings: Settings
    repeated: Shared[frozenset[str]]
    products: bool = True  # False: documents only (what ``load`` returns)
    places: tuple[Place | None, ...] = ()  # each source's place in the scan's cache, if known


@dataclass(frozen=True, slots=True)
class Built:
    """One document and what each later stage needs of it alone."""

    document: Document
    fingerprint: Fingerprint | None
    quotes: tuple[Quote, ...]
    facts: DocFacts | None
    composition: Composition | None
    quote_keys: tuple[str, ...] = ()  # trails.quote_key of each quote


@dataclass(frozen=True, slots=True)
class BuildResult:
    built: tuple[Built, ...]
    rejected: tuple[Rejected, ...]
    seconds: dict[str, float]


@dataclass(frozen=True, slots=True)
class AlignTask:
    sources: tuple[Source, ...]
    settings: Settings
    repeated: Shared[frozenset[str]]
    pairs: tuple[tuple[str, str], ...]
    places: tuple[Place | None, ...] = ()  # each source's place in the scan's cache, if known
    # Each source's paragraphs and sentences as its build found them, if known: the task
    # then makes only their keys again, not the document (keyed_again).
    segments: tuple[tuple[KeylessSegments, KeylessSegments] | None, ...] = ()
    # The rewrite tier's candidates among the pairs, and the corpus's common words.
    rewrites: tuple[tuple[str, str], ...] = ()
    common: Shared[np.ndarray] | None = None


@dataclass(frozen=True, slots=True)
class AlignResult:
    passages: tuple[tuple[tuple[str, str], tuple[Passage, ...]], ...]
    compositions: tuple[Composition, ...]
    seconds: dict[str, float]


@dataclass(frozen=True, slots=True)
class LinkTask:
    """What grouping quotes into trails reads of them (:func:`~provenance.trails.link_quotes`),
    packed: the 380k quotes of 100k generated articles as tuples of strings, booleans and
    places took ~2 s to reach the worker (pickled in the parent while it searched the
    candidate pairs, unpickled there), on the run's longest path; packed, ~0.1 s.
    """

    keys: str  # the quotes' keys joined by line breaks (a key is words joined by spaces)
    statements: bytes  # 1 for a statement, one byte per quote
    docs: tuple[str, ...]  # the quotes' documents, each once
    doc_of: np.ndarray  # each quote's document, an index into ``docs``
    starts: np.ndarray  # each quote's start in its raw text
    settings: QuoteSettings

    def unpacked(self) -> tuple[list[str], list[bool], list[tuple[str, int]]]:
        """The keys, statement flags and places :func:`~provenance.trails.link_quotes` reads."""
        keys = self.keys.split("\n") if self.statements else []
        names = self.docs
        places = list(zip([names[i] for i in self.doc_of.tolist()], self.starts.tolist(), strict=True))
        return keys, [bool(flag) for flag in self.statements], places


# Results cross processes pickled as their field values (see provenance.wire); through
# the dataclasses' own state methods the Builts of a build result took ~6 µs a document
# more to pickle and unpickle (4%).
wire.register(Credit, DocFacts, Fingerprint, FingerprintParams, Source, Built, BuildResult, AlignResult, ScanResult)


# A build result's documents, fingerprints, lineage facts, compositions and quote keys.
_Columns = tuple[
    tuple[Document, ...],
    tuple[Fingerprint | None, ...],
    tuple[DocFacts | None, ...],
    tuple[Composition | None, ...],
    tuple[tuple[str, ...], ...],
]


def _build_result(
    columns: _Columns, quotes: wire.PackedQuotes, rejected: tuple[Rejected, ...], seconds: dict[str, float]
) -> BuildResult:
    documents, fingerprints, facts, compositions, quote_keys = columns
    built = map(Built, documents, fingerprints, wire.unpack_quotes(quotes), facts, compositions, quote_keys)
    return BuildResult(tuple(built), rejected, seconds)


def _reduce_build_result(result: BuildResult) -> tuple[Callable[..., BuildResult], tuple[object, ...]]:
    """A build result as columns, its quotes packed (:func:`~provenance.wire.pack_quotes`).

    Against each :class:`Built` pickled by its fields (1,000 generated articles in five
    results, 15 alternations in one process, min and median): 31 and 42 against 51 and
    65 µs a document to pickle in the worker, 53 and 57 against 56 and 64 to unpickle in
    the main process.
    """
    b = result.built
    columns: _Columns = (
        tuple(x.document for x in b),
        tuple(x.fingerprint for x in b),
        tuple(x.facts for x in b),
        tuple(x.composition for x in b),
        tuple(x.quote_keys for x in b),
    )
    return _build_result, (columns, wire.pack_quotes(x.quotes for x in b), result.rejected, result.seconds)


copyreg.pickle(BuildResult, _reduce_build_result)


@dataclass(slots=True)
class _Clock:
    seconds: dict[str, float] = field(default_factory=dict)
    last: float = field(default_factory=time.perf_counter)

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self.last
        self.last = now


# --- tasks (top-level functions: they run in worker processes) ------------------------------
# Each runs with the cyclic collector paused: its objects hold no cycles, and collections
# walking them cost 5-10% of a build task.


@paused_gc()
def scan(task: ScanTask) -> ScanResult:
    """Read and normalise a chunk of files; count their candidate furniture lines.

    With a ``cache`` path the decoded and normalised files are left there, one pickle
    each, for the build task of the same chunk and the alignment tasks, which then
    neither read nor normalise them again.
    """
    clock = _Clock()
    decoded, rejected = read_sources(task.sources, task.settings, clock.seconds)
    clock.last = time.perf_counter()
    normalized = [normalize(d.text) for d in decoded]
    counts: Counter[str] = Counter()
    for n in normalized:
        counts.update(repeat_keys(n.clean, task.settings.normalize))
    clock.lap("normalize")
    places: tuple[tuple[str, Place], ...] = ()
    if task.cache is not None:
        ends = _save_each(Path(task.cache), [_flat(d, n) for d, n in zip(decoded, normalized, strict=True)])
        starts = (0, *ends[:-1])
        places = tuple((d.source.id, (task.cache, a, b)) for d, a, b in zip(decoded, starts, ends, strict=False))
        clock.lap("cache")
    return ScanResult(tuple(rejected), counts, clock.seconds, places)


def _save_each(path: Path, values: Sequence[object]) -> tuple[int, ...]:
    """Pickle each value after the other to ``path``, atomically; the offset where each one ends.

    A worker that cannot write leaves no file and returns no offsets.
    """
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    ends: list[int] = []
    end = 0
    try:
        with temporary.open("wb") as handle:
            for value in values:
                end += handle.write(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
                ends.append(end)
        temporary.replace(path)
    except OSError:
        temporary.unlink(missing_ok=True)
        return ()
    return tuple(ends)


Loaded = tuple[Decoded, Normalized]
# A decoded, normalised file as the cache holds it: plain values, so that a pickle of one
# names no class. Pickled one by one, the objects themselves took 38 µs a generated article
# to unpickle (each pickle looks its four classes up again), these 11 and back to objects.
Repairs = tuple[tuple[str, int], ...]
Flat = tuple[str, str, str, str, str, str, Repairs, str, Repairs, tuple[tuple[int, int, int, int], ...], int]


def _flat(decoded: Decoded, normalized: Normalized) -> Flat:
    source, offsets = decoded.source, normalized.offsets
    return (
        *(source.id, source.file, source.display),
        *(decoded.text, decoded.encoding, decoded.sha256, _pairs(decoded.repairs)),
        *(normalized.clean, _pairs(normalized.repairs), offsets.regions, offsets.raw_length),
    )


def _pairs(repairs: Sequence[Repair]) -> Repairs:
    return tuple((r.fixer, r.count) for r in repairs)


def _loaded(flat: Flat) -> Loaded:
    """The inverse of :func:`_flat`."""
    source_id, file, display, text, encoding, sha256, decoding, clean, repairs, regions, raw_length = flat
    decoded = Decoded(Source(source_id, file, display), text, encoding, sha256, tuple(Repair(*r) for r in decoding))
    return decoded, Normalized(clean, tuple(Repair(f, n) for f, n in repairs), OffsetMap(regions, raw_length))


def without_keys(doc: Document) -> Document:
    """``doc`` as the parent keeps it: no matching keys, and of its lines only the furniture.

    Keys feed fingerprints and alignment, which have run (or rebuild their documents)
    by the time a document reaches the parent; the other line roles fed segmentation,
    quotes and lineage cues, read in the worker. Reports, quote counts and lineage
    read neither. Keys were 9 and body lines 3.5 of a generated article's 29 KB.

    >>> from provenance.api import document_from_text
    >>> doc = document_from_text("It began in the spring. Nobody noticed.\\n\\nLeave a comment")
    >>> lean = without_keys(doc)
    >>> [s.key for s in lean.sentences], [s.clean for s in lean.sentences] == [s.clean for s in doc.sentences]
    (['', ''], True)
    >>> [line.cue for line in lean.lines] == [line.cue for line in doc.furniture] == ["comment box"]
    True
    """
    return replace(
        doc,
        lines=doc.furniture,
        paragraphs=KeylessSegments.of(doc.paragraphs),
        sentences=KeylessSegments.of(doc.sentences),
    )


@paused_gc()
def build(task: BuildTask) -> BuildResult:
    """Documents of a chunk of files and, with ``products``, each one's own stage results."""
    clock = _Clock()
    documents, rejected = _rebuilt(task.sources, task.places, task.settings, task.repeated.value, clock)
    if not task.products:
        return BuildResult(tuple(Built(d, None, (), None, None) for d in documents), tuple(rejected), clock.seconds)
    settings = task.settings
    quotes = [extract_quotes(d, settings.quotes) for d in documents]
    quote_keys = [tuple(quote_key(q.text) for q in found) for found in quotes]
    clock.lap("quotes")
    statements = [statement_keys(q, k) for q, k in zip(quotes, quote_keys, strict=True)]
    fingerprints = fingerprint(documents, settings.fingerprint, statements)
    clock.lap("fingerprint")
    facts = [document_facts(d, settings.lineage) for d in documents]
    clock.lap("lineage")
    solo = [composition(d, (), settings.align) for d in documents]
    clock.lap("align")
    lean = [without_keys(d) for d in documents]
    facts = [replace(f, doc=d) for f, d in zip(facts, lean, strict=True)]
    built = tuple(map(Built, lean, fingerprints, quotes, facts, solo, quote_keys))
    return BuildResult(built, tuple(rejected), clock.seconds)


@paused_gc()
def align_clusters(task: AlignTask) -> AlignResult:
    """Rebuild the documents of some clusters, align their pairs, compose them.

    A document is rebuilt from the decoded, normalised file the scan left (``places``),
    or from its file where this worker cannot see that: at 100k generated articles the
    documents in pairs took 440 µs each to read and normalise again (their repairs
    make them the costly ones), 26 µs to unpickle. Alignment reads a document's text
    and segments only: the rebuild leaves its metadata out (at 10k generated articles,
    15% of the documents rebuilt, ~1 ms each, made more than half of the alignment
    tasks' time), and with the spans the build found (``segments``) it makes only the
    segments' keys again (:func:`~provenance.documents.keyed_again`).
    """
    clock = _Clock()
    documents, _ = _rebuilt(
        task.sources, task.places, task.settings, task.repeated.value, clock, metadata=False, segments=task.segments
    )
    common = task.common.value if task.common is not None else None
    passages, compositions = align_corpus(documents, task.pairs, task.settings.align, task.rewrites, common)
    by_pair: dict[tuple[str, str], list[Passage]] = {}
    for p in passages:
        by_pair.setdefault((p.a, p.b), []).append(p)
    clock.lap("align")
    return AlignResult(tuple((k, tuple(v)) for k, v in by_pair.items()), compositions, clock.seconds)


def _rebuilt(
    sources: Sequence[Source],
    places: Sequence[Place | None],
    settings: Settings,
    repeated: frozenset[str],
    clock: _Clock,
    *,
    metadata: bool = True,
    segments: Sequence[tuple[KeylessSegments, KeylessSegments] | None] = (),
) -> tuple[list[Document], list[Rejected]]:
    """The documents of ``sources`` in order, each from its place in the scan's cache or,
    where this worker cannot read that, from its file (``metadata`` as in
    :func:`~provenance.documents.build_document`); files now unreadable are rejected.
    With every source's ``segments`` and every file found in the cache (the text they
    were found in), the documents are made for alignment only
    (:func:`~provenance.documents.keyed_again`)."""
    found = _placed(sources, places)
    clock.lap("cache")
    missing = [s for s in sources if s.id not in found]
    if not missing and segments and all(segments):
        keyed = [keyed_again(*found[s.id], *known) for s, known in zip(sources, segments, strict=True) if known]
        clock.lap("normalize")
        return keyed, []
    rejected: tuple[Rejected, ...] = ()
    if missing:
        decoded, rejected = read_sources(missing, settings, clock.seconds)
        clock.last = time.perf_counter()
        found.update((d.source.id, (d, normalize(d.text))) for d in decoded)
        clock.lap("normalize")
    loaded = [found[s.id] for s in sources if s.id in found]
    documents = describe(
        [d for d, _ in loaded],
        [n for _, n in loaded],
        settings,
        clock.seconds,
        repeated=repeated,
        metadata=metadata,
    )
    clock.last = time.perf_counter()  # describe timed itself into the clock
    return list(documents), list(rejected)


def _placed(sources: Sequence[Source], places: Sequence[Place | None]) -> dict[str, Loaded]:
    """The decoded, normalised files of ``sources`` found at their places, by source id.

    A place that cannot be read, or holds another source's file, is left out (the
    caller reads that source's file instead).
    """
    wanted: dict[str, list[tuple[int, int, str]]] = {}
    for source, place in zip(sources, places, strict=False):
        if place is not None:
            path, start, end = place
            wanted.setdefault(path, []).append((start, end, source.id))
    found: dict[str, Loaded] = {}
    for path, ranges in wanted.items():
        try:
            with Path(path).open("rb") as handle:
                for start, end, source_id in sorted(ranges):
                    handle.seek(start)
                    decoded, normalized = _loaded(pickle.loads(handle.read(end - start)))
                    if decoded.source.id == source_id:
                        found[source_id] = (decoded, normalized)
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
            continue
    return found


def _link_task(quotes: Sequence[Quote], quote_keys: Sequence[str], settings: QuoteSettings) -> LinkTask:
    """The :class:`LinkTask` of the quotes (``quote_keys`` are :func:`~provenance.trails.quote_key` of each).

    >>> from provenance.api import document_from_text
    >>> from provenance.quotes import extract_quotes
    >>> doc = document_from_text("“We will not back down,” she said. “Never,” he said.")
    >>> found = extract_quotes(doc, Settings().quotes)
    >>> task = _link_task(found, [quote_key(q.text) for q in found], Settings().quotes)
    >>> task.unpacked() == ([quote_key(q.text) for q in found], *quote_facts(found))
    True
    """
    if any("\n" in key for key in quote_keys):  # pragma: no cover (keys are words joined by spaces)
        raise ValueError("a quote key holds a line break")
    statements, places = quote_facts(quotes)
    docs: dict[str, int] = {}
    doc_of = np.fromiter((docs.setdefault(doc, len(docs)) for doc, _ in places), dtype=np.int64, count=len(places))
    starts = np.fromiter((start for _, start in places), dtype=np.int64, count=len(places))
    joined = "\n".join(quote_keys)
    return LinkTask(joined, bytes(statements), tuple(docs), doc_of, starts, settings)


@paused_gc()
def link(task: LinkTask) -> tuple[Linked, dict[str, float]]:
    """Quote variants linked into groups, from the quotes' keys, kinds and places."""
    clock = _Clock()
    linked = link_quotes(*task.unpacked(), task.settings)
    clock.lap("quotes")
    return linked, clock.seconds


def collide_band(task: tuple[np.ndarray, int]) -> tuple[np.ndarray, np.ndarray]:
    """:func:`~provenance.candidates.colliding_pairs` of a range of minhash rows, as pair codes."""
    signatures, hubs = task
    pairs, counts = colliding_pairs(signatures, hubs)
    return pairs[:, 0] * signatures.shape[0] + pairs[:, 1], counts


# --- the parent's side -----------------------------------------------------------------------


def chunked(items: Sequence[T], size: int = CHUNK_DOCS) -> list[tuple[T, ...]]:
    """Consecutive chunks of at most ``size`` items.

    >>> [len(c) for c in chunked(list(range(5)), 2)]
    [2, 2, 1]
    """
    return [tuple(items[i : i + size]) for i in range(0, len(items), size)]


def _report(progress: Progress | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def _add(timings: dict[str, float], seconds: dict[str, float]) -> None:
    for stage, value in seconds.items():
        timings[stage] = timings.get(stage, 0.0) + value


def _run(
    engine: Engine,
    fn: Callable[[T], R],
    tasks: Sequence[T],
    sizes: Sequence[int],
    stage: str,
    progress: Progress | None,
) -> Iterator[R]:
    """Submit the tasks now (a pool or a cluster starts on them at once); their results in
    order as they are consumed, with progress reported."""
    results = engine.map(fn, tasks)

    def consume() -> Iterator[R]:
        total, done = sum(sizes), 0
        _report(progress, stage, 0, total)
        try:
            for size, result in zip(sizes, results, strict=True):
                done += size
                _report(progress, stage, done, total)
                yield result
        except WorkerLostError as exc:
            raise exc.naming(f"the {stage} of {task_files(exc.task)}") from exc

    return consume()


def task_files(task: object, shown: int = 3) -> str:
    """The files a task works on, for an error line: the first ``shown`` and how many more.

    >>> from provenance.ingest import Source
    >>> task_files(ScanTask(tuple(Source(str(i), f"{i}.txt", f"c/{i}.txt") for i in range(5)), Settings()))
    'c/0.txt, c/1.txt, c/2.txt and 2 more files'
    """
    sources = getattr(task, "sources", None) or ()
    names = [s.display for s in sources]
    if not names:
        return "a task"
    more = len(names) - shown
    return ", ".join(names[:shown]) + (f" and {more} more file{'s' if more > 1 else ''}" if more > 0 else "")


@dataclass(frozen=True, slots=True)
class Scanned:
    """What the scan leaves for the build: the readable sources in chunks (the scan's own,
    so a build task reads one cache file), the rejections, the repeated lines, and where
    each decoded, normalised file lies (read by the build and alignment tasks)."""

    chunks: tuple[tuple[Source, ...], ...]
    rejected: tuple[Rejected, ...]
    repeated: frozenset[str]
    places: Mapping[str, Place] = field(default_factory=dict)

    @property
    def sources(self) -> list[Source]:
        return [s for chunk in self.chunks for s in chunk]


def scan_corpus(
    paths: Iterable[str],
    settings: Settings,
    engine: Engine,
    timings: dict[str, float],
    progress: Progress | None = None,
    *,
    cache: Path | None = None,
) -> Scanned:
    """Discover the files and scan them on the engine, leaving each chunk's decoded and
    normalised files in ``cache`` (a directory) for :func:`build_corpus`."""
    sources, rejected = discover(paths, settings.ingest)
    chunks = chunked(sources)
    caches = [None if cache is None else str(cache / f"{index:06d}.pickle") for index in range(len(chunks))]
    counts: Counter[str] = Counter()
    places: dict[str, Place] = {}
    tasks = [ScanTask(c, settings, path) for c, path in zip(chunks, caches, strict=True)]
    for result in _run(engine, scan, tasks, [len(c) for c in chunks], "scan", progress):
        rejected.extend(result.rejected)
        counts.update(result.counts)
        places.update(result.places)
        _add(timings, result.seconds)
    bad = {r.path for r in rejected}
    kept = tuple(tuple(s for s in chunk if s.display not in bad) for chunk in chunks)
    return Scanned(kept, tuple(rejected), repeated_keys(counts, settings.normalize), places)


def build_corpus(
    scanned: Scanned,
    settings: Settings,
    engine: Engine,
    timings: dict[str, float],
    progress: Progress | None = None,
    *,
    products: bool = True,
) -> tuple[list[Built], list[Rejected]]:
    """Every document (and its own stage results) built on the engine, in source order."""
    repeated = Shared(scanned.repeated)
    tasks = [
        BuildTask(chunk, settings, repeated, products, tuple(scanned.places.get(s.id) for s in chunk))
        for chunk in scanned.chunks
        if chunk
    ]
    built: list[Built] = []
    rejected: list[Rejected] = []
    for result in _run(engine, build, tasks, [len(t.sources) for t in tasks], "build", progress):
        built.extend(result.built)
        rejected.extend(result.rejected)
        _add(timings, result.seconds)
    return built, rejected


def band_collide(engine: Engine) -> Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]] | None:
    """Colliding pairs computed by ranges of minhash rows on the engine's workers, or None
    in one process (where :func:`~provenance.candidates.colliding_pairs` runs directly)."""
    if isinstance(engine, LocalEngine) and engine.workers == 1:
        return None

    def collide(signatures: np.ndarray, hubs: int) -> tuple[np.ndarray, np.ndarray]:
        rows, perms = signatures.shape
        if rows * perms < BAND_SPLIT_CELLS:
            return colliding_pairs(signatures, hubs)
        bands = np.array_split(np.arange(perms), max(1, min(perms, 2 * engine.workers)))
        parts = list(engine.map(collide_band, [(np.ascontiguousarray(signatures[:, b]), hubs) for b in bands]))
        codes = np.concatenate([c for c, _ in parts]) if parts else np.zeros(0, np.int64)
        counts = np.concatenate([n for _, n in parts]) if parts else np.zeros(0, np.int64)
        unique, inverse = np.unique(codes, return_inverse=True)
        summed = np.bincount(inverse, weights=counts, minlength=unique.size).astype(np.int64)
        return np.stack((unique // max(rows, 1), unique % max(rows, 1)), axis=1), summed

    return collide


def align_tasks(
    pairs: Sequence[Pair],
    sources: dict[str, Source],
    settings: Settings,
    repeated: frozenset[str],
    places: Mapping[str, Place] | None = None,
    built: Mapping[str, Document] | None = None,
    common: np.ndarray | None = None,
) -> tuple[list[AlignTask], list[int]]:
    """Whole clusters bundled into tasks of about ``CHUNK_PAIRS`` pairs, and each task's pair
    count; ``places`` tell the tasks where the scan left their documents' files, and the
    ``built`` documents their paragraphs and sentences as the build found them."""
    shared = Shared(repeated)
    words = Shared(common) if common is not None else None
    places = places or {}
    built = built or {}
    clusters: dict[str, list[Pair]] = {}
    for pair in pairs:
        clusters.setdefault(pair.cluster, []).append(pair)
    tasks: list[AlignTask] = []
    sizes: list[int] = []
    bundle: list[Pair] = []
    for name in sorted(clusters):
        bundle.extend(clusters[name])
        if len(bundle) >= CHUNK_PAIRS:
            tasks.append(_align_task(bundle, sources, settings, shared, places, built, words))
            sizes.append(len(bundle))
            bundle = []
    if bundle:
        tasks.append(_align_task(bundle, sources, settings, shared, places, built, words))
        sizes.append(len(bundle))
    return tasks, sizes


def _align_task(
    bundle: Sequence[Pair],
    sources: dict[str, Source],
    settings: Settings,
    repeated: Shared[frozenset[str]],
    places: Mapping[str, Place],
    built: Mapping[str, Document],
    common: Shared[np.ndarray] | None = None,
) -> AlignTask:
    ids = sorted({p.a for p in bundle} | {p.b for p in bundle})
    pairs = tuple((p.a, p.b) for p in bundle)
    located = tuple(places.get(i) for i in ids)
    segments = tuple(_segments(built[i]) if i in built else None for i in ids)
    rewrites = tuple((p.a, p.b) for p in bundle if p.sketch == "rewrite")
    return AlignTask(tuple(sources[i] for i in ids), settings, repeated, pairs, located, segments, rewrites, common)


def _segments(doc: Document) -> tuple[KeylessSegments, KeylessSegments]:
    """A document's paragraphs and sentences as the parent keeps them (spans, packed)."""
    return KeylessSegments.of(doc.paragraphs), KeylessSegments.of(doc.sentences)


def analyze_corpus(
    paths: Iterable[str],
    settings: Settings,
    engine: Engine,
    *,
    timings: dict[str, float] | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """The whole analysis of a corpus with its per-document and per-pair work on ``engine``."""
    # The results are millions of small acyclic objects (refcounting frees them); every full
    # collection walked all of them: unpickling measured 4-5x slower when one ran.
    with paused_gc():
        return _analyze_corpus(paths, settings, engine, {} if timings is None else timings, progress)


def _analyze_corpus(
    paths: Iterable[str],
    settings: Settings,
    engine: Engine,
    timings: dict[str, float],
    progress: Progress | None,
) -> Analysis:
    # The scan leaves each file decoded and normalised in a private temporary directory:
    # the build task of its chunk then neither reads nor normalises it again (~0.3 ms a
    # document), nor does an alignment task. Workers that cannot see the directory
    # (another machine) read the files themselves.
    with run_cache(engine) as cache:
        return _analyze_cached(paths, settings, engine, timings, progress, cache)


# The run caches in the system's temporary folder: provenance-<pid>-<random>.
CACHE_PREFIX = "provenance-"


@contextmanager
def run_cache(engine: Engine) -> Iterator[Path | None]:
    """A run's private cache directory (None where none can be made: workers read the files).

    Caches left by runs that died (``kill -9``, a power cut) are removed first: each run
    keeps its own locked while it lives (:mod:`provenance.scratch`). A run that fails or is
    stopped (SIGTERM, Ctrl-C) stops its workers before removing its cache, so no worker
    writes into it as it goes.
    """
    parent = Path(tempfile.gettempdir())
    scratch.remove_dead(parent, CACHE_PREFIX)
    try:
        held: scratch.Held | None = scratch.hold(parent, f"{CACHE_PREFIX}{os.getpid()}-")
    except OSError:  # a full or read-only temporary folder costs time, not the run
        held = None
    try:
        yield None if held is None else held.path
    except BaseException:
        if isinstance(engine, LocalEngine):
            engine.terminate()
        raise
    finally:
        if held is not None:
            held.remove()


def _analyze_cached(
    paths: Iterable[str],
    settings: Settings,
    engine: Engine,
    timings: dict[str, float],
    progress: Progress | None,
    cache: Path | None,
) -> Analysis:
    wall: dict[str, float] = {}
    clock = _Clock(wall)
    scanned = scan_corpus([str(p) for p in paths], settings, engine, timings, progress, cache=cache)
    clock.lap("scan")
    built, late = build_corpus(scanned, settings, engine, timings, progress)
    sources, repeated, rejected = scanned.sources, scanned.repeated, [*scanned.rejected, *late]
    clock.lap("build")
    # One list per later stage, and no Built left: each list is freed when its stage is
    # done (fingerprints, ~6 KB a document, right after the candidate search).
    documents = tuple(b.document for b in built)
    quotes = [q for b in built for q in b.quotes]
    quote_keys = [k for b in built for k in b.quote_keys]
    facts = {b.document.id: b.facts for b in built if b.facts is not None}
    compositions = {b.document.id: b.composition for b in built}
    ids = [d.id for d in documents]
    fingerprints = [b.fingerprint for b in built if b.fingerprint is not None]
    del built
    # Linking quotes reads only their keys, kinds and places: it runs on a worker while
    # this process searches the candidate pairs (where one core was idle), not after.
    linking = engine.map(link, [_link_task(quotes, quote_keys, settings.quotes)])
    _report(progress, "candidates", 0, len(documents))
    start = time.perf_counter()
    common: list[np.ndarray] = []
    found, candidate_stats, groups = find_pairs(
        ids, fingerprints, settings.candidates, collide=band_collide(engine), common_words=common
    )
    del fingerprints
    duplicates, heads = duplicate_groups(groups, facts, settings.lineage)
    pairs = renamed(found, heads)
    timings["candidates"] = timings.get("candidates", 0.0) + time.perf_counter() - start
    _report(progress, "candidates", len(documents), len(documents))
    clock.lap("candidates")

    by_id = {s.id: s for s in sources}
    made = {d.id: d for d in documents}
    tasks, sizes = align_tasks(pairs, by_id, settings, repeated, scanned.places, made, common[0] if common else None)
    # Alignment runs on the workers while this process traces quotes (which need no passages).
    aligned = _run(engine, align_clusters, tasks, sizes, "align", progress)
    trails, quote_counts = _trace(documents, quotes, quote_keys, linking, settings, timings, progress)
    del quotes, quote_keys
    clock.lap("quotes")

    keyed: list[tuple[tuple[str, str], tuple[Passage, ...]]] = []
    for result in aligned:
        keyed.extend(result.passages)
        compositions.update((c.doc, c) for c in result.compositions)
        _add(timings, result.seconds)
    keyed.sort(key=lambda item: item[0])
    passages = tuple(p for _, group in keyed for p in group)
    pairs = confirmed(pairs, [key for key, _ in keyed])
    comps = tuple(c for c in (compositions[i] for i in ids) if c is not None)
    clock.lap("align")

    start = time.perf_counter()
    _report(progress, "lineage", 0, len(documents))
    stats = {
        "version": __version__,
        "timings": timings,
        "wall": wall,
        "engine": {"name": engine.name, "workers": engine.workers},
        "candidates": candidate_stats.as_dict(),
    }
    rejected.sort(key=lambda r: (r.path, r.reason))
    analysis = conclude(
        documents,
        rejected,
        settings,
        pairs,
        passages,
        comps,
        trails,
        quote_counts,
        stats,
        facts=facts,
        duplicates=duplicates,
    )
    timings["lineage"] = timings.get("lineage", 0.0) + time.perf_counter() - start
    _report(progress, "lineage", len(documents), len(documents))
    clock.lap("lineage")
    return analysis


def _trace(
    documents: Sequence[Document],
    quotes: Sequence[Quote],
    quote_keys: Sequence[str],
    linking: Iterator[tuple[Linked, dict[str, float]]],
    settings: Settings,
    timings: dict[str, float],
    progress: Progress | None,
) -> tuple[tuple[QuoteTrail, ...], tuple[DocumentQuotes, ...]]:
    """Quote trails over the quotes the build found, grouped as the :func:`link` task
    found (``linking``), and each document's quote counts."""
    linked, seconds = next(linking)
    _add(timings, seconds)
    start = time.perf_counter()
    _report(progress, "quotes", 0, len(quotes))
    dates = {d.id: d.metadata.date for d in documents}
    trails = build_trails(quotes, dates, settings.quotes, quote_keys=quote_keys, linked=linked)
    quote_counts = document_counts(documents, trails, settings.quotes)
    timings["quotes"] = timings.get("quotes", 0.0) + time.perf_counter() - start
    _report(progress, "quotes", len(quotes), len(quotes))
    return trails, quote_counts


def conclude(
    documents: Sequence[Document],
    rejected: Sequence[Rejected],
    settings: Settings,
    pairs: Sequence[Pair],
    passages: Sequence[Passage],
    compositions: Sequence[Composition],
    trails: Sequence[QuoteTrail],
    quote_counts: Sequence[DocumentQuotes],
    stats: Mapping[str, object],
    *,
    facts: Mapping[str, DocFacts] | None = None,
    duplicates: Sequence[DuplicateGroup] = (),
) -> Analysis:
    """Lineage over everything found, then the :class:`Analysis` (the last step of every run).

    ``duplicates`` are the groups of identical texts whose heads stand for them in ``pairs``
    and ``passages``: each copy's composition is its head's text, wholly republished.
    """
    head_of = {copy: group.head for group in duplicates for copy in group.copies}
    if head_of:
        by_id = {d.id: d for d in documents}
        compositions = [
            copied_composition(by_id[c.doc], head_of[c.doc]) if c.doc in head_of else c for c in compositions
        ]
    if facts is None:
        facts = {d.id: document_facts(d, settings.lineage) for d in documents}
    lineage, relations = infer_lineage(
        documents,
        pairs,
        passages,
        compositions,
        settings.lineage,
        quote_balance=quote_balance(trails, ((p.a, p.b) for p in pairs)),
        shared_statements=shared_statements(trails),
        facts=facts,
        duplicates=duplicates,
    )
    # Quotes were traced before lineage (lineage weighs them); now that parents are
    # known, each trail's first occurrence is decided again from them.
    dates = {d.id: d.metadata.date for d in documents}
    found = find_pieces(lineage, relations, pairs, duplicates, settings.lineage.pieces_max)
    return Analysis(
        documents=tuple(documents),
        rejected=tuple(rejected),
        settings=settings.analysis_dict(),
        pairs=tuple(pairs),
        passages=tuple(passages),
        compositions=tuple(compositions),
        lineage=lineage,
        relations=relations,
        quotes=with_lineage(
            trails, dates, {edge.doc: edge.parent for edge in lineage}, contradicted_dates(facts, pairs)
        ),
        quote_counts=tuple(quote_counts),
        stats=dict(stats),
        duplicates=tuple(duplicates),
        pieces=found,
    )


def load_corpus(
    paths: Iterable[str],
    settings: Settings,
    engine: Engine,
    timings: dict[str, float],
    progress: Progress | None = None,
) -> tuple[tuple[Document, ...], tuple[Rejected, ...]]:
    """What :func:`provenance.api.load` returns, built on ``engine``."""
    with run_cache(engine) as cache:
        scanned = scan_corpus([str(p) for p in paths], settings, engine, timings, progress, cache=cache)
        built, late = build_corpus(scanned, settings, engine, timings, progress, products=False)
    rejected = sorted([*scanned.rejected, *late], key=lambda r: (r.path, r.reason))
    return tuple(b.document for b in built), tuple(rejected)
