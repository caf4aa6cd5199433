"""The pipeline: ``analyze(paths) -> Analysis``, read as a list of named, timed stages.

This module wires stages together; each stage lives in its own module and gets
only its own slice of the settings. Nothing here prints or writes files.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from provenance import __version__
from provenance.align import align, align_corpus, compose
from provenance.candidates import confirmed, find_pairs, renamed
from provenance.documents import build_document, document_from_text, load_sources, timed
from provenance.engine import Engine
from provenance.errors import InputError
from provenance.fingerprint import Fingerprint, fingerprint
from provenance.ingest import Source, discover, read
from provenance.lineage import document_facts, duplicate_groups
from provenance.model import Analysis, Comparison, Document, Rejected
from provenance.names import shown
from provenance.normalize import normalize
from provenance.parallel import Progress, analyze_corpus, conclude, load_corpus
from provenance.quotes import extract_quotes
from provenance.settings import Settings
from provenance.trails import statement_keys, trace_quotes

__all__ = [
    "Engine",
    "Progress",
    "analyze",
    "analyze_documents",
    "build_document",
    "compare",
    "document_from_text",
    "load",
    "load_sources",
]


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
    with timed(timings, "ingest"):
        sources, rejected = discover(paths, settings.ingest)
    documents, unreadable = load_sources(sources, settings, timings)
    return documents, tuple(sorted([*rejected, *unreadable], key=lambda r: (r.path, r.reason)))


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
    with timed(timings, "quotes"):
        quotes = [extract_quotes(d, settings.quotes) for d in documents]
    with timed(timings, "fingerprint"):
        if fingerprints is None:
            fingerprints = fingerprint(documents, settings.fingerprint, [statement_keys(q) for q in quotes])
    with timed(timings, "lineage"):
        facts = {d.id: document_facts(d, settings.lineage) for d in documents}
    with timed(timings, "candidates"):
        common: list[np.ndarray] = []
        ids = [d.id for d in documents]
        found, candidate_stats, groups = find_pairs(ids, fingerprints, settings.candidates, common_words=common)
        duplicates, heads = duplicate_groups(groups, facts, settings.lineage)
        pairs = renamed(found, heads)
    with timed(timings, "align"):
        rewrites = [(p.a, p.b) for p in pairs if p.sketch == "rewrite"]
        passages, compositions = align_corpus(
            documents, [(p.a, p.b) for p in pairs], settings.align, rewrites, common[0] if common else None
        )
        pairs = confirmed(pairs, [(p.a, p.b) for p in passages])
    with timed(timings, "quotes"):
        trails, quote_counts = trace_quotes(documents, settings.quotes, quotes=quotes)
    with timed(timings, "lineage"):
        stats = {"version": __version__, "timings": timings, "candidates": candidate_stats.as_dict()}
        return conclude(
            documents,
            rejected,
            settings,
            pairs,
            passages,
            compositions,
            trails,
            quote_counts,
            stats,
            facts=facts,
            duplicates=duplicates,
        )


def analyze(
    paths: Iterable[str | Path],
    settings: Settings | None = None,
    *,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> Analysis:
    """Analyse a corpus: files, directories (recursive) and globs.

    Bad files become ``Rejected`` entries; the rest is analysed. A path or pattern that
    matches nothing raises :class:`~provenance.errors.InputError` (:func:`~provenance.ingest.discover`).
    With an ``engine`` (:func:`provenance.engine.make_engine`) per-document and per-pair
    work runs as its tasks (:mod:`provenance.parallel`), with the same findings and reports; the
    documents in that analysis keep their texts, spans, metadata and furniture but not
    their matching keys or body lines (use :func:`load` for complete documents).

    A large analysis is made with Python's cyclic collector paused: a caller keeping one
    can ``gc.freeze()`` after it, or the next collections walk all its objects (3.7 s
    at 100k articles; the ``provenance`` command keeps the collector paused, and freezes
    the analysis before writing its reports).
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
        source = Source(shown(str(given)), str(given), shown(str(given)))
        result = read(source, settings.ingest)
        if isinstance(result, Rejected):
            raise InputError(f"{result.path}: {result.reason}: {result.detail}")
        documents.append(build_document(result, normalize(result.text), settings.normalize, frozenset()))
    a, b = documents
    passages = align(a, b, settings.align)
    composition_a, composition_b = compose(documents, passages, settings.align)
    return Comparison(a, b, passages, composition_a, composition_b)
