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

import itertools
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Indel

from provenance.arrays import factorize, offsets_within, runs, sorted_unique
from provenance.candidates import cluster_ids
from provenance.fingerprint import BATCH_CHARS, char_batches, token_hashes
from provenance.model import Document, DocumentQuotes, Quote, QuoteForm, QuoteOccurrence, QuoteTrail
from provenance.quotes import extract_quotes
from provenance.settings import QuoteSettings
from provenance.speakers import same_person
from provenance.text import fold_leet, matching_key

# Variants (candidate search) or pairs (scoring) handled at once: bounds the memory of both.
_BLOCK = 50_000

# How the first occurrence of a quote found in one document is decided.
_ONE_DOCUMENT = "only document"

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
    return tuple(fold_leet(keys)), tuple(shown)  # look-alike digits read over the whole quote, as in keys


def quote_key(text: str) -> str:
    """A quote's comparison keys (:func:`words`) joined by single spaces (keys hold none).

    What the build workers return for each quote: one string travels and is held far
    more cheaply than a tuple of word strings (the 412k quotes of 100k articles: ~100 MB
    against ~310 MB as tuples between the build and the trails).

    >>> quote_key("China [isn’t] going, “really”…")
    "china isn't going really"
    >>> quote_key("The [U.S.] plan, 'worth' $16.4 billion -- he said.")
    'the u s plan worth 16 4 billion he said'
    """
    if text.isascii():
        # On ASCII text the keys of the words are the tokens of the whole text, which
        # matching_key reads with one byte map instead of a loop over the words (the
        # quotes of 2,000 generated articles: 2.9 against 5.2 µs a quote).
        return matching_key(text)
    return " ".join(words(text)[0])


def statement_keys(quotes: Sequence[Quote], keys: Sequence[str] | None = None) -> tuple[str, ...]:
    """What fingerprints leave out of a document (:mod:`provenance.fingerprint`): each quoted
    statement with its attribution cue, in the order the text has them, as matching keys
    (``keys``: each quote's :func:`quote_key`, when already made).

    The cue goes with the quote: outlets quoting one statement often write the same "said
    Ana Ruiz, the foreign minister" after it, and the shingles across the quote's edge
    ("... conflict said ana ruiz") are then left out too.
    """
    out = []
    for index, quote in enumerate(quotes):
        if quote.kind != "statement":
            continue
        key = quote_key(quote.text) if keys is None else keys[index]
        cue = quote.attribution
        if cue.text and cue.clean is not None:
            cue_key = quote_key(cue.text)
            key = f"{cue_key} {key}" if cue.clean.start < quote.clean.start else f"{key} {cue_key}"
        out.append(key.strip())
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Variant:
    key: str  # its quote_key: the keys joined by spaces
    members: tuple[int, ...]  # indices into the quote list
    statement: bool

    @property
    def keys(self) -> tuple[str, ...]:
        """The comparison keys of its words, split when a comparison needs them (few do:
        splitting and interning the words of all 380k variants of 100k articles took 5 s,
        and held as separate strings they were ~1 GB)."""
        return tuple(self.key.split(" "))


def _shown(quotes: Sequence[Quote], variant: _Variant) -> tuple[str, ...]:
    """The display forms of a variant's words (as its first quote writes them)."""
    return words(quotes[variant.members[0]].text)[1]


def _variants(quotes: Sequence[Quote], quote_keys: Sequence[str] | None = None) -> list[_Variant]:
    if quote_keys is None:
        quote_keys = [quote_key(quote.text) for quote in quotes]
    return _variants_of(quote_keys, *quote_facts(quotes))


def quote_facts(quotes: Sequence[Quote]) -> tuple[list[bool], list[tuple[str, int]]]:
    """What grouping reads of each quote besides its key: whether it is a statement, and
    where it is (document, raw start)."""
    return [quote.kind == "statement" for quote in quotes], [(quote.doc, quote.raw.start) for quote in quotes]


def _variants_of(
    quote_keys: Sequence[str], statements: Sequence[bool], places: Sequence[tuple[str, int]]
) -> list[_Variant]:
    """The quotes' distinct keys, each with the quotes holding it, in order of first place.

    Quotes in order of place (as the pipeline lists them: documents in order, each one's
    quotes in order) give their keys in that order already: sorting 380k variants by
    place cost ~0.2 s of the quote link at 100k articles (0.75-0.86 against 0.56-0.72 s
    for the whole function), checking the order 0.04 s.
    """
    grouped: dict[str, list[int]] = {}
    for index, key in enumerate(quote_keys):
        if key:
            grouped.setdefault(key, []).append(index)
    ordered = list(grouped.items())
    if not all(a <= b for a, b in itertools.pairwise(places)):
        ordered.sort(key=lambda item: min(places[i] for i in item[1]))
    return [_Variant(key, tuple(members), _statement(members, statements)) for key, members in ordered]


