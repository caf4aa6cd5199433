"""Lineage: for every document its role, its parent and the evidence, as a careful reader would.

Inputs are what the earlier stages found: verified pairs with containment in both
directions, the aligned passages, each document's composition (own and republished
text), the documents' own cues (credits, dates, translation notices, scrape damage,
truncation marks, commentary markers) and, when available, which document carries the
more complete version of shared quotes. Nothing here reads files or compares texts
again.

The steps:

1. **Direction of each pair.** Signals, each recorded as :class:`Evidence` with a
   signed weight (positive: the first document is the copy): containment asymmetry
   (the contained one is the copy), truncation marks, commentary markers, a credit
   naming the other document's publisher (or signing a writer as an outlet's whose
   bare byline the other, uncredited page prints: that outlet's own page), stated dates, more complete quote versions,
   encoding damage typical of scrapes. The sum decides; a confidence in [0, 1] grows
   with it; strong evidence on both sides, or too little, leaves the pair undecided.
2. **External parents.** Piece-level credits (``CNBC:``, ``Source: X``, ``(AP) —``,
   ``X reported`` in the lead) name an outlet. When no document of the cluster
   identifies itself as that outlet, the credited piece is outside the corpus: the
   documents that credit it, and the ones that carry the text they credit, become
   children of ``external:X``, siblings rather than a chain.
3. **Parents and roles.** An in-corpus parent from decided directions (the upstream
   sharing the most text), else an external one; the role from the parent's relation
   and the document's composition: ``full republication``, ``excerpt``, ``excerpt with
   commentary``, ``attributed rewrite``, ``rewrite``, ``translated republication``,
   ``independent`` (shares quotes, not text), ``original`` or ``undecided``.
4. **Pair relations** seen from the derived side: ``full copy``, ``partial copy``,
   ``rewrite``, ``translation`` or ``independent``, with the source when decided.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from provenance.candidates import cluster_ids
from provenance.credits import (
    WIRE_AGENCIES,
    Credit,
    bare_byline,
    credits,
    piece_outlets,
    signed_writers,
    translation_evidence,
)
from provenance.metadata import date_floor, mentions_after
from provenance.model import (
    Document,
    DuplicateGroup,
    Evidence,
    Extent,
    Form,
    LineageEdge,
    PairRelation,
    Relation,
    Role,
    Span,
)
from provenance.settings import LineageSettings

EXTERNAL = "external:"
# Shares of shared text closer than this are the same amount: identical copies differ by a
# date line or a footer, which must not decide between them.
_SHARE_STEP = 0.05
# Repairs that betray a scrape: bytes written out as text, or decoded with the wrong codec.
_DAMAGE_FIXERS = frozenset({"hex-escapes", "mojibake"})
# The year of a copyright line ("© 2021 Harbour Gazette").
_COPYRIGHT_YEAR = re.compile(r"(?<!\d)(?:1[89]|20)\d\d(?!\d)")
# Documents named in an evidence line about a document's copies; the rest are counted.
_COPIES_NAMED = 3
# Furniture cues that mark a page as a cut-down version of a longer piece.
_TRUNCATION_CUES = frozenset({"read more"})
# A paragraph opening that marks the writer's own comment on what they republish.
COMMENTARY = re.compile(
    r"^\s*(?:(?:[\w.]+\s+){0,2}editor(?:['’]s)?(?:\s+(?:note|comment))?|comment(?:ary)?|my take|our take|"
    r"our view|editor['’]s note|note from the editor|nota del editor|n\.?\s*d\.?\s*l\.?\s*r\.?)\s*[:—-]",
    re.IGNORECASE,
)


# --- what lineage reads from the earlier stages ----------------------------------------------


class PairScores(Protocol):
    """A verified pair, ``a < b``, with exact scores on the shingle sets."""

    @property
    def a(self) -> str: ...
    @property
    def b(self) -> str: ...
    @property
    def jaccard(self) -> float: ...
    @property
    def containment_a_in_b(self) -> float: ...
    @property
    def containment_b_in_a(self) -> float: ...


class AlignedPassage(Protocol):
    """A passage two documents share (clean spans, similarity, verbatim or edited)."""

    @property
    def a(self) -> str: ...
    @property
    def b(self) -> str: ...
    @property
    def a_clean(self) -> Span: ...
    @property
    def b_clean(self) -> Span: ...
    @property
    def similarity(self) -> float: ...
    @property
    def kind(self) -> str: ...
    @property
    def a_sentences(self) -> int: ...
    @property
    def b_sentences(self) -> int: ...


class SourceShareLike(Protocol):
    @property
    def doc(self) -> str: ...
    @property
    def share(self) -> float: ...


class CompositionLike(Protocol):
    """A document's own and republished shares and where its text appears."""

    @property
    def doc(self) -> str: ...
    @property
    def chars(self) -> int: ...
    @property
    def original_share(self) -> float: ...
    @property
    def sources(self) -> Sequence[SourceShareLike]: ...


@dataclass(frozen=True, slots=True)
class DocFacts:
    """The cues of one document that bear on lineage, read once."""

    doc: Document
    credits: tuple[Credit, ...]
    piece: tuple[tuple[str, float], ...]  # outlets credited for the piece, strongest first
    self_outlets: frozenset[str]
    translation: tuple[Evidence, ...]
    damage: int
    truncation: tuple[Evidence, ...]
    commentary: tuple[Evidence, ...]
    # Dates the text mentions after its stated date, earliest first (metadata.mentions_after):
    # what can show that stated date to be false.
    mentions: tuple[tuple[str, Span], ...] = ()


@dataclass(frozen=True, slots=True)
class Direction:
    """Which side of a pair is the copy: ``score`` > 0 means ``a`` derives from ``b``."""

    a: str
    b: str
    score: float
    confidence: float
    decided: bool
    evidence: tuple[Evidence, ...]

    def derived(self) -> str | None:
        if not self.decided:
            return None
        return self.a if self.score > 0 else self.b

    def source(self) -> str | None:
        if not self.decided:
            return None
        return self.b if self.score > 0 else self.a


@dataclass(slots=True)
class _Choice:
    parent: str | None = None
    relation: Relation | None = None
    confidence: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)
    undecided: tuple[str, ...] = ()


# --- document cues ------------------------------------------------------------------------------


