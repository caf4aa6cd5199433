"""Bounded work on hostile corpora: time and memory of whole runs, and how they grow.

``python -m bench.bench_hostile [--cases stock identical paragraph quotes] [--stock-sizes 2000 20000]
[--jobs 2] [--out DIR]``

Each case writes its corpus once (under ``--out``, default ``/tmp/provenance-hostile``) and runs
``provenance analyze --format md,json`` on it in a child process, exactly as the command line
runs it, while this process samples the memory (PSS) of the child and all its workers
(:func:`bench.bench_scale.tree_pss_mb`). Printed per run: wall time, peak memory, pairs,
passages, trails, report sizes, and the verdict against the limit of the case:

* ``stock``: articles of real news sentences whose articles recur stock quotes
  (:mod:`bench.stock_corpus`) at each of ``--stock-sizes``; the growth from the smallest to
  the largest size, time and memory each within ``--growth`` (default 12x for 10x the
  articles: near-linear, where pairwise work is quadratic);
* ``identical``: 1,000 byte-identical copies of one article;
* ``paragraph``: 1,000 different articles that all carry one quoted paragraph;
* ``quotes``: two 2 MB files sharing ~9,500 quoted statements, each with its own narrative;
* ``copy``: a 2 MB file and a copy of its first half (every sentence of one compared with
  every sentence of the other would be 180M comparisons);

the last four within 30 s and 1 GB each.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.bench_scale import sampled, warm
from bench.stock_corpus import MSRP, Chain, generate, sentences

ROOT = Path(tempfile.gettempdir()) / "provenance-hostile"
LIMIT_SECONDS = 30.0
LIMIT_MIB = 1024.0
STATEMENT = (
    "We will not accept any agreement that leaves our workers behind, and we will keep talking with every "
    "partner at this table until the people who build these ships, drive these trucks and stock these shelves "
    "can see a future for their children in this country, whatever the markets say this week"
)


@dataclass(frozen=True)
class Outcome:
    case: str
    documents: int
    wall: float
    peak_mib: float
    pairs: int
    passages: int
    trails: int
    json_mib: float
    md_kib: float


def run(case: str, docs: Path, jobs: int) -> Outcome:
    """``provenance analyze DOCS`` in a child process, its wall time, the tree's peak PSS and what it found."""
    warm(docs)
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "provenance", "analyze", str(docs), "--out", out, "--quiet"]
        command += ["--jobs", str(jobs), "--format", "md,json"]
        code, wall, peak = sampled(command)
        if code:
            raise SystemExit(f"{case}: provenance analyze exited with {code}")
        report = Path(out) / "provenance.json"
        data = json.loads(report.read_bytes())
        md = (Path(out) / "provenance.md").stat().st_size
        return Outcome(
            case,
            len(data["documents"]),
            wall,
            peak,
            len(data["pairs"]),
            len(data["passages"]),
            len(data["quotes"]),
            report.stat().st_size / 2**20,
            md / 1024,
        )


def describe(o: Outcome, *, limits: bool) -> str:
    verdict = ""
    if limits:
        ok = o.wall < LIMIT_SECONDS and o.peak_mib < LIMIT_MIB
        verdict = f"  [{'ok' if ok else 'OVER'}: limit {LIMIT_SECONDS:.0f} s, {LIMIT_MIB:.0f} MiB]"
    return (
        f"{o.case}: {o.documents:,} documents, {o.wall:.1f} s, peak {o.peak_mib:,.0f} MiB; "
        f"{o.pairs:,} pairs, {o.passages:,} passages, {o.trails:,} trails; "
        f"JSON {o.json_mib:.1f} MiB, Markdown {o.md_kib:,.0f} KiB{verdict}"
    )


# --- corpora ------------------------------------------------------------------------------------------


def _chain_article(chain: Chain, rng: np.random.Generator, paragraphs: int) -> str:
    return "\n\n".join(" ".join(chain.sentence(rng) for _ in range(3)) for _ in range(paragraphs))


def identical(out: Path, copies: int = 1000) -> Path:
    """``copies`` byte-identical files of one article."""
    docs = out / "docs"
    if docs.is_dir():
        return docs
    docs.mkdir(parents=True)
    rng = np.random.default_rng(1)
    text = "A copied article, republished word for word\n\n" + _chain_article(Chain(sentences(MSRP)), rng, 8) + "\n"
    for i in range(copies):
        (docs / f"copy{i:04d}.txt").write_text(text, encoding="utf-8")
    return docs