def _statement(members: Sequence[int], statements: Sequence[bool]) -> bool:
    """Whether quotes of one key are a statement: when most of them are (half or more)."""
    if len(members) == 1:
        return statements[members[0]]
    return sum(statements[i] for i in members) * 2 >= len(members)


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
    a_keys, b_keys = a.keys, b.keys
    if len(a_keys) <= len(b_keys):
        short, shorter, long_, longer = a, a_keys, b, b_keys
    else:
        short, shorter, long_, longer = b, b_keys, a, a_keys
    if short.statement and long_.statement and len(shorter) >= settings.trim_min_words:
        # The longest common subsequence bounds the matched runs from above and is cheaper.
        common = (len(shorter) + len(longer) - Indel.distance(shorter, longer)) / 2
        if common >= settings.link_containment * len(shorter):
            contained = matched_words(shorter, longer, settings.min_block_words) / len(shorter)
            if contained >= settings.link_containment:
                return contained
    ratio = fuzz.ratio(a.key, b.key, score_cutoff=settings.link_ratio * 100) / 100.0
    return ratio if ratio >= settings.link_ratio else 0.0


class _Codes(NamedTuple):
    """Every variant's words as numbers, run together (``flat``), each variant's word count,
    and how many distinct words there are (at least 1)."""

    flat: np.ndarray
    lengths: np.ndarray
    base: int

    @classmethod
    def of(cls, codes: Sequence[Sequence[int]], base: int) -> _Codes:
        """From one list of numbers per variant (tests)."""
        lengths = np.array([len(c) for c in codes], dtype=np.int64)
        flat = np.fromiter(itertools.chain.from_iterable(codes), dtype=np.int64, count=int(lengths.sum()))
        return cls(flat, lengths, base)


def _word_codes(variants: Sequence[_Variant]) -> _Codes:
    """Each variant's words as numbers, numbered in order of first appearance. Numbers are
    fast to compare and, unlike Python's salted string hashes, deterministic to sort.

    Words are told apart by a stable 64-bit hash of their bytes, every word at once
    (:func:`~provenance.fingerprint.token_hashes`, as shingles are): numbering them
    through a dict of the words took 4 s for the 380k variants of 100k articles, most of
    it cache misses in a dict of half a million words.

    >>> codes = _word_codes([_Variant("a b", (0,), True), _Variant("c a", (1,), True)])
    >>> codes.flat.tolist(), codes.lengths.tolist(), codes.base
    ([0, 1, 2, 0], [2, 2], 3)
    """
    keys = [v.key for v in variants]
    lengths = np.fromiter((k.count(" ") + 1 for k in keys), dtype=np.int64, count=len(keys))
    hashes = _word_hashes(keys)
    if hashes.size != int(lengths.sum()):  # pragma: no cover (keys are words joined by single spaces)
        raise ValueError("quote keys must be words joined by single spaces")
    # np.unique's index and inverse sort the words' places (argsort, 1.7 s for the 5.5M
    # words of 100k articles' quotes), a binary search of each word among the distinct
    # ones took 0.7 s, factorize's bucket table 0.15 s.
    numbers, distinct = factorize(hashes)
    return _Codes(numbers, lengths, max(distinct, 1))


