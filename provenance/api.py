"""The pipeline: ``analyze(paths) -> Analysis``, read as a list of named, timed stages.

This module wires stages together; each stage lives in its own module and gets
only its own slice of the settings. Nothing here prints or writes files.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import combinations
from pathlib import Path

from provenance import __version__
from provenance.align import align, align_corpus, compose
from provenance.errors import InputError
from provenance.furniture import classify_lines, corpus_repeats
from provenance.ingest import Decoded, Source, discover, read
from provenance.metadata import extract
from provenance.model import Analysis, Comparison, Document, Rejected
from provenance.normalize import Normalized, normalize
from provenance.segment import segment
from provenance.settings import NormalizeSettings, Settings
from provenance.text import tokens

Progress = Callable[[str], None]


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
    words = sum(len(tokens(p.clean.slice(clean))) for p in paragraphs)
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


def analyze(paths: Iterable[str | Path], settings: Settings | None = None) -> Analysis:
    """Analyse a corpus: files, directories (recursive) and globs.

    Bad files become ``Rejected`` entries; the rest is analysed.
    """
    settings = settings or Settings()
    timings: dict[str, float] = {}
    with _timed(timings, "ingest"):
        sources, rejected = discover(paths, settings.ingest)
        decoded: list[Decoded] = []
        for source in sources:
            result = read(source, settings.ingest)
            if isinstance(result, Rejected):
                rejected.append(result)
            else:
                decoded.append(result)
    with _timed(timings, "normalize"):
        normalized = [normalize(d.text) for d in decoded]
        repeated = corpus_repeats((n.clean for n in normalized), settings.normalize)
        documents = tuple(
            build_document(d, n, settings.normalize, repeated) for d, n in zip(decoded, normalized, strict=True)
        )
    # Later stages slot in here, in this order, each timed under its own name:
    # fingerprint -> candidates -> align -> quotes -> lineage.
    with _timed(timings, "align"):
        # TEMPORARY source of pairs: every pair of documents (quadratic), until the
        # candidates stage lands; at merge its verified pairs replace this line.
        pairs = combinations([doc.id for doc in documents], 2)
        passages, compositions = align_corpus(documents, pairs, settings.align)
    return Analysis(
        documents=documents,
        rejected=tuple(sorted(rejected, key=lambda r: (r.path, r.reason))),
        settings=settings.as_dict(),
        passages=passages,
        compositions=compositions,
        stats={"version": __version__, "timings": timings},
    )


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
