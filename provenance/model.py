"""Domain values shared by every stage.

Frozen, slotted dataclasses with tuples inside; spans are half-open ``[start, end)``
character offsets. Offsets named ``start``/``end`` on a value that belongs to a
document index that document's *decoded raw text* (what the file says), so any
finding can be quoted exactly; offsets into the cleaned text are named ``clean_*``.
This module holds data only: no I/O, no computation beyond trivial properties.
"""

from __future__ import annotations

import dataclasses
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, TypeVar, overload

if TYPE_CHECKING:
    import pandas as pd

RejectReason = Literal[
    "empty",
    "binary",
    "undecodable",
    "too-large",
    "unreadable",
    "duplicate-id",
    # Paths discovery skips (provenance.ingest): never read, each listed with its reason.
    "dangling-symlink",
    "symlink-loop",
    "outside-root",
    "symlink-to-folder",
    "not-regular-file",
    "unreadable-folder",
    "name-too-long",
]
LineKind = Literal["title", "heading", "body", "furniture", "blank"]
_BIG = 1 << 62
C = TypeVar("C", bound=type)


def _slot_setters(cls: type, *names: str) -> tuple[Any, ...]:
    """The setters of a slotted class's fields, to write them in a frozen dataclass's ``__init__``.

    A frozen dataclass's generated ``__init__`` sets each field through
    ``object.__setattr__`` (and calls ``__post_init__``); writing the slots through their
    descriptors takes a third less time (a Segment 730 against 410 ns). Spans, lines
    and segments are made tens of times an article, and again for each document the
    parent keeps (:func:`provenance.parallel.without_keys`, 0.74x). Fields are still
    read-only afterwards: the class's ``__setattr__`` refuses them. :class:`Span`
    writes its own (it checks its bounds first); :func:`slot_init` builds the others'.

    >>> set_start, set_end = _slot_setters(Span, "start", "end")
    >>> span = Span(1, 2)
    >>> set_end(span, 5)
    >>> span
    Span(start=1, end=5)
    """
    return tuple(vars(cls)[name].__set__ for name in names)


