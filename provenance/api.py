"""The pipeline: ``analyze(paths) -> Analysis``, read as a list of named, timed stages.

This module wires stages together; each stage lives in its own module and gets
only its own slice of the settings. Nothing here prints or writes files.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from provenance import __version__
from provenance.align import align, align_corpus, compose
from provenance.candidates import find_pairs
from provenance.engine import Engine
from provenance.errors import InputError
from provenance.fingerprint import Fingerprint, fingerprint
from provenance.furniture import classify_lines, corpus_repeats
from provenance.ingest import Decoded, Source, discover, read
from provenance.metadata import extract
from provenance.model import Analysis, Comparison, Document, Rejected
from provenance.normalize import Normalized, normalize
from provenance.parallel import Progress, analyze_corpus, conclude, load_corpus
from provenance.segment import segment
from provenance.settings import NormalizeSettings, Settings
from provenance.trails import trace_quotes

__all__ = ["Engine", "Progress", "analyze", "analyze_documents", "build_document", "compare", "load"]


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def build_document(
    decoded: Decoded, normalized: Normalized, settings: NormalizeSettings, repeated: frozenset[str]
) -> Document:
    """Classify lines, segment and extract metadata for one normalised file."""
    clean = normalized.clean
    lines = classify_lines(clean, settings, repeated)
    paragraphs, sentences = segment(clean, lines)
    # Keys are the tokens joined by single spaces (counting them is 2x cheaper than a split).
    words = sum(p.key.count(" ") + 1 for p in paragraphs)
    return Document(
        id=decoded.source.id,
        path=decoded.source.display,
        encoding=decoded.encoding,
        raw=decoded.text,
        clean=clean,
        offsets=normalized.offsets,
        repairs=normalized.repairs,
        lines=lines,
        paragraphs=paragraphs,
        sentences=sentences,
        metadata=extract(clean, lines, paragraphs, sentences, settings),
        words=words,
        sha256=decoded.sha256,
    )


def document_from_text(text: str, doc_id: str = "text", settings: Settings | None = None) -> Document:
    """Normalise, classify, segment and describe one text as a ``Document`` (no corpus context).

    >>> doc = document_from_text("A headline for the piece\\n\\nBEIJING — It began. “Yes,” she said.")
    >>> doc.metadata.dateline, len(doc.sentences)
    ('BEIJING —', 3)
    """
    settings = settings or Settings()
    data = text.encode("utf-8")
    source = Source(doc_id, Path(doc_id), doc_id)
    decoded = Decoded(source, text, "utf-8", hashlib.sha256(data).hexdigest())
    return build_document(decoded, normalize(text), settings.normalize, frozenset())


def load(
    paths: Iterable[str | Path],
    settings: Settings,
    timings: dict[str, float] | None = None,
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> tuple[tuple[Document, ...], tuple[Rejected, ...]]:
    """Read, decode, normalise and describe every input; bad files become ``Rejected``.

    With an ``engine`` the files are read and described by its workers (same documents).
    """
    timings = {} if timings is None else timings
    if engine is not None:
        return load_corpus([str(p) for p in paths], settings, engine, timings, progress)
    with _timed(timings, "ingest"):
        sources, rejected = discover(paths, settings.ingest)
    documents, unreadable = load_sources(sources, settings, timings)
    return documents, tuple(sorted([*rejected, *unreadable], key=lambda r: (r.path, r.reason)))


def load_sources(
    sources: Sequence[Source],
    settings: Settings,
    timings: dict[str, float] | None = None,
    *,
    line_counts: Mapping[str, int] | None = None,
    repeated: frozenset[str] | None = None,
) -> tuple[tuple[Document, ...], tuple[Rejected, ...]]:
    """Read and describe sources whose ids are already decided (the CI gate names them itself).

    ``line_counts`` (documents elsewhere in the corpus holding each short line, from an
    index) make furniture by repetition what it would be over the whole corpus;
    ``repeated`` gives those lines' keys outright (a worker building one chunk of a corpus).
    """
    timings = {} if timings is None else timings
    rejected: list[Rejected] = []
    with _timed(timings, "ingest"):
        decoded: list[Decoded] = []
        for source in sources:
            result = read(source, settings.ingest)
            if isinstance(result, Rejected):
                rejected.append(result)
            else:
                decoded.append(result)
    with _timed(timings, "normalize"):
        normalized = [normalize(d.text) for d in decoded]
        if repeated is None:
            repeated = corpus_repeats((n.clean for n in normalized), settings.normalize, line_counts)
        documents = tuple(
            build_document(d, n, settings.normalize, repeated) for d, n in zip(decoded, normalized, strict=True)
        )
    return documents, tuple(sorted(rejected, key=lambda r: (r.path, r.reason)))


def analyze_documents(
    documents: Sequence[Document],
    settings: Settings | None = None,
    *,
    rejected: Sequence[Rejected] = (),
    fingerprints: Sequence[Fingerprint] | None = None,
    timings: dict[str, float] | None = None,
) -> Analysis:
    """Every corpus-level stage on documents already built (``fingerprints`` reused when given).

    The CI gate calls this on a drop of new files plus the corpus documents they match.
    """
    settings = settings or Settings()
    timings = {} if timings is None else timings
    documents = tuple(documents)
    with _timed(timings, "fingerprint"):
        if fingerprints is None:
            fingerprints = fingerprint(documents, settings.fingerprint)
    with _timed(timings, "candidates"):
        pairs, candidate_stats = find_pairs([d.id for d in documents], fingerprints, settings.candidates)
    with _timed(timings, "align"):
        passages, compositions = align_corpus(documents, [(p.a, p.b) for p in pairs], settings.align)
    with _timed(timings, "quotes"):
        trails, quote_counts = trace_quotes(documents, settings.quotes)
    with _timed(timings, "lineage"):
        stats = {"version": __version__, "timings": timings, "candidates": candidate_stats.as_dict()}
        return conclude(documents, rejected, settings, pairs, passages, compositions, trails, quote_counts, stats)


def analyze(
    paths: Iterable[str | Path],
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Analyse a corpus: files, directories (recursive) and globs.

    Bad files become ``Rejected`` entries; the rest is analysed. With an ``engine``
    (:func:`provenance.engine.make_engine`) per-document and per-pair work runs as its
    tasks (:mod:`provenance.parallel`), with the same findings and reports; the
    documents in that analysis keep their texts, spans, metadata and furniture but not
    their matching keys or body lines (use :func:`load` for complete documents).
    """
    settings = settings or Settings()
    timings: dict[str, float] = {}
    if engine is not None:
        return analyze_corpus([str(p) for p in paths], settings, engine, timings=timings, progress=progress)
    documents, rejected = load(paths, settings, timings)
    return analyze_documents(documents, settings, rejected=rejected, timings=timings)


def compare(path_a: str | Path, path_b: str | Path, settings: Settings | None = None) -> Comparison:
    """Align two files on their own (no corpus: no pairs to find, no corpus furniture).

    Raises:
        InputError: when a file cannot be read as text.
    """
    settings = settings or Settings()
    documents: list[Document] = []
    for given in (path_a, path_b):
        source = Source(str(given), Path(given), str(given))
        result = read(source, settings.ingest)
        if isinstance(result, Rejected):
            raise InputError(f"{result.path}: {result.reason}: {result.detail}")
        documents.append(build_document(result, normalize(result.text), settings.normalize, frozenset()))
    a, b = documents
    passages = align(a, b, settings.align)
    composition_a, composition_b = compose(documents, passages, settings.align)
    return Comparison(a, b, passages, composition_a, composition_b)