def document_facts(doc: Document, settings: LineageSettings) -> DocFacts:
    """The lineage cues of one document."""
    found = credits(doc, settings)
    truncation = tuple(
        Evidence("truncation", f"truncation mark “{line.clean.slice(doc.clean).strip()}”", None, line.clean)
        for line in doc.furniture
        if line.cue in _TRUNCATION_CUES
    )
    commentary = tuple(
        Evidence("commentary", f"own comment marked “{_opening(doc, p.clean)}”", None, p.clean)
        for p in doc.paragraphs
        if COMMENTARY.match(p.clean.slice(doc.clean))
    )
    damage = sum(r.count for r in doc.repairs if r.fixer in _DAMAGE_FIXERS)
    return DocFacts(
        doc=doc,
        credits=found,
        piece=tuple(piece_outlets(found)),
        self_outlets=frozenset(c.outlet for c in found if c.scope == "self"),
        translation=tuple(translation_evidence(doc, found, settings)),
        damage=damage,
        truncation=truncation,
        commentary=commentary,
        mentions=mentions_after(doc.clean, doc.lines, doc.metadata.date),
    )


def _opening(doc: Document, span: Span, words: int = 4) -> str:
    return " ".join(span.slice(doc.clean).split()[:words]) + " …"


def confidence(score: float, settings: LineageSettings) -> float:
    """Confidence in [0, 1) from a summed evidence weight (0 → 0, 1 → 0.78, 2 → 0.95).

    >>> round(confidence(1.0, LineageSettings()), 2)
    0.78
    """
    return 1.0 - math.exp(-settings.confidence_rate * max(0.0, score))


# --- direction of a pair ------------------------------------------------------------------------


def _signed(a: bool, b: bool) -> int:
    """+1 when only ``a`` has the property, -1 when only ``b`` has it, 0 otherwise."""
    return int(a) - int(b)


def _copyright_years(facts: DocFacts) -> list[tuple[str, Credit]]:
    """The year of each copyright line of the page, with its credit."""
    found = []
    for credit in facts.credits:
        if credit.cue.kind == "copyright" and (year := _COPYRIGHT_YEAR.search(credit.cue.text)) is not None:
            found.append((year.group(), credit))
    return found


def _contradiction(facts: DocFacts, until: str) -> tuple[str, Span, str] | None:
    """What on the page of ``facts`` dates it after its stated date but not after ``until``:
    a date its text mentions, or the year of its own copyright line, as ``(value, span, what)``.

    Only such a date tells the two claims apart: one after both stated dates may look ahead
    ("by 2030") and contradicts neither more than the other. The most precise one is shown.
    """
    date = facts.doc.metadata.date
    if not date:
        return None
    found = [(value, span, "its own text mentions") for value, span in facts.mentions]
    found.extend(
        (year, credit.cue.span, "its own copyright line reads")
        for year, credit in _copyright_years(facts)
        if date_floor(year) > date
    )
    within = [item for item in found if date_floor(item[0]) <= until]
    if not within:
        return None
    return min(within, key=lambda item: (-len(item[0]), date_floor(item[0]), item[1].start))


def contradicted_dates(facts: Mapping[str, DocFacts], pairs: Iterable[PairScores]) -> frozenset[str]:
    """Documents whose stated date their own page contradicts in one of their pairs (the
    earlier date of the pair, followed on its page by a date not after the other one)."""
    found = set()
    for pair in pairs:
        fa, fb = facts.get(pair.a), facts.get(pair.b)
        if fa is None or fb is None:
            continue
        date_a, date_b = fa.doc.metadata.date, fb.doc.metadata.date
        if date_a and date_b and date_a != date_b:
            early = fa if date_a < date_b else fb
            if _contradiction(early, max(date_a, date_b)) is not None:
                found.add(early.doc.id)
    return frozenset(found)


def _at(doc: Document, span: Span | None) -> str:
    """Raw offsets of a clean span, as the reports write them."""
    if span is None:
        return "?"
    raw = doc.raw_span(span)
    return f"{raw.start}–{raw.end}"


def _date_conflict(early: DocFacts, late: DocFacts, contradiction: tuple[str, Span, str]) -> list[Evidence]:
    """The evidence when the earlier stated date of a pair is contradicted by its own page,
    and each copyright line of that page claiming a year before the contradicting date."""
    doc = early.doc
    value, span, what = contradiction
    claim = doc.metadata.date_evidence.span if doc.metadata.date_evidence is not None else None
    out = [
        Evidence(
            "conflict",
            f"{doc.id} states {doc.metadata.date} (at {_at(doc, claim)}) but {what} “{span.slice(doc.clean).strip()}” "
            f"(at {_at(doc, span)}), later: its date is contradicted and does not count against "
            f"{late.doc.id} ({late.doc.metadata.date})",
        )
    ]
    out.extend(
        Evidence(
            "conflict",
            f"{doc.id}'s copyright line “{credit.cue.text}” (at {_at(doc, credit.cue.span)}) claims {year}, "
            f"before the {value} its page shows: contradicted too",
        )
        for year, credit in _copyright_years(early)
        if year < value[:4] and credit.cue.span != span
    )
    return out


def _publisher(fa: DocFacts, fb: DocFacts, settings: LineageSettings) -> list[Evidence]:
    """One side credits the outlet the other is: the other identifies itself as that outlet,
    or prints the bare byline of a writer the first signs as that outlet's."""
    evidence: list[Evidence] = []
    for first, second, sign in ((fa, fb, 1), (fb, fa, -1)):
        matched = sorted({c.outlet for c in first.credits if c.scope == "piece"} & second.self_outlets)
        if matched:
            evidence.append(
                Evidence(
                    "publisher",
                    f"{first.doc.id} credits {matched[0]}, and {second.doc.id} identifies itself as {matched[0]}",
                    sign * settings.weight_credit_match,
                )
            )
        else:
            evidence.extend(_writer_match(first, second, sign, settings))
    return evidence


def _writer_match(first: DocFacts, second: DocFacts, sign: int, settings: LineageSettings) -> list[Evidence]:
    """``first`` signs a writer as a newspaper's ("Lucas Shaw, Bloomberg") and ``second``, which
    credits nobody, carries that writer's byline alone ("Lucas Shaw"): the byline the outlet's
    own page prints, so ``first`` is the crediting copy.

    News agencies are left out: their own pages carry their dateline, so an uncredited page
    with an agency writer's byline is a copy whose credit was stripped (as in
    :func:`_external_outlets`).
    """
    if second.piece:
        return []
    for writer, credit in signed_writers(first.credits):
        if credit.outlet in WIRE_AGENCIES:
            continue
        line = bare_byline(second.doc, writer)
        if line is not None:
            outlet = credit.outlet
            return [
                Evidence(
                    "publisher",
                    f"{first.doc.id} signs {writer} as {outlet}'s writer (at {_at(first.doc, credit.cue.span)}), "
                    f"and {second.doc.id} bylines {writer} (at {_at(second.doc, line)}) and credits nobody: "
                    f"{outlet}'s own page",
                    sign * settings.weight_writer_match,
                )
            ]
    return []


