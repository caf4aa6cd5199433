"""Candidates: which documents share text, found without comparing all pairs, then verified.

The search is a MinHash banding index with one row per band (``r = 1``): every one
of the ``num_perm`` minhash values of a document is a bucket key. Two documents land
in the same bucket of permutation ``k`` with probability equal to their Jaccard
similarity ``J``, so the number of permutations in which they collide estimates
``J * num_perm``. Because both set sizes are known exactly, a pair is a candidate when
that count reaches the number expected at the smallest containment we must find
(``search_containment`` of the smaller document in the larger)::

    J_min = c * |A| / (|A| + |B| - c * |A|)      (|A| <= |B|)
    need  = max(min_collisions, ceil(num_perm * J_min - slack * sd))

with ``sd`` the binomial standard deviation. Near-duplicates (high ``J``) and short
excerpts of long articles (low ``J``, high containment; seeds 003 in 000: ``J`` about
0.17, containment 0.62) come out of the same index in one pass, linear in the corpus:
sort the ``(permutation, value)`` keys, group equal keys, emit the pairs of each group
and count them with ``np.unique`` on pair codes. A banding index with wider bands (a
Jaccard-only LSH at 0.5) misses such excerpts (issue 9 measured 37% recall).

Before the search, documents with identical shingle sets are collapsed to one
representative (a wire story republished verbatim is one entry, not hundreds), and
shingles found in more than ``max_df`` of the distinct texts (boilerplate, stock
phrases; passim's ``max_df``) are dropped from search *and* verification, so such text
never links two documents; the signatures of the documents that held them are
recomputed without them (stored fingerprints stay corpus-independent). Document
frequencies are counted in a hashed table (:func:`table_bits`) and confirmed exactly
for the few shingles it flags. The cost: a family of more than ``max_df`` *different*
near-copies of one text loses the shingles they share. With fewer than ``max_df``
distinct texts nothing is dropped.

Every candidate is verified on the exact shingle sets (Jaccard, containment both ways,
shared count); pairs that pass become :class:`~provenance.model.Pair` values, grouped
into clusters by union-find with the smallest member id as the cluster id.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, fields, replace
from typing import TypeVar

import numpy as np

from provenance.arrays import offsets_within, runs
from provenance.fingerprint import Fingerprint, band_keys, permutations, permute, signatures
from provenance.model import Pair
from provenance.settings import CandidateSettings

K = TypeVar("K", str, int)

# Colliding pairs of a signature matrix (rows, num_perm; largest document first) and their
# collision counts, with the number of hubs a bucket pairs its members with:
# :func:`colliding_pairs` here, or the same computed by band ranges on workers.
Collide = Callable[[np.ndarray, int], tuple[np.ndarray, np.ndarray]]

# Bigram samples signed at once (~92 values a generated article): bounds the temporaries.
_SIGN_DOCS = 8192

# Document frequencies are counted in a hashed table (see table_bits), a few million
# values at a time.
_DF_CHUNK_VALUES = 1 << 23


@dataclass(frozen=True, slots=True)
class CandidateStats:
    """How much work the search did and how much survived verification."""

    documents: int
    empty: int
    duplicate_groups: int
    common_shingles: int
    colliding_pairs: int
    candidates: int
    verified: int

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def required_collisions(small: np.ndarray, big: np.ndarray, num_perm: int, settings: CandidateSettings) -> np.ndarray:
    """Colliding minhash rows a pair of set sizes needs to become a candidate.

    >>> s = CandidateSettings(search_containment=0.5, search_slack=3.0, min_collisions=2)
    >>> required_collisions(np.array([100, 100]), np.array([100, 500]), 128, s).tolist()
    [27, 2]
    """
    c = settings.search_containment
    small = small.astype(np.float64)
    big = big.astype(np.float64)
    j_min = c * small / np.maximum(small + big - c * small, 1.0)
    mean = num_perm * j_min
    sd = np.sqrt(num_perm * j_min * (1.0 - j_min))
    need: np.ndarray = np.maximum(np.ceil(mean - settings.search_slack * sd), settings.min_collisions)
    return need.astype(np.int64)


def colliding_pairs(signatures: np.ndarray, hubs: int) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (row indexes, ``lo < hi``) sharing a minhash value and their collision counts.

    Rows must come largest document first (:func:`search` orders them so): in a bucket
    (one minhash value of one permutation) each member pairs with the ``hubs`` members
    before it, the largest documents of the bucket, not with every other member. A bucket
    of ``d`` documents emits at most ``hubs * d`` pairs instead of ``d * (d - 1) / 2``, so
    the work is linear in the corpus however many documents share a stock phrase, a quoted
    sentence or one widely excerpted passage; a document and the fuller text it was taken
    from still meet (the fuller text is among the largest of every bucket they share), and
    pairs of siblings that share only what many documents share are left to lineage,
    which links each of them to the fuller text.

    >>> sig = np.array([[7, 1], [7, 2], [7, 3], [9, 3]], dtype=np.uint32)
    >>> [a.tolist() for a in colliding_pairs(sig, 1)]
    [[[0, 1], [0, 2], [2, 3]], [1, 1, 1]]
    >>> [a.tolist() for a in colliding_pairs(sig, 2)]
    [[[0, 1], [0, 2], [1, 2], [2, 3]], [1, 1, 1, 1]]
    """
    rows, perms = signatures.shape
    none = np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64)
    if rows < 2:
        return none
    keys = (np.arange(perms, dtype=np.uint64)[:, None] << np.uint64(32)) | signatures.T.astype(np.uint64)
    if perms * rows < (1 << 32):
        # Pack the row into the low bits and sort values, not indexes (about 2x faster).
        packed = np.sort(keys.ravel() * np.uint64(rows) + np.tile(np.arange(rows, dtype=np.uint64), perms))
        sorted_keys, members = packed // np.uint64(rows), (packed % np.uint64(rows)).astype(np.int64)
    else:  # pragma: no cover (beyond 2**32 / num_perm documents)
        order = np.argsort(keys.ravel(), kind="stable")
        sorted_keys, members = keys.ravel()[order], (order % rows).astype(np.int64)
    starts, sizes = runs(sorted_keys)
    keep = sizes >= 2
    starts, sizes = starts[keep], sizes[keep]
    if starts.size == 0:
        return none
    # Every element of a bucket pairs with the (at most ``hubs``) elements before it.
    run = np.repeat(np.arange(starts.size), sizes)
    offset = offsets_within(sizes)
    position = starts[run] + offset
    emit = np.minimum(offset, hubs)
    first = np.repeat(position, emit)
    second = np.repeat(starts[run], emit) + offsets_within(emit)
    x, y = members[first], members[second]
    codes, counts = np.unique(np.minimum(x, y) * rows + np.maximum(x, y), return_counts=True)
    return np.stack((codes // rows, codes % rows), axis=1), counts.astype(np.int64)


def cluster_ids(ids: Iterable[K], edges: Iterable[tuple[K, K]]) -> dict[K, K]:
    """Union-find over ``edges``: each linked id to the smallest id of its group.

    >>> cluster_ids(["a", "b", "c", "d"], [("c", "b"), ("d", "c")])
    {'b': 'b', 'c': 'b', 'd': 'b'}
    """
    parent: dict[K, K] = {}

    def find(x: K) -> K:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {x: find(x) for x in sorted(parent)}


def _chunks(sets: Sequence[np.ndarray]) -> list[tuple[int, int]]:
    """Ranges of ``sets`` holding about ``_DF_CHUNK_VALUES`` values each."""
    bounds, start, total = [], 0, 0
    for index, values in enumerate(sets):
        total += values.size
        if total >= _DF_CHUNK_VALUES:
            bounds.append((start, index + 1))
            start, total = index + 1, 0
    if start < len(sets):
        bounds.append((start, len(sets)))
    return bounds


def drop_common(sets: Sequence[np.ndarray], max_df: int) -> tuple[list[np.ndarray], dict[int, np.ndarray], np.ndarray]:
    """Remove shingles found in more than ``max_df`` of ``sets`` (each sorted unique).

    Returns the filtered sets, the values removed from each set that changed (by
    index), and the sorted common shingles. Counting uses a hashed table (top bits of the hash); only the
    values in over-full slots are counted exactly, so the result is exact.

    >>> a, b, c = np.array([1, 2], np.uint64), np.array([2, 3], np.uint64), np.array([2], np.uint64)
    >>> out, changed, common = drop_common([a, b, c], 2)
    >>> [s.tolist() for s in out], sorted(changed), common.tolist()
    ([[1], [3], []], [0, 1, 2], [2])
    >>> drop_common([a, b, c], 3)[1]
    {}
    """
    out = list(sets)
    none = np.zeros(0, dtype=np.uint64)
    if len(sets) <= max_df:
        return out, {}, none
    total = sum(values.size for values in sets)
    bits = table_bits(total, max_df)
    shift = np.uint64(64 - bits)
    counts = np.zeros(1 << bits, dtype=np.int64)
    chunks = _chunks(sets)
    for start, stop in chunks:
        slots = np.concatenate([none, *sets[start:stop]])
        np.right_shift(slots, shift, out=slots)  # a fresh copy: shifted in place, read as int64
        counts += np.bincount(slots.view(np.int64), minlength=1 << bits)
    full = counts > max_df
    if not full.any():
        return out, {}, none
    # Second pass: the values in over-full slots, with the set and position they come from.
    flagged, owners, positions = [], [], []
    for start, stop in chunks:
        values = np.concatenate([none, *sets[start:stop]])
        offsets = np.cumsum([0] + [sets[i].size for i in range(start, stop)])
        where = np.flatnonzero(full[(values >> shift).view(np.int64)])
        owner = np.searchsorted(offsets, where, side="right") - 1
        flagged.append(values[where])
        owners.append(owner + start)
        positions.append(where - offsets[owner])
    values = np.concatenate(flagged)
    unique, df = np.unique(values, return_counts=True)
    common: np.ndarray = unique[df > max_df]
    if common.size == 0:
        return out, {}, none
    hit = np.isin(values, common)
    owner, position = np.concatenate(owners)[hit], np.concatenate(positions)[hit]
    order = np.argsort(owner, kind="stable")
    owner, position = owner[order], position[order]
    cuts = np.flatnonzero(np.diff(owner)) + 1
    changed: dict[int, np.ndarray] = {}
    for index, drop in zip(owner[np.concatenate(([0], cuts))].tolist(), np.split(position, cuts), strict=True):
        values = sets[index]
        keep = np.ones(values.size, dtype=bool)
        keep[drop] = False  # np.delete does the same with 4x the overhead (52k documents at 100k)
        changed[index] = values[drop]
        out[index] = values[keep]
    return out, changed, common


def table_bits(total: int, max_df: int) -> int:
    """Bits of the hashed document-frequency table for ``total`` shingles.

    About eight slots per ``max_df`` shingles: a slot then holds ~``max_df / 8`` values
    by chance, so only slots holding a common shingle pass ``max_df`` (at 100k articles,
    45M shingles: 2**20 slots, 40 of them over-full). The table stays small enough for
    the cache: counting in 2**24 slots took 1.24 against 0.46 s in 2**20.

    >>> table_bits(45_000_000, 500), table_bits(1_000, 500), table_bits(10**12, 2)
    (20, 12, 24)
    """
    return int(min(24, max(12, math.ceil(math.log2(max(8 * total / max(max_df, 1), 2))))))


@dataclass(frozen=True, slots=True)
class Prepared:
    """What search and verification work on: per document, its set without common shingles."""

    sets: tuple[np.ndarray, ...]
    groups: tuple[tuple[int, ...], ...]  # documents with identical shingle sets
    signatures: np.ndarray  # one row per group, over the filtered set
    common: np.ndarray


def prepare(fingerprints: Sequence[Fingerprint], settings: CandidateSettings) -> Prepared:
    """Collapse identical texts, drop common shingles, re-sign the documents that held them."""
    if fingerprints:
        for fp in fingerprints[1:]:
            fingerprints[0].require_comparable(fp)
    found: dict[bytes, list[int]] = {}
    for index, fp in enumerate(fingerprints):
        if fp.size:
            found.setdefault(fp.content_digest(), []).append(index)
    groups = tuple(tuple(g) for g in found.values())
    params = fingerprints[0].params if fingerprints else None
    rep_sets, removed, common = drop_common([fingerprints[g[0]].shingles for g in groups], settings.max_df)
    rows = [fingerprints[g[0]].signature for g in groups]
    if removed and params is not None:
        # Only a signature whose minimum came from a removed shingle changes.
        a, b = permutations(params.num_perm, params.seed)
        keys = np.array(list(removed), dtype=np.int64)
        lengths = np.array([removed[k].size for k in keys.tolist()], dtype=np.int64)
        owner = np.repeat(np.arange(keys.size), lengths)
        current = np.stack([rows[k] for k in keys.tolist()])
        hits = np.any(permute(np.concatenate(list(removed.values())), a, b) == current[owner], axis=1)
        stale = keys[np.unique(owner[hits])].tolist()
        resigned = signatures([rep_sets[k] for k in stale], params.num_perm, params.seed)
        for k, row in zip(stale, resigned, strict=True):
            rows[k] = row
    sets: list[np.ndarray] = [np.zeros(0, dtype=np.uint64)] * len(fingerprints)
    for group, values in zip(groups, rep_sets, strict=True):
        for index in group:
            sets[index] = values
    num_perm = params.num_perm if params else 0
    matrix = np.stack(rows) if rows else np.zeros((0, num_perm), dtype=np.uint32)
    return Prepared(tuple(sets), groups, matrix, common)


def search(
    fingerprints: Sequence[Fingerprint], settings: CandidateSettings, *, collide: Collide | None = None
) -> tuple[np.ndarray, CandidateStats, Prepared]:
    """Candidate pairs as an ``(n, 2)`` array of indexes into ``fingerprints`` (``i < j``),
    between the first documents of groups of identical texts (``Prepared.groups``).

    ``collide`` replaces :func:`colliding_pairs` (same result, e.g. split by band
    ranges over worker processes). Stats report everything but the verified count (0 here).
    """
    prepared = prepare(fingerprints, settings)
    groups = prepared.groups
    sizes = np.array([prepared.sets[g[0]].size for g in groups], dtype=np.int64)
    num_perm = prepared.signatures.shape[1]
    # Texts left empty by the max_df filter share the empty signature: keep them out of the
    # index. The others go largest first, so that a bucket's first members are its largest.
    indexed = np.flatnonzero(sizes > 0)
    indexed = indexed[np.lexsort((indexed, -sizes[indexed]))]
    pairs, counts = (collide or colliding_pairs)(prepared.signatures[indexed], settings.bucket_hubs)
    pairs = np.sort(indexed[pairs], axis=1)
    size_a, size_b = sizes[pairs[:, 0]], sizes[pairs[:, 1]]
    need = required_collisions(np.minimum(size_a, size_b), np.maximum(size_a, size_b), num_perm, settings)
    passing = counts >= need
    chosen = best_partners(pairs[passing], counts[passing], sizes, num_perm, settings.max_partners)
    # Identical texts are one entry: only each group's first document is paired (its copies
    # would repeat every pair it makes, and pairs among themselves are k^2 / 2 of the same text).
    first = np.array([g[0] for g in groups], dtype=np.int64)
    out = np.sort(first[chosen], axis=1) if chosen.size else np.zeros((0, 2), dtype=np.int64)
    out = out[np.lexsort((out[:, 1], out[:, 0]))]
    stats = CandidateStats(
        documents=len(fingerprints),
        empty=sum(1 for fp in fingerprints if fp.size == 0),
        duplicate_groups=sum(1 for group in groups if len(group) > 1),
        common_shingles=int(prepared.common.size),
        colliding_pairs=int(pairs.shape[0]),
        candidates=int(out.shape[0]),
        verified=0,
    )
    return out, stats, prepared


def estimated_containment(counts: np.ndarray, small: np.ndarray, big: np.ndarray, num_perm: int) -> np.ndarray:
    """The smaller set's containment in the larger one, estimated from the minhash collisions.

    ``J = counts / num_perm`` and ``|A & B| = J (|A| + |B|) / (1 + J)``.

    >>> estimated_containment(np.array([64]), np.array([100]), np.array([100]), 128).round(3).tolist()
    [0.667]
    """
    jaccard = counts / num_perm
    out: np.ndarray = jaccard * (small + big) / ((1.0 + jaccard) * np.maximum(small, 1))
    return out


def best_partners(pairs: np.ndarray, counts: np.ndarray, sizes: np.ndarray, num_perm: int, limit: int) -> np.ndarray:
    """The candidate pairs that are among the ``limit`` best of either of their documents, by
    estimated containment (:func:`estimated_containment`; ties by the partner's index).

    Bounds verification at ``limit`` pairs a document however many documents share a few
    sentences with it (text recombined from a small pool of stock sentences makes every
    document a weak candidate of hundreds of others); a copy, an excerpt or the fuller
    text it came from estimate far higher than text sharing a sentence or two.

    >>> pairs = np.array([[0, 1], [0, 2], [0, 3], [1, 2]])
    >>> best_partners(pairs, np.array([90, 10, 50, 5]), np.array([100, 100, 100, 100]), 128, 1).tolist()
    [[0, 1], [0, 2], [0, 3]]
    >>> best_partners(pairs[1:], np.array([10, 50, 5]), np.array([100, 100, 100, 100]), 128, 1).tolist()
    [[0, 2], [0, 3], [1, 2]]
    """
    if pairs.shape[0] == 0:
        return pairs
    small = np.minimum(sizes[pairs[:, 0]], sizes[pairs[:, 1]])
    big = np.maximum(sizes[pairs[:, 0]], sizes[pairs[:, 1]])
    score = estimated_containment(counts, small, big, num_perm)
    # Each pair seen from both of its documents, every document's pairs ranked together.
    doc, other = np.concatenate((pairs[:, 0], pairs[:, 1])), np.concatenate((pairs[:, 1], pairs[:, 0]))
    order = np.lexsort((other, -np.concatenate((score, score)), doc))
    _, lengths = runs(doc[order])
    keep = np.zeros(pairs.shape[0], dtype=bool)
    keep[order[offsets_within(lengths) < limit] % pairs.shape[0]] = True
    out: np.ndarray = pairs[keep]
    return out


def shared_counts(sets: Sequence[np.ndarray], candidates: np.ndarray) -> np.ndarray:
    """``|A & B|`` of each candidate pair of indexes into ``sets`` (each sorted unique).

    The pairs of one first document are counted in one search of all their partners'
    shingles at once, not one call a pair: the cost per pair is its partner's size in
    numpy, not the overhead of a call (which dominated on corpora where a document has
    hundreds of candidates).

    >>> sets = [np.array([1, 2, 3], np.uint64), np.array([2, 3], np.uint64), np.array([9], np.uint64)]
    >>> shared_counts(sets, np.array([[0, 1], [0, 2], [1, 2]])).tolist()
    [2, 0, 0]
    """
    out = np.zeros(candidates.shape[0], dtype=np.int64)
    if not candidates.size:
        return out
    order = np.argsort(candidates[:, 0], kind="stable")
    firsts = candidates[order, 0]
    starts, lengths = runs(firsts)
    for start, length in zip(starts.tolist(), lengths.tolist(), strict=True):
        rows = order[start : start + length]
        a = sets[int(firsts[start])]
        partners = [sets[y] for y in candidates[rows, 1].tolist()]
        sizes = np.fromiter((b.size for b in partners), dtype=np.int64, count=len(partners))
        if a.size == 0 or not sizes.sum():
            continue
        values = np.concatenate(partners)
        found = a[np.minimum(np.searchsorted(a, values), a.size - 1)] == values
        owner = np.repeat(np.arange(len(partners)), sizes)
        out[rows] = np.bincount(owner, weights=found, minlength=len(partners)).astype(np.int64)
    return out


def verify(
    ids: Sequence[str], sets: Sequence[np.ndarray], candidates: np.ndarray, settings: CandidateSettings
) -> list[Pair]:
    """Exact scores of candidate pairs on their (filtered) shingle sets.

    Pairs passing the thresholds come back ``a < b``, sorted, with their clusters.
    """
    candidates = candidates.reshape(-1, 2)
    shared = shared_counts(sets, candidates)
    sizes = np.fromiter((v.size for v in sets), dtype=np.int64, count=len(sets))
    size_x, size_y = sizes[candidates[:, 0]], sizes[candidates[:, 1]]
    with np.errstate(divide="ignore", invalid="ignore"):
        in_x = np.where(size_x > 0, shared / np.maximum(size_x, 1), 0.0)
        in_y = np.where(size_y > 0, shared / np.maximum(size_y, 1), 0.0)
    keep = (size_x > 0) & (size_y > 0) & (shared >= settings.verify_shared)
    keep &= np.maximum(in_x, in_y) >= settings.verify_containment
    scored: list[tuple[str, str, float, float, float, int, int, int]] = []
    for x, y, n in zip(candidates[keep, 0].tolist(), candidates[keep, 1].tolist(), shared[keep].tolist(), strict=True):
        i, j = (x, y) if ids[x] < ids[y] else (y, x)
        na, nb = int(sizes[i]), int(sizes[j])
        scored.append((ids[i], ids[j], n / (na + nb - n), n / na, n / nb, n, na, nb))
    clusters = cluster_ids(ids, [(s[0], s[1]) for s in scored])
    pairs = [Pair(a, b, jac, cab, cba, shared, na, nb, clusters[a]) for a, b, jac, cab, cba, shared, na, nb in scored]
    return sorted(pairs, key=lambda p: (p.a, p.b))


def find_pairs(
    ids: Sequence[str],
    fingerprints: Sequence[Fingerprint],
    settings: CandidateSettings,
    *,
    collide: Collide | None = None,
    common_words: list[np.ndarray] | None = None,
) -> tuple[tuple[Pair, ...], CandidateStats, tuple[tuple[str, ...], ...]]:
    """Candidate search and verification over fingerprints (``ids`` in the same order),
    then the bigram sketch's pairs (:func:`bigram_pairs`) and the rewrite tier's candidates
    (:func:`rewrite_pairs`) that the shingles missed. The rewrite tier's common words (sorted
    hashes) are appended to ``common_words`` when given: its alignment reads the others.

    Documents with identical texts (same shingle set) come back as groups (ids in input
    order, two or more each); only the first of each group is in the pairs.

    Cost: linear in the documents and their shingles for the search (each bucket pairs its
    members with at most ``bucket_hubs`` documents), at most ``max_partners`` verified
    candidates a document, nothing pairwise inside a group of identical texts.
    """
    candidates, stats, prepared = search(fingerprints, settings, collide=collide)
    pairs = verify(ids, prepared.sets, candidates, settings)
    groups = tuple(tuple(ids[i] for i in group) for group in prepared.groups if len(group) > 1)
    # The bigram sketch's pairs the shingles missed (:func:`bigram_pairs`), among the first
    # document of each group of identical texts (and the texts without shingles) only.
    searched = sorted([g[0] for g in prepared.groups] + [i for i, fp in enumerate(fingerprints) if fp.size == 0])
    del prepared  # the filtered shingle sets: the bigram search needs none of them
    known = {(p.a, p.b) for p in pairs}
    subset = [ids[i] for i in searched]
    extra = bigram_pairs(subset, [fingerprints[i] for i in searched], settings, collide=collide, known=known)
    known |= {(p.a, p.b) for p in extra}
    rewrites, common = rewrite_pairs(
        subset, [fingerprints[i] for i in searched], settings, collide=collide, known=known
    )
    extra.extend(rewrites)
    if common_words is not None:
        common_words.append(common)
    if extra:
        pairs = clustered(ids, [*pairs, *extra])
    return tuple(pairs), CandidateStats(**{**stats.as_dict(), "verified": len(pairs)}), groups


def renamed(pairs: Sequence[Pair], names: Mapping[str, str]) -> tuple[Pair, ...]:
    """``pairs`` with documents renamed (``names``: old id to new id; a group of identical
    texts is paired through the member chosen to stand for it), reordered ``a < b`` and
    clustered again.

    >>> p = Pair("a", "c", 0.5, 0.8, 0.6, 8, 10, 12, "a")
    >>> [(q.a, q.b, q.containment_a_in_b, q.cluster) for q in renamed([p], {"a": "d"})]
    [('c', 'd', 0.6, 'c')]
    """
    if not names:
        return tuple(pairs)
    moved = []
    sketches = []
    for p in pairs:
        sketches.append(p.sketch)
        a, b = names.get(p.a, p.a), names.get(p.b, p.b)
        if a < b:
            moved.append(
                (
                    a,
                    b,
                    p.jaccard,
                    p.containment_a_in_b,
                    p.containment_b_in_a,
                    p.shared_shingles,
                    p.shingles_a,
                    p.shingles_b,
                )
            )
        else:
            moved.append(
                (
                    b,
                    a,
                    p.jaccard,
                    p.containment_b_in_a,
                    p.containment_a_in_b,
                    p.shared_shingles,
                    p.shingles_b,
                    p.shingles_a,
                )
            )
    clusters = cluster_ids(sorted({m[0] for m in moved} | {m[1] for m in moved}), [(m[0], m[1]) for m in moved])
    out = [Pair(*m, clusters[m[0]], sketch) for m, sketch in zip(moved, sketches, strict=True)]
    return tuple(sorted(out, key=lambda p: (p.a, p.b)))


def bigram_settings(settings: CandidateSettings) -> CandidateSettings:
    """The search and verification settings of the bigram sketch: its containment, its floor."""
    return replace(
        settings,
        search_containment=settings.bigram_containment,
        verify_containment=settings.bigram_containment,
        verify_shared=settings.bigram_shared,
    )


def flat_bigrams(fingerprints: Sequence[Fingerprint], max_df: int) -> tuple[np.ndarray, np.ndarray]:
    """The fingerprints' sampled bigrams without those in more than ``max_df`` of them, as one
    array and each set's size: the common ones found and dropped in the whole array at once
    (:func:`drop_common` set by set took most of the sketch's search).

    >>> from provenance.fingerprint import FingerprintParams
    >>> fp = lambda *v: Fingerprint(FingerprintParams(5, 2, 1), np.zeros(0, np.uint64), np.zeros(2, np.uint32),
    ...                             bigrams=np.array(v, np.uint64))
    >>> [a.tolist() for a in flat_bigrams([fp(1, 2), fp(2, 3), fp(2)], 2)]
    [[1, 3], [1, 1, 0]]
    """
    values, sizes, _ = flat_values([fp.bigrams for fp in fingerprints], max_df)
    return values, sizes


def flat_values(sets: Sequence[np.ndarray], max_df: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`flat_bigrams` of any sorted unique sets, and the common values dropped (sorted)."""
    sizes = np.fromiter((v.size for v in sets), dtype=np.int64, count=len(sets))
    values = np.concatenate([np.zeros(0, dtype=np.uint64), *sets])
    none = np.zeros(0, dtype=np.uint64)
    if len(sets) <= max_df or not values.size:
        return values, sizes, none
    bits = table_bits(values.size, max_df)
    shift = np.uint64(64 - bits)
    slots = np.empty(values.size, dtype=np.int64)
    counts = np.zeros(1 << bits, dtype=np.int64)
    for start in range(0, values.size, _DF_CHUNK_VALUES):
        part = (values[start : start + _DF_CHUNK_VALUES] >> shift).view(np.int64)
        slots[start : start + part.size] = part
        counts += np.bincount(part, minlength=1 << bits)
    flagged = (counts > max_df)[slots]
    del slots
    found = values[flagged]
    unique, df = np.unique(found, return_counts=True)
    common = unique[df > max_df]
    if not common.size:
        return values, sizes, none
    # Only values in over-full slots can be common: each of them looked up among the common
    # ones (np.isin sorted all 7.5M bigrams of 100k generated articles: 3 s against 0.1).
    drop = np.zeros(values.size, dtype=bool)
    drop[flagged] = common[np.minimum(np.searchsorted(common, found), common.size - 1)] == found
    owners = np.searchsorted(np.cumsum(sizes), np.flatnonzero(drop), side="right")
    return values[~drop], sizes - np.bincount(owners, minlength=sizes.size), common


def near_full(small: np.ndarray, big: np.ndarray, settings: CandidateSettings) -> np.ndarray:
    """Which pairs of bigram sample sizes the sketch compares: the smaller at least
    ``bigram_size_ratio`` of the larger (it finds near-full copies, never excerpts).

    >>> near_full(np.array([40, 60]), np.array([100, 100]), CandidateSettings()).tolist()
    [False, True]
    """
    out: np.ndarray = (small > 0) & (small >= settings.bigram_size_ratio * big)
    return out


def bigram_pairs(
    ids: Sequence[str],
    fingerprints: Sequence[Fingerprint],
    settings: CandidateSettings,
    *,
    collide: Collide | None = None,
    known: Set[tuple[str, str]] = frozenset(),
) -> list[Pair]:
    """Pairs whose sampled word bigrams lie at least ``bigram_containment`` in one another,
    other than the ``known`` ones (``(a, b)``, ``a < b``: those the shingles verified).

    The second sketch (issue 31): a copy with every fifth word dropped, or a word added
    after every fourth, keeps no 5-word shingle of its source but three of every four or
    five bigrams. The search is :func:`search`'s over band keys
    (:func:`~provenance.fingerprint.band_signatures` of ``bigram_perm`` permutations): a
    pair sharing one band key and of near-full length (:func:`near_full`) is a candidate,
    verified exactly on the samples; the pairs carry their bigram scores.
    """
    if settings.bigram_containment > 1 or len(fingerprints) < 2:
        return []
    values, sizes = flat_bigrams(fingerprints, settings.max_df)
    ends = np.cumsum(sizes)
    indexed = np.flatnonzero(sizes > 0)
    indexed = indexed[np.lexsort((indexed, -sizes[indexed]))]  # largest first, as colliding_pairs needs
    params = fingerprints[0].params
    starts = ends - sizes
    rows = _signed(values, starts, ends, indexed, settings.bigram_perm, params.seed)
    found, _ = (collide or colliding_pairs)(band_keys(rows), settings.bucket_hubs)
    # A band key shared, then as many equal minhash rows as a pair at the containment needs
    # (the search's rule): a bigram low in both rows of a band made every two texts holding
    # it (and sharing nothing else) a candidate.
    collisions = np.count_nonzero(rows[found[:, 0]] == rows[found[:, 1]], axis=1)
    pairs = np.sort(indexed[found], axis=1)
    small = np.minimum(sizes[pairs[:, 0]], sizes[pairs[:, 1]])
    big = np.maximum(sizes[pairs[:, 0]], sizes[pairs[:, 1]])
    chosen = bigram_settings(settings)
    need = required_collisions(small, big, settings.bigram_perm, chosen)
    pairs = pairs[near_full(small, big, settings) & (collisions >= need)]
    return _verified_new(ids, values, starts, ends, pairs, known, chosen)


def _signed(
    values: np.ndarray, starts: np.ndarray, ends: np.ndarray, indexed: np.ndarray, perms: int, seed: int
) -> np.ndarray:
    """MinHash rows of the ``indexed`` documents' sets (``values[starts[i]:ends[i]]``), signed in
    parts so the parent holds one part's temporaries at a time."""
    if not indexed.size:
        return np.zeros((0, perms), dtype=np.uint32)
    parts = np.array_split(indexed, -(-indexed.size // _SIGN_DOCS))
    signed = [[values[starts[i] : ends[i]] for i in part.tolist()] for part in parts]
    return np.concatenate([signatures(part, perms, seed) for part in signed])


def _verified_new(
    ids: Sequence[str],
    values: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    pairs: np.ndarray,
    known: Set[tuple[str, str]],
    chosen: CandidateSettings,
) -> list[Pair]:
    """The candidate ``pairs`` (row indexes) not ``known`` already, verified exactly on their sets."""
    if known and pairs.size:
        pairs = pairs[np.array([_ordered(ids, x, y) not in known for x, y in pairs.tolist()], dtype=bool)]
    pairs = pairs.reshape(-1, 2)
    sets = [np.zeros(0, dtype=np.uint64)] * len(ids)
    for i in np.unique(pairs).tolist():
        sets[i] = values[starts[i] : ends[i]]
    return verify(ids, sets, pairs, chosen)


def rare_cap(documents: int, settings: CandidateSettings) -> int:
    """Documents a rare word is in at most: ``rewrite_rare_share`` of them, at least 2, at
    most ``max_df``.

    >>> rare_cap(598, CandidateSettings()), rare_cap(10, CandidateSettings()), rare_cap(10**6, CandidateSettings())
    (29, 2, 500)
    """
    return max(2, min(settings.max_df, int(settings.rewrite_rare_share * documents)))


def rewrite_pairs(
    ids: Sequence[str],
    fingerprints: Sequence[Fingerprint],
    settings: CandidateSettings,
    *,
    collide: Collide | None = None,
    known: Set[tuple[str, str]] = frozenset(),
) -> tuple[list[Pair], np.ndarray]:
    """The rewrite tier's candidates (issue 28): pairs, other than the ``known`` ones, in
    which the smaller document's rare words (in at most :func:`rare_cap` documents, quoted
    statements left out) lie at least ``rewrite_containment`` in the other's; and the
    common words (sorted hashes), which the tier's alignment leaves out.

    A rewrite keeps the names, numbers and rare words of its source but few of its 5-grams.
    The search is :func:`search`'s, one minhash row a bucket over the rare words
    (``rewrite_perm`` permutations), collisions counted against what the containment needs;
    each document keeps its ``max_partners`` best candidates, verified exactly. These
    pairs are candidates only: alignment reports them when it finds reworded sentences
    (:func:`provenance.align.rewritten`), since independent reports of one event share
    names and numbers too.
    """
    none = np.zeros(0, dtype=np.uint64)
    if settings.rewrite_containment > 1 or len(fingerprints) < 2:
        return [], none
    values, sizes, common = flat_values([fp.words for fp in fingerprints], rare_cap(len(fingerprints), settings))
    ends = np.cumsum(sizes)
    starts = ends - sizes
    indexed = np.flatnonzero(sizes >= settings.rewrite_shared)
    indexed = indexed[np.lexsort((indexed, -sizes[indexed]))]  # largest first, as colliding_pairs needs
    perms = settings.rewrite_perm
    rows = _signed(values, starts, ends, indexed, perms, fingerprints[0].params.seed)
    found, counts = (collide or colliding_pairs)(rows, settings.rewrite_hubs)
    pairs = np.sort(indexed[found], axis=1)
    small = np.minimum(sizes[pairs[:, 0]], sizes[pairs[:, 1]])
    big = np.maximum(sizes[pairs[:, 0]], sizes[pairs[:, 1]])
    chosen = replace(
        settings,
        search_containment=settings.rewrite_containment,
        verify_containment=settings.rewrite_containment,
        verify_shared=settings.rewrite_shared,
    )
    passing = counts >= required_collisions(small, big, perms, chosen)
    pairs = best_partners(pairs[passing], counts[passing], sizes, perms, settings.max_partners)
    found_pairs = _verified_new(ids, values, starts, ends, pairs, known, chosen)
    return [replace(p, sketch="rewrite") for p in found_pairs], common


def _ordered(ids: Sequence[str], x: int, y: int) -> tuple[str, str]:
    return (ids[x], ids[y]) if ids[x] < ids[y] else (ids[y], ids[x])


def confirmed(pairs: Sequence[Pair], aligned: Iterable[tuple[str, str]]) -> tuple[Pair, ...]:
    """``pairs`` without the rewrite tier's candidates that alignment found no reworded
    sentences in (``aligned``: the ``(a, b)`` of every passage), clustered again.

    >>> p = Pair("a", "b", 0.5, 0.8, 0.6, 8, 10, 12, "a", "rewrite")
    >>> confirmed([p], []), confirmed([p], [("a", "b")]) == (p,)
    ((), True)
    """
    found = set(aligned)
    kept = [p for p in pairs if p.sketch != "rewrite" or (p.a, p.b) in found]
    if len(kept) == len(pairs):
        return tuple(pairs)
    return tuple(clustered(sorted({p.a for p in kept} | {p.b for p in kept}), kept))


def clustered(ids: Sequence[str], pairs: Sequence[Pair]) -> list[Pair]:
    """``pairs`` sorted by ``(a, b)`` with the clusters of all of them together."""
    clusters = cluster_ids(ids, [(p.a, p.b) for p in pairs])
    return sorted((replace(p, cluster=clusters[p.a]) for p in pairs), key=lambda p: (p.a, p.b))
