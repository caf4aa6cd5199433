"""The alignment quality gate: character recall and precision against labelled corpora.

The scorer is checked on hand-made truth first (so the gate can fail), then the floors in
``bench/align_floors.json`` are held on the tests' own corpus (merged and split sentences,
trims, reordering, commentary, edits, hex damage) and on ``bench.corpus`` when it is here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from reuse_corpus import build

from bench.align_quality import FLOORS, evaluate, root_segments, score, shared_by_construction
from provenance.model import Passage, Span

FLOOR = json.loads(FLOORS.read_text(encoding="utf-8"))


def test_text_shared_by_construction_follows_parents_and_siblings() -> None:
    truth = {
        "documents": [
            {"id": "s", "source": None, "copied": []},
            {"id": "x", "source": "s", "copied": [{"doc_start": 10, "doc_end": 60, "src_start": 0, "src_end": 50}]},
            {"id": "y", "source": "s", "copied": [{"doc_start": 0, "doc_end": 30, "src_start": 40, "src_end": 70}]},
            {"id": "z", "source": "x", "copied": [{"doc_start": 5, "doc_end": 25, "src_start": 30, "src_end": 50}]},
            {"id": "v", "source": "x", "copied": [{"doc_start": 0, "doc_end": 8, "src_start": 0, "src_end": 8}]},
            {"id": "w", "source": "gone", "copied": [{"doc_start": 0, "doc_end": 9, "src_start": 0, "src_end": 9}]},
        ]
    }
    seg = root_segments(truth, {"s": 100, "x": 80, "y": 50, "z": 40, "w": 9, "v": 8})
    assert shared_by_construction(seg["v"], seg["x"]) == [(0, 8)]  # v copied x's own text (x's 0–8)
    assert shared_by_construction(seg["v"], seg["s"]) == []
    assert shared_by_construction(seg["x"], seg["s"]) == [(10, 60)]
    assert shared_by_construction(seg["x"], seg["y"]) == [(50, 60)]  # siblings share source 40–50
    assert shared_by_construction(seg["z"], seg["s"]) == [(5, 25)]  # z took x's 30–50, which is source 20–40
    assert shared_by_construction(seg["z"], seg["x"]) == [(5, 25)]
    assert shared_by_construction(seg["y"], seg["z"]) == []  # y holds source 40–70 only
    assert shared_by_construction(seg["z"], seg["x"]) == [(5, 25)]
    assert shared_by_construction(seg["x"], seg["y"]) == [(50, 60)]  # x's own text is not in y
    assert shared_by_construction(seg["w"], seg["s"]) == []  # w's parent is withheld, not s


def _passage(a: str, b: str, a_span: tuple[int, int], b_span: tuple[int, int]) -> Passage:
    return Passage(a, b, Span(*a_span), Span(*b_span), *a_span, *b_span, 1.0, "verbatim", 1, 1)


def test_scores_count_characters_and_can_fail() -> None:
    class Doc:
        def __init__(self, doc_id: str, raw: str) -> None:
            self.id, self.raw = doc_id, raw

    truth = {
        "documents": [
            {"id": "s", "kind": "original", "source": None, "copied": []},
            {
                "id": "c",
                "kind": "excerpt",
                "source": "s",
                "copied": [{"doc_start": 0, "doc_end": 10, "src_start": 0, "src_end": 10}],
            },
            {"id": "u", "kind": "unrelated", "source": None, "copied": []},
        ],
        "pairs": [{"a": "c", "b": "s"}],
    }
    docs = [Doc("s", "abcdefghij" + "x" * 10), Doc("c", "abcdefghij"), Doc("u", "y" * 20)]
    pairs = [("c", "s"), ("s", "u")]
    perfect = score(truth, docs, [_passage("c", "s", (0, 10), (0, 10))], pairs)  # type: ignore[arg-type]
    assert (perfect.recall, perfect.precision) == (1.0, 1.0)
    half = score(truth, docs, [_passage("c", "s", (0, 5), (0, 5)), _passage("s", "u", (10, 20), (0, 10))], pairs)  # type: ignore[arg-type]
    assert half.recall == 0.5 and half.precision == pytest.approx(10 / 30)
    assert score(truth, docs, [], pairs).recall == 0.0  # type: ignore[arg-type]


def test_floors_on_our_own_corpus(tmp_path: Path) -> None:
    build(tmp_path, n_sources=16, seed=7)
    scores, _ = evaluate(tmp_path)
    assert scores.recall >= FLOOR["own"]["recall"]
    assert scores.precision >= FLOOR["own"]["precision"]
    for kind, (hit, total) in scores.by_kind.items():
        assert hit / total >= 0.95, kind  # every transform survives, not just the average


def test_floors_on_the_generated_corpus(tmp_path: Path) -> None:
    corpus = pytest.importorskip("bench.corpus", reason="bench.corpus (the labelled generator) is not on this branch")
    corpus.generate(tmp_path, n_sources=60, seed=2, reuse_share=0.5, text="synthetic")
    scores, _ = evaluate(tmp_path)
    assert scores.recall >= FLOOR["synthetic"]["recall"]
    assert scores.precision >= FLOOR["synthetic"]["precision"]
