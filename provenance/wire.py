"""How values cross processes: the model's dataclasses pickled as their field values.

Results travel back from workers pickled and the parent unpickles them one after
another, so every microsecond per object is paid ~100 times per document. Frozen
slotted dataclasses pickle through generated ``__getstate__``/``__setstate__``; a
~5 KB article's Document took ~220 us to pickle and ~310 us to unpickle that way.
Here each registered class pickles as ``(class, field values)``, read by one C
``attrgetter``, and a Document's paragraphs and sentences (~45 ``Segment`` holding
a ``Span`` each, the bulk of its objects) as one flat tuple of integers and one of
keys (the keyless ones the parent keeps travel packed as they are,
:class:`~provenance.model.KeylessSegments`); a Quote with its attribution and their
four spans as plain values; a Fingerprint's arrays as bytes. Importing this module
registers the reducers (:mod:`copyreg`), in the parent and in every worker that
unpickles a task function from :mod:`provenance.parallel`.
"""

from __future__ import annotations

import copyreg
import dataclasses
import hashlib
import operator
import pickle
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, TypeVar

import numpy as np

from provenance import model
from provenance.fingerprint import Fingerprint, FingerprintParams
from provenance.model import Attribution, Document, KeylessSegments, Quote, Segment, Span

T = TypeVar("T")

_SEGMENT_FIELDS = ("paragraphs", "sentences")
_DOCUMENT_FIELDS = tuple(f.name for f in dataclasses.fields(Document))
_OTHER_FIELDS = tuple(name for name in _DOCUMENT_FIELDS if name not in _SEGMENT_FIELDS)
_other_values = operator.attrgetter(*_OTHER_FIELDS)


def by_fields(cls: type) -> None:
    """Pickle instances of the dataclass ``cls`` as ``cls(*field values)``."""
    names = tuple(f.name for f in dataclasses.fields(cls))
    values: Callable[[Any], tuple[object, ...]] = (
        operator.attrgetter(*names) if len(names) > 1 else lambda value: (getattr(value, names[0]),)
    )

    def reduce(value: object) -> tuple[type, tuple[object, ...]]:
        return cls, values(value)

    copyreg.pickle(cls, reduce)


