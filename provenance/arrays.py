"""Small numpy helpers over sorted arrays and runs, shared by fingerprints, candidates and quote trails."""

from __future__ import annotations

import numpy as np


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """``np.unique`` without its hash table (2.5x faster on a few hundred values).

    >>> sorted_unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    ordered = np.sort(values)
    keep = np.ones(ordered.size, dtype=bool)
    keep[1:] = ordered[1:] != ordered[:-1]
    out: np.ndarray = ordered[keep]
    return out


def runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and length of each run of equal values in a sorted array.

    >>> [a.tolist() for a in runs(np.array([4, 4, 5, 7, 7, 7]))]
    [[0, 2, 3], [2, 1, 3]]
    """
    if not values.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], values[1:] != values[:-1])))
    return starts, np.diff(np.concatenate((starts, [values.size])))


def offsets_within(sizes: np.ndarray) -> np.ndarray:
    """For runs of the given sizes laid end to end, each element's position in its run.

    >>> offsets_within(np.array([2, 0, 3])).tolist()
    [0, 1, 0, 1, 2]
    """
    out: np.ndarray = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return out


# An odd 64-bit multiplier (2^64 / golden ratio): multiplying by it is a bijection on
# uint64 whose top bits depend on every bit of the value (Fibonacci hashing).
_MIX = np.uint64(0x9E3779B97F4A7C15)


def factorize(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Each value's number among the distinct values, numbered in order of first appearance,
    and how many distinct values there are (what ``pandas.factorize`` gives, numpy only).

    Every value is found among the sorted distinct ones through a table of buckets (the
    top bits of the value mixed) and a short walk inside its bucket: a binary search of
    each value (``np.searchsorted``) took 0.64 s for the 5.5M words of 100k generated
    articles' quotes against 76k distinct ones, this 0.15 s.

    >>> codes, size = factorize(np.array([7, 3, 7, 9, 3], dtype=np.uint64))
    >>> codes.tolist(), size
    ([0, 1, 0, 2, 1], 3)
    """
    if not values.size:
        return np.zeros(0, dtype=np.int64), 0
    keys = np.multiply(values.astype(np.uint64, copy=False), _MIX)
    distinct = sorted_unique(keys)
    shift = np.uint64(64 - max(1, int(distinct.size).bit_length()))
    counts = np.bincount((distinct >> shift).astype(np.int64), minlength=1 << (64 - int(shift)))
    place = (np.cumsum(counts) - counts)[(keys >> shift).astype(np.int64)]
    # Distinct keys are sorted, so a bucket's are consecutive: walk each value to its own.
    pending = np.flatnonzero(distinct[place] != keys)
    while pending.size:
        place[pending] += 1
        pending = pending[distinct[place[pending]] != keys[pending]]
    first = np.full(distinct.size, values.size, dtype=np.int64)
    np.minimum.at(first, place, np.arange(values.size, dtype=np.int64))
    number = np.empty(distinct.size, dtype=np.int64)
    number[np.argsort(first)] = np.arange(distinct.size)
    return number[place], int(distinct.size)