def direction(
    pair: PairScores,
    fa: DocFacts,
    fb: DocFacts,
    settings: LineageSettings,
    quote_balance: int = 0,
) -> Direction:
    """Weigh the signals that one side of a verified pair copies the other (``fa``, ``fb`` in any order).

    ``quote_balance`` > 0 counts shared quotes that ``a`` carries in a shortened form
    and ``b`` in full (so ``a`` is the later version), < 0 the reverse.
    """
    if fa.doc.id != pair.a:
        fa, fb = fb, fa
    ida, idb = fa.doc.id, fb.doc.id
    evidence: list[Evidence] = []
    asym = pair.containment_a_in_b - pair.containment_b_in_a
    contained = max(pair.containment_a_in_b, pair.containment_b_in_a)
    # Asymmetry says "the contained one is the copy" only when one side is mostly contained;
    # when both sides hold much text of their own (an excerpt with long commentary) it just
    # compares their lengths.
    mostly = (contained - settings.contained_min) / (settings.contained_full - settings.contained_min)
    if abs(asym) >= settings.containment_asymmetry_min and mostly > 0:
        weight = (
            settings.weight_containment * min(1.0, abs(asym) / settings.containment_asymmetry_full) * min(1.0, mostly)
        )
        copy, other = (ida, idb) if asym > 0 else (idb, ida)
        high, low = (
            max(pair.containment_a_in_b, pair.containment_b_in_a),
            min(pair.containment_a_in_b, pair.containment_b_in_a),
        )
        evidence.append(
            Evidence(
                "containment",
                f"{high:.0%} of {copy}'s shingles are in {other}, only {low:.0%} the other way: {copy} is the copy",
                math.copysign(weight, asym),
            )
        )
    sign = _signed(bool(fa.truncation), bool(fb.truncation))
    if sign:
        marked = fa if sign > 0 else fb
        evidence.append(
            Evidence(
                "truncation",
                f"{marked.doc.id} has a {marked.truncation[0].detail}: it is a cut-down version",
                sign * settings.weight_truncation,
            )
        )
    sign = _signed(bool(fa.commentary), bool(fb.commentary))
    if sign:
        marked = fa if sign > 0 else fb
        evidence.append(
            Evidence(
                "commentary",
                f"{marked.doc.id} adds an {marked.commentary[0].detail}: it republishes with commentary",
                sign * settings.weight_commentary,
            )
        )
    evidence.extend(_publisher(fa, fb, settings))
    if not any(e.kind == "publisher" for e in evidence):
        sign = _signed(bool(fa.piece), bool(fb.piece))
        if sign:
            crediting = fa if sign > 0 else fb
            evidence.append(
                Evidence(
                    "credit",
                    f"{crediting.doc.id} credits {crediting.piece[0][0]} for the piece, the other credits nobody",
                    sign * settings.weight_credit_claim,
                )
            )
    date_a, date_b = fa.doc.metadata.date, fb.doc.metadata.date
    if date_a and date_b and date_a != date_b:
        early, late = (fa, fb) if date_a < date_b else (fb, fa)
        contradiction = _contradiction(early, max(date_a, date_b))
        if contradiction is not None:
            evidence.extend(_date_conflict(early, late, contradiction))
        else:
            evidence.append(
                Evidence(
                    "date",
                    f"{late.doc.id} states a later date ({max(date_a, date_b)} vs {min(date_a, date_b)})",
                    (1 if date_a > date_b else -1) * settings.weight_date,
                )
            )
    if quote_balance:
        shortened = ida if quote_balance > 0 else idb
        n = abs(quote_balance)
        evidence.append(
            Evidence(
                "quotes",
                f"{shortened} carries {n} shared quote{'s' if n > 1 else ''} in a shortened form, the other in full",
                math.copysign(settings.weight_quotes * min(n, settings.quotes_cap), quote_balance),
            )
        )
    sign = _signed(fa.damage > 0, fb.damage > 0)
    if sign:
        damaged = fa if sign > 0 else fb
        evidence.append(
            Evidence(
                "damage",
                f"{damaged.doc.id} has encoding damage typical of scraped copies ({damaged.damage} repairs)",
                sign * settings.weight_damage,
            )
        )
    score = sum(e.score or 0.0 for e in evidence)
    positive = sum(e.score for e in evidence if e.score and e.score > 0)
    negative = -sum(e.score for e in evidence if e.score and e.score < 0)
    conflict = min(positive, negative) >= settings.conflict_min and abs(score) < settings.conflict_min
    decided = abs(score) >= settings.decide_min and not conflict
    return Direction(ida, idb, score, confidence(abs(score), settings) if decided else 0.0, decided, tuple(evidence))


# --- how two documents share text ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Aligned:
    """For each ordered pair ``(x, y)``: characters of ``x`` aligned with ``y`` (``chars``), of
    those in near-exact passages (``exact``) and in identical ones (``identical``), and the
    sentences of ``x`` aligned (``sentences``)."""

    chars: dict[tuple[str, str], int]
    exact: dict[tuple[str, str], int]
    identical: dict[tuple[str, str], int]
    sentences: dict[tuple[str, str], int]


def aligned_chars(passages: Iterable[AlignedPassage], settings: LineageSettings) -> Aligned:
    """What each document of a pair has aligned with the other, and how closely.

    Near-exact is a passage similarity of at least ``exact_similarity``: a copy with a word
    changed here and there stays above it (a five-sentence passage with one word changed
    scores about 0.99), a paraphrase falls below. Identical is a passage whose matching keys
    are the same (kind ``verbatim``).
    """
    chars: dict[tuple[str, str], int] = defaultdict(int)
    exact: dict[tuple[str, str], int] = defaultdict(int)
    identical: dict[tuple[str, str], int] = defaultdict(int)
    sentences: dict[tuple[str, str], int] = defaultdict(int)
    for p in passages:
        sides = (((p.a, p.b), len(p.a_clean), p.a_sentences), ((p.b, p.a), len(p.b_clean), p.b_sentences))
        for key, length, count in sides:
            chars[key] += length
            sentences[key] += count
            if p.similarity >= settings.exact_similarity:
                exact[key] += length
            if p.kind == "verbatim":
                identical[key] += length
    return Aligned(dict(chars), dict(exact), dict(identical), dict(sentences))