def flat_segments(segments: Iterable[Segment]) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Segments as ``(start, end, paragraph)`` triples run together, and their keys.

    >>> flat_segments([Segment(Span(0, 4), "a b", 0), Segment(Span(5, 9), "", 1)])
    ((0, 4, 0, 5, 9, 1), ('a b', ''))
    """
    numbers: list[int] = []
    keys: list[str] = []
    for segment in segments:
        numbers += (segment.clean.start, segment.clean.end, segment.paragraph)
        keys.append(segment.key)
    return tuple(numbers), tuple(keys)


def segments(numbers: Sequence[int], keys: Sequence[str]) -> tuple[Segment, ...]:
    """The inverse of :func:`flat_segments`.

    >>> pair = (Segment(Span(0, 4), "a b", 0), Segment(Span(5, 9), "", 1))
    >>> segments(*flat_segments(pair)) == pair
    True
    """
    it = iter(numbers)
    triples = zip(it, it, it, keys, strict=True)
    return tuple(Segment(Span(start, end), key, paragraph) for start, end, paragraph, key in triples)


Packed = KeylessSegments | tuple[tuple[int, ...], tuple[str, ...]]


def _pack(found: Sequence[Segment]) -> Packed:
    """Segments as they travel: packed keyless ones as they are, others flattened."""
    return found if isinstance(found, KeylessSegments) else flat_segments(found)


def _unpack(packed: Packed) -> Sequence[Segment]:
    return packed if isinstance(packed, KeylessSegments) else segments(*packed)


def _document(others: tuple[object, ...], paragraphs: Packed, sentences: Packed) -> Document:
    fields = dict(zip(_OTHER_FIELDS, others, strict=True))
    return Document(**fields, paragraphs=_unpack(paragraphs), sentences=_unpack(sentences))  # type: ignore[arg-type]


def _reduce_document(doc: Document) -> tuple[Callable[..., Document], tuple[object, ...]]:
    return _document, (_other_values(doc), _pack(doc.paragraphs), _pack(doc.sentences))


def _span(start: int | None, end: int | None) -> Span | None:
    return None if start is None or end is None else Span(start, end)


def _bounds(span: Span | None) -> tuple[int | None, int | None]:
    return (None, None) if span is None else (span.start, span.end)


# A list of documents' quotes as columns: how many each document has, eight integers a
# quote (its spans, then its cue's, None for none), nine strings a quote, its notes.
PackedQuotes = tuple[list[int], list[int | None], list[str | None], list[tuple[str, ...]]]


def pack_quotes(groups: Iterable[Sequence[Quote]]) -> PackedQuotes:
    """The quotes of each group (a document's) as :data:`PackedQuotes`.

    A build result's quotes travel this way (:func:`unpack_quotes` in the main
    process): pickled quote by quote through their reducer, a generated article's took
    17-18 µs in the worker, as columns 5.5-6.6; unpickling, 21-26 against 18-22 (the
    quotes' objects are made either way). The strings stay the same objects, so the
    pickle's memo still writes a document's id once.

    >>> att = Attribution("Ann Lee", "verb-name", "said Ann Lee", Span(9, 21), Span(9, 22), "")
    >>> q = Quote("a", Span(1, 7), Span(1, 8), "hi all", "statement", "body", "“”", att, ("note",))
    >>> bare = Quote("a", Span(30, 33), Span(31, 34), "yes", "phrase", "body", "", Attribution())
    >>> unpack_quotes(pack_quotes([(q, bare), (), (q,)])) == [(q, bare), (), (q,)]
    True
    """
    sizes: list[int] = []
    numbers: list[int | None] = []
    words: list[str | None] = []
    notes: list[tuple[str, ...]] = []
    for group in groups:
        sizes.append(len(group))
        for q in group:
            a = q.attribution
            numbers += (q.clean.start, q.clean.end, q.raw.start, q.raw.end, *_bounds(a.clean), *_bounds(a.raw))
            words += (q.doc, q.text, q.kind, q.place, q.marks, a.speaker, a.cue, a.text, a.source)
            notes.append(q.notes)
    return sizes, numbers, words, notes


def unpack_quotes(packed: PackedQuotes) -> list[tuple[Quote, ...]]:
    """The inverse of :func:`pack_quotes`."""
    sizes, ends, words, notes = packed
    numbers: list[Any] = ends  # each in its place: see pack_quotes
    strings: list[Any] = words
    out: list[tuple[Quote, ...]] = []
    k = 0
    for size in sizes:
        group = []
        for _ in range(size):
            clean_start, clean_end, raw_start, raw_end, cs, ce, rs, re_ = numbers[8 * k : 8 * k + 8]
            doc, text, kind, place, marks, speaker, cue, cue_text, source = strings[9 * k : 9 * k + 9]
            attribution = Attribution(speaker, cue, cue_text, _span(cs, ce), _span(rs, re_), source)
            clean, raw = Span(clean_start, clean_end), Span(raw_start, raw_end)
            group.append(Quote(doc, clean, raw, text, kind, place, marks, attribution, notes[k]))
            k += 1
        out.append(tuple(group))
    return out


def _one_quote(packed: PackedQuotes) -> Quote:
    return unpack_quotes(packed)[0][0]


def _reduce_quote(q: Quote) -> tuple[Callable[..., Quote], tuple[object, ...]]:
    """A quote by itself (a trail's, say) in the columns a build result's quotes travel in
    (:func:`pack_quotes`): its attribution and four spans as plain values in one call."""
    return _one_quote, (pack_quotes([(q,)]),)


def _fingerprint(
    params: FingerprintParams,
    shingles: bytes,
    signature: bytes,
    digest: bytes,
    bigrams: bytes = b"",
    words: bytes = b"",
) -> Fingerprint:
    arrays = np.frombuffer(shingles, dtype="<u8"), np.frombuffer(signature, dtype="<u4")
    return Fingerprint(params, *arrays, digest, np.frombuffer(bigrams, dtype="<u8"), np.frombuffer(words, dtype="<u8"))


def _reduce_fingerprint(fp: Fingerprint) -> tuple[Callable[..., Fingerprint], tuple[object, ...]]:
    """A fingerprint's arrays as little-endian bytes, read back as arrays over them.

    numpy's own reduce (``_reconstruct`` and ``__setstate__`` per array) made a round
    trip 20 µs a generated article's fingerprint (13.5 to pickle in the worker, 6.7 to
    unpickle in the main process), the bytes 10 µs (6.6 and 3.8). The arrays come back
    read-only: nothing writes into a fingerprint's arrays.

    >>> fp = Fingerprint(FingerprintParams(5, 2, 1), np.array([3, 9], np.uint64), np.array([4, 2], np.uint32), b"d")
    >>> back = pickle.loads(pickle.dumps(fp))
    >>> back.shingles.tolist(), back.signature.tolist(), back.shingles.dtype == np.uint64, back.digest
    ([3, 9], [4, 2], True, b'd')
    """
    shingles = fp.shingles.astype("<u8", copy=False).tobytes()
    signature = fp.signature.astype("<u4", copy=False).tobytes()
    bigrams = fp.bigrams.astype("<u8", copy=False).tobytes()
    return _fingerprint, (
        fp.params,
        shingles,
        signature,
        fp.digest,
        bigrams,
        fp.words.astype("<u8", copy=False).tobytes(),
    )


class Shared(Generic[T]):
    """A value every task of a run carries, unpickled once in each worker process.

    The corpus's repeated lines go with every build and alignment task: at 10k articles
    2,015 keys, ~4 ms a task to pickle and unpickle as a frozenset. Pickled, a Shared is
    its value's pickle (made once, in the parent) and a digest of it; a worker keeps the
    last values it received by digest, so every task after its first copies bytes and
    unpickles nothing. Nothing is assumed of where workers run (a fork, a Dask cluster).

    >>> shared = Shared(frozenset({"a", "b"}))
    >>> again = pickle.loads(pickle.dumps(shared))
    >>> again.value == shared.value, pickle.loads(pickle.dumps(shared)) is again, again == shared
    (True, True, True)
    """

    __slots__ = ("_wire", "value")

    def __init__(self, value: T) -> None:
        self.value = value
        self._wire: tuple[bytes, bytes] | None = None

    def _digested(self) -> tuple[bytes, bytes]:
        if self._wire is None:
            blob = pickle.dumps(self.value, protocol=pickle.HIGHEST_PROTOCOL)
            self._wire = (hashlib.blake2b(blob, digest_size=16).digest(), blob)
        return self._wire

    def __reduce__(self) -> tuple[Callable[[bytes, bytes], Shared[Any]], tuple[bytes, bytes]]:
        return _received, self._digested()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Shared) and bool(self.value == other.value)

    def __hash__(self) -> int:
        return hash(self.value)

    def __repr__(self) -> str:
        return f"Shared({self.value!r})"


_RECEIVED: dict[bytes, Shared[Any]] = {}
_KEEP = 4  # values a worker holds on to: a run shares one at a time


def _received(digest: bytes, blob: bytes) -> Shared[Any]:
    found = _RECEIVED.get(digest)
    if found is None:
        found = Shared(pickle.loads(blob))
        found._wire = (digest, blob)
        while len(_RECEIVED) >= _KEEP:
            del _RECEIVED[next(iter(_RECEIVED))]
        _RECEIVED[digest] = found
    return found


def register(*extra: type) -> None:
    """Register the reducers: every dataclass of :mod:`provenance.model` and ``extra``."""
    for cls in (*(v for v in vars(model).values() if isinstance(v, type) and dataclasses.is_dataclass(v)), *extra):
        if cls.__module__.startswith("provenance."):
            by_fields(cls)
    copyreg.pickle(Document, _reduce_document)
    copyreg.pickle(Quote, _reduce_quote)
    copyreg.pickle(Fingerprint, _reduce_fingerprint)