def paragraph(out: Path, documents: int = 1000) -> Path:
    """``documents`` different articles, each carrying the same quoted paragraph."""
    docs = out / "docs"
    if docs.is_dir():
        return docs
    docs.mkdir(parents=True)
    rng = np.random.default_rng(2)
    chain = Chain(sentences(MSRP))
    shared = f"“{STATEMENT},” said Maria Alvarez, the union’s president, at a news conference on Tuesday."
    for i in range(documents):
        body = _chain_article(chain, rng, 5).split("\n\n")
        body.insert(2, shared)
        (docs / f"doc{i:04d}.txt").write_text(f"Report number {i}\n\n" + "\n\n".join(body) + "\n", encoding="utf-8")
    return docs


def quote_heavy(out: Path, quotes: int = 9500) -> Path:
    """Two ~2 MB files carrying the same ``quotes`` statements, each with narrative of its own."""
    docs = out / "docs"
    if docs.is_dir():
        return docs
    docs.mkdir(parents=True)
    rng = np.random.default_rng(3)
    chain = Chain(sentences(MSRP))
    statements = [chain.sentence(rng).rstrip(".!?\"'").replace('"', "") for _ in range(quotes)]
    for name in ("first", "second"):
        units = [f"“{s},” said Official {i % 97}. {chain.sentence(rng)}" for i, s in enumerate(statements)]
        text = f"Transcript as published by the {name} outlet\n\n" + "\n\n".join(units) + "\n"
        (docs / f"{name}.txt").write_text(text, encoding="utf-8")
    return docs


def big_copy(out: Path) -> Path:
    """A ~2 MB file (the ``quotes`` case's first) and a copy of its first half with a credit line."""
    docs = out / "docs"
    if docs.is_dir():
        return docs
    source = quote_heavy(out.parent / "quotes") / "first.txt"
    docs.mkdir(parents=True)
    text = source.read_text(encoding="utf-8")
    (docs / "source.txt").write_text(text, encoding="utf-8")
    copy = "Republished\n\n" + text[: len(text) // 2] + "\n\nSource: the first outlet\n"
    (docs / "copy.txt").write_text(copy, encoding="utf-8")
    return docs


def stock(out: Path, size: int) -> Path:
    folder = out / f"stock{size}"
    if not (folder / "truth.json").is_file():
        generate(folder, size, seed=0)
    return folder / "docs"


# --- the cases ------------------------------------------------------------------------------------------


def stock_growth(root: Path, sizes: Sequence[int], jobs: int, growth: float) -> bool:
    outcomes = [run(f"stock {size}", stock(root, size), jobs) for size in sizes]
    for o in outcomes:
        print(describe(o, limits=False), flush=True)
    if len(outcomes) < 2:
        return True
    first, last = outcomes[0], outcomes[-1]
    docs = last.documents / first.documents
    time_x, memory_x = last.wall / first.wall, last.peak_mib / first.peak_mib
    ok = time_x <= growth and memory_x <= growth
    print(
        f"stock growth {first.documents:,} -> {last.documents:,} documents (x{docs:.1f}): "
        f"time x{time_x:.1f}, memory x{memory_x:.1f}  [{'ok' if ok else 'OVER'}: limit x{growth:g}]",
        flush=True,
    )
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", default=["stock", "identical", "paragraph", "quotes", "copy"])
    parser.add_argument("--stock-sizes", nargs="+", type=int, default=[2000, 20000])
    parser.add_argument("--growth", type=float, default=12.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    ok = True
    makers = {"identical": identical, "paragraph": paragraph, "quotes": quote_heavy, "copy": big_copy}
    for case in args.cases:
        if case == "stock":
            ok &= stock_growth(args.out, args.stock_sizes, args.jobs, args.growth)
            continue
        outcome = run(case, makers[case](args.out / case), args.jobs)
        print(describe(outcome, limits=True), flush=True)
        ok &= outcome.wall < LIMIT_SECONDS and outcome.peak_mib < LIMIT_MIB
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