def slot_init(cls: C) -> C:
    """Give a frozen, slotted dataclass an ``__init__`` that writes its slots directly.

    The generated ``__init__`` of a frozen dataclass sets each field through
    ``object.__setattr__``; writing the slots through their descriptors (as
    :func:`_slot_setters`) made a Quote in 1.2 against 2.7 µs and an Attribution in
    0.9 against 1.9. Quotes, their attributions, trails and occurrences are made
    hundreds of thousands of times at 100k articles, in the workers and again when the
    parent unpickles them. Same signature (names, order, defaults), so keywords and
    :func:`dataclasses.replace` work as before; fields stay read-only afterwards.
    Classes with ``__post_init__``, keyword-only fields or fields left out of ``__init__``
    are refused.

    >>> @slot_init
    ... @dataclass(frozen=True, slots=True)
    ... class Point:
    ...     x: int
    ...     tags: tuple[str, ...] = ()
    >>> Point(1), Point(x=2, tags=("a",)), dataclasses.replace(Point(1), x=3)
    (Point(x=1, tags=()), Point(x=2, tags=('a',)), Point(x=3, tags=()))
    """
    fields = dataclasses.fields(cls)
    if hasattr(cls, "__post_init__") or not all(f.init and f.kw_only is not True for f in fields):
        raise TypeError(f"slot_init cannot build {cls.__name__}.__init__")
    namespace: dict[str, Any] = {"_MISSING": dataclasses.MISSING}
    setters = _slot_setters(cls, *(f.name for f in fields))
    params, body = [], []
    for n, (f, setter) in enumerate(zip(fields, setters, strict=True)):
        namespace[f"_set{n}"] = setter
        if f.default is not dataclasses.MISSING:
            namespace[f"_default{n}"] = f.default
            params.append(f"{f.name}=_default{n}")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory{n}"] = f.default_factory
            params.append(f"{f.name}=_MISSING")
            body.append(f" if {f.name} is _MISSING: {f.name} = _factory{n}()")
        else:
            params.append(f.name)
        body.append(f" _set{n}(self, {f.name})")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or [" pass"])
    exec(source, namespace)  # as dataclasses itself makes __init__
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    cls.__init__ = init  # type: ignore[misc]
    return cls


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open character range ``[start, end)``."""

    start: int
    end: int

    def __init__(self, start: int, end: int) -> None:  # see _slot_setters
        if not 0 <= start <= end:
            msg = f"invalid span [{start}, {end})"
            raise ValueError(msg)
        _SPAN_START(self, start)
        _SPAN_END(self, end)

    def __len__(self) -> int:
        return self.end - self.start

    def slice(self, text: str) -> str:
        """Return the part of ``text`` this span covers.

        >>> Span(2, 5).slice("abcdefg")
        'cde'
        """
        return text[self.start : self.end]


@slot_init
@dataclass(frozen=True, slots=True)
class Repair:
    """A named fixer that changed the text, and how many places it changed."""

    fixer: str
    count: int


@slot_init
@dataclass(frozen=True, slots=True)
class Evidence:
    """Why a finding was made: a kind, a human-readable detail, a score, a place."""

    kind: str
    detail: str
    score: float | None = None
    span: Span | None = None


@slot_init
@dataclass(frozen=True, slots=True)
class Line:
    """One line of the clean text, with its role and, for furniture, the cue."""

    clean: Span
    kind: LineKind
    cue: str = ""


@slot_init
@dataclass(frozen=True, slots=True)
class Segment:
    """A paragraph or sentence: its span in the clean text and its matching key."""

    clean: Span
    key: str
    paragraph: int


_SPAN_START, _SPAN_END = _slot_setters(Span, "start", "end")


class KeylessSegments(Sequence[Segment]):
    """Segments without their keys, packed as ``(start, end, paragraph)`` integers in one array.

    What the parent process keeps of each document's paragraphs and sentences
    (:func:`provenance.parallel.without_keys`): reports read only how many there are. As
    tuples of :class:`Segment` they were ~45 segments, 90 objects and ~7 KB an article
    (0.7 GB at 100k articles), and unpickling them was 47 of a lean Document's 73 us;
    packed they are one array, and a segment is made only when one is read.

    >>> packed = KeylessSegments.of([Segment(Span(0, 4), "a b", 0), Segment(Span(5, 9), "c", 1)])
    >>> len(packed), packed[1], packed == (Segment(Span(0, 4), "", 0), Segment(Span(5, 9), "", 1))
    (2, Segment(clean=Span(start=5, end=9), key='', paragraph=1), True)
    >>> KeylessSegments.of(packed) is packed
    True
    """

    __slots__ = ("_numbers",)

    def __init__(self, numbers: array[int]) -> None:
        self._numbers = numbers

    @classmethod
    def of(cls, segments: Iterable[Segment]) -> KeylessSegments:
        """``segments`` packed without their keys (already packed ones as they are)."""
        if isinstance(segments, KeylessSegments):
            return segments
        numbers = [n for segment in segments for n in (segment.clean.start, segment.clean.end, segment.paragraph)]
        # 32-bit offsets unless a (configurably huge) file needs more
        return cls(array("i" if max(numbers, default=0) < _INT32 else "q", numbers))

    def __len__(self) -> int:
        return len(self._numbers) // 3

    @overload
    def __getitem__(self, index: int) -> Segment: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Segment, ...]: ...

    def __getitem__(self, index: int | slice) -> Segment | tuple[Segment, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        at = index + len(self) if index < 0 else index
        if not 0 <= at < len(self):
            raise IndexError("segment index out of range")
        start, end, paragraph = self._numbers[3 * at : 3 * at + 3]
        return Segment(Span(start, end), "", paragraph)

    def __iter__(self) -> Iterator[Segment]:
        return (Segment(Span(start, end), "", paragraph) for start, end, paragraph in self.triples())

    def triples(self) -> Iterator[tuple[int, int, int]]:
        """Each segment as ``(start, end, paragraph)``, without making it."""
        numbers = iter(self._numbers)
        return zip(numbers, numbers, numbers, strict=True)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, KeylessSegments):
            return self._numbers == other._numbers
        if isinstance(other, Sequence):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:  # equal to the tuple of the same segments, so hashed like it
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"KeylessSegments({list(self)!r})"

    def __reduce__(self) -> tuple[Any, tuple[str, bytes]]:
        return _keyless, (self._numbers.typecode, self._numbers.tobytes())


_INT32 = 1 << 31


def _keyless(typecode: str, data: bytes) -> KeylessSegments:
    numbers = array(typecode)
    numbers.frombytes(data)
    return KeylessSegments(numbers)


@slot_init
@dataclass(frozen=True, slots=True)
class OutletCue:
    """An attribution or credit naming an outlet (``CNBC reported``, ``(AP) —``)."""

    outlet: str
    kind: str
    text: str
    span: Span


@slot_init
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


@slot_init
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
    paragraphs: Sequence[Segment]
    sentences: Sequence[Segment]
    metadata: Metadata
    words: int
    sha256: str

    def raw_span(self, clean: Span) -> Span:
        """Map a span of the clean text to the raw text it came from."""
        return self.offsets.to_raw(clean)

    @property
    def furniture(self) -> tuple[Line, ...]:
        return tuple(line for line in self.lines if line.kind == "furniture")


@slot_init
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
        if not self.regions:
            # A text the normaliser did not repair (98% of a generated corpus): the JSON
            # report maps ~7 spans an article, a third of its documents records' time.
            return clean
        start = self.raw_start(clean.start)
        if clean.end == clean.start:
            return Span(start, start)
        return Span(start, max(start, self.raw_end(clean.end)))


# --- candidates: fingerprints, verified pairs, clusters ----------------------------------

PairSketch = Literal["shingles", "rewrite"]


@slot_init
@dataclass(frozen=True, slots=True)
class Pair:
    """Two documents that share text, with exact scores on their shingle sets.

    ``a < b`` by id. ``containment_a_in_b`` is the share of ``a``'s shingles that occur
    in ``b``; the asymmetry tells an excerpt (high in the short document) from its
    source. ``cluster`` is the smallest document id of the connected group of pairs.
    ``shingles_a``/``shingles_b`` are the set sizes the scores were computed from.
    """

    a: str
    b: str
    jaccard: float
    containment_a_in_b: float
    containment_b_in_a: float
    shared_shingles: int
    shingles_a: int
    shingles_b: int
    cluster: str
    # "rewrite": found by the rewrite tier (issue 28) on the documents' rare words, its
    # scores those of the words; kept only when alignment finds reworded sentences.
    sketch: PairSketch = "shingles"

    @property
    def containment(self) -> float:
        """The larger containment: how much of one document the other holds."""
        return max(self.containment_a_in_b, self.containment_b_in_a)


# --- alignment: shared passages and per-document composition ----------------------------

PassageKind = Literal["verbatim", "edited", "rewritten"]


@slot_init
@dataclass(frozen=True, slots=True)
class Passage:
    """Text two documents share: where it sits in each, how similar, and how.

    ``a_start``/``a_end`` and ``b_start``/``b_end`` index the raw files; ``a_clean`` and
    ``b_clean`` the clean texts. ``similarity`` is ``fuzz.ratio`` of the two sides'
    matching keys in [0, 1]; ``kind`` is ``verbatim`` when the keys are identical.
    ``a_sentences`` and ``b_sentences`` count the sentences aligned on each side. A
    ``rewritten`` passage (the rewrite tier, issue 28) is one sentence reworded on each side,
    its ``similarity`` the share of the shorter's rare words the other holds.
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


