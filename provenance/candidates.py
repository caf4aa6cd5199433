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
representative (a wire story republished verbatim is one entry, not a bucket of
hundreds), and buckets holding more than ``max_df`` documents are skipped: a minhash
value shared by that many documents belongs to a shingle in at least that many
documents (boilerplate, stock phrases), the ``max_df`` of passim. The cost: a family of
more than ``max_df`` *different* near-copies of one text loses the collisions of those
buckets and can be missed.

Every candidate is verified on the exact shingle sets (Jaccard, containment both ways,
shared count); pairs that pass become :class:`~provenance.model.Pair` values, grouped
into clusters by union-find with the smallest member id as the cluster id.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from provenance.fingerprint import Fingerprint, fingerprint
from provenance.model import Document, Pair
from provenance.settings import CandidateSettings, FingerprintSettings


@dataclass(frozen=True, slots=True)
class CandidateStats:
    """How much work the search did and how much survived verification."""

    documents: int
    empty: int
    duplicate_groups: int
    buckets_skipped: int
    colliding_pairs: int
    candidates: int
    verified: int

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


def required_collisions(
    small: np.ndarray, big: np.ndarray, num_perm: int, settings: CandidateSettings
) -> np.ndarray:
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


def _colliding_pairs(signatures: np.ndarray, max_df: int) -> tuple[np.ndarray, np.ndarray, int]:
    """Pairs (row indexes, ``lo < hi``) sharing a minhash value, their collision counts, buckets skipped."""
    rows, perms = signatures.shape
    if rows < 2:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64), 0
    keys = (np.arange(perms, dtype=np.uint64)[:, None] << np.uint64(32)) | signatures.T.astype(np.uint64)
    if perms * rows < (1 << 32):
        # Pack the row into the low bits and sort values, not indexes (about 2x faster).
        packed = np.sort(keys.ravel() * np.uint64(rows) + np.tile(np.arange(rows, dtype=np.uint64), perms))
        sorted_keys, members = packed // np.uint64(rows), (packed % np.uint64(rows)).astype(np.int64)
    else:  # pragma: no cover (beyond 2**32 / num_perm documents)
        order = np.argsort(keys.ravel(), kind="stable")
        sorted_keys, members = keys.ravel()[order], (order % rows).astype(np.int64)
    starts = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1])))
    sizes = np.diff(np.concatenate((starts, [sorted_keys.size])))
    skipped = int(np.count_nonzero(sizes > max_df))
    keep = (sizes >= 2) & (sizes <= max_df)
    starts, sizes = starts[keep], sizes[keep]
    if starts.size == 0:
        return np.zeros((0, 2), dtype=np.int64), np.zeros(0, dtype=np.int64), skipped
    # Every element of a bucket pairs with the elements after it.
    run = np.repeat(np.arange(starts.size), sizes)
    offset = np.arange(run.size) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    position = starts[run] + offset
    emit = sizes[run] - 1 - offset
    first = np.repeat(position, emit)
    second = first + 1 + (np.arange(first.size) - np.repeat(np.cumsum(emit) - emit, emit))
    x, y = members[first], members[second]
    codes, counts = np.unique(np.minimum(x, y) * rows + np.maximum(x, y), return_counts=True)
    return np.stack((codes // rows, codes % rows), axis=1), counts.astype(np.int64), skipped


def _shared(a: np.ndarray, b: np.ndarray) -> int:
    """Size of the intersection of two sorted unique arrays."""
    if a.size > b.size:
        a, b = b, a
    if a.size == 0:
        return 0
    idx = np.minimum(np.searchsorted(b, a), b.size - 1)
    return int(np.count_nonzero(b[idx] == a))


def _digest(shingles: np.ndarray) -> bytes:
    return hashlib.blake2b(shingles.astype("<u8").tobytes(), digest_size=16).digest()


def cluster_ids(ids: Sequence[str], edges: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Union-find over ``edges``: each linked id to the smallest id of its group.

    >>> cluster_ids(["a", "b", "c", "d"], [("c", "b"), ("d", "c")])
    {'b': 'b', 'c': 'b', 'd': 'b'}
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
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


def search(fingerprints: Sequence[Fingerprint], settings: CandidateSettings) -> tuple[np.ndarray, CandidateStats]:
    """Candidate pairs as an ``(n, 2)`` array of indexes into ``fingerprints`` (``i < j``).

    Stats report everything but the verified count (0 here).
    """
    if fingerprints:
        for fp in fingerprints[1:]:
            fingerprints[0].require_comparable(fp)
    sizes = np.array([fp.size for fp in fingerprints], dtype=np.int64)
    groups: dict[bytes, list[int]] = {}
    for index in np.flatnonzero(sizes > 0):
        groups.setdefault(_digest(fingerprints[int(index)].shingles), []).append(int(index))
    members = list(groups.values())
    reps = np.array([group[0] for group in members], dtype=np.int64)
    num_perm = fingerprints[0].params.num_perm if fingerprints else 0
    signatures = (
        np.stack([fingerprints[i].signature for i in reps]) if reps.size else np.zeros((0, num_perm), np.uint32)
    )
    pairs, counts, skipped = _colliding_pairs(signatures, settings.max_df)
    size_a, size_b = sizes[reps[pairs[:, 0]]], sizes[reps[pairs[:, 1]]]
    need = required_collisions(np.minimum(size_a, size_b), np.maximum(size_a, size_b), num_perm, settings)
    chosen = pairs[counts >= need]
    out: list[tuple[int, int]] = []
    for group in members:
        out.extend((x, y) for k, x in enumerate(group) for y in group[k + 1 :])
    for i, j in chosen.tolist():
        out.extend((min(x, y), max(x, y)) for x in members[i] for y in members[j])
    out.sort()
    stats = CandidateStats(
        documents=len(fingerprints),
        empty=int(np.count_nonzero(sizes == 0)),
        duplicate_groups=sum(1 for group in members if len(group) > 1),
        buckets_skipped=skipped,
        colliding_pairs=int(pairs.shape[0]),
        candidates=len(out),
        verified=0,
    )
    return np.array(out, dtype=np.int64).reshape(-1, 2), stats


def verify(
    ids: Sequence[str], fingerprints: Sequence[Fingerprint], candidates: np.ndarray, settings: CandidateSettings
) -> list[Pair]:
    """Exact scores of candidate pairs; those passing the thresholds, ``a < b``, sorted, with clusters."""
    scored: list[tuple[str, str, float, float, float, int, int, int]] = []
    cache: dict[tuple[bytes, bytes], int] = {}
    for x, y in candidates.tolist():
        i, j = (x, y) if ids[x] < ids[y] else (y, x)
        a, b = fingerprints[i], fingerprints[j]
        key = (_digest(a.shingles), _digest(b.shingles)) if a.size == b.size else None
        shared = cache.get(key) if key else None
        if shared is None:
            shared = _shared(a.shingles, b.shingles)
            if key:
                cache[key] = shared
        if shared < settings.verify_shared:
            continue
        in_b, in_a = shared / a.size, shared / b.size
        if max(in_a, in_b) < settings.verify_containment:
            continue
        jaccard = shared / (a.size + b.size - shared)
        scored.append((ids[i], ids[j], jaccard, in_b, in_a, shared, a.size, b.size))
    clusters = cluster_ids(ids, [(s[0], s[1]) for s in scored])
    pairs = [Pair(a, b, jac, cab, cba, shared, na, nb, clusters[a]) for a, b, jac, cab, cba, shared, na, nb in scored]
    return sorted(pairs, key=lambda p: (p.a, p.b))


def find_pairs(
    ids: Sequence[str], fingerprints: Sequence[Fingerprint], settings: CandidateSettings
) -> tuple[tuple[Pair, ...], CandidateStats]:
    """Candidate search and verification over fingerprints (``ids`` in the same order)."""
    candidates, stats = search(fingerprints, settings)
    pairs = verify(ids, fingerprints, candidates, settings)
    return tuple(pairs), CandidateStats(**{**stats.as_dict(), "verified": len(pairs)})


def related_pairs(
    documents: Sequence[Document], fingerprint_settings: FingerprintSettings, settings: CandidateSettings
) -> tuple[tuple[Pair, ...], CandidateStats]:
    """The verified pairs of a sequence of documents: what alignment and lineage build on."""
    fingerprints = fingerprint(documents, fingerprint_settings)
    return find_pairs([d.id for d in documents], fingerprints, settings)
