"""Quote trails: the same quote across documents, each occurrence compared with the fullest one.

Candidate generation is linear in the number of quotes: identical quotes (same
words after folding case, quote marks and punctuation) collapse into one variant
first, so a wire quote republished by 500 sites is one entry; variants are then
indexed by word n-grams, n-grams shared by too many variants (stock phrases) are
dropped, each variant probes the index with its few rarest n-grams, and only the
variants found that way are scored with rapidfuzz (at most ``max_candidates``
each), never all pairs. Two variants are one quote when the shorter one's words are contained
in the longer one (trimmed, cut at an ellipsis, bracketed insertions) or when the
two are nearly equal (changed words); short phrases link only to nearly equal
phrases, so "no limits" never joins every statement that contains those words.

Each occurrence is ``verbatim``, ``trimmed`` (words only left out) or ``altered``
against the trail's most complete version, with the word-level difference. The
first known occurrence comes from a lineage parent map when given, else from the
documents' stated dates, else it is ``undecided``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from provenance.model import Document, DocumentQuotes, Quote, QuoteForm, QuoteOccurrence, QuoteTrail
from provenance.quotes import extract_quotes
from provenance.settings import QuoteSettings
from provenance.speakers import same_person
from provenance.text import matching_key

_STRIP = "\"'“”‘’«»„‚「」『』()[]{},.;:!?…—–-"


def words(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Comparison keys and display forms of the words of a quote.

    Keys are folded (case, quote marks, punctuation); a whitespace word that folds
    into several tokens (``build-up``, Chinese characters) gives one unit per token.

    >>> words("China [isn’t] going, “really”…")
    (('china', "isn't", 'going', 'really'), ('China', 'isn’t', 'going', 'really'))
    """
    keys: list[str] = []
    shown: list[str] = []
    for word in text.split():
        bare = word.strip(_STRIP)
        if bare.isascii() and bare.isalnum():  # the common case, without the full folding
            keys.append(bare.lower())
            shown.append(bare)
            continue
        key = matching_key(word)
        if not key:
            continue
        parts = key.split(" ")
        if len(parts) == 1:
            keys.append(key)
            shown.append(word.strip(_STRIP) or word)
        else:
            keys.extend(parts)
            shown.extend(parts)
    return tuple(keys), tuple(shown)


@dataclass(frozen=True, slots=True)
class _Variant:
    keys: tuple[str, ...]
    shown: tuple[str, ...]
    members: tuple[int, ...]  # indices into the quote list
    statement: bool


def _variants(quotes: Sequence[Quote]) -> list[_Variant]:
    grouped: dict[tuple[str, ...], list[int]] = defaultdict(list)
    shown: dict[tuple[str, ...], tuple[str, ...]] = {}
    # One string object per distinct word: the words of 380k quotes (100k articles) took
    # ~1 GB as separate strings while trails were grouped (issue 9).
    same: dict[str, str] = {}
    for index, quote in enumerate(quotes):
        keys, display = words(quote.text)
        if not keys:
            continue
        keys = tuple([same.setdefault(word, word) for word in keys])
        grouped[keys].append(index)
        if keys not in shown:
            shown[keys] = tuple([same.setdefault(word, word) for word in display])
    out = []
    for keys, members in grouped.items():
        statement = sum(quotes[i].kind == "statement" for i in members) * 2 >= len(members)
        out.append(_Variant(keys, shown[keys], tuple(members), statement))
    out.sort(key=lambda v: min((quotes[i].doc, quotes[i].raw.start) for i in v.members))
    return out


Gram = int
# Each variant's distinct n-grams: an int64 array when every n-gram fits in 63 bits (a set
# of ~20 Python ints took ~1.9 KB a quote, 740 MB for the 390k quotes of 100k articles),
# else a set of Python ints.
Grams = np.ndarray | set[Gram]