def _word_hashes(keys: Sequence[str], batch_chars: int = BATCH_CHARS) -> np.ndarray:
    """The hashes of every word of ``keys``, in order, hashed a batch of keys at a time:
    token_hashes holds ~30 bytes for every byte it hashes (all 380k quotes of 100k articles
    at once: ~1 GB more at the peak). The batches are the fingerprints' (25k keys of 16
    words in a worker: 28.5 against 31.5 ms in batches of 2^20 characters).

    >>> bool((_word_hashes(["a b", "c"], batch_chars=1) == _word_hashes(["a b", "c"])).all())
    True
    """
    parts = [token_hashes(" ".join(keys[lo:hi]).encode("utf-8")) for lo, hi in char_batches(keys, batch_chars)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def _flat_grams(codes: _Codes, n: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Every variant's distinct word n-grams as ``(owners, grams)`` int64 arrays sorted by
    owner then n-gram, and the number of distinct n-grams.

    An n-gram is its rank among all distinct n-grams ordered as tuples of word numbers
    (so one int64 sort key can hold it with a variant number).

    >>> codes = _Codes.of([[0, 1, 2, 3], [1, 2, 3], [1, 2, 3, 1, 2, 3]], 4)
    >>> owners, grams, distinct = _flat_grams(codes, 3)
    >>> owners.tolist(), grams.tolist(), distinct
    ([0, 0, 1, 2, 2, 2], [0, 1, 1, 1, 2, 3], 4)
    """
    flat, lengths, base = codes
    owner_of = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
    starts = np.arange(max(0, flat.size - n + 1))
    starts = starts[owner_of[starts] == owner_of[starts + n - 1]] if starts.size else starts
    owners = owner_of[starts]
    if base**n < 1 << 63:  # word numbers as digits in base ``base``
        packed = np.zeros(starts.size, dtype=np.int64)
        for k in range(n):
            packed = packed * base + flat[starts + k]
        distinct, grams = np.unique(packed, return_inverse=True)
        size = distinct.size
    else:  # a vocabulary too large to pack: rank the n-grams as tuples
        windows = [tuple(flat[i : i + n].tolist()) for i in starts.tolist()]
        rank = {gram: r for r, gram in enumerate(sorted(set(windows)))}
        grams, size = np.array([rank[w] for w in windows], dtype=np.int64), len(rank)
    keys = sorted_unique(owners * max(size, 1) + grams.astype(np.int64))
    return keys // max(size, 1), keys % max(size, 1), size


def _first_per_owner(owners: np.ndarray, limit: int) -> np.ndarray:
    """Mask of the first ``limit`` entries of each owner (``owners`` sorted)."""
    first: np.ndarray = offsets_within(runs(owners)[1]) < limit
    return first


def _candidate_pairs(variants: Sequence[_Variant], codes: _Codes, settings: QuoteSettings) -> np.ndarray:
    """Pairs ``(a, b)``, ``a < b``, of variants worth scoring, as an ``(m, 2)`` array in order.

    Each variant probes an index of n-grams with its ``probe_grams`` rarest indexed
    n-grams (a trimmed copy's rarest n-grams are in its full version too, and rare
    n-grams discriminate); n-grams held by one variant or by more than ``max_postings``
    (stock phrases) are not indexed. The variants found are ranked by how many probes
    they share and the first ``max_candidates`` kept. Computed with numpy over all
    variants at once, every ordering one sort of one int64 key: per variant in Python
    it took ~20 s for the 380k quotes of 100k generated articles, this ~3 s.
    """
    owners, grams, size = _flat_grams(codes, settings.ngram_words)
    n, g = max(len(variants), 1), max(size, 1)
    # The index: n-gram -> variants holding it, in order. N-grams are numbered 0 to size - 1,
    # each number held by some variant, so an n-gram's number is its posting run's.
    index_owners = np.sort(grams * n + owners) % n
    counts = np.bincount(grams, minlength=size).astype(np.int64)
    starts = np.cumsum(counts) - counts
    indexed = (counts > 1) & (counts <= settings.max_postings)
    held = indexed[grams]
    p_owner, p_gram = owners[held], grams[held]
    p_run = p_gram
    # Probes: each variant's rarest indexed n-grams, ties by n-gram.
    order = np.argsort((p_owner * (settings.max_postings + 1) + counts[p_run]) * g + p_gram)
    p_owner, p_run = p_owner[order], p_run[order]
    probe = _first_per_owner(p_owner, settings.probe_grams)
    p_owner, p_run = p_owner[probe], p_run[probe]
    # Expand each probe to the variants of its posting run, a block of probes at a time (the
    # expansion of 380k quotes' probes at once took ~500 MB).
    keys = []
    bounds = np.searchsorted(p_owner, np.arange(0, n + _BLOCK, _BLOCK))
    for lo, hi in itertools.pairwise(bounds.tolist()):
        if hi > lo:
            keys.append(_ranked(p_owner[lo:hi], p_run[lo:hi], starts, counts, index_owners, n, settings))
    unique = sorted_unique(np.concatenate(keys)) if keys else np.zeros(0, dtype=np.int64)
    return np.stack((unique // n, unique % n), axis=1)


def _ranked(
    p_owner: np.ndarray,
    p_run: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
    index_owners: np.ndarray,
    n: int,
    settings: QuoteSettings,
) -> np.ndarray:
    """Candidate pairs of some variants' probes as ``a * n + b`` keys (``a < b``): the
    variants sharing most probes with each, then the lowest numbered, at most ``max_candidates``."""
    sizes = counts[p_run]
    other = index_owners[np.repeat(starts[p_run], sizes) + offsets_within(sizes)]
    mine = np.repeat(p_owner, sizes)
    apart = other != mine
    pair_keys = np.sort(mine[apart] * n + other[apart])
    first, shared = runs(pair_keys)
    mine, other = pair_keys[first] // n, pair_keys[first] % n
    order = np.argsort((mine * (settings.probe_grams + 1) + settings.probe_grams - shared) * n + other)
    mine, other = mine[order], other[order]
    kept = _first_per_owner(mine, settings.max_candidates)
    pairs: np.ndarray = np.minimum(mine[kept], other[kept]) * n + np.maximum(mine[kept], other[kept])
    return pairs


def _candidates(variants: Sequence[_Variant], settings: QuoteSettings) -> set[tuple[int, int]]:
    """The candidate pairs of :func:`_candidate_pairs` as a set (for tests and measurements)."""
    codes = _word_codes(variants)
    return {(int(a), int(b)) for a, b in _candidate_pairs(variants, codes, settings).tolist()}


def _linked(
    variants: Sequence[_Variant], codes: _Codes, pairs: np.ndarray, settings: QuoteSettings
) -> list[tuple[int, int]]:
    """The candidate pairs that are one quote (:func:`same_quote` above 0), scored in bulk.

    rapidfuzz's ``cpdist`` scores all pairs in C: words become one character each (their
    number as a code point), so word-level distances are string distances. Only pairs
    that pass its bounds are scored again one by one, exactly as :func:`same_quote` does.
    """
    if not len(pairs):
        return []
    # Object arrays: gathering a block of pairs' strings by fancy indexing is ~3x faster than from lists.
    seqs = _objects(_one_char_words(codes))
    words = _WordSets.of(codes)
    statement = np.array([v.statement for v in variants], dtype=bool)
    joined = _objects([v.key for v in variants])
    chars = np.fromiter(map(len, joined), dtype=np.int64, count=len(joined))
    found = []
    for lo in range(0, len(pairs), _BLOCK):  # cpdist copies its strings: in blocks, not 2M at once
        block = pairs[lo : lo + _BLOCK]
        found.append(block[_linked_block(variants, seqs, joined, words, chars, statement, block, settings)])
    return [(int(x), int(y)) for x, y in np.concatenate(found).tolist()]


class _WordSets(NamedTuple):
    """Each variant's words hashed into 64 buckets (a bit each in ``masks``), how many of
    its buckets are taken (``taken``) and its word count (``lengths``)."""

    masks: np.ndarray
    taken: np.ndarray
    lengths: np.ndarray

    @classmethod
    def of(cls, codes: _Codes) -> _WordSets:
        """The buckets (word number mod 64) of each variant's words.

        A variant's words are consecutive in ``codes.flat``: one ``reduceat`` over their runs
        (0.05 s for the 5.5M words at 100k articles; ``np.bitwise_or.at`` took 0.14 s).

        >>> sets = _WordSets.of(_Codes.of([[0, 1, 65], [], [2]], 66))
        >>> sets.masks.tolist(), sets.taken.tolist(), sets.lengths.tolist()
        ([3, 0, 4], [2, 0, 1], [3, 0, 1])
        """
        bits = np.left_shift(np.uint64(1), (codes.flat % 64).astype(np.uint64))
        held = np.flatnonzero(codes.lengths)  # an empty run would take its next run's first word
        masks = np.zeros(codes.lengths.size, dtype=np.uint64)
        if held.size:
            masks[held] = np.bitwise_or.reduceat(bits, (np.cumsum(codes.lengths) - codes.lengths)[held])
        return cls(masks, np.bitwise_count(masks).astype(np.int64), codes.lengths)

    def most_common(self, short: np.ndarray, long_: np.ndarray) -> np.ndarray:
        """An upper bound on the words ``short`` (the shorter variant of each pair) has in
        common with ``long_``, in order or not: buckets both take, plus the words beyond
        the first in each of ``short``'s buckets (each may be common too).

        >>> sets = _WordSets.of(_Codes.of([[1, 2, 3, 3], [3, 4, 5, 6]], 7))
        >>> sets.most_common(np.array([0]), np.array([1])).tolist()  # "3" twice: at most two in common
        [2]
        """
        shared = np.bitwise_count(self.masks[short] & self.masks[long_]).astype(np.int64)
        bound: np.ndarray = shared + self.lengths[short] - self.taken[short]
        return bound


def _one_char_words(codes: _Codes) -> list[str] | list[tuple[int, ...]]:
    """Each variant's words as a string of one character per word (its number as a code
    point), all decoded from one UTF-32 buffer; tuples of numbers past the last code point.

    >>> _one_char_words(_Codes.of([[0, 1], [66, 0]], 67))
    ['\\x00\\x01', 'B\\x00']
    """
    bounds = np.concatenate(([0], np.cumsum(codes.lengths))).tolist()
    if codes.base > 0x110000:  # pragma: no cover (over a million distinct words)
        flat = codes.flat.tolist()
        return [tuple(flat[lo:hi]) for lo, hi in itertools.pairwise(bounds)]
    # surrogatepass: numbers in the surrogate range are characters like any other here.
    text = codes.flat.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
    return [text[lo:hi] for lo, hi in itertools.pairwise(bounds)]


def _linked_block(
    variants: Sequence[_Variant],
    seqs: np.ndarray,  # object arrays: each variant's words one character each, and joined by spaces
    joined: np.ndarray,
    words: _WordSets,
    chars: np.ndarray,
    statement: np.ndarray,
    pairs: np.ndarray,
    settings: QuoteSettings,
) -> np.ndarray:
    """Which of ``pairs`` are one quote (a mask)."""
    a, b = pairs[:, 0], pairs[:, 1]
    lengths = words.lengths
    a_short = lengths[a] <= lengths[b]
    short, long_ = np.where(a_short, a, b), np.where(a_short, b, a)
    rows = np.flatnonzero(statement[a] & statement[b] & (lengths[short] >= settings.trim_min_words))
    # The words in order both hold (the longest common subsequence) are at most those they
    # share in any order: pairs that cannot share enough are not scored (at 100k articles
    # 2.05M candidate pairs, 9,840 left; 1.3 s of cpdist against 0.1 s for the bound).
    rows = rows[words.most_common(short[rows], long_[rows]) >= settings.link_containment * lengths[short[rows]]]
    distance = process.cpdist(seqs[short[rows]], seqs[long_[rows]], scorer=Indel.distance, workers=-1)
    common = (lengths[short[rows]] + lengths[long_[rows]] - distance) / 2
    linked = np.zeros(len(pairs), dtype=bool)
    for row in rows[common >= settings.link_containment * lengths[short[rows]]].tolist():
        linked[row] = same_quote(variants[int(a[row])], variants[int(b[row])], settings) > 0
    # Left for the ratio: unlinked pairs whose lengths allow it (the similarity is at most
    # 2 * shorter / (sum of lengths)), about half of the candidates.
    reach = 2 * np.minimum(chars[a], chars[b]) >= settings.link_ratio * (chars[a] + chars[b]) - 1e-9
    rest = np.flatnonzero(~linked & reach)
    # float32 scores: a margin below the cutoff, and every pair above it checked exactly.
    cutoff = settings.link_ratio * 100 - 0.01
    ratios = process.cpdist(joined[a[rest]], joined[b[rest]], scorer=fuzz.ratio, score_cutoff=cutoff, workers=-1)
    for row in rest[ratios > 0].tolist():
        linked[row] = same_quote(variants[int(a[row])], variants[int(b[row])], settings) > 0
    return linked


def _objects(items: Sequence[object]) -> np.ndarray:
    """``items`` as a one-dimensional object array (never an array of tuples' elements)."""
    out = np.empty(len(items), dtype=object)
    out[:] = items
    return out


def _groups(variants: Sequence[_Variant], settings: QuoteSettings) -> list[list[int]]:
    """Variants linked into groups (connected by pairs that are one quote), each in order,
    groups ordered by their first member."""
    codes = _word_codes(variants)
    links = _linked(variants, codes, _candidate_pairs(variants, codes, settings), settings)
    root = cluster_ids(range(len(variants)), links)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(variants)):
        groups[root.get(index, index)].append(index)
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
    named = [q.attribution.speaker for q in quotes if q.attribution.speaker]
    if len(set(named)) <= 1:  # most trails: one quote, or one name
        return (named[0], (named[0],), False) if named else (None, (), False)
    counts = Counter(named)
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
    docs: Sequence[str],
    dates: Mapping[str, str | None],
    parents: Mapping[str, str | None] | None,
    contradicted: Collection[str] = (),
) -> tuple[str, str]:
    """The document of the first known occurrence and how it was decided.

    ``contradicted`` are documents whose stated date their own page contradicts
    (:func:`provenance.lineage.contradicted_dates`): such a date never makes a document first.

    >>> first_occurrence(["b", "a"], {"a": "2021-12-16", "b": None}, {"b": "a"})
    ('a', 'lineage: a is upstream of b')
    >>> first_occurrence(["b", "a"], {"a": "2021-12-16", "b": "2021-12-15"}, None)
    ('b', 'date: 2021-12-15 before 2021-12-16')
    >>> first_occurrence(["b", "a"], {"a": "2021-12-16", "b": None}, None)
    ('undecided', 'no stated date in b')
    >>> first_occurrence(["b", "a"], {}, {"a": "external:CNBC", "b": "external:CNBC"})
    ('external:CNBC', 'lineage: a, b carry the external:CNBC piece')
    >>> first_occurrence(["b", "a"], {"a": "2021-12-16", "b": "2010-01-05"}, None, {"b"})
    ('undecided', 'the stated date of b (2010-01-05) is contradicted by its own page')
    """
    unique = sorted(set(docs))
    if len(unique) == 1:
        return unique[0], _ONE_DOCUMENT
    candidates = unique
    if parents:
        members = set(unique)
        roots = [d for d in unique if not _has_ancestor_in(d, members, parents)]
        if len(roots) == 1:
            others = _names([d for d in unique if d != roots[0]])
            return roots[0], f"lineage: {roots[0]} is upstream of {others}"
        outside = {parents.get(d) for d in roots}
        if len(outside) == 1 and (parent := outside.pop()) is not None and parent.startswith("external:"):
            # Siblings of one outside piece: the quote was first in that piece.
            return parent, f"lineage: {_names(roots)} carry the {parent} piece"
        candidates = roots or unique
    undated = [d for d in candidates if not dates.get(d)]
    if undated:
        return "undecided", f"no stated date in {_names(undated)}"
    ordered = sorted(candidates, key=lambda d: (dates[d] or "", d))
    first, second = ordered[0], ordered[1]
    if first in contradicted:
        return "undecided", f"the stated date of {first} ({dates[first]}) is contradicted by its own page"
    if dates[first] == dates[second]:
        return "undecided", f"same date {dates[first]} in {first} and {second}"
    return first, f"date: {dates[first]} before {dates[second]}"


