"""Domain values shared by every stage.

Frozen, slotted dataclasses with tuples inside; spans are half-open ``[start, end)``
character offsets. Offsets named ``start``/``end`` on a value that belongs to a
document index that document's *decoded raw text* (what the file says), so any
finding can be quoted exactly; offsets into the cleaned text are named ``clean_*``.
This module holds data only: no I/O, no computation beyond trivial properties.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Literal

RejectReason = Literal["empty", "binary", "undecodable", "too-large", "unreadable", "duplicate-id"]
LineKind = Literal["title", "heading", "body", "furniture", "blank"]
_BIG = 1 << 62


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)``."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            msg = f"invalid span [{self.start}, {self.end})"
            raise ValueError(msg)

    def __len__(self) -> int:
        return self.end - self.start

    def slice(self, text: str) -> str:
        """Return the part of ``text`` this span covers.

        >>> Span(2, 5).slice("abcdefg")
        'cde'
        """
        return text[self.start : self.end]


@dataclass(frozen=True, slots=True)
class Repair:
    """A named fixer that changed the text, and how many places it changed."""

    fixer: str
    count: int


@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a finding was made: a kind, a human-readable detail, a score, a place."""

    kind: str
    detail: str
    score: float | None = None
    span: Span | None = None


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the clean text, with its role and, for furniture, the cue."""

    clean: Span
    kind: LineKind
    cue: str = ""


@dataclass(frozen=True, slots=True)
class Segment:
    """A paragraph or sentence: its span in the clean text and its matching key."""

    clean: Span
    key: str
    paragraph: int


@dataclass(frozen=True, slots=True)
class OutletCue:
    """An attribution or credit naming an outlet (``CNBC reported``, ``(AP) —``)."""

    outlet: str
    kind: str
    text: str
    span: Span


@dataclass(frozen=True, slots=True)
class Metadata:
    """What the text says about itself, each value with the evidence behind it."""

    title: str | None = None
    title_evidence: Evidence | None = None
    date: str | None = None
    date_evidence: Evidence | None = None
    dateline: str | None = None
    dateline_evidence: Evidence | None = None
    outlet_cues: tuple[OutletCue, ...] = ()


@dataclass(frozen=True, slots=True)
class Document:
    """A decoded, normalised and segmented input file.

    ``raw`` is the decoded file text, ``clean`` the repaired text; ``offsets`` maps
    every clean character (and the end position) back into ``raw``.
    """

    id: str
    path: str
    encoding: str
    raw: str
    clean: str
    offsets: OffsetMap
    repairs: tuple[Repair, ...]
    lines: tuple[Line, ...]
    paragraphs: tuple[Segment, ...]
    sentences: tuple[Segment, ...]
    metadata: Metadata
    words: int
    sha256: str

    def raw_span(self, clean: Span) -> Span:
        """Map a span of the clean text to the raw text it came from."""
        return self.offsets.to_raw(clean)

    @property
    def furniture(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.kind == "furniture")


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Clean-text positions to raw-text positions, stored sparsely.

    Outside the replaced regions the map is the identity plus a shift; each
    ``(clean_start, clean_end, raw_start, raw_end)`` region records one repair. A
    clean span that touches a region maps to the whole of it, so a span never cuts
    a repaired sequence (``xe2x80x99``) in half. Ten repairs cost ten tuples, not
    one integer per character.
    """

    regions: tuple[tuple[int, int, int, int], ...]
    raw_length: int

    def raw_start(self, pos: int) -> int:
        """Raw position of the clean character at ``pos`` (or of the end)."""
        idx = bisect_right(self.regions, (pos, _BIG)) - 1
        while idx >= 0:
            c_start, c_end, r_start, r_end = self.regions[idx]
            if c_start <= pos < c_end:
                return r_start
            if c_end <= pos:
                return pos + (r_end - c_end)
            idx -= 1
        return pos

    def raw_end(self, pos: int) -> int:
        """Raw end of a clean span that ends (exclusive) at ``pos`` > 0."""
        last = pos - 1
        idx = bisect_right(self.regions, (last, _BIG)) - 1
        while idx >= 0:
            c_start, c_end, _r_start, r_end = self.regions[idx]
            if c_start <= last < c_end:
                return r_end
            if c_end <= last:
                return last + (r_end - c_end) + 1
            idx -= 1
        return pos

    def to_raw(self, clean: Span) -> Span:
        """The raw span a clean span came from.

        >>> OffsetMap(((6, 7, 6, 15),), 20).to_raw(Span(0, 9))
        Span(start=0, end=17)
        """
        start = self.raw_start(clean.start)
        if clean.end == clean.start:
            return Span(start, start)
        return Span(start, max(start, self.raw_end(clean.end)))


