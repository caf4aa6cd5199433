"""Candidates: the index finds what brute force finds, verification is exact, seeds behave."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pytest

from bench.corpus import generate
from provenance import analyze
from provenance.candidates import find_pairs, search
from provenance.errors import FingerprintError
from provenance.fingerprint import Fingerprint, FingerprintParams, fingerprint, fingerprint_texts, signatures
from provenance.model import Document
from provenance.quotes import extract_quotes
from provenance.settings import CandidateSettings, FingerprintSettings, QuoteSettings, Settings
from provenance.trails import statement_keys

PARAMS = FingerprintParams(5, 128, 1)


def _fp(shingles: np.ndarray) -> Fingerprint:
    return Fingerprint(PARAMS, shingles, signatures([shingles], PARAMS.num_perm, PARAMS.seed)[0])


def _brute_force(fps, threshold: float) -> set[tuple[int, int]]:  # type: ignore[no-untyped-def]
    out = set()
    for i, j in itertools.combinations(range(len(fps)), 2):
        a, b = fps[i].shingles, fps[j].shingles
        if a.size and b.size:
            shared = np.intersect1d(a, b).size
            if shared / min(a.size, b.size) >= threshold and shared >= 1:
                out.add((i, j))
    return out


def _random_family_corpus(seed: int) -> list[np.ndarray]:
    """Sets built like a news corpus: sources, excerpts (containment 0.2-1), edits, unrelated."""
    rng = np.random.default_rng(seed)
    sets: list[np.ndarray] = []
    for _ in range(30):
        source = np.unique(rng.integers(0, 2**64, int(rng.integers(150, 1200)), dtype=np.uint64))
        sets.append(source)
        for _ in range(int(rng.integers(0, 3))):
            size = int(source.size * rng.uniform(0.1, 1.0))
            kept = rng.choice(source, size=size, replace=False)
            own = rng.integers(0, 2**64, int(size * rng.uniform(0.0, 1.5)), dtype=np.uint64)
            sets.append(np.unique(np.concatenate((kept, own))))
    return sets


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_search_finds_every_pair_brute_force_finds(seed: int) -> None:
    settings = CandidateSettings()
    fps = [_fp(s) for s in _random_family_corpus(seed)]
    candidates, stats, _ = search(fps, settings)
    found = {tuple(p) for p in candidates.tolist()}
    expected = _brute_force(fps, settings.search_containment)
    assert expected, "the corpus has related pairs"
    assert expected <= found, sorted(expected - found)
    # and the index is selective: unrelated pairs are not all candidates
    assert stats.candidates < len(fps) * (len(fps) - 1) / 2 / 4


def test_search_on_a_generated_corpus_matches_brute_force(tmp_path: Path) -> None:
    generate(tmp_path, n_sources=60, seed=11, reuse_share=0.6)
    analysis = analyze([tmp_path / "docs"])
    fps = fingerprint(analysis.documents, FingerprintSettings())
    settings = CandidateSettings()
    candidates, _, _ = search(fps, settings)
    assert _brute_force(fps, settings.search_containment) <= {tuple(p) for p in candidates.tolist()}
    verified = {(p.a, p.b) for p in analysis.pairs}
    ids = [d.id for d in analysis.documents]
    for i, j in _brute_force(fps, 0.5):
        assert (min(ids[i], ids[j]), max(ids[i], ids[j])) in verified


def test_verification_scores_are_exact_and_ordered() -> None:
    rng = np.random.default_rng(4)
    base = np.unique(rng.integers(0, 2**64, 600, dtype=np.uint64))
    excerpt = base[100:250]
    other = np.unique(rng.integers(0, 2**64, 400, dtype=np.uint64))
    fps = [_fp(base), _fp(excerpt), _fp(other)]
    pairs, stats = find_pairs(["z-source", "a-excerpt", "m-other"], fps, CandidateSettings())
    assert stats.verified == len(pairs) == 1
    (pair,) = pairs
    assert (pair.a, pair.b) == ("a-excerpt", "z-source")  # a < b by id
    assert pair.containment_a_in_b == 1.0
    assert pair.containment_b_in_a == pytest.approx(150 / base.size)
    assert pair.jaccard == pytest.approx(150 / base.size)
    assert pair.shared_shingles == 150 and (pair.shingles_a, pair.shingles_b) == (150, base.size)
    assert pair.cluster == "a-excerpt"


def test_exact_duplicates_collapse_and_clusters_take_the_smallest_id() -> None:
    rng = np.random.default_rng(9)
    text = np.unique(rng.integers(0, 2**64, 300, dtype=np.uint64))
    half = text[:150]
    fps = [_fp(text), _fp(text.copy()), _fp(text.copy()), _fp(half), _fp(np.zeros(0, np.uint64))]
    ids = ["d", "b", "e", "c", "a"]
    pairs, stats = find_pairs(ids, fps, CandidateSettings())
    assert stats.duplicate_groups == 1 and stats.empty == 1
    assert [(p.a, p.b) for p in pairs] == [("b", "c"), ("b", "d"), ("b", "e"), ("c", "d"), ("c", "e"), ("d", "e")]
    assert {p.cluster for p in pairs} == {"b"}
    assert all(p.jaccard == 1.0 for p in pairs if "c" not in (p.a, p.b))


def test_mixed_parameters_are_refused() -> None:
    a = fingerprint_texts(["a b c d e f g"], FingerprintSettings())[0]
    b = fingerprint_texts(["a b c d e f g"], FingerprintSettings(seed=9))[0]
    with pytest.raises(FingerprintError):
        search([a, b], CandidateSettings())


def test_common_boilerplate_never_links_documents() -> None:
    """A paragraph in very many documents (more than max_df) links none of them."""
    rng = np.random.default_rng(2)
    boiler = np.unique(rng.integers(0, 2**64, 200, dtype=np.uint64))
    fps = [_fp(np.unique(np.concatenate((boiler, rng.integers(0, 2**64, 50, dtype=np.uint64))))) for _ in range(40)]
    ids = [f"doc{i:02d}" for i in range(40)]
    pairs, stats = find_pairs(ids, fps, CandidateSettings(max_df=20))
    assert pairs == () and stats.common_shingles == boiler.size
    # documents made of boilerplate alone are left empty and stay out of the index
    only = [_fp(boiler[k : k + 150]) for k in range(5)]
    alone, stats = find_pairs([*ids, *"vwxyz"], [*fps, *only], CandidateSettings(max_df=20))
    assert alone == () and stats.colliding_pairs == 0
    # the same documents in a small corpus (under max_df) are linked: it is shared text
    small, _ = find_pairs(ids[:5], fps[:5], CandidateSettings(max_df=20))
    assert len(small) == 10


def test_seeds_only_000_and_003(seed_analysis) -> None:  # type: ignore[no-untyped-def]
    assert len(seed_analysis.pairs) == 1
    (pair,) = seed_analysis.pairs
    assert pair.a.startswith("000_") and pair.b.startswith("003_")
    assert pair.containment_b_in_a >= 0.55  # 003 is an excerpt of 000 (after hex-escape repair)
    assert pair.containment_a_in_b < 0.3  # the asymmetry: most of 000 is not in 003
    assert pair.jaccard < 0.25
    assert seed_analysis.stats["candidates"]["verified"] == 1


def test_related_pairs_for_other_stages(seed_analysis) -> None:  # type: ignore[no-untyped-def]
    docs: list[Document] = list(seed_analysis.documents)
    statements = [statement_keys(extract_quotes(d, QuoteSettings())) for d in docs]
    fingerprints = fingerprint(docs, FingerprintSettings(), statements)
    pairs, stats = find_pairs([d.id for d in docs], fingerprints, CandidateSettings())
    assert pairs == seed_analysis.pairs and stats.candidates >= stats.verified == 1


def test_json_and_markdown_show_pairs(tmp_path: Path, seeds_dir: Path) -> None:
    from provenance.cli import main

    assert main(["analyze", str(seeds_dir), "--out", str(tmp_path), "--quiet"]) == 0
    data = json.loads((tmp_path / "provenance.json").read_text(encoding="utf-8"))
    (entry,) = data["pairs"]
    assert {"a", "b", "jaccard", "containment_a_in_b", "containment_b_in_a", "shared_shingles", "cluster"} <= set(entry)
    assert entry["containment_b_in_a"] >= 0.55
    md = (tmp_path / "provenance.md").read_text(encoding="utf-8")
    section = md.split("## Related documents", 1)[1].split("\n## ", 1)[0]
    assert "`000_3a0f44c342259dfd`" in section and "`003_de54a7ad96882903`" in section
    assert "Candidate pairs from the MinHash index: 1; verified on the exact shingle sets: 1." in section


def test_shingle_size_setting_changes_fingerprints(seeds_dir: Path) -> None:
    analysis = analyze([seeds_dir], Settings(fingerprint=FingerprintSettings(shingle_size=3)))
    (pair,) = analysis.pairs
    assert pair.containment_b_in_a >= 0.55