def _names(ids: Sequence[str], shown: int = 5) -> str:
    """Up to ``shown`` ids, then how many more: a quote carried by a thousand documents names a few.

    >>> _names(["a", "b"]), _names(["a", "b", "c"], 2)
    ('a, b', 'a, b and 1 more')
    """
    rest = len(ids) - shown
    return ", ".join(ids[:shown]) + (f" and {rest} more" if rest > 0 else "")


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
    keys = {id(v): v.keys for v in members}  # split once, not at every comparison
    longest = max(len(k) for k in keys.values())
    near = sorted((v for v in members if len(keys[id(v)]) * 10 >= longest * 9), key=lambda v: -len(keys[id(v)]))[:5]

    def carried(candidate: _Variant) -> int:
        return sum(matched_words(keys[id(other)], keys[id(candidate)], 1) * len(other.members) for other in members)

    return max(near, key=lambda v: (carried(v), len(keys[id(v)]), len(v.members)))


class Linked(NamedTuple):
    """Quotes linked into groups, as arrays (a few MB to send back from a worker, where
    383k lists of variants and the parent making the variants again took ~1.5 s at 100k
    generated articles): ``quotes`` lists quote indices variant by variant, group by group;
    variant ``v`` holds ``quotes[variant_starts[v]:variant_starts[v + 1]]`` and is a
    statement when ``statements[v]``; group ``g`` holds variants ``group_starts[g]`` to
    ``group_starts[g + 1] - 1``. Groups come in order of their first variant, variants
    in order of their first place (document, raw start)."""

    quotes: np.ndarray
    variant_starts: np.ndarray
    group_starts: np.ndarray
    statements: np.ndarray

    @classmethod
    def of(cls, variants: Sequence[_Variant], groups: Sequence[Sequence[int]]) -> Linked:
        """Groups of variants (their indices) as arrays."""
        order = [v for group in groups for v in group]
        sizes = [len(variants[v].members) for v in order]
        members = itertools.chain.from_iterable(variants[v].members for v in order)
        return cls(
            np.fromiter(members, dtype=np.int64, count=sum(sizes)),
            _starts(sizes),
            _starts([len(group) for group in groups]),
            np.array([variants[v].statement for v in order], dtype=bool),
        )

    def apart(self) -> Linked:
        """Every variant a group of its own (tests: what linking changes)."""
        return self._replace(group_starts=np.arange(self.statements.size + 1))


