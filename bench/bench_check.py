"""The CI gate at scale: index a generated corpus, then check a drop of new files against it.

``python -m bench.bench_check [--docs 100000] [--drop 100] [--jobs 2] [--out bench/out/check]``

1. Generates a synthetic corpus of about ``--docs`` documents (:mod:`bench.corpus`, 10% reuse;
   kept in ``--out`` and reused by later runs with the same arguments).
2. Chooses the drop: half derived documents whose source stays in the corpus (copies, excerpts,
   wrapped, damaged, edited: they must fail naming their source), half articles nothing else
   derives from (they must pass). The drop's files stay in the corpus folder, as in a pull
   request, and are left out of the index.
3. Measures, in one run: ``index build`` (docs/s, size on disk), ``index update`` with nothing
   changed, the check of the drop in process (:func:`provenance.check.check_drop`) and through
   the installed ``provenance check`` command, and two baselines: a full analysis of the same
   drop plus the documents it matches (``provenance.api.analyze``: load, fingerprint, pairs,
   quotes from scratch: the least work a check without an index could do if it knew the
   matches) and re-fingerprinting the corpus (what a check without an index must do first,
   measured by the build itself). Figures are printed as ratios against the baselines (the
   machine is shared; absolute times are noisy), with the verdicts scored against the truth.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import cast

import numpy as np

from bench.corpus import Truth, generate, load_truth
from provenance.api import analyze
from provenance.check import check_drop, drop_files
from provenance.index import build_index, open_index, update_index
from provenance.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def _corpus(out: Path, docs: int, seed: int) -> tuple[Path, Truth]:
    """The generated corpus in ``out`` (made once per size and seed)."""
    stamp = out / "args.json"
    args = {"docs": docs, "seed": seed}
    if not (stamp.is_file() and json.loads(stamp.read_text(encoding="utf-8")) == args):
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir(parents=True)
        t0 = time.perf_counter()
        generate(out, n_sources=round(docs / 1.1), seed=seed, reuse_share=0.1)
        print(f"generated {len(list((out / 'docs').glob('*.txt')))} documents in {time.perf_counter() - t0:.0f} s")
        stamp.write_text(json.dumps(args), encoding="utf-8")
    return out / "docs", load_truth(out / "truth.json")


def _drop(truth: Truth, size: int, seed: int) -> tuple[list[str], dict[str, str | None]]:
    """Drop ids and, for each, the source its verdict must name (None: it must pass)."""
    rng = np.random.default_rng(seed)
    parents = {d.source for d in truth.documents if d.source}
    derived = sorted(d.id for d in truth.documents if d.source and not d.withheld)
    lone = sorted(d.id for d in truth.documents if not d.source and d.id not in parents)
    source = {d.id: d.source for d in truth.documents}
    chosen_derived = [str(x) for x in rng.choice(derived, size=min(size // 2, len(derived)), replace=False)]
    # a source must stay in the corpus: drop no parent of a chosen derived document
    taken = {source[d] for d in chosen_derived}
    chosen_lone = [str(x) for x in rng.choice(lone, size=size - len(chosen_derived), replace=False) if x not in taken]
    expected: dict[str, str | None] = {d: source[d] for d in chosen_derived}
    expected.update(dict.fromkeys(chosen_lone))
    return sorted(expected), expected


def _score(
    result_verdicts: list[tuple[str, str, list[str]]], expected: dict[str, str | None], kinds: dict[str, str]
) -> None:
    right, wrong = 0, []
    for doc_id, status, matched in result_verdicts:
        want = expected[doc_id]
        ok = status == "pass" if want is None else status == "fail" and want in matched
        right += ok
        if not ok:
            wanted = "pass" if want is None else f"fail naming {want}"
            wrong.append(f"{doc_id} ({kinds.get(doc_id, '?')}: expected {wanted}, got {status} {matched[:3]})")
    print(f"verdicts right: {right}/{len(expected)}")
    for line in wrong:
        print(f"  wrong: {line}")


def run(docs: int, drop_size: int, jobs: int, seed: int, out: Path) -> None:
    corpus, truth = _corpus(out / f"corpus-{docs}-{seed}", docs, seed)
    ids, expected = _drop(truth, drop_size, seed)
    kinds = {d.id: d.kind for d in truth.documents}
    drop_paths = [corpus / f"{doc_id}.txt" for doc_id in ids]
    settings = Settings()
    index = out / f"index-{docs}-{seed}.sqlite"
    n_corpus = len(list(corpus.glob("*.txt"))) - len(ids)
    print(
        f"corpus: {n_corpus} documents indexed, drop: {len(ids)} files "
        f"({sum(v is not None for v in expected.values())} derived)"
    )

    t0 = time.perf_counter()
    report = build_index(corpus, index, settings, rebuild=True, jobs=jobs, exclude=[p.name for p in drop_paths])
    build = time.perf_counter() - t0
    size = index.stat().st_size
    print(
        f"index build: {build:.1f} s, {report.documents / build:.0f} docs/s (--jobs {jobs}), "
        f"{size / 2**20:.0f} MiB on disk ({size / report.documents / 1024:.1f} KiB a document), "
        f"{report.common_shingles} common shingles"
    )

    t0 = time.perf_counter()
    report = update_index(corpus, index, settings, jobs=jobs, exclude=[p.name for p in drop_paths])
    update = time.perf_counter() - t0
    print(f"index update, nothing changed: {update:.1f} s (hashes every file; fingerprinted {report.fingerprinted})")

    t0 = time.perf_counter()
    files, rejected = drop_files(drop_paths, corpus, settings)
    with open_index(index) as store:
        result = check_drop(files, rejected, store, settings)
    check = time.perf_counter() - t0
    timings = cast("dict[str, float]", result.stats["timings"])  # stats hold values of several kinds
    print(
        f"check in process: {check:.2f} s for {len(files)} files against {result.indexed} indexed documents "
        f"({', '.join(f'{k} {v:.2f}' for k, v in timings.items() if k != 'total')})"
    )
    print(
        f"  candidates {result.stats['candidates']}, verified pairs {result.stats['verified']}, "
        f"sub-corpus analysed {result.stats['analysed']} documents"
    )

    t0 = time.perf_counter()
    command = [
        str(Path(sys.executable).parent / "provenance"),
        "check",
        *map(str, drop_paths),
        "--index",
        str(index),
        "--format",
        "json",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    cli = time.perf_counter() - t0
    print(f"check through the CLI (process start and imports included): {cli:.2f} s, exit {done.returncode}")

    matched = sorted({m.doc for v in result.verdicts for m in v.matches if not m.in_drop})
    t0 = time.perf_counter()
    full = analyze([*drop_paths, *(corpus / f"{m}.txt" for m in matched)], settings)
    baseline = time.perf_counter() - t0
    print(
        f"baseline, full analysis of the drop + its {len(matched)} matches "
        f"({len(full.documents)} documents): {baseline:.2f} s"
    )
    print(
        f"check / that analysis: {check / baseline:.2f}x; check / re-fingerprinting the corpus (the build): "
        f"{check / build:.4f}x ({build / check:.0f}x faster)"
    )
    _score([(v.id, v.status, [m.doc for m in v.matches]) for v in result.verdicts], expected, kinds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--drop", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "check")
    args = parser.parse_args()
    run(args.docs, args.drop, args.jobs, args.seed, args.out)


if __name__ == "__main__":
    main()
