"""Measure the CI gate's policy thresholds, print the figures behind ``check.near_duplicate`` and ``republication_min``.

1. Generated corpora (:mod:`bench.corpus`, synthetic text): for each kind of derived
   document, the Jaccard and the containments the pipeline measures against its parent.
   ``near_duplicate`` must sit below every full copy (however damaged or wrapped) and
   above excerpts and commentary.
2. news_events_dev (real web news, page boilerplate left in): every verified pair with its
   Jaccard and larger containment, bucketed, and the identical-text pairs of the truth
   file. ``republication_min`` must sit above pairs that only quote the same statement.

Run: ``.venv/bin/python -m bench.check_thresholds [--sources 400]`` (the second part skips
with a message when ``../shared/eval`` is absent).
"""

from __future__ import annotations

import argparse
import csv
import itertools
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench.corpus import generate
from provenance import analyze

DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "news_events_dev"


def _row(name: str, values: list[float]) -> str:
    a = np.array(values)
    return (
        f"  {name:<22} n={a.size:<4} min={a.min():.3f}  p10={np.quantile(a, 0.1):.3f}  "
        f"median={np.median(a):.3f}  max={a.max():.3f}"
    )


def generated(sources: int, seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        truth = generate(Path(tmp), n_sources=sources, seed=seed, reuse_share=0.8)
        analysis = analyze([Path(tmp) / "docs"])
    pairs = {(p.a, p.b): p for p in analysis.pairs}
    jaccard: dict[str, list[float]] = defaultdict(list)
    derived_in: dict[str, list[float]] = defaultdict(list)
    larger: dict[str, list[float]] = defaultdict(list)
    missed: dict[str, int] = defaultdict(int)
    for doc in truth.documents:
        if doc.source is None or doc.withheld:
            continue
        key = (min(doc.id, doc.source), max(doc.id, doc.source))
        pair = pairs.get(key)
        if pair is None:
            missed[doc.kind] += 1
            continue
        jaccard[doc.kind].append(pair.jaccard)
        derived_in[doc.kind].append(pair.containment_a_in_b if pair.a == doc.id else pair.containment_b_in_a)
        larger[doc.kind].append(pair.containment)
    print(f"generated corpus: {sources} sources, seed {seed}; derived document vs its parent (pipeline scores)")
    print(" Jaccard")
    for kind in sorted(jaccard):
        print(_row(kind, jaccard[kind]))
    print(" share of the derived document found in its parent")
    for kind in sorted(derived_in):
        print(_row(kind, derived_in[kind]))
    print(" larger containment (either way)")
    for kind in sorted(larger):
        print(_row(kind, larger[kind]))
    if missed:
        print(f" not verified: {dict(missed)}")


def dev() -> None:
    if not DEV.is_dir():
        print(f"news_events_dev: skipped ({DEV} not found)")
        return
    analysis = analyze([DEV / "docs"])
    with (DEV / "truth.csv").open(encoding="utf-8") as handle:
        truth = list(csv.DictReader(handle))
    identical = {tuple(sorted((r["doc_a"], r["doc_b"]))) for r in truth if r["relation"] == "identical_text"}
    print(f"news_events_dev: {len(analysis.documents)} documents, {len(analysis.pairs)} verified pairs")
    found = [p for p in analysis.pairs if (p.a, p.b) in identical]
    print(f"  identical_text pairs verified: {len(found)}, Jaccard min {min(p.jaccard for p in found):.3f}")
    edges = [0.12, 0.15, 0.2, 0.3, 0.5, 0.8, 1.01]
    print("  larger containment   pairs  shared shingles (min-max)  Jaccard (max)")
    for lo, hi in itertools.pairwise(edges):
        bucket = [p for p in analysis.pairs if lo <= p.containment < hi]
        if bucket:
            shared = [p.shared_shingles for p in bucket]
            print(
                f"  [{lo:.2f}, {min(hi, 1.0):.2f})        {len(bucket):>5}  {min(shared):>5}-{max(shared):<5}"
                f"                  {max(p.jaccard for p in bucket):.3f}"
            )
    near = sorted(p.jaccard for p in analysis.pairs if p.jaccard >= 0.5)
    print("  Jaccard of pairs from 0.5: " + " ".join(f"{j:.3f}" for j in near))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, default=400)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    generated(args.sources, args.seed)
    dev()


if __name__ == "__main__":
    main()