@slot_init
@dataclass(frozen=True, slots=True)
class SourceShare:
    """How much of a document's text it shares with one other document."""

    doc: str
    chars: int
    share: float


@slot_init
@dataclass(frozen=True, slots=True)
class Shared:
    """A stretch of a document's clean text that appears in the document ``source``."""

    clean: Span
    source: str


@slot_init
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


@slot_init
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


@slot_init
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

QuoteKind = Literal["statement", "phrase"]
QuoteForm = Literal["verbatim", "trimmed", "altered"]
QuotePlace = Literal["body", "heading", "pull quote"]


@slot_init
@dataclass(frozen=True, slots=True)
class Attribution:
    """Who said a quote, and the cue in the text that says so.

    ``speaker`` is a person's full name as the document gives it, or None when no
    cue names a person (the quote is then unattributed, never guessed). ``cue`` names
    the pattern (``verb-name`` for ``…,” said X``, ``pronoun`` for ``…,” she said``
    resolved to the nearest person named before, ``pull-quote``, …), ``text`` is the
    cue as the document has it, ``clean``/``raw`` its spans; ``source`` is what the
    cue named when that is not a person (``a release from China’s foreign ministry``).
    """

    speaker: str | None = None
    cue: str = ""
    text: str = ""
    clean: Span | None = None
    raw: Span | None = None
    source: str = ""