def extent_of(coverage_x: float, coverage_y: float, sentences: int, settings: LineageSettings) -> Extent:
    """How much text a pair shares: ``whole`` when nearly all of one side is in the other,
    ``part`` when the passage is substantial (``sentences`` aligned on the side with fewer, or a
    share of one side), else ``none``.

    >>> s = LineageSettings()
    >>> extent_of(0.95, 0.3, 12, s), extent_of(0.4, 0.3, 5, s), extent_of(0.2, 0.1, 2, s)
    ('whole', 'part', 'none')
    """
    if max(coverage_x, coverage_y) >= settings.full_min:
        return "whole"
    if sentences >= settings.part_min_sentences or max(coverage_x, coverage_y) >= settings.part_min_share:
        return "part"
    return "none"


def form_of(exact_share: float, identical_share: float, settings: LineageSettings) -> Form:
    """How shared text was carried, from the shares of it in near-exact and identical passages.

    >>> s = LineageSettings()
    >>> form_of(1.0, 0.95, s), form_of(0.9, 0.4, s), form_of(0.2, 0.0, s)
    ('verbatim', 'edited', 'rewritten')
    """
    if exact_share < settings.rewrite_exact_max:
        return "rewritten"
    return "verbatim" if identical_share >= settings.verbatim_min else "edited"


def relation_of(
    coverage_derived: float, coverage_source: float, verbatim: float, settings: LineageSettings
) -> Relation:
    """The relation from the derived side: full copy, partial copy or rewrite.

    ``coverage_derived`` is the share of the derived text found in the source,
    ``coverage_source`` the share of the source found in the derived text, and
    ``verbatim`` the share of the shared text that is near-exact (not paraphrased).

    >>> s = LineageSettings()
    >>> relation_of(0.95, 0.97, 1.0, s), relation_of(0.9, 0.3, 1.0, s), relation_of(0.6, 0.6, 0.1, s)
    ('full copy', 'partial copy', 'rewrite')
    """
    if verbatim < settings.rewrite_exact_max:
        return "rewrite"
    if coverage_derived >= settings.full_min and coverage_source >= settings.full_min:
        return "full copy"
    return "partial copy"


# --- the whole corpus ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Graph:
    facts: dict[str, DocFacts]
    pairs: dict[tuple[str, str], PairScores]
    directions: dict[tuple[str, str], Direction]
    aligned: Aligned
    shares: dict[str, dict[str, float]]  # doc -> other doc -> share of doc's text found there
    chars: dict[str, int]  # doc -> characters of its article text
    own: dict[str, float]
    cluster: dict[str, str]
    # doc -> the documents it forms a pair with, sorted (a scan of every pair per document
    # was O(documents x pairs): minutes at 100,000 documents, issue 9)
    adjacent: dict[str, list[str]] = field(default_factory=dict)

    def key(self, x: str, y: str) -> tuple[str, str]:
        return (x, y) if x < y else (y, x)

    def containment(self, x: str, y: str) -> float:
        """Share of ``x``'s shingles found in ``y``."""
        pair = self.pairs[self.key(x, y)]
        return pair.containment_a_in_b if pair.a == x else pair.containment_b_in_a

    def coverage(self, x: str, y: str) -> float:
        """Share of ``x``'s text aligned with ``y`` (robust to edited words), else shingle containment."""
        share = self.shares.get(x, {}).get(y)
        return share if share is not None else self.containment(x, y)

    def verbatim(self, x: str, y: str) -> float:
        """Share of the text ``x`` shares with ``y`` that is near-exact, not paraphrased."""
        aligned = self.aligned.chars.get((x, y), 0)
        return self.aligned.exact.get((x, y), 0) / aligned if aligned else 0.0

    def identical(self, x: str, y: str) -> float:
        """Share of the text ``x`` shares with ``y`` in identical passages."""
        aligned = self.aligned.chars.get((x, y), 0)
        return self.aligned.identical.get((x, y), 0) / aligned if aligned else 0.0

    def extent(self, x: str, y: str, settings: LineageSettings) -> Extent:
        """How much text ``x`` and ``y`` share (:func:`extent_of`)."""
        sentences = min(self.aligned.sentences.get((x, y), 0), self.aligned.sentences.get((y, x), 0))
        return extent_of(self.coverage(x, y), self.coverage(y, x), sentences, settings)

    def form(self, derived: str, source: str, settings: LineageSettings) -> Form:
        """How ``derived`` carries the text it shares with ``source`` (:func:`form_of`)."""
        return form_of(self.verbatim(derived, source), self.identical(derived, source), settings)

    def carried(self, x: str, y: str) -> float:
        """Share of the text ``x`` shares with any document that ``y`` carries (own text left out)."""
        coverage = self.coverage(x, y)
        republished = 1.0 - self.own.get(x, 0.0)
        return min(1.0, coverage / republished) if republished > 0 else coverage

    def relation(self, derived: str, source: str, settings: LineageSettings) -> Relation:
        return relation_of(
            self.coverage(derived, source),
            self.coverage(source, derived),
            self.verbatim(derived, source),
            settings,
        )

    def neighbours(self, x: str) -> list[str]:
        return list(self.adjacent.get(x, ()))


