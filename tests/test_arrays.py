"""The numpy helpers against plain-Python references."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from provenance.arrays import factorize


def _first_seen(values: list[int]) -> list[int]:
    numbers: dict[int, int] = {}
    return [numbers.setdefault(v, len(numbers)) for v in values]


@given(st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 40), max_size=300))
def test_factorize_numbers_values_in_order_of_first_appearance(values: list[int]) -> None:
    codes, size = factorize(np.array(values, dtype=np.uint64))
    assert codes.tolist() == _first_seen(values)
    assert size == len(set(values))


def test_factorize_finds_values_sharing_a_bucket() -> None:
    # 100 distinct values in 128 buckets: many buckets hold two or three, each value found.
    values = np.array([*range(50), *(2**63 + i for i in range(50)), *range(50)], dtype=np.uint64)
    codes, size = factorize(values)
    assert codes.tolist() == _first_seen(values.tolist())
    assert size == 100


def test_factorize_signed_values_keep_their_identity() -> None:
    codes, size = factorize(np.array([-1, 5, -1, 2**62], dtype=np.int64))
    assert codes.tolist() == [0, 1, 0, 2]
    assert size == 3