def _gram_sets(variants: Sequence[_Variant], n: int) -> list[Grams]:
    """Each variant's distinct word n-grams, words numbered in order of first appearance
    (fast to hash, and deterministic to sort, unlike Python's salted string hashes).

    An n-gram is one integer, its word numbers as digits in base (number of distinct
    words): ordered as the tuples of numbers would be.

    >>> v = [_Variant(("a", "b", "c", "d"), (), (0,), True), _Variant(("b", "c", "d"), (), (1,), True)]
    >>> [sorted(int(g) for g in held) for held in _gram_sets(v, 3)]
    [[6, 27], [27]]
    """
    numbers: dict[str, int] = {}
    for variant in variants:
        for word in variant.keys:
            numbers.setdefault(word, len(numbers))
    base = max(len(numbers), 1)
    packed = base**n < 1 << 63
    out: list[Grams] = []
    for variant in variants:
        codes = [numbers[word] for word in variant.keys]
        grams = codes[: max(0, len(codes) - n + 1)]
        for k in range(1, n):
            grams = [gram * base + code for gram, code in zip(grams, codes[k:], strict=False)]
        out.append(np.unique(np.array(grams, dtype=np.int64)) if packed else set(grams))
    return out


def _postings(grams: Sequence[Grams], settings: QuoteSettings) -> dict[Gram, list[int]]:
    """Word n-gram -> variants holding it (in order), without n-grams too common to discriminate.

    Counted with numpy for packed n-grams: a dict holding a list for every n-gram of 380k
    quotes (most n-grams occur once) took ~1 GB (issue 9).

    >>> _postings([np.array(g) for g in ([1, 2], [2, 3], [2, 3, 5], [9])], QuoteSettings(max_postings=2))
    {3: [1, 2]}
    """
    arrays = [held for held in grams if isinstance(held, np.ndarray)]
    if not arrays or len(arrays) < len(grams):
        return _postings_by_dict(grams, settings)
    lengths = np.array([held.size for held in arrays], dtype=np.int64)
    flat = np.concatenate(arrays).astype(np.int64)
    owners = np.repeat(np.arange(len(arrays), dtype=np.int64), lengths)
    order = np.argsort(flat, kind="stable")  # equal n-grams keep their variants in order
    flat, owners = flat[order], owners[order]
    starts = np.flatnonzero(np.concatenate(([True], flat[1:] != flat[:-1]))) if flat.size else flat
    counts = np.diff(np.concatenate((starts, [flat.size])))
    kept = np.flatnonzero((counts > 1) & (counts <= settings.max_postings))
    return {
        int(flat[starts[k]]): owners[starts[k] : starts[k] + counts[k]].tolist()
        for k in kept.tolist()
    }


def _postings_by_dict(grams: Sequence[Grams], settings: QuoteSettings) -> dict[Gram, list[int]]:
    postings: dict[Gram, list[int]] = defaultdict(list)
    for index, held in enumerate(grams):
        for gram in held:
            postings[int(gram)].append(index)
    return {gram: ids for gram, ids in postings.items() if 1 < len(ids) <= settings.max_postings}


def _candidates(variants: Sequence[_Variant], settings: QuoteSettings) -> set[tuple[int, int]]:
    """Every pair of variants sharing an indexed n-gram (for measurements; grouping visits them lazily)."""
    pairs: set[tuple[int, int]] = set()
    for ids in _postings(_gram_sets(variants, settings.ngram_words), settings).values():
        for a_pos, a in enumerate(ids):
            pairs.update((a, b) for b in ids[a_pos + 1 :])
    return pairs


def matched_words(a: Sequence[str], b: Sequence[str], min_block: int) -> int:
    """Words of ``a`` found in ``b`` in order, in runs of at least ``min_block`` words
    (or the whole of ``a`` when it is shorter).

    >>> matched_words("the russians would not".split(), "said the russians would not act".split(), 2)
    4
    """
    block = min(min_block, len(a))
    return sum(
        op.src_end - op.src_start
        for op in Indel.opcodes(a, b)
        if op.tag == "equal" and op.src_end - op.src_start >= block
    )