def _starts(sizes: Sequence[int]) -> np.ndarray:
    """Where each of runs of ``sizes`` starts, and the end of the last."""
    return np.concatenate(([0], np.cumsum(np.array(sizes, dtype=np.int64))))


def build_trails(
    quotes: Sequence[Quote],
    dates: Mapping[str, str | None],
    settings: QuoteSettings,
    parents: Mapping[str, str | None] | None = None,
    *,
    quote_keys: Sequence[str] | None = None,
    linked: Linked | None = None,
) -> tuple[QuoteTrail, ...]:
    """Group quotes into trails; ``parents`` (document → upstream document) orders them when known.

    ``quote_keys`` are the quotes' :func:`quote_key` when already computed (by the workers
    that extracted the quotes: words were 2/3 of this function's time at 100k quotes);
    ``linked`` what :func:`link_quotes` gives for these quotes and keys, when it ran
    elsewhere (on a worker, while this process searched the candidate pairs).

    Cost: :func:`link_quotes`, then per linked group its variants against a few references
    (``reference_group_max`` variants at most; larger groups split in linear time by
    :func:`_stars`), then each occurrence compared with its trail's reference once.
    """
    keys = [quote_key(quote.text) for quote in quotes] if quote_keys is None else quote_keys
    if linked is None:
        linked = link_quotes(keys, *quote_facts(quotes), settings)
    members, variant_starts = linked.quotes.tolist(), linked.variant_starts.tolist()
    group_starts, statements = linked.group_starts.tolist(), linked.statements.tolist()
    trails: list[QuoteTrail] = []
    for first, end in itertools.pairwise(group_starts):
        lo = variant_starts[first]
        if end - first == 1 and variant_starts[first + 1] - lo == 1:  # most groups: one quote
            trails.append(_single(quotes[members[lo]], statements[first]))
            continue
        spans = [(variant_starts[v], variant_starts[v + 1], statements[v]) for v in range(first, end)]
        group = [_Variant(keys[members[a]], tuple(members[a:b]), statement) for a, b, statement in spans]
        for kept, ref in _around_references(group, settings):
            trails.append(_trail(quotes, kept, ref, dates, settings, parents))
    trails.sort(key=_trail_order)
    return tuple(trails)


