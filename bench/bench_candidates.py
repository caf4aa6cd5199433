"""Fingerprint throughput and candidate search time against the datasketch reference, side by side.

``python -m bench.bench_candidates [--sizes 1000 10000]`` generates synthetic corpora
(:mod:`bench.corpus`, 10% reuse), takes each document's matching key (the fingerprint
stage's input; ingest and normalisation are not timed here) and measures in one run:

* fingerprinting: ours (:func:`provenance.fingerprint.fingerprint_texts`, shingling and
  signatures in bulk) against datasketch ``MinHash.update_batch`` fed the same 32-bit
  shingle values (the shingling itself is not charged to datasketch);
* candidate search: ours (:func:`provenance.candidates.find_pairs`, index *and* exact
  verification) against ``MinHashLSHEnsemble(threshold=0.5)`` built and queried with every
  document (index only: its candidates are not verified);
* recall of both on the truth pairs whose containment is at least 0.5, candidate counts.

Figures are printed as ratios against the reference measured in the same process (the
machine is shared; absolute times are noisy).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSHEnsemble

from bench.corpus import generate
from provenance.candidates import find_pairs
from provenance.fingerprint import fingerprint_texts, signatures
from provenance.settings import CandidateSettings, FingerprintSettings
from provenance.text import matching_key


def _corpus(n_docs: int, seed: int) -> tuple[list[str], list[str], set[tuple[str, str]], set[tuple[str, str]]]:
    with tempfile.TemporaryDirectory() as tmp:
        truth = generate(Path(tmp), n_sources=round(n_docs / 1.1), seed=seed, reuse_share=0.1)
        ids = sorted(p.stem for p in (Path(tmp) / "docs").glob("*.txt"))
        texts = [matching_key((Path(tmp) / "docs" / f"{i}.txt").read_text(encoding="utf-8")) for i in ids]
    positives = {(p.a, p.b) for p in truth.pairs if p.containment >= 0.5}
    return ids, texts, positives, {(p.a, p.b) for p in truth.pairs}


def _recall(found: set[tuple[str, str]], positives: set[tuple[str, str]]) -> float:
    return len(found & positives) / len(positives) if positives else 1.0


def run(n_docs: int, seed: int, *, reference: bool = True) -> None:
    ids, texts, positives, related = _corpus(n_docs, seed)
    fp_settings = FingerprintSettings()
    fingerprint_texts(texts[:100], fp_settings)  # warm-up (first numpy calls, permutations)
    t0, c0 = time.perf_counter(), time.process_time()
    fps = fingerprint_texts(texts, fp_settings)
    ours_fp, ours_fp_cpu = time.perf_counter() - t0, time.process_time() - c0

    t0 = time.perf_counter()
    signatures([fp.shingles for fp in fps], fp_settings.num_perm, fp_settings.seed)
    ours_sig = time.perf_counter() - t0

    t0 = time.perf_counter()
    ref: list[MinHash] = []
    for fp in fps:
        m = MinHash(num_perm=fp_settings.num_perm, seed=fp_settings.seed, hashfunc=int)
        m.update_batch((fp.shingles & np.uint64(0xFFFFFFFF)).tolist())
        ref.append(m)
    ref_fp = time.perf_counter() - t0
    assert all(np.array_equal(m.hashvalues, fp.signature) for m, fp in zip(ref, fps, strict=True))

    t0 = time.perf_counter()
    pairs, stats, _ = find_pairs(ids, fps, CandidateSettings())
    ours_search = time.perf_counter() - t0
    ours_found = {(p.a, p.b) for p in pairs}

    n = len(ids)
    precision = len(ours_found & related) / len(ours_found) if ours_found else 1.0
    if not reference:
        print(f"\n== {n} documents ({len(positives)} truth pairs with containment >= 0.5), no reference run")
        print(f"fingerprint  ours: {n / ours_fp:8.0f} docs/s wall, {n / ours_fp_cpu:.0f} per CPU second")
        print(f"candidates   ours {ours_search:6.2f} s: {stats}")
        print(f"             recall {_recall(ours_found, positives):.4f}, precision {precision:.4f}")
        return
    t0 = time.perf_counter()
    ensemble = MinHashLSHEnsemble(threshold=0.5, num_perm=fp_settings.num_perm, num_part=16)
    entries = [(i, m, max(fp.size, 1)) for i, m, fp in zip(ids, ref, fps, strict=True) if fp.size]
    ensemble.index(entries)
    ref_candidates: set[tuple[str, str]] = set()
    for key, m, size in entries:
        for other in ensemble.query(m, size):
            if other != key:
                ref_candidates.add((min(key, other), max(key, other)))
    ref_search = time.perf_counter() - t0

    print(f"\n== {n} documents ({len(positives)} truth pairs with containment >= 0.5)")
    print(
        f"fingerprint  ours, tokens to signatures: {n / ours_fp:8.0f} docs/s wall, {n / ours_fp_cpu:.0f} per CPU "
        "second (one core; the machine is shared, so wall time runs slow)"
    )
    print(
        f"             signatures only: ours {n / ours_sig:8.0f} docs/s, datasketch update_batch {n / ref_fp:6.0f} "
        f"docs/s on the same shingles: {ref_fp / ours_sig:.1f}x (bit-identical: checked)"
    )
    print(f"candidates   ours {ours_search:6.2f} s (index + exact verification), LSH Ensemble {ref_search:6.2f} s")
    print(f"             ratio {ref_search / ours_search:.1f}x")
    print(
        f"             ours: {stats.candidates} candidates, {stats.verified} verified, recall "
        f"{_recall(ours_found, positives):.4f}, precision {precision:.4f}"
    )
    ref_recall = _recall(ref_candidates, positives)
    print(f"             LSH Ensemble: {len(ref_candidates)} candidates (not verified), recall {ref_recall:.4f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_candidates", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--no-reference", action="store_true", help="skip datasketch (LSH Ensemble needs ~74 KB a document)"
    )
    args = parser.parse_args(argv)
    for size in args.sizes:
        run(size, args.seed, reference=not args.no_reference)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