@slot_init
@dataclass(frozen=True, slots=True)
class Quote:
    """One direct quote in one document.

    ``clean``/``raw`` cover the quoted words inside the marks (from the first to the
    last quoted character, across a paragraph break when the quote continues);
    ``text`` is those words on one line, reopening marks of continued paragraphs
    left out. ``marks`` are the opening and closing marks as written (empty for a
    pull quote set without marks); ``notes`` record repairs such as a misplaced
    opening mark or a quote continued over a paragraph break.
    """

    doc: str
    clean: Span
    raw: Span
    text: str
    kind: QuoteKind
    place: QuotePlace
    marks: str
    attribution: Attribution
    notes: tuple[str, ...] = ()


@slot_init
@dataclass(frozen=True, slots=True)
class QuoteOccurrence:
    """A quote as one place carries it, compared with its trail's text (the most complete version)."""

    quote: Quote
    form: QuoteForm
    diff: str
    containment: float  # share of this occurrence's words found in the trail's text
    completeness: float  # share of the trail's text this occurrence carries


@slot_init
@dataclass(frozen=True, slots=True)
class QuoteTrail:
    """The same quote across documents (and within one): its occurrences and origin.

    ``trail`` is the id of the earliest member (``doc#raw_start``); ``text`` is the
    most complete version; ``first`` the document of the first known occurrence
    or ``"undecided"``, with ``first_basis`` saying how it was decided.
    """

    trail: str
    text: str
    kind: QuoteKind
    speaker: str | None
    speakers: tuple[str, ...]
    conflicting_speakers: bool
    occurrences: tuple[QuoteOccurrence, ...]
    docs: tuple[str, ...]
    first: str
    first_basis: str


@slot_init
@dataclass(frozen=True, slots=True)
class DocumentQuotes:
    """How many quotes a document carries and how many it shares with other documents.

    ``partners`` counts the other documents carrying one of its quotes, up to a cap
    (``QuoteSettings.partners_counted``: a count at the cap means at least that many);
    ``shared_with`` names the first of them by id (``partners_listed``).
    """

    doc: str
    quotes: int
    statements: int
    phrases: int
    shared: int
    shared_with: tuple[str, ...]
    partners: int = 0


# --- lineage: roles, parents and evidence --------------------------------------------------

Role = Literal[
    "original",
    "full republication",
    "excerpt",
    "excerpt with commentary",
    "attributed rewrite",
    "rewrite",
    "translated republication",
    "independent",
    "undecided",
]
Relation = Literal["full copy", "partial copy", "rewrite", "translation", "independent"]
# How much text a related pair shares: all of one side (``whole``), a substantial passage
# (``part``), or too little to call reuse (``none``); and how it was carried.
Extent = Literal["whole", "part", "none"]
Form = Literal["verbatim", "edited", "rewritten", "translated"]


@slot_init
@dataclass(frozen=True, slots=True)
class LineageEdge:
    """A document's role and parent (a document id, ``external:Outlet`` or None), with evidence.

    ``relation`` is how the document relates to its parent; ``undecided`` names the
    documents it shares text with when the direction could not be decided.
    """

    doc: str
    role: Role
    parent: str | None
    relation: Relation | None
    confidence: float
    evidence: tuple[Evidence, ...]
    undecided: tuple[str, ...] = ()


@slot_init
@dataclass(frozen=True, slots=True)
class PairRelation:
    """How a related pair ``a < b`` relates, seen from the derived side, with the source when decided.

    ``extent`` says how much text the pair shares (``whole``: nearly all of one side is in the
    other; ``part``: a substantial passage; ``none``: too little to call reuse), ``form`` how it
    was carried (``verbatim``, ``edited`` with light edits, ``rewritten``, ``translated``);
    ``relation`` is the short label made from the two and the coverage both ways.
    """

    a: str
    b: str
    relation: Relation
    derived: str | None
    source: str | None
    confidence: float
    evidence: tuple[Evidence, ...]
    extent: Extent = "part"
    form: Form = "edited"


@slot_init
@dataclass(frozen=True, slots=True)
class PieceMember:
    """A document carrying a piece: how much of the text it took (``extent``), how (``form``),
    its lineage ``role`` (``source`` for the piece's own document) and the document or outlet
    it took it from (``via``; None for the source)."""

    doc: str
    extent: Extent
    form: Form
    role: str
    via: str | None


