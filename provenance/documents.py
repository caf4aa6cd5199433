"""Files to documents: read, decode, normalise, classify lines, segment, describe.

The per-document part of the pipeline, shared by the in-process run
(:mod:`provenance.api`), the engines' workers (:mod:`provenance.parallel`) and the CI
gate (:mod:`provenance.check`). Nothing here prints or writes files.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager

from provenance.furniture import classify_lines, corpus_repeats
from provenance.ingest import Decoded, Source, read_many
from provenance.metadata import extract
from provenance.model import Document, KeylessSegments, Line, Metadata, Rejected, Segment, Span
from provenance.normalize import Normalized, normalize
from provenance.segment import segment
from provenance.settings import NormalizeSettings, Settings
from provenance.text import matching_keys


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def build_document(
    decoded: Decoded,
    normalized: Normalized,
    settings: NormalizeSettings,
    repeated: frozenset[str],
    *,
    metadata: bool = True,
) -> Document:
    """Classify lines, segment and extract metadata for one normalised file.

    Without ``metadata`` the document's :class:`~provenance.model.Metadata` is left empty:
    for a rebuild whose readers (alignment) read only text and segments, where extracting
    it was a quarter of the document's making.
    """
    clean = normalized.clean
    lines = classify_lines(clean, settings, repeated)
    paragraphs, sentences = segment(clean, lines)
    found = extract(clean, lines, paragraphs, sentences, settings) if metadata else Metadata()
    return _document(decoded, normalized, lines, paragraphs, sentences, found)


def _document(
    decoded: Decoded,
    normalized: Normalized,
    lines: tuple[Line, ...],
    paragraphs: tuple[Segment, ...],
    sentences: tuple[Segment, ...],
    metadata: Metadata,
) -> Document:
    """The document of a normalised file with what was found in it."""
    return Document(
        id=decoded.source.id,
        path=decoded.source.display,
        encoding=decoded.encoding,
        raw=decoded.text,
        clean=normalized.clean,
        offsets=normalized.offsets,
        repairs=decoded.repairs + normalized.repairs,  # decoding's own (invalid UTF-8) first
        lines=lines,
        paragraphs=paragraphs,
        sentences=sentences,
        metadata=metadata,
        # Keys are the tokens joined by single spaces (counting them is 2x cheaper than a split).
        words=sum(p.key.count(" ") + 1 for p in paragraphs),
        sha256=decoded.sha256,
    )


def keyed_again(
    decoded: Decoded, normalized: Normalized, paragraphs: KeylessSegments, sentences: KeylessSegments
) -> Document:
    """The document alignment reads, from its normalised file and the segments a full build
    found there (:func:`build_document`): the same paragraphs and sentences, their keys
    made again from the text, and no lines or metadata.

    A sentence's key is its text's :func:`~provenance.text.matching_key` and a paragraph's
    its sentences' keys joined, so keys need not be sent: at 10k generated articles the
    alignment tasks rebuilt each document of a pair (classifying its lines, segmenting it,
    making its keys: 330-370 µs) for 40% of their time; this takes 170-240 µs, nearly all
    of it the keys (:func:`~provenance.text.matching_keys`) and the segments' objects.
    """
    clean = normalized.clean
    spans = [(start, end) for start, end, _ in sentences.triples()]
    keys = matching_keys(clean, spans)
    keyed: list[Segment] = []
    held: dict[int, list[str]] = {}
    for (start, end, paragraph), key in zip(sentences.triples(), keys, strict=True):
        keyed.append(Segment(Span(start, end), key, paragraph))
        held.setdefault(paragraph, []).append(key)
    blocks = tuple(
        Segment(Span(start, end), " ".join(held.get(paragraph, ())), paragraph)
        for start, end, paragraph in paragraphs.triples()
    )
    return _document(decoded, normalized, (), blocks, tuple(keyed), Metadata())


def document_from_text(text: str, doc_id: str = "text", settings: Settings | None = None) -> Document:
    """Normalise, classify, segment and describe one text as a ``Document`` (no corpus context).

    >>> doc = document_from_text("A headline for the piece\\n\\nBEIJING — It began. “Yes,” she said.")
    >>> doc.metadata.dateline, len(doc.sentences)
    ('BEIJING —', 3)
    """
    settings = settings or Settings()
    data = text.encode("utf-8")
    source = Source(doc_id, doc_id, doc_id)
    decoded = Decoded(source, text, "utf-8", hashlib.sha256(data).hexdigest())
    return build_document(decoded, normalize(text), settings.normalize, frozenset())


def load_sources(
    sources: Sequence[Source],
    settings: Settings,
    timings: dict[str, float] | None = None,
    *,
    line_counts: Mapping[str, int] | None = None,
    repeated: frozenset[str] | None = None,
    metadata: bool = True,
) -> tuple[tuple[Document, ...], tuple[Rejected, ...]]:
    """Read and describe sources whose ids are already decided (the CI gate names them itself).

    ``line_counts`` (documents elsewhere in the corpus holding each short line, from an
    index) make furniture by repetition what it would be over the whole corpus;
    ``repeated`` gives those lines' keys outright (a worker building one chunk of a corpus);
    ``metadata`` as in :func:`build_document`.
    """
    timings = {} if timings is None else timings
    decoded, rejected = read_sources(sources, settings, timings)
    with timed(timings, "normalize"):
        normalized = [normalize(d.text) for d in decoded]
    documents = describe(
        decoded, normalized, settings, timings, line_counts=line_counts, repeated=repeated, metadata=metadata
    )
    return documents, rejected


def read_sources(
    sources: Sequence[Source], settings: Settings, timings: dict[str, float]
) -> tuple[list[Decoded], tuple[Rejected, ...]]:
    """Read and decode sources; the ones that cannot be analysed become ``Rejected``."""
    rejected: list[Rejected] = []
    decoded: list[Decoded] = []
    with timed(timings, "ingest"):
        for result in read_many(sources, settings.ingest):
            if isinstance(result, Rejected):
                rejected.append(result)
            else:
                decoded.append(result)
    return decoded, tuple(sorted(rejected, key=lambda r: (r.path, r.reason)))


def describe(
    decoded: Sequence[Decoded],
    normalized: Sequence[Normalized],
    settings: Settings,
    timings: dict[str, float],
    *,
    line_counts: Mapping[str, int] | None = None,
    repeated: frozenset[str] | None = None,
    metadata: bool = True,
) -> tuple[Document, ...]:
    """Documents of normalised files (furniture by repetition and ``metadata`` as in :func:`load_sources`)."""
    with timed(timings, "normalize"):
        if repeated is None:
            repeated = corpus_repeats((n.clean for n in normalized), settings.normalize, line_counts)
        return tuple(
            build_document(d, n, settings.normalize, repeated, metadata=metadata)
            for d, n in zip(decoded, normalized, strict=True)
        )