def link_quotes(
    quote_keys: Sequence[str], statements: Sequence[bool], places: Sequence[tuple[str, int]], settings: QuoteSettings
) -> Linked:
    """The linked groups of :func:`build_trails` from what they depend on alone: each
    quote's key, whether it is a statement and its place (:func:`quote_facts`).

    Cost: linear in the quotes: identical quotes are one variant, each variant probes the
    n-gram index with its ``probe_grams`` rarest n-grams (n-grams of more than ``max_postings``
    variants are not indexed) and is scored against at most ``max_candidates`` others.

    >>> from provenance.settings import QuoteSettings
    >>> keys = ["we will not back down", "something else", "we will not back down now", "something else"]
    >>> linked = link_quotes(keys, [True] * 4, [("a", 0), ("b", 0), ("c", 0), ("d", 0)], QuoteSettings())
    >>> [a.tolist() for a in linked]
    [[0, 2, 1, 3], [0, 1, 2, 4], [0, 2, 3], [True, True, True]]
    """
    variants = _variants_of(quote_keys, statements, places)
    return Linked.of(variants, _groups(variants, settings))


def _around_references(members: list[_Variant], settings: QuoteSettings) -> list[tuple[list[_Variant], _Variant]]:
    """Split a linked group around its most complete versions.

    Single linkage chains: two different long quotes that both embed a third one
    (a statement quoted inside each) end up in one group. Every member must match
    the trail's reference itself; the rest form trails of their own. A group of more
    than ``reference_group_max`` variants (text recombined from stock quotes chains
    thousands) is split by :func:`_stars` instead, whose work is linear in its size.
    """
    if len(members) == 1:
        return [(members, members[0])]
    if len(members) > settings.reference_group_max:
        return _stars(members, settings)
    out: list[tuple[list[_Variant], _Variant]] = []
    remaining = members
    while remaining:
        ref = _reference(remaining)
        kept = [v for v in remaining if v is ref or same_quote(v, ref, settings) > 0]
        out.append((kept, ref))
        taken = {id(k) for k in kept}
        remaining = [v for v in remaining if id(v) not in taken]
    return out