@slot_init
@dataclass(frozen=True, slots=True)
class Piece:
    """One source text (a document id, or ``external:Outlet`` for an outlet outside the corpus)
    and the documents that carry it, the source document among them, sorted by id. ``id`` is
    the source's id."""

    id: str
    source: str
    members: tuple[PieceMember, ...]


@slot_init
@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    """Documents carrying the same text (same shingles; ``same_bytes`` when the files are
    identical), analysed as one: ``head`` stands for them in every pair and passage, the
    ``copies`` are its duplicates, ``reason`` says why the head was chosen and ``confidence``
    how sure that order is (0 when nothing in the texts orders them)."""

    head: str
    copies: tuple[str, ...]
    same_bytes: bool
    reason: str
    confidence: float


# --- check: the CI gate's verdicts -----------------------------------------------------------

CheckStatus = Literal["pass", "fail", "skip"]


@slot_init
@dataclass(frozen=True, slots=True)
class Match:
    """A document a new file shares text with, seen from the new file.

    ``relation``: ``exact duplicate`` (same bytes), ``same text`` (same shingle set),
    ``full copy``, ``excerpt``, ``excerpt with commentary``, ``contains`` (the new file
    holds the other) or ``shares text``. ``containment_new`` is the share of the new
    file's shingles found in ``doc``, ``containment_doc`` the share of ``doc``'s found in
    the new file. ``line`` is the first line (1-based) of the new file holding text that
    ``doc`` has too. ``in_drop``: ``doc`` is another new file; ``available``: ``doc``'s
    file was read and analysed with the new one (else the scores come from the index).
    """

    doc: str
    path: str
    relation: str
    jaccard: float
    containment_new: float
    containment_doc: float
    shared_shingles: int
    line: int
    in_drop: bool
    available: bool = True


@slot_init
@dataclass(frozen=True, slots=True)
class Finding:
    """A policy rule a new file breaks.

    ``rule`` is ``rejected``, ``exact``, ``near-duplicate``, ``republication`` or ``uncredited``;
    ``doc`` the document it concerns and ``line`` where the new file shows it (1-based).
    """

    rule: str
    message: str
    doc: str | None = None
    line: int = 1


@slot_init
@dataclass(frozen=True, slots=True)
class Verdict:
    """What the gate says about one new file: status, role, a one-line summary, findings and evidence.

    ``path`` is the file as the user named it (or as ``git diff`` listed it); ``credits``
    are the file's own piece credits as ``Outlet (cue kind)``; ``notes`` say what passed
    and why (allowlists, credits, matches left out of the analysis).
    """

    path: str
    id: str
    status: CheckStatus
    role: str
    summary: str
    findings: tuple[Finding, ...] = ()
    matches: tuple[Match, ...] = ()
    credits: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@slot_init
@dataclass(frozen=True, slots=True)
class CheckResult:
    """Every verdict of one check, with the index it ran against and what it cost."""

    verdicts: tuple[Verdict, ...]
    index: str
    indexed: int
    policy: dict[str, Any] = field(default_factory=dict)
    stats: dict[str, object] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return sum(1 for v in self.verdicts if v.status == "fail")


@slot_init
@dataclass(frozen=True, slots=True)
class Rejected:
    """An input that could not be analysed, and why (one of :data:`RejectReason`)."""

    path: str
    reason: RejectReason
    detail: str


@slot_init
@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything one run found. Renderers format it and never recompute."""

    documents: tuple[Document, ...]
    rejected: tuple[Rejected, ...]
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    pairs: tuple[Pair, ...] = ()
    passages: tuple[Passage, ...] = ()
    quotes: tuple[QuoteTrail, ...] = ()
    quote_counts: tuple[DocumentQuotes, ...] = ()
    lineage: tuple[LineageEdge, ...] = ()
    relations: tuple[PairRelation, ...] = ()
    compositions: tuple[Composition, ...] = ()
    stats: dict[str, object] = field(default_factory=dict)
    duplicates: tuple[DuplicateGroup, ...] = ()
    pieces: tuple[Piece, ...] = ()

    def frames(self) -> dict[str, pd.DataFrame]:
        """The analysis as named tables (one per workbook sheet), built at the report edge."""
        from provenance.report.tables import frames  # noqa: PLC0415 (pandas only where tables are made)

        return frames(self)