def _adjacent(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Each document's pair partners, sorted.

    >>> _adjacent([("a", "c"), ("a", "b"), ("b", "c")])
    {'a': ['b', 'c'], 'c': ['a', 'b'], 'b': ['a', 'c']}
    """
    out: dict[str, list[str]] = defaultdict(list)
    for a, b in pairs:
        out[a].append(b)
        out[b].append(a)
    return {doc: sorted(others) for doc, others in out.items()}


def _clusters(ids: Sequence[str], pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Every id's group (the smallest member id), singletons included."""
    groups = cluster_ids(ids, list(pairs))
    return {i: groups.get(i, i) for i in ids}


def copy_marks(facts: DocFacts, than: DocFacts) -> list[str]:
    """Signs that ``facts``' page is itself a copy, compared with the page ``than``.

    >>> from provenance.api import document_from_text
    >>> s = LineageSettings()
    >>> late = document_facts(document_from_text("Title here\\n\\nMay 3, 2021\\n\\nText.", "late"), s)
    >>> early = document_facts(document_from_text("Title here\\n\\nMay 1, 2021\\n\\nText.", "early"), s)
    >>> copy_marks(late, early), copy_marks(early, late)
    (['dated 2021-05-03, after early (2021-05-01)'], [])
    """
    marks = []
    if facts.damage:
        marks.append(f"encoding damage ({facts.damage} repairs)")
    if facts.truncation:
        marks.append(facts.truncation[0].detail)
    date, other = facts.doc.metadata.date, than.doc.metadata.date
    if date and other and date > other and _contradiction(than, date) is None:
        marks.append(f"dated {date}, after {than.doc.id} ({other})")
    return marks


def duplicate_group(members: Sequence[str], facts: Mapping[str, DocFacts], settings: LineageSettings) -> DuplicateGroup:
    """Which of documents carrying the same text stands for them (the head), and why.

    In order: the page of an outlet the others credit for the piece (its own page), a page
    without the marks of a scraped copy (encoding damage, a truncation mark), the earliest
    stated date; else the first in corpus order, and the reason says nothing orders them.

    >>> from provenance.api import document_from_text
    >>> s = LineageSettings()
    >>> late = document_facts(document_from_text("A title here\\n\\nMay 3, 2021\\n\\nSame words.", "late"), s)
    >>> early = document_facts(document_from_text("A title here\\n\\nMay 1, 2021\\n\\nSame words.", "early"), s)
    >>> group = duplicate_group(["late", "early"], {"late": late, "early": early}, s)
    >>> group.head, group.copies, group.reason, group.confidence
    ('early', ('late',), 'early states the earliest date (2021-05-01)', 0.5276)
    """
    credited = {outlet for m in members for outlet, _ in facts[m].piece}
    latest = max((d for m in members if (d := facts[m].doc.metadata.date)), default="")

    def key(index: int) -> tuple[bool, int, str, int]:
        f = facts[members[index]]
        marks = int(f.damage > 0) + int(bool(f.truncation))
        # A stated date its own page contradicts (a later date in its text) orders nothing.
        date = f.doc.metadata.date if _contradiction(f, latest) is None else None
        return (not (f.self_outlets & credited), marks, date or "~", index)

    ranked = sorted(range(len(members)), key=key)
    head, runner = ranked[0], ranked[1]
    best, next_best = key(head), key(runner)
    name = members[head]
    weight = 0.0
    if best[0] != next_best[0]:
        outlet = sorted(facts[name].self_outlets & credited)[0]
        reason, weight = (
            f"{name} is {outlet}'s own page, and {outlet} is credited for the piece",
            settings.weight_credit_match,
        )
    elif best[1] != next_best[1]:
        reason = f"{name} has no marks of a scraped copy (encoding damage, truncation), unlike {members[runner]}"
        weight = settings.weight_damage
    elif best[2] != next_best[2]:
        reason, weight = f"{name} states the earliest date ({best[2]})", settings.weight_date
    else:
        reason = f"nothing in the texts orders them: {name}, the first in corpus order, stands for them"
    same_bytes = len({facts[m].doc.sha256 for m in members}) == 1
    copies = tuple(members[i] for i in sorted(ranked[1:]))
    return DuplicateGroup(name, copies, same_bytes, reason, round(confidence(weight, settings), 4))


def duplicate_groups(
    groups: Sequence[Sequence[str]], facts: Mapping[str, DocFacts], settings: LineageSettings
) -> tuple[tuple[DuplicateGroup, ...], dict[str, str]]:
    """Each group of identical texts (the candidate search's, first member paired) with its
    head, and the renames that make the heads stand for their groups in the pairs."""
    out = tuple(duplicate_group(g, facts, settings) for g in groups)
    return out, {g[0]: d.head for g, d in zip(groups, out, strict=True) if g[0] != d.head}


def _copy_edges(groups: Sequence[DuplicateGroup], edges: Mapping[str, LineageEdge]) -> dict[str, LineageEdge]:
    """The lineage of each copy in a group of identical texts, from its head's.

    A copy of a head that is itself a copy (of a document or an outside piece) is a sibling
    under the same parent; a copy of an original is a full republication of the head.
    """
    out: dict[str, LineageEdge] = {}
    for group in groups:
        head = edges[group.head]
        basis = "the same bytes" if group.same_bytes else "the same text once page furniture is set aside"
        same = Evidence("identical", f"{basis} as {group.head}, which stands for {len(group.copies) + 1} copies")
        why = Evidence("identical", f"head of the copies: {group.reason}")
        for copy in group.copies:
            if head.parent is not None and head.role not in ("original", "independent", "undecided"):
                edge = LineageEdge(copy, head.role, head.parent, head.relation, head.confidence, (same, *head.evidence))
            else:
                edge = LineageEdge(copy, "full republication", group.head, "full copy", group.confidence, (same, why))
            out[copy] = edge
    return out


def _external_outlets(graph: _Graph, settings: LineageSettings) -> dict[str, tuple[str, float, str]]:
    """Documents whose shared text belongs to an outlet outside the corpus.

    Returns doc -> (outlet, weight, how): ``credits`` when the document credits the
    outlet itself, ``carries`` when it carries text that a cluster member credits.
    An outlet that a cluster member identifies itself as is not external. Nor is a
    newspaper when a member carries the credited text without any credit of its own and
    without any sign of being a copy (scrape damage, a truncation mark, a later date): a
    careful reader takes that page for the outlet's own article, so the credit points to
    it. A news agency's own pages always carry its dateline, so an uncredited page with
    agency copy is one more syndicated copy whose credit was stripped.
    """
    members: dict[str, list[str]] = defaultdict(list)
    for doc, root in graph.cluster.items():
        members[root].append(doc)
    found: dict[str, tuple[str, float, str]] = {}
    for docs in members.values():
        selves = {o for d in docs for o in graph.facts[d].self_outlets}
        for doc in sorted(docs):
            for outlet, weight in graph.facts[doc].piece:
                if (
                    weight >= settings.external_min
                    and outlet not in selves
                    and (outlet in WIRE_AGENCIES or not _outlet_page(graph, doc, settings))
                ):
                    found[doc] = (outlet, weight, "credits")
                    break
        for doc in sorted(docs):
            if doc in found or graph.facts[doc].piece:
                continue
            carried = [
                (found[other][0], found[other][1], other)
                for other in graph.neighbours(doc)
                if found.get(other, ("", 0.0, ""))[2] == "credits" and graph.carried(other, doc) >= settings.carrier_min
            ]
            if carried:
                outlet, weight, other = max(carried, key=lambda c: (c[1], c[2]))
                found[doc] = (outlet, weight * settings.carrier_discount, f"carries:{other}")
    return found


def _outlet_page(graph: _Graph, doc: str, settings: LineageSettings) -> str | None:
    """A neighbour of crediting ``doc`` that may be the credited outlet's own page: it carries
    what ``doc`` credits, credits nobody and shows no sign of being a copy."""
    for other in graph.neighbours(doc):
        facts = graph.facts[other]
        if (
            not facts.piece
            and graph.carried(doc, other) >= settings.carrier_min
            and not copy_marks(facts, graph.facts[doc])
        ):
            return other
    return None


def _fuller_copies(
    graph: _Graph, external: Mapping[str, tuple[str, float, str]], settings: LineageSettings
) -> dict[str, str]:
    """For each document under an outside parent, the copy of the same piece it is judged against.

    That is the fuller copy (same outlet) holding most of the document's text; a
    document that no same-outlet copy holds more fully is itself the most complete copy
    in the corpus and maps to itself when it has siblings. Lone copies are left out.
    Judging pair by pair keeps two pieces of one agency apart even when round-ups that
    quote both link them into one cluster.
    """
    out: dict[str, str] = {}
    for doc in sorted(external):
        outlet = external[doc][0]
        siblings = [m for m in graph.neighbours(doc) if external.get(m, ("",))[0] == outlet]
        # Fuller: holds (nearly) all the text the document shares, and more of its own;
        # a round-up that quotes half of the document is not a fuller copy of its piece.
        fuller = [
            (graph.carried(doc, m), m)
            for m in siblings
            if graph.carried(doc, m) >= settings.full_min
            and graph.coverage(doc, m) > graph.coverage(m, doc) + _SHARE_STEP
        ]
        if fuller:
            out[doc] = max(fuller)[1]
        elif any(max(graph.coverage(doc, m), graph.coverage(m, doc)) >= settings.carrier_min for m in siblings):
            out[doc] = doc
    return out


def _upstream(graph: _Graph, doc: str) -> list[tuple[str, Direction]]:
    """Decided in-corpus sources of ``doc``, best first (most shared text, then confidence)."""
    ups: list[tuple[str, Direction]] = []
    for other in graph.neighbours(doc):
        d = graph.directions[graph.key(doc, other)]
        if d.derived() == doc:
            ups.append((other, d))
    shares = graph.shares.get(doc, {})

    def rank(item: tuple[str, Direction]) -> tuple[int, int, float, str]:
        # Most shared text first; then a page this document credits by its publisher's name
        # (direct provenance, stronger than any generic signal); then confidence.
        other, d = item
        named = any(e.kind == "publisher" for e in d.evidence)
        share = shares.get(other, graph.containment(doc, other))
        return (-round(share / _SHARE_STEP), -named, -round(d.confidence, 2), other)

    ups.sort(key=rank)
    if len(ups) > 1 and rank(ups[0])[:3] == rank(ups[1])[:3]:
        # Equally good upstreams (identical text, equal evidence): the least derived one,
        # the original rather than one of its copies.
        tied = [u for u in ups if rank(u)[:3] == rank(ups[0])[:3]]

        def depth(item: tuple[str, Direction]) -> int:
            # Two upstreams need not share text with each other (each holds a different
            # part of ``doc``): no direction between them then.
            return sum(
                1
                for other, _ in tied
                if other != item[0]
                and (between := graph.directions.get(graph.key(item[0], other))) is not None
                and between.derived() == item[0]
            )

        best = min(tied, key=lambda item: (depth(item), item[0]))
        ups.remove(best)
        ups.insert(0, best)
    return ups


def _role(
    graph: _Graph,
    doc: str,
    choice: _Choice,
    via: str | None,
    settings: LineageSettings,
) -> Role:
    """The role of ``doc`` given its chosen parent; ``via`` is the in-corpus document that
    carries the parent's text (the parent itself, or a sibling carrying an external piece)."""
    facts = graph.facts[doc]
    if facts.translation and sum(e.score or 0.0 for e in facts.translation) >= settings.translation_min:
        return "translated republication"
    if choice.parent is None:
        return "undecided" if choice.undecided else "original"
    if via is None:
        # An outside parent and no copy of its text in the corpus: the credit decides.
        kinds = {c.cue.kind for c in facts.credits if c.scope == "piece"}
        if kinds & {"reported", "according to"} and not kinds - {"reported", "according to"}:
            return "attributed rewrite"
        return "excerpt with commentary" if facts.commentary else "full republication"
    relation = choice.relation
    if relation == "rewrite":
        credited = any(c.scope == "piece" for c in facts.credits)
        return "attributed rewrite" if credited else "rewrite"
    if via == doc:
        # The most complete copy of an outside piece in the corpus: its text that no sibling
        # carries is still the piece's, so its own share says nothing about commentary.
        return "full republication"
    own = graph.own.get(doc, 0.0)
    if own >= settings.commentary_min:
        return "excerpt with commentary"
    if graph.coverage(via, doc) >= settings.full_min:
        return "full republication"
    return "excerpt"


def infer_lineage(
    documents: Sequence[Document],
    pairs: Sequence[PairScores],
    passages: Sequence[AlignedPassage],
    compositions: Sequence[CompositionLike],
    settings: LineageSettings,
    *,
    quote_balance: Mapping[tuple[str, str], int] | None = None,
    shared_statements: Sequence[Sequence[str]] = (),
    facts: Mapping[str, DocFacts] | None = None,
    duplicates: Sequence[DuplicateGroup] = (),
) -> tuple[tuple[LineageEdge, ...], tuple[PairRelation, ...]]:
    """Roles, parents and evidence for every document, and a relation for every related pair.

    ``quote_balance[(a, b)]`` (``a < b``) counts shared quotes that ``a`` carries shortened
    and ``b`` in full, minus the reverse. ``shared_statements`` are the documents of each
    statement several documents carry: an original that shares such a statement with a
    document it shares no text with is ``independent`` coverage. Pairs that share only
    statements get no relation: their quote trails say it.
    ``facts`` are the documents' :func:`document_facts` when worker processes read them already.
    ``duplicates`` are groups of documents carrying the same text (:func:`duplicate_group`):
    the head stands for its copies in ``pairs`` and ``passages``, and each copy's lineage
    follows the head's.

    Cost: linear in documents, pairs and statement occurrences, times a document's number
    of text partners for each statement it carries; never the pairs inside a quote trail.
    """
    balance = quote_balance or {}
    if facts is None:
        facts = {doc.id: document_facts(doc, settings) for doc in documents}
    else:
        facts = {doc.id: facts[doc.id] for doc in documents}
    by_pair = {(p.a, p.b) if p.a < p.b else (p.b, p.a): p for p in pairs if p.a in facts and p.b in facts}
    directions = {
        key: direction(p, facts[p.a], facts[p.b], settings, _oriented(balance, p.a, p.b)) for key, p in by_pair.items()
    }
    aligned = aligned_chars(passages, settings)
    graph = _Graph(
        facts=facts,
        pairs=by_pair,
        directions=directions,
        aligned=aligned,
        shares={c.doc: {s.doc: s.share for s in c.sources} for c in compositions},
        chars={c.doc: c.chars for c in compositions},
        own={c.doc: c.original_share for c in compositions},
        cluster=_clusters(sorted(facts), by_pair),
        adjacent=_adjacent(by_pair),
    )
    external = _external_outlets(graph, settings)
    heads = _fuller_copies(graph, external, settings)
    independent = _independent(shared_statements, graph.adjacent, settings.independent_examples)
    edges: list[LineageEdge] = []
    relations: dict[tuple[str, str], PairRelation] = {}
    for doc in sorted(facts):
        choice, via = _choose(graph, doc, external, heads, settings)
        role = _role(graph, doc, choice, via, settings)
        if role == "original" and doc in independent:
            role = "independent"
            count, examples = independent[doc]
            statements = f"{count} statement{'s' if count > 1 else ''}"
            choice.evidence.append(
                Evidence("quotes", f"carries {statements} also quoted by documents it shares no text with: {examples}")
            )
        if role == "translated republication":
            choice.relation = "translation"
            choice.evidence.extend(facts[doc].translation)
        if role == "original" and not choice.evidence:
            choice.evidence.append(Evidence("no upstream", _no_upstream(graph.neighbours(doc))))
            choice.evidence.extend(
                Evidence(
                    "credit",
                    f"names {c.outlet} for one fact only: “{_cue_line(facts[doc].doc, c.cue.span)}”",
                    c.weight,
                    c.cue.span,
                )
                for c in facts[doc].credits
                if c.scope == "fact"
            )
        if role == "original":
            choice.confidence = settings.original_confidence
        edges.append(
            LineageEdge(
                doc=doc,
                role=role,
                parent=choice.parent,
                relation=choice.relation,
                confidence=round(choice.confidence, 4),
                evidence=tuple(choice.evidence),
                undecided=choice.undecided,
            )
        )
    copies = _copy_edges(duplicates, {e.doc: e for e in edges})
    edges = [copies.get(e.doc, e) for e in edges]
    by_doc = {e.doc: e for e in edges}  # once, not per pair (O(pairs x documents) at 100k, issue 9)
    for key, pair in by_pair.items():
        relations[key] = _pair_relation(graph, pair, by_doc, settings)
    return tuple(edges), tuple(relations[k] for k in sorted(relations))


def _no_upstream(copies: Sequence[str]) -> str:
    """Why a document is an original: nothing upstream of it, and what shares its text.

    >>> _no_upstream([])
    'no shared text with another document and no credit for the piece'
    >>> _no_upstream(["b", "c", "d", "e"])
    'shares text with 4 documents, each a copy of it (b, c, d and 1 more), and no credit for the piece'
    """
    if not copies:
        return "no shared text with another document and no credit for the piece"
    named = ", ".join(copies[:_COPIES_NAMED])
    rest = len(copies) - _COPIES_NAMED
    names = named + (f" and {rest} more" if rest > 0 else "")
    plural = "s, each" if len(copies) > 1 else ","
    return f"shares text with {len(copies)} document{plural} a copy of it ({names}), and no credit for the piece"


def _oriented(balance: Mapping[tuple[str, str], int], a: str, b: str) -> int:
    return balance.get((a, b), 0) - balance.get((b, a), 0)


def _independent(
    statements: Iterable[Sequence[str]], adjacent: Mapping[str, Sequence[str]], examples: int
) -> dict[str, tuple[int, str]]:
    """Documents carrying a statement that a document they share no text with carries too:
    how many such statements, and up to ``examples`` of those documents (with a count of the rest).

    Per statement and member, the member's text partners are looked up in the statement's
    documents (a set): the cost is the member's number of pairs, not the statement's size.

    >>> _independent([("a", "b", "c"), ("a", "b")], {"a": ["b"], "b": ["a"]}, 1)
    {'a': (1, 'c'), 'b': (1, 'c'), 'c': (1, 'a and at least 1 more')}
    """
    count: dict[str, int] = defaultdict(int)
    found: dict[str, list[str]] = defaultdict(list)
    more: dict[str, int] = defaultdict(int)
    for docs in statements:
        members = set(docs)
        for doc in docs:
            partners = adjacent.get(doc, ())
            linked = sum(1 for other in partners if other in members)
            strangers = len(members) - 1 - linked
            if strangers <= 0:
                continue
            count[doc] += 1
            named = found[doc]
            if len(named) < examples:
                text_partners = set(partners)
                for other in docs:
                    if other != doc and other not in text_partners and other not in named:
                        named.append(other)
                        if len(named) == examples:
                            break
            more[doc] = max(more[doc], strangers)
    out: dict[str, tuple[int, str]] = {}
    for doc in sorted(count):
        named = sorted(found[doc])
        rest = more[doc] - len(named)
        out[doc] = (count[doc], ", ".join(named) + (f" and at least {rest} more" if rest > 0 else ""))
    return out


def _choose(
    graph: _Graph,
    doc: str,
    external: Mapping[str, tuple[str, float, str]],
    heads: Mapping[str, str],
    settings: LineageSettings,
) -> tuple[_Choice, str | None]:
    """The parent of ``doc``, its relation and evidence, and the in-corpus carrier of its text."""
    choice = _Choice()
    ups = _upstream(graph, doc)
    outside = external.get(doc)
    if outside is not None:
        outlet, weight, how = outside
        choice.parent = EXTERNAL + outlet
        choice.confidence = confidence(weight, settings)
        facts = graph.facts[doc]
        for credit in facts.credits:
            if credit.scope == "piece" and credit.outlet == outlet:
                choice.evidence.append(_credit_evidence(facts.doc, credit))
        if how.startswith("carries:"):
            other = how.split(":", 1)[1]
            choice.evidence.append(
                Evidence(
                    "carrier",
                    f"carries the text that {other} credits to {outlet} "
                    f"({graph.containment(other, doc):.0%} of {other}'s shingles), "
                    f"and does not identify itself as {outlet}",
                    weight * settings.carrier_discount,
                )
            )
        via = heads.get(doc)
        if via is not None and via != doc and graph.key(doc, via) not in graph.pairs:
            via = None
        if via is not None and via != doc:
            choice.evidence.append(
                Evidence(
                    "sibling",
                    f"{graph.containment(doc, via):.0%} of its shingles are in {via}, the most complete copy of the "
                    f"{outlet} piece in the corpus: siblings under {EXTERNAL}{outlet}, not a chain",
                    None,
                )
            )
            d = graph.directions[graph.key(doc, via)]
            choice.evidence.extend(e for e in _oriented_evidence(d, doc) if e.score and e.score > 0)
        choice.evidence.extend(_supporting(facts, outlet, settings))
        if via is not None and via != doc:
            choice.relation = graph.relation(doc, via, settings)
        elif via == doc:
            choice.relation = "full copy"
        else:
            choice.relation = "rewrite" if _lead_credit_only(graph.facts[doc]) else "full copy"
        return choice, via
    if ups:
        parent, d = ups[0]
        choice.parent = parent
        choice.confidence = d.confidence
        choice.evidence.extend(_oriented_evidence(d, doc))
        choice.relation = graph.relation(doc, parent, settings)
        return choice, parent
    undecided = tuple(other for other in graph.neighbours(doc) if not graph.directions[graph.key(doc, other)].decided)
    if undecided:
        choice.undecided = undecided
        for other in undecided:
            d = graph.directions[graph.key(doc, other)]
            choice.evidence.append(
                Evidence(
                    "undecided", f"shares text with {other}, but the direction is undecided (score {d.score:+.2f})"
                )
            )
            choice.evidence.extend(_oriented_evidence(d, doc))
    return choice, None


def _cue_line(doc: Document, span: Span, limit: int = 90) -> str:
    """The cue in its line: the whole line when short (a credit prefix's match ends one
    letter into the headline), else a window around the cue, cut with "…".

    >>> from provenance.api import document_from_text
    >>> doc = document_from_text("Title of it all\\n\\nCNBC: Markets fall as rates rise")
    >>> _cue_line(doc, Span(17, 24))
    'CNBC: Markets fall as rates rise'
    """
    start = doc.clean.rfind("\n", 0, span.start) + 1
    end = doc.clean.find("\n", span.end)
    end = len(doc.clean) if end < 0 else end
    if end - start <= limit:
        return doc.clean[start:end].strip()
    margin = max(0, (limit - len(span)) // 2)
    left = max(start, span.start - margin)
    right = min(end, left + limit)
    text = doc.clean[left:right].strip()
    return ("…" if left > start else "") + text + ("…" if right < end else "")


def _credit_evidence(doc: Document, credit: Credit) -> Evidence:
    return Evidence("credit", f"{credit.reason}: “{_cue_line(doc, credit.cue.span)}”", credit.weight, credit.cue.span)


def _supporting(facts: DocFacts, outlet: str, settings: LineageSettings) -> list[Evidence]:
    """Cues that agree with an outside parent without deciding it: the outlet named for a
    fact or a show ("said on CNBC's"), and scrape damage (a copy, not the outlet's page)."""
    out = [
        Evidence(
            "credit",
            f"also names {outlet}: “{_cue_line(facts.doc, c.cue.span)}” ({c.reason})",
            c.weight,
            c.cue.span,
        )
        for c in facts.credits
        if c.outlet == outlet and c.scope == "fact"
    ]
    if facts.damage:
        out.append(
            Evidence(
                "damage",
                f"encoding damage typical of scraped copies ({facts.damage} repairs): "
                "a copy, not the outlet's own page",
                settings.weight_damage,
            )
        )
    return out


def _lead_credit_only(facts: DocFacts) -> bool:
    kinds = {c.cue.kind for c in facts.credits if c.scope == "piece"}
    return bool(kinds) and kinds <= {"reported", "according to"}


def _oriented_evidence(d: Direction, doc: str) -> list[Evidence]:
    """The pair's evidence with scores signed from ``doc``'s side (positive: ``doc`` is the copy)."""
    sign = 1.0 if d.a == doc else -1.0
    return [Evidence(e.kind, e.detail, None if e.score is None else round(sign * e.score, 4), None) for e in d.evidence]


def _pair_relation(
    graph: _Graph,
    pair: PairScores,
    edges: Mapping[str, LineageEdge],
    settings: LineageSettings,
) -> PairRelation:
    a, b = (pair.a, pair.b) if pair.a < pair.b else (pair.b, pair.a)
    d = graph.directions[(a, b)]
    ea, eb = edges[a], edges[b]
    derived: str | None
    source: str | None
    if ea.parent == b or eb.parent == a:
        derived, source = (a, b) if ea.parent == b else (b, a)
        confidence_ = (ea if derived == a else eb).confidence
    elif ea.parent is not None and ea.parent == eb.parent and ea.parent.startswith(EXTERNAL):
        # Siblings of one outside piece: the one whose text is contained in the other is
        # the derived side of this pair, and the source is the outside piece.
        derived = a if graph.coverage(a, b) >= graph.coverage(b, a) else b
        source = ea.parent
        confidence_ = min(ea.confidence, eb.confidence)
    elif d.decided:
        derived, source, confidence_ = d.derived(), d.source(), d.confidence
    else:
        # Undirected: the relation as seen from the side more of whose text the other holds.
        side = a if graph.coverage(a, b) >= graph.coverage(b, a) else b
        other = b if side == a else a
        relation_ = graph.relation(side, other, settings)
        form_ = graph.form(side, other, settings)
        return PairRelation(a, b, relation_, None, None, 0.0, d.evidence, graph.extent(a, b, settings), form_)
    if derived is None:  # pragma: no cover (decided directions always name a side)
        raise AssertionError(f"decided pair {a}–{b} without a derived side")
    other = b if derived == a else a
    relation: Relation
    form: Form
    if edges[derived].role == "translated republication":
        relation, form = "translation", "translated"
    else:
        relation, form = graph.relation(derived, other, settings), graph.form(derived, other, settings)
    extent = graph.extent(a, b, settings)
    return PairRelation(a, b, relation, derived, source, round(confidence_, 4), d.evidence, extent, form)
