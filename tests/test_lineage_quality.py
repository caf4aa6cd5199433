"""The lineage quality gate: roles and parents on a generated corpus, Clough classification.

Floors live in bench/lineage_floors.json (measured figures are recorded there too).
The generated corpus needs nothing outside the repository; the real-text corpus and
Clough need ../shared/eval and are skipped with a clear message when it is absent.
"""

from __future__ import annotations

import json

import pytest

from bench.corpus import EVAL
from bench.lineage_quality import FLOORS, evaluate_clough, evaluate_generated
from provenance.settings import Settings, with_overrides

SPEC = json.loads(FLOORS.read_text(encoding="utf-8"))


def _check(figures: dict[str, float], floors: dict[str, object]) -> None:
    for name, floor in floors.items():
        if name.startswith("min_"):
            assert figures[name[4:]] >= floor, f"{name[4:]} = {figures[name[4:]]} below floor {floor}"


def test_generated_synthetic_roles_and_parents() -> None:
    spec = SPEC["generated"]
    result = evaluate_generated(spec["sources"], spec["seed"], spec["reuse_share"], spec["text"], Settings())
    _check(result.figures, spec)


@pytest.mark.skipif(not EVAL.exists(), reason=f"evaluation data not found at {EVAL}")
def test_generated_real_text_roles() -> None:
    spec = SPEC["generated_real"]
    result = evaluate_generated(spec["sources"], spec["seed"], spec["reuse_share"], spec["text"], Settings())
    _check(result.figures, spec)


@pytest.mark.skipif(not EVAL.exists(), reason=f"evaluation data not found at {EVAL}")
def test_clough_classification() -> None:
    spec = SPEC["clough_short_answers"]
    settings = with_overrides(Settings(), spec["settings"])
    result = evaluate_clough(settings, tuple(spec["unlinkable"]))
    assert result is not None
    _check(result.figures, spec)