def _stars(members: list[_Variant], settings: QuoteSettings) -> list[tuple[list[_Variant], _Variant]]:
    """A large linked group split into stars: the longest variant not yet placed is a reference,
    and the variants the candidate index pairs it with (at most ``max_candidates`` each) join it
    when they are the same quote. Each candidate pair is scored at most once.

    >>> from provenance.settings import QuoteSettings
    >>> s = QuoteSettings(reference_group_max=1)
    >>> group = [_Variant(k, (i,), True) for i, k in enumerate(["we will not back down now", "we will not back down"])]
    >>> [([v.key for v in kept], ref.key) for kept, ref in _stars(group, s)]
    [(['we will not back down now', 'we will not back down'], 'we will not back down now')]
    """
    neighbours: dict[int, list[int]] = defaultdict(list)
    for a, b in sorted(_candidates(members, settings)):
        neighbours[a].append(b)
        neighbours[b].append(a)
    lengths = [len(v.keys) for v in members]
    order = sorted(range(len(members)), key=lambda i: (-lengths[i], -len(members[i].members), i))
    placed: set[int] = set()
    out: list[tuple[list[_Variant], _Variant]] = []
    for i in order:
        if i in placed:
            continue
        ref = members[i]
        placed.add(i)
        kept = [i]
        for j in neighbours[i]:
            if j not in placed and same_quote(members[j], ref, settings) > 0:
                placed.add(j)
                kept.append(j)
        out.append(([members[k] for k in sorted(kept)], ref))
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
    if len(members) == 1 and len(ref.members) == 1:  # 99.7% of trails: one quote, compared with nothing
        return _single(quotes[ref.members[0]], ref.statement)
    occurrences: list[QuoteOccurrence] = []
    ref_shown: tuple[str, ...] = ()
    ref_keys = ref.keys
    for variant in members:
        if variant is ref:  # most trails are one quote, compared with itself
            occurrences.extend(QuoteOccurrence(quotes[i], "verbatim", "", 1.0, 1.0) for i in variant.members)
            continue
        ref_shown = ref_shown or _shown(quotes, ref)
        shown, keys = _shown(quotes, variant), variant.keys
        form, diff = word_diff(ref_keys, ref_shown, keys, shown, list_max=settings.diff_list_max)
        matched = matched_words(keys, ref_keys, 1)
        contained, complete = matched / len(keys), matched / len(ref_keys)
        occurrences.extend(QuoteOccurrence(quotes[i], form, diff, contained, complete) for i in variant.members)
    occurrences.sort(key=lambda o: (o.quote.doc, o.quote.raw.start))
    first_quote = occurrences[0].quote
    speaker, names, conflict = _speakers(o.quote for o in occurrences)
    docs = tuple(sorted({o.quote.doc for o in occurrences}))
    first, basis = first_occurrence(docs, dates, parents)
    ref_quote = quotes[ref.members[0]]
    return QuoteTrail(
        trail=_trail_id(first_quote),
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


def _single(quote: Quote, statement: bool) -> QuoteTrail:
    """What :func:`_trail` gives a quote found once: its own speaker, its document first.

    Without the sorting, the sets and the speaker grouping a trail of several quotes needs,
    and with positional fields: at 100k generated articles all but ~1,000 of the 383k
    trails are one quote (5.1 against ~2.5 µs a trail).
    """
    speaker, doc = quote.attribution.speaker, quote.doc
    return QuoteTrail(
        _trail_id(quote),
        quote.text,
        "statement" if statement else "phrase",
        speaker or None,  # speaker, speakers, conflicting_speakers: as _speakers((quote,))
        (speaker,) if speaker else (),
        False,
        (QuoteOccurrence(quote, "verbatim", "", 1.0, 1.0),),
        (doc,),
        doc,  # first, first_basis: as first_occurrence((doc,), ...)
        _ONE_DOCUMENT,
    )


def _trail_id(quote: Quote) -> str:
    """A trail's id: its earliest occurrence as ``doc#raw_start``."""
    return f"{quote.doc}#{quote.raw.start}"


def _trail_order(trail: QuoteTrail) -> tuple[int, int, str, int]:
    first = trail.occurrences[0].quote
    return (-len(trail.docs), -len(trail.occurrences), first.doc, first.raw.start)


def with_lineage(
    trails: Sequence[QuoteTrail],
    dates: Mapping[str, str | None],
    parents: Mapping[str, str | None],
    contradicted: Collection[str] = (),
) -> tuple[QuoteTrail, ...]:
    """The trails with their first occurrence decided again from a lineage parent map.

    Quotes are traced before lineage exists (lineage uses them as evidence); once it
    does, this re-decides ``first`` without tracing again.
    """
    out = []
    for t in trails:
        first, basis = first_occurrence(t.docs, dates, parents, contradicted)
        if first == t.first and basis == t.first_basis:  # a trail in one document (most): unchanged
            out.append(t)
            continue
        # Built directly: dataclasses.replace cost 2/3 of this loop on 40k trails.
        fields = (t.trail, t.text, t.kind, t.speaker, t.speakers, t.conflicting_speakers, t.occurrences, t.docs)
        out.append(QuoteTrail(*fields, first, basis))
    return tuple(out)


def document_counts(
    documents: Sequence[Document], trails: Sequence[QuoteTrail], settings: QuoteSettings | None = None
) -> tuple[DocumentQuotes, ...]:
    """Per document: quotes carried, statements, phrases, how many are shared with others,
    and the documents it shares them with.

    Cost: linear in the occurrences, plus at most ``partners_counted`` partner ids per
    document: a statement carried by 1,000 documents would otherwise give each of them a
    list of 999 partners (a million entries). ``partners`` counts distinct partners up to
    ``partners_counted`` (a count at the cap means at least that many); ``shared_with``
    lists the first ``partners_listed`` of them by id.
    """
    settings = settings or QuoteSettings()
    counted, listed = settings.partners_counted, settings.partners_listed
    counts: dict[str, list[int]] = {}  # doc -> [quotes, statements, shared]
    shared_trails: dict[str, list[tuple[str, ...]]] = {}
    for trail in trails:
        docs = trail.docs
        for occurrence in trail.occurrences:
            quote = occurrence.quote
            doc = quote.doc
            found = counts.get(doc)
            if found is None:
                found = counts[doc] = [0, 0, 0]
            found[0] += 1
            if quote.kind == "statement":
                found[1] += 1
            if len(docs) > 1:
                found[2] += 1
        if len(docs) > 1:
            for doc in docs:
                shared_trails.setdefault(doc, []).append(docs)
    out: list[DocumentQuotes] = []
    none = (0, 0, 0)
    for d in documents:
        total, statements, shared = counts.get(d.id, none)
        partners = _partners(d.id, shared_trails.get(d.id, ()), counted)
        out.append(
            DocumentQuotes(
                doc=d.id,
                quotes=total,
                statements=statements,
                phrases=total - statements,
                shared=shared,
                shared_with=tuple(sorted(partners)[:listed]),
                partners=len(partners),
            )
        )
    return tuple(out)


def _partners(doc: str, trails_docs: Iterable[tuple[str, ...]], limit: int) -> set[str]:
    """Distinct other documents of ``doc``'s shared trails, at most ``limit`` of them: the
    smallest ids of each trail first (trail docs are sorted), so the choice is deterministic.

    >>> sorted(_partners("b", [("a", "b", "c"), ("b", "d")], 10)), sorted(_partners("b", [("a", "b", "c", "d")], 2))
    (['a', 'c', 'd'], ['a', 'c'])
    """
    found: set[str] = set()
    for docs in trails_docs:
        for other in docs:
            if len(found) >= limit:
                return found
            if other != doc:
                found.add(other)
    return found


def quote_balance(trails: Iterable[QuoteTrail], pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """For each document pair ``(a, b)`` of ``pairs`` with ``a < b``: shared statements ``a``
    carries less completely than ``b``, minus the reverse (a direction signal for lineage:
    the copy trims quotes, the source has them in full).

    Cost: linear in the occurrences to index each document's statements, then per pair
    the statements of its smaller side; never the pairs inside a trail (a statement quoted
    by 1,000 documents has half a million of them, and only text pairs need the signal).

    >>> from provenance.model import Attribution, Quote, QuoteOccurrence, QuoteTrail, Span
    >>> def occ(doc, complete):
    ...     q = Quote(doc, Span(0, 1), Span(0, 1), "x", "statement", "body", "“”", Attribution())
    ...     return QuoteOccurrence(q, "trimmed", "", 1.0, complete)
    >>> t = QuoteTrail("a#0", "x", "statement", None, (), False, (occ("a", 0.5), occ("b", 1.0)), ("a", "b"), "b", "")
    >>> quote_balance([t], [("b", "a")]), quote_balance([t], [])
    ({('a', 'b'): 1}, {})
    """
    best: dict[str, dict[int, float]] = defaultdict(dict)  # doc -> trail number -> best completeness
    for number, trail in enumerate(trails):
        if trail.kind != "statement" or len(trail.docs) < 2:
            continue
        for occurrence in trail.occurrences:
            held = best[occurrence.quote.doc]
            held[number] = max(held.get(number, 0.0), occurrence.completeness)
    balance: dict[tuple[str, str], int] = {}
    for x, y in pairs:
        a, b = (x, y) if x < y else (y, x)
        of_a, of_b = best.get(a), best.get(b)
        if not of_a or not of_b:
            continue
        small, large, sign = (of_a, of_b, 1) if len(of_a) <= len(of_b) else (of_b, of_a, -1)
        n = 0
        for number, mine in small.items():
            theirs = large.get(number)
            if theirs is not None and mine != theirs:
                n += sign if mine < theirs else -sign
        if n:
            balance[(a, b)] = n
    return dict(sorted(balance.items()))


def shared_statements(trails: Iterable[QuoteTrail]) -> tuple[tuple[str, ...], ...]:
    """The documents of each statement carried by more than one document (each tuple sorted).

    What lineage reads to tell independent coverage (same statements, no shared text) from
    an original: the trails themselves, never the pairs inside them.
    """
    return tuple(trail.docs for trail in trails if trail.kind == "statement" and len(trail.docs) > 1)


def trace_quotes(
    documents: Sequence[Document],
    settings: QuoteSettings,
    parents: Mapping[str, str | None] | None = None,
    *,
    quotes: Sequence[Sequence[Quote]] | None = None,
) -> tuple[tuple[QuoteTrail, ...], tuple[DocumentQuotes, ...]]:
    """Every document's quotes (``quotes``, one sequence per document, when already
    extracted) grouped into trails, with per-document counts."""
    found = quotes if quotes is not None else [extract_quotes(doc, settings) for doc in documents]
    flat = [quote for per_doc in found for quote in per_doc]
    dates = {doc.id: doc.metadata.date for doc in documents}
    trails = build_trails(flat, dates, settings, parents)
    return trails, document_counts(documents, trails, settings)


__all__ = [
    "build_trails",
    "document_counts",
    "first_occurrence",
    "link_quotes",
    "quote_balance",
    "quote_facts",
    "same_quote",
    "shared_statements",
    "statement_keys",
    "trace_quotes",
    "with_lineage",
    "word_diff",
    "words",
]
