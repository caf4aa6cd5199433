"""Bounded work on hostile corpora (issue 31): identical copies, one statement quoted by every
document, one passage shared by hundreds, documents sharing a sentence with hundreds of others.

Each test checks the bound by what the run materialises (pairs, candidates, relations, list
lengths, report size), which does not depend on the machine; ``bench/bench_hostile.py``
times the full-size cases.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench.stock_corpus import MSRP
from provenance import analyze
from provenance.candidates import colliding_pairs, search
from provenance.cli import main
from provenance.fingerprint import Fingerprint, FingerprintParams, signatures
from provenance.settings import CandidateSettings, Settings, with_overrides

ARTICLE = """Harbour festival draws record crowds despite the rain

July 14, 2024

PORT ELLIS — More than forty thousand visitors came to the harbour festival over the weekend, organisers
said on Monday, the largest number since the event began in 1987. Fishing boats decorated with flags
paraded past the old lighthouse while brass bands played on the quay.

Stallholders said they had sold out of smoked mackerel by Saturday afternoon, and the ferry company added
two late crossings on Saturday to carry visitors back to the islands after the fireworks.

Next year the festival will add a rowing race between the neighbouring villages, the mayor announced,
and a new footbridge should make it easier to reach the quay from the railway station.
"""

STATEMENT = (
    "“We will not accept any agreement that leaves our workers behind, and we will keep talking with every "
    "partner at this table until the people who build these ships can see a future for their children,” said "
    "Maria Alvarez, the union’s president."
)

WORDS = [
    "river",
    "mill",
    "council",
    "budget",
    "harbour",
    "train",
    "school",
    "market",
    "bridge",
    "tower",
    "garden",
    "museum",
    "library",
    "farmer",
    "teacher",
    "doctor",
    "engineer",
    "storm",
    "winter",
    "summer",
    "election",
    "court",
    "factory",
    "harvest",
    "festival",
    "ferry",
    "island",
    "village",
    "mayor",
    "tourist",
    "station",
    "road",
    "canal",
    "forest",
    "mountain",
    "valley",
    "coast",
    "orchard",
    "vineyard",
    "bakery",
]


def _unique_text(rng: np.random.Generator, sentences: int = 12) -> str:
    """News-like sentences of random words: no two documents share a 5-gram by chance."""
    out = []
    for _ in range(sentences):
        words = [WORDS[int(i)] for i in rng.integers(0, len(WORDS), 14)]
        out.append(" ".join(words).capitalize() + f" {int(rng.integers(10, 10**6))}.")
    return " ".join(out)


def test_identical_copies_are_one_group_never_paired(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(200):
        (corpus / f"copy{i:03d}.txt").write_text(ARTICLE, encoding="utf-8")
    analysis = analyze([corpus])
    assert analysis.pairs == () and analysis.passages == () and analysis.relations == ()
    (group,) = analysis.duplicates
    # Nothing orders same bytes: the first in corpus order stands for them, and says so.
    assert group.head == "copy000" and len(group.copies) == 199 and group.same_bytes
    assert group.reason.startswith("nothing in the texts orders them") and group.confidence == 0.0
    edges = {e.doc: e for e in analysis.lineage}
    assert edges["copy001"].role == "full republication" and edges["copy001"].parent == "copy000"
    assert edges["copy001"].evidence[0].kind == "identical"
    assert all(e.role != "undecided" for e in analysis.lineage)
    comps = {c.doc: c for c in analysis.compositions}
    assert comps["copy001"].republished_share == 1.0 and comps["copy001"].sources[0].doc == "copy000"
    out = tmp_path / "out"
    assert main(["analyze", str(corpus), "--out", str(out), "--quiet", "--jobs", "1"]) == 0
    report = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert report["pairs"] == [] and report["duplicates"][0]["head"] == "copy000"
    # Listed once: the Markdown does not grow with the copies' pairs (there are none).
    assert (out / "provenance.md").stat().st_size < 200_000


def test_the_same_result_on_the_pool(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rng = np.random.default_rng(5)
    source = _unique_text(rng)
    for i in range(30):
        (corpus / f"copy{i:02d}.txt").write_text(f"Copied piece\n\n{source}\n", encoding="utf-8")
    (corpus / "excerpt.txt").write_text(f"An excerpt\n\n{source[: len(source) // 2]}\n", encoding="utf-8")
    serial = tmp_path / "serial"
    pooled = tmp_path / "pooled"
    assert main(["analyze", str(corpus), "--out", str(serial), "--quiet", "--jobs", "1"]) == 0
    assert main(["analyze", str(corpus), "--out", str(pooled), "--quiet", "--jobs", "2"]) == 0
    assert (serial / "provenance.json").read_bytes() == (pooled / "provenance.json").read_bytes()
    report = json.loads((serial / "provenance.json").read_bytes())
    # The excerpt pairs with the group's head only, not with its 29 copies.
    assert [(p["a"], p["b"]) for p in report["pairs"]] == [("copy00", "excerpt")]


def test_a_statement_quoted_by_every_document_makes_no_pairs(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    rng = np.random.default_rng(6)
    n = 300
    for i in range(n):
        text = f"Report number {i}\n\n{_unique_text(rng, 6)}\n\n{STATEMENT}\n\n{_unique_text(rng, 6)}\n"
        (corpus / f"doc{i:03d}.txt").write_text(text, encoding="utf-8")
    analysis = analyze([corpus])
    assert analysis.pairs == () and analysis.relations == ()
    (trail,) = [t for t in analysis.quotes if len(t.docs) > 1]
    assert len(trail.docs) == n
    counts = {c.doc: c for c in analysis.quote_counts}
    settings = Settings().quotes
    assert len(counts["doc000"].shared_with) == settings.partners_listed
    assert counts["doc000"].partners == settings.partners_counted  # at the cap: at least that many
    edge = next(e for e in analysis.lineage if e.doc == "doc000")
    assert edge.role == "independent"
    detail = edge.evidence[-1].detail
    assert detail.count("doc") <= Settings().lineage.independent_examples + 1 and "at least" in detail


def test_a_bucket_pairs_its_members_with_its_largest_documents_only() -> None:
    """A shingle in 1,000 documents: 1,000 x hubs colliding pairs at most, not half a million."""
    rows = 1000
    signatures_ = np.full((rows, 4), 7, dtype=np.uint32)
    signatures_[:, 1:] = np.arange(rows * 3, dtype=np.uint32).reshape(rows, 3)  # unique elsewhere
    pairs, _counts = colliding_pairs(signatures_, 8)
    assert len(pairs) == 8 * rows - 36  # each pairs with the 8 before it (fewer for the first 8)
    assert set(pairs[:, 0].tolist()) == set(range(8))  # the hubs are the first (largest) rows


def test_verification_is_bounded_by_partners_per_document() -> None:
    """Every document shares a few shingles with every other: candidates stay near max_partners each."""
    rng = np.random.default_rng(8)
    params = FingerprintParams(5, 128, 1)
    pool = rng.integers(0, 2**64, 3000, dtype=np.uint64)
    sets = [
        np.unique(np.concatenate((rng.choice(pool, 60), rng.integers(0, 2**64, 240, dtype=np.uint64))))
        for _ in range(600)
    ]
    fps = [Fingerprint(params, s, signatures([s], 128, 1)[0]) for s in sets]
    settings = CandidateSettings(max_df=10_000, max_partners=4)
    candidates, stats, _ = search(fps, settings)
    assert stats.colliding_pairs > 10 * len(fps)  # the background makes many weak candidates
    assert len(candidates) <= 4 * len(fps)


@pytest.mark.skipif(not MSRP.is_dir(), reason="needs ../shared/eval/msrp_sentences (real news sentences)")
def test_stock_corpus_candidates_stay_linear(tmp_path: Path) -> None:
    from bench.stock_corpus import generate

    generate(tmp_path, 600, seed=3)
    truth = json.loads((tmp_path / "truth.json").read_text(encoding="utf-8"))
    settings = with_overrides(Settings(), {"candidates.max_partners": "4"})
    analysis = analyze([tmp_path / "docs"], settings)
    stats = analysis.stats["candidates"]
    assert isinstance(stats, dict) and stats["candidates"] <= 4 * len(analysis.documents)
    planted = {(min(p["a"], p["b"]), max(p["a"], p["b"])) for p in truth["pairs"]}
    head = {c: g.head for g in analysis.duplicates for c in g.copies}
    found = {
        (min(head.get(p.a, p.a), head.get(p.b, p.b)), max(head.get(p.a, p.a), head.get(p.b, p.b)))
        for p in analysis.pairs
    }
    found |= {(min(g.head, c), max(g.head, c)) for g in analysis.duplicates for c in g.copies}
    planted = {(min(head.get(a, a), head.get(b, b)), max(head.get(a, a), head.get(b, b))) for a, b in planted}
    assert len(planted & found) >= 0.98 * len(planted)
    assert not any(r.relation == "independent" for r in analysis.relations)


def test_a_contradicted_date_does_not_make_an_identical_copy_the_head(tmp_path: Path) -> None:
    """Identical texts are ordered by their stated dates only where their pages do not contradict them."""
    from provenance.api import document_from_text
    from provenance.lineage import document_facts, duplicate_group

    body = "The council met on March 3, 2024 and approved the new library budget after a long debate."
    settings = Settings().lineage
    real = document_facts(document_from_text(f"Library budget approved\n\nMarch 5, 2024\n\n{body}", "real"), settings)
    planted = document_facts(
        document_from_text(f"Library budget approved\n\nJanuary 5, 2010\n\n{body}", "fake"), settings
    )
    group = duplicate_group(["real", "fake"], {"real": real, "fake": planted}, settings)
    assert group.head == "real" and "2024-03-05" in group.reason
