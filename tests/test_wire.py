"""Values crossing processes come back equal (provenance.wire's compact reducers)."""

from __future__ import annotations

import pickle
from pathlib import Path

from provenance import parallel, wire
from provenance.ingest import discover
from provenance.model import Analysis
from provenance.settings import Settings

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def test_documents_and_findings_round_trip(seed_analysis: Analysis) -> None:
    wire.register()
    for values in (seed_analysis.documents, seed_analysis.quotes, seed_analysis.passages, seed_analysis.lineage):
        assert pickle.loads(pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)) == values
    # Full documents (with matching keys) too, not only the parent's lean ones.
    assert any(s.key for d in seed_analysis.documents for s in d.sentences)


def test_build_results_round_trip() -> None:
    settings = Settings()
    sources, _ = discover([str(SEEDS)], settings.ingest)
    task = parallel.BuildTask(tuple(sources), settings, frozenset())
    result = parallel.build(task)
    again = pickle.loads(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    assert again.rejected == result.rejected
    for before, after in zip(result.built, again.built, strict=True):
        assert (after.document, after.quotes, after.facts, after.composition) == (
            before.document,
            before.quotes,
            before.facts,
            before.composition,
        )
        assert before.fingerprint is not None and after.fingerprint is not None
        assert (after.fingerprint.signature == before.fingerprint.signature).all()
        assert (after.fingerprint.shingles == before.fingerprint.shingles).all()
