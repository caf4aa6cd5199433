"""The quality gate holds its pinned floors (bench/floors.json) at a modest size."""

from __future__ import annotations

import pytest

from bench.quality import EVAL, evaluate_clough, evaluate_generated, evaluate_news, floors_for, load_floors
from provenance.settings import Settings, with_overrides

FLOORS = load_floors()


def test_generated_synthetic_corpus_meets_the_floors() -> None:
    gen = FLOORS["generated"]
    result = evaluate_generated(gen["sources"], gen["seed"], reuse_share=gen["reuse_share"])
    assert result.figures["truth_pairs"] > 100
    assert result.failures(floors_for(result, FLOORS)) == [], result.detail


needs_eval = pytest.mark.skipif(
    not EVAL.is_dir(), reason=f"{EVAL} is absent: the real-data quality floors are not checked"
)


@needs_eval
def test_generated_real_text_corpus_meets_the_floors() -> None:
    gen = FLOORS["generated_real"]
    result = evaluate_generated(gen["sources"], gen["seed"], reuse_share=gen["reuse_share"], text="real")
    assert result.failures(floors_for(result, FLOORS)) == [], result.detail


@needs_eval
def test_clough_meets_the_floors() -> None:
    clough = FLOORS["clough_short_answers"]
    result = evaluate_clough(EVAL, clough["unlinkable"], with_overrides(Settings(), clough["settings"]))
    assert result.failures(floors_for(result, FLOORS)) == [], result.detail
    assert result.figures["heavy_revision_found"] > 0.5


@needs_eval
def test_news_events_meet_the_floors() -> None:
    result = evaluate_news(EVAL)
    assert result.failures(floors_for(result, FLOORS)) == [], result.detail
    assert result.figures["reported"] > 4  # the wire copies beyond the labelled identical pairs


def test_a_figure_below_its_floor_fails() -> None:
    from bench.quality import Result

    result = Result("x", {"recall": 0.5, "links": 2})
    assert len(result.failures({"min_recall": 0.98, "max_links": 0})) == 2
