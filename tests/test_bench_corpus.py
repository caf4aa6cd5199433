"""The labelled corpus generator: deterministic, every kind present, truth checkable by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.corpus import DERIVED_KINDS, generate, load_truth
from provenance.normalize import normalize

VERBATIM = {"full_copy", "excerpt", "excerpt_commentary", "furniture_wrapped"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate(out, n_sources=120, seed=7, reuse_share=0.5)
    return out


def test_same_seed_same_bytes(corpus: Path, tmp_path: Path) -> None:
    generate(tmp_path, n_sources=120, seed=7, reuse_share=0.5)
    for name in ("truth.json",):
        assert (tmp_path / name).read_bytes() == (corpus / name).read_bytes()
    mine = sorted(p.name for p in (tmp_path / "docs").iterdir())
    assert mine == sorted(p.name for p in (corpus / "docs").iterdir())
    for name in mine:
        assert (tmp_path / "docs" / name).read_bytes() == (corpus / "docs" / name).read_bytes()
    other = tmp_path / "other"
    generate(other, n_sources=120, seed=8, reuse_share=0.5)
    assert (other / "truth.json").read_bytes() != (corpus / "truth.json").read_bytes()


def test_every_kind_and_relation_is_made(corpus: Path) -> None:
    truth = load_truth(corpus / "truth.json")
    kinds = {d.kind for d in truth.documents}
    assert set(DERIVED_KINDS) | {"original", "unrelated"} <= kinds
    assert {p.relation for p in truth.pairs} == {"derived", "sibling", "chain"}
    written = {p.stem for p in (corpus / "docs").iterdir()}
    assert {d.id for d in truth.documents} == written
    for pair in truth.pairs:
        assert pair.a < pair.b and {pair.a, pair.b} <= written


def _source_text(corpus: Path, source: str) -> str:
    path = corpus / "docs" / f"{source}.txt"
    if not path.exists():
        path = corpus / "withheld" / f"{source}.txt"
    return path.read_text(encoding="utf-8")


def test_copied_spans_index_the_written_files(corpus: Path) -> None:
    truth = load_truth(corpus / "truth.json")
    checked = 0
    for doc in truth.documents:
        if doc.source is None:
            assert doc.copied == ()
            continue
        raw = (corpus / "docs" / f"{doc.id}.txt").read_text(encoding="utf-8")
        src = _source_text(corpus, doc.source)
        assert doc.copied
        for span in doc.copied:
            copied, original = raw[span.doc_start : span.doc_end], src[span.src_start : span.src_end]
            if doc.kind in VERBATIM:
                assert copied == original
            elif doc.kind in ("hex_damaged", "mojibake_damaged"):
                assert normalize(copied).clean == original  # the damage is repairable, spans include it
            checked += 1
    assert checked > 50


def test_damage_and_withheld_sources(corpus: Path) -> None:
    truth = load_truth(corpus / "truth.json")
    data = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    by_id = {d["id"]: d for d in data["documents"]}
    hexed = next(d for d in truth.documents if d.kind == "hex_damaged")
    assert "xe2x80x" in (corpus / "docs" / f"{hexed.id}.txt").read_text(encoding="utf-8")
    moji = next(d for d in truth.documents if d.kind == "mojibake_damaged")
    assert "â€" in (corpus / "docs" / f"{moji.id}.txt").read_text(encoding="utf-8")
    children = [d for d in truth.documents if d.withheld]
    withheld = {d.source for d in children}
    assert withheld and all((corpus / "withheld" / f"{w}.txt").exists() for w in withheld)
    for source in withheld:
        kids = [d for d in children if d.source == source]
        assert len(kids) >= 2
        for kid in kids:
            assert by_id[kid.id]["withheld"] is True and kid.outlet
            assert kid.outlet in (corpus / "docs" / f"{kid.id}.txt").read_text(encoding="utf-8")


def test_containment_by_construction(corpus: Path) -> None:
    truth = load_truth(corpus / "truth.json")
    kinds = {d.id: d.kind for d in truth.documents}
    for pair in truth.pairs:
        if pair.relation != "derived":
            continue
        child = pair.b if kinds[pair.a] in ("original",) else pair.a
        kind = kinds[child]
        if kind in ("full_copy", "furniture_wrapped", "hex_damaged", "mojibake_damaged"):
            assert pair.containment >= 0.9, pair
        if kind == "excerpt":
            contained = pair.containment_a_in_b if child == pair.a else pair.containment_b_in_a
            assert contained >= 0.9, pair