# --- candidates: fingerprints, verified pairs, clusters ----------------------------------


# --- alignment: shared passages and per-document composition ----------------------------

PassageKind = Literal["verbatim", "edited"]


@dataclass(frozen=True, slots=True)
class Passage:
    """Text two documents share: where it sits in each, how similar, and how.

    ``a_start``/``a_end`` and ``b_start``/``b_end`` index the raw files; ``a_clean`` and
    ``b_clean`` the clean texts. ``similarity`` is ``fuzz.ratio`` of the two sides'
    matching keys in [0, 1]; ``kind`` is ``verbatim`` when the keys are identical.
    ``a_sentences`` and ``b_sentences`` count the sentences aligned on each side.
    """

    a: str
    b: str
    a_clean: Span
    b_clean: Span
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    similarity: float
    kind: PassageKind
    a_sentences: int
    b_sentences: int

    def mirrored(self) -> Passage:
        """The same passage seen from ``b``."""
        return Passage(
            self.b,
            self.a,
            self.b_clean,
            self.a_clean,
            self.b_start,
            self.b_end,
            self.a_start,
            self.a_end,
            self.similarity,
            self.kind,
            self.b_sentences,
            self.a_sentences,
        )


@dataclass(frozen=True, slots=True)
class SourceShare:
    """How much of a document's text it shares with one other document."""

    doc: str
    chars: int
    share: float


@dataclass(frozen=True, slots=True)
class Shared:
    """A stretch of a document's clean text that appears in the document ``source``."""

    clean: Span
    source: str


@dataclass(frozen=True, slots=True)
class Repeat:
    """Text repeated inside one document (key points or a pull quote restating the body).

    ``clean`` is the repetition, ``of`` the sentence it repeats, ``containment`` the
    share of the repetition's word 3-grams found in ``of``; ``mutual`` when each
    contains the other (then ``clean`` is the later of the two).
    """

    clean: Span
    of: Span
    containment: float
    mutual: bool


@dataclass(frozen=True, slots=True)
class Composition:
    """One document's own and republished text, by characters of its non-furniture text.

    ``shared`` lists where its text appears in another document (one entry per source,
    so stretches can overlap); ``own`` the maximal stretches found in no other document.
    Text repeating the document's own republished text counts as republished.
    """

    doc: str
    chars: int
    republished_chars: int
    original_share: float
    republished_share: float
    sources: tuple[SourceShare, ...]
    shared: tuple[Shared, ...]
    own: tuple[Span, ...]
    repeats: tuple[Repeat, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """Two documents aligned on their own (``provenance compare``): passages seen from
    ``a``, and each document's composition with respect to the other."""

    a: Document
    b: Document
    passages: tuple[Passage, ...]
    composition_a: Composition
    composition_b: Composition


# --- quotes: direct quotes, speakers and trails -------------------------------------------


# --- lineage: roles, parents and evidence --------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input that could not be analysed, and why (one of :data:`RejectReason`)."""

    path: str
    reason: RejectReason
    detail: str


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything one run found. Renderers format it and never recompute."""

    documents: tuple[Document, ...]
    rejected: tuple[Rejected, ...]
    settings: dict[str, object] = field(default_factory=dict)
    pairs: tuple[object, ...] = ()
    passages: tuple[Passage, ...] = ()
    quotes: tuple[object, ...] = ()
    lineage: tuple[object, ...] = ()
    compositions: tuple[Composition, ...] = ()
    stats: dict[str, object] = field(default_factory=dict)
