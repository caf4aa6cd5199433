"""Floors on real news labelled outside this project (``python -m bench.real_quality`` prints the
figures): just under what the default settings reach, so a change that loses ground fails here.
Skipped where ``../shared/eval`` is not beside the repository."""

from __future__ import annotations

import pytest

from bench.real_quality import EVAL, counter, judged
from provenance import analyze
from provenance.settings import Settings

NEWS = EVAL / "news_events_dev"
URDU = EVAL / "counter_dev"


@pytest.mark.skipif(not (NEWS / "judged_pairs.csv").exists(), reason=f"{NEWS} is not here")
def test_news_events_judged_pairs_floors() -> None:
    found = judged(analyze([NEWS / "docs"], Settings()), NEWS)
    assert found.precision >= 0.97, found
    assert found.recall_full >= 0.99 and found.recall_part >= 0.9, found
    assert found.negatives_in_one_piece <= 1, found
    assert found.direction_right >= 20, found


@pytest.mark.skipif(not (URDU / "truth.csv").exists(), reason=f"{URDU} is not here")
def test_counter_floors() -> None:
    found = counter(analyze([URDU / "docs"], Settings()), URDU)
    assert found.binary_f1 >= 0.74, found
    assert found.macro_f1 >= 0.46, found