def same_quote(a: _Variant, b: _Variant, settings: QuoteSettings) -> float:
    """A score in [0, 1] when two variants are one quote, else 0.0."""
    short, long_ = (a, b) if len(a.keys) <= len(b.keys) else (b, a)
    if short.statement and long_.statement and len(short.keys) >= settings.trim_min_words:
        # The longest common subsequence bounds the matched runs from above and is cheaper.
        common = (len(short.keys) + len(long_.keys) - Indel.distance(short.keys, long_.keys)) / 2
        if common >= settings.link_containment * len(short.keys):
            contained = matched_words(short.keys, long_.keys, settings.min_block_words) / len(short.keys)
            if contained >= settings.link_containment:
                return contained
    ratio = fuzz.ratio(" ".join(a.keys), " ".join(b.keys), score_cutoff=settings.link_ratio * 100) / 100.0
    return ratio if ratio >= settings.link_ratio else 0.0


def _groups(variants: Sequence[_Variant], settings: QuoteSettings) -> list[list[int]]:
    parent = list(range(len(variants)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    grams = _gram_sets(variants, settings.ngram_words)
    postings = _postings(grams, settings)
    for index, variant in enumerate(variants):
        # Probe with the variant's rarest indexed n-grams: a trimmed copy's rarest n-grams
        # are in its full version too, and rare n-grams are the discriminating ones.
        held = grams[index]
        indexed = [g for g in (held.tolist() if isinstance(held, np.ndarray) else held) if g in postings]
        probes = sorted(indexed, key=lambda g: (len(postings[g]), g))[: settings.probe_grams]
        shared: Counter[int] = Counter(other for gram in probes for other in postings[gram] if other != index)
        ranked = sorted(shared.items(), key=lambda item: (-item[1], item[0]))
        for other, _count in ranked[: settings.max_candidates]:
            ra, rb = find(index), find(other)
            if ra != rb and same_quote(variant, variants[other], settings) > 0:
                parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(variants)):
        groups[find(index)].append(index)
    return list(groups.values())


def word_diff(
    ref: Sequence[str], ref_shown: Sequence[str], occ: Sequence[str], occ_shown: Sequence[str], *, list_max: int
) -> tuple[QuoteForm, str]:
    """The form of an occurrence against the reference, and the word-level difference.

    Left-out words are ``-word``, added ones ``+word``; runs longer than ``list_max``
    are counted (``-[12 words at start]``).

    >>> r = "we will not send military help".split()
    >>> word_diff(r, r, r[2:], r[2:], list_max=4)
    ('trimmed', '-we -will')
    >>> o = ["we", "won't", "send", "military", "help"]
    >>> word_diff(r, r, o, o, list_max=4)
    ('altered', "-will -not +won't")
    """
    parts: list[str] = []
    altered = False
    for src_start, src_end, dest_start, dest_end in _changes(ref, occ):
        removed = list(ref_shown[src_start:src_end])
        added = list(occ_shown[dest_start:dest_end])
        if src_start == 0 and dest_start == 0:
            where = "at start"
        elif src_end == len(ref) and dest_end == len(occ):
            where = "at end"
        else:
            where = "inside"
        altered = altered or bool(added)
        for sign, items in (("-", removed), ("+", added)):
            if len(items) > list_max:
                parts.append(f"{sign}[{len(items)} words {where}]")
            else:
                parts.extend(sign + item for item in items)
    if not parts:
        return "verbatim", ""
    return ("altered" if altered else "trimmed"), " ".join(parts)


def _changes(ref: Sequence[str], occ: Sequence[str]) -> list[tuple[int, int, int, int]]:
    """Runs of differing words as (ref start, ref end, occ start, occ end), adjacent edits merged."""
    out: list[tuple[int, int, int, int]] = []
    for op in Indel.opcodes(ref, occ):
        if op.tag == "equal":
            continue
        if out and out[-1][1] == op.src_start and out[-1][3] == op.dest_start:
            out[-1] = (out[-1][0], op.src_end, out[-1][2], op.dest_end)
        else:
            out.append((op.src_start, op.src_end, op.dest_start, op.dest_end))
    return out


def _speakers(quotes: Iterable[Quote]) -> tuple[str | None, tuple[str, ...], bool]:
    """The trail's speaker, every distinct person named, and whether they conflict."""
    counts = Counter(q.attribution.speaker for q in quotes if q.attribution.speaker)
    groups: list[list[str]] = []
    for name in sorted(counts, key=lambda n: (-counts[n], n)):
        for group in groups:
            if all(same_person(name, other) for other in group):
                group.append(name)
                break
        else:
            groups.append([name])
    if not groups:
        return None, (), False
    best = max(groups, key=lambda g: (sum(counts[n] for n in g), max(len(n) for n in g)))
    speaker = max(best, key=lambda n: (len(n.split()), counts[n], n))
    names = tuple(sorted(counts))
    return speaker, names, len(groups) > 1


def first_occurrence(
    docs: Sequence[str], dates: Mapping[str, str | None], parents: Mapping[str, str | None] | None
) -> tuple[str, str]:
    """The document of the first known occurrence and how it was decided.

    >>> first_occurrence(["b", "a"], {"a": "2021-12-16", "b": None}, {"b": "a"})
    ('a', 'lineage: a is upstream of b')
    >>> first_occurrence(["b", "a"], {"a": "2021-12-16", "b": "2021-12-15"}, None)
    ('b', 'date: 2021-12-15 before 2021-12-16')
    >>> first_occurrence(["b", "a"], {"a": "2021-12-16", "b": None}, None)
    ('undecided', 'no stated date in b')
    >>> first_occurrence(["b", "a"], {}, {"a": "external:CNBC", "b": "external:CNBC"})
    ('external:CNBC', 'lineage: a, b carry the external:CNBC piece')
    """
    unique = sorted(set(docs))
    if len(unique) == 1:
        return unique[0], "only document"
    candidates = unique
    if parents:
        members = set(unique)
        roots = [d for d in unique if not _has_ancestor_in(d, members, parents)]
        if len(roots) == 1:
            others = ", ".join(d for d in unique if d != roots[0])
            return roots[0], f"lineage: {roots[0]} is upstream of {others}"
        outside = {parents.get(d) for d in roots}
        if len(outside) == 1 and (parent := outside.pop()) is not None and parent.startswith("external:"):
            # Siblings of one outside piece: the quote was first in that piece.
            return parent, f"lineage: {', '.join(roots)} carry the {parent} piece"
        candidates = roots or unique
    undated = [d for d in candidates if not dates.get(d)]
    if undated:
        return "undecided", f"no stated date in {', '.join(undated)}"
    ordered = sorted(candidates, key=lambda d: (dates[d] or "", d))
    first, second = ordered[0], ordered[1]
    if dates[first] == dates[second]:
        return "undecided", f"same date {dates[first]} in {first} and {second}"
    return first, f"date: {dates[first]} before {dates[second]}"


def _has_ancestor_in(doc: str, members: set[str], parents: Mapping[str, str | None]) -> bool:
    seen = {doc}
    current = parents.get(doc)
    while current is not None and current not in seen:
        if current in members:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def _reference(members: Sequence[_Variant]) -> _Variant:
    """The most complete version: the longest, and among near-longest ones the version
    that carries most of the others' words (so a changed word does not become the text)."""
    if len(members) == 1:
        return members[0]
    longest = max(len(v.keys) for v in members)
    near = sorted((v for v in members if len(v.keys) * 10 >= longest * 9), key=lambda v: -len(v.keys))[:5]

    def carried(candidate: _Variant) -> int:
        return sum(matched_words(other.keys, candidate.keys, 1) * len(other.members) for other in members)

    return max(near, key=lambda v: (carried(v), len(v.keys), len(v.members)))


def build_trails(
    quotes: Sequence[Quote],
    dates: Mapping[str, str | None],
    settings: QuoteSettings,
    parents: Mapping[str, str | None] | None = None,
) -> tuple[QuoteTrail, ...]:
    """Group quotes into trails; ``parents`` (document → upstream document) orders them when known."""
    variants = _variants(quotes)
    trails: list[QuoteTrail] = []
    for group in _groups(variants, settings):
        for members, ref in _around_references([variants[i] for i in group], settings):
            trails.append(_trail(quotes, members, ref, dates, settings, parents))
    trails.sort(key=_trail_order)
    return tuple(trails)


def _around_references(members: list[_Variant], settings: QuoteSettings) -> list[tuple[list[_Variant], _Variant]]:
    """Split a linked group around its most complete versions.

    Single linkage chains: two different long quotes that both embed a third one
    (a statement quoted inside each) end up in one group. Every member must match
    the trail's reference itself; the rest form trails of their own.
    """
    out: list[tuple[list[_Variant], _Variant]] = []
    remaining = members
    while remaining:
        ref = _reference(remaining)
        kept = [v for v in remaining if v is ref or same_quote(v, ref, settings) > 0]
        out.append((kept, ref))
        remaining = [v for v in remaining if not any(v is k for k in kept)]
    return out


def _trail(
    quotes: Sequence[Quote],
    members: Sequence[_Variant],
    ref: _Variant,
    dates: Mapping[str, str | None],
    settings: QuoteSettings,
    parents: Mapping[str, str | None] | None,
) -> QuoteTrail:
    """One trail: every occurrence compared with the reference version."""
    occurrences: list[QuoteOccurrence] = []
    for variant in members:
        if variant is ref:  # most trails are one quote, compared with itself
            occurrences.extend(QuoteOccurrence(quotes[i], "verbatim", "", 1.0, 1.0) for i in variant.members)
            continue
        form, diff = word_diff(ref.keys, ref.shown, variant.keys, variant.shown, list_max=settings.diff_list_max)
        matched = matched_words(variant.keys, ref.keys, 1)
        contained, complete = matched / len(variant.keys), matched / len(ref.keys)
        occurrences.extend(QuoteOccurrence(quotes[i], form, diff, contained, complete) for i in variant.members)
    occurrences.sort(key=lambda o: (o.quote.doc, o.quote.raw.start))
    first_quote = occurrences[0].quote
    speaker, names, conflict = _speakers(o.quote for o in occurrences)
    docs = tuple(sorted({o.quote.doc for o in occurrences}))
    first, basis = first_occurrence(docs, dates, parents)
    ref_quote = quotes[ref.members[0]]
    return QuoteTrail(
        trail=f"{first_quote.doc}#{first_quote.raw.start}",
        text=ref_quote.text,
        kind="statement" if ref.statement else "phrase",
        speaker=speaker,
        speakers=names,
        conflicting_speakers=conflict,
        occurrences=tuple(occurrences),
        docs=docs,
        first=first,
        first_basis=basis,
    )


def _trail_order(trail: QuoteTrail) -> tuple[int, int, str, int]:
    first = trail.occurrences[0].quote
    return (-len(trail.docs), -len(trail.occurrences), first.doc, first.raw.start)


def with_lineage(
    trails: Sequence[QuoteTrail], dates: Mapping[str, str | None], parents: Mapping[str, str | None]
) -> tuple[QuoteTrail, ...]:
    """The trails with their first occurrence decided again from a lineage parent map.

    Quotes are traced before lineage exists (lineage uses them as evidence); once it
    does, this re-decides ``first`` without tracing again.
    """
    out = []
    for trail in trails:
        first, basis = first_occurrence(trail.docs, dates, parents)
        out.append(replace(trail, first=first, first_basis=basis))
    return tuple(out)


def document_counts(documents: Sequence[Document], trails: Sequence[QuoteTrail]) -> tuple[DocumentQuotes, ...]:
    """Per document: quotes carried, statements, phrases, and how many are shared with others."""
    totals: Counter[str] = Counter()
    statements: Counter[str] = Counter()
    shared: Counter[str] = Counter()
    partners: dict[str, set[str]] = defaultdict(set)
    for trail in trails:
        for occurrence in trail.occurrences:
            doc = occurrence.quote.doc
            totals[doc] += 1
            statements[doc] += occurrence.quote.kind == "statement"
            if len(trail.docs) > 1:
                shared[doc] += 1
                partners[doc].update(d for d in trail.docs if d != doc)
    return tuple(
        DocumentQuotes(
            doc=d.id,
            quotes=totals[d.id],
            statements=statements[d.id],
            phrases=totals[d.id] - statements[d.id],
            shared=shared[d.id],
            shared_with=tuple(sorted(partners[d.id])),
        )
        for d in documents
    )


def quote_balance(trails: Iterable[QuoteTrail]) -> dict[tuple[str, str], int]:
    """For each document pair ``(a, b)`` with ``a < b``: shared statements ``a`` carries
    less completely than ``b``, minus the reverse (a direction signal for lineage: the
    copy trims quotes, the source has them in full).

    >>> from provenance.model import Attribution, Quote, QuoteOccurrence, QuoteTrail, Span
    >>> def occ(doc, complete):
    ...     q = Quote(doc, Span(0, 1), Span(0, 1), "x", "statement", "body", "“”", Attribution())
    ...     return QuoteOccurrence(q, "trimmed", "", 1.0, complete)
    >>> t = QuoteTrail("a#0", "x", "statement", None, (), False, (occ("a", 0.5), occ("b", 1.0)), ("a", "b"), "b", "")
    >>> quote_balance([t])
    {('a', 'b'): 1}
    """
    balance: dict[tuple[str, str], int] = defaultdict(int)
    for trail in trails:
        if trail.kind != "statement" or len(trail.docs) < 2:
            continue
        best: dict[str, float] = {}
        for occurrence in trail.occurrences:
            doc = occurrence.quote.doc
            best[doc] = max(best.get(doc, 0.0), occurrence.completeness)
        docs = sorted(best)
        for i, a in enumerate(docs):
            for b in docs[i + 1 :]:
                if best[a] < best[b]:
                    balance[(a, b)] += 1
                elif best[a] > best[b]:
                    balance[(a, b)] -= 1
    return {pair: n for pair, n in sorted(balance.items()) if n}


def quote_links(trails: Iterable[QuoteTrail]) -> tuple[tuple[str, str], ...]:
    """Pairs of documents ``(a, b)``, ``a < b``, that carry at least one statement in common."""
    pairs = {
        (a, b)
        for trail in trails
        if trail.kind == "statement"
        for i, a in enumerate(trail.docs)
        for b in trail.docs[i + 1 :]
    }
    return tuple(sorted(pairs))


def trace_quotes(
    documents: Sequence[Document], settings: QuoteSettings, parents: Mapping[str, str | None] | None = None
) -> tuple[tuple[QuoteTrail, ...], tuple[DocumentQuotes, ...]]:
    """Extract every document's quotes and group them into trails, with per-document counts."""
    quotes = [quote for doc in documents for quote in extract_quotes(doc, settings)]
    dates = {doc.id: doc.metadata.date for doc in documents}
    trails = build_trails(quotes, dates, settings, parents)
    return trails, document_counts(documents, trails)


__all__ = [
    "build_trails",
    "document_counts",
    "first_occurrence",
    "quote_balance",
    "quote_links",
    "same_quote",
    "trace_quotes",
    "with_lineage",
    "word_diff",
    "words",
]
