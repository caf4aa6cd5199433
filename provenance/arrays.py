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
