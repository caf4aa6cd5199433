"""Where the bigram sketch's containment threshold lies: disguised copies against same-event text.

``python -m bench.disguise_thresholds [--eval DIR]`` measures, on the sampled word bigrams
of :func:`provenance.fingerprint.bigram_sets` (the fingerprint's second sketch, issue 31),
the containment ``max(|A∩B|/|A|, |A∩B|/|B|)`` of:

* **copies** that no 5-word shingle links to their source: every real article of
  news_events_dev and counter_dev (and every generated one when the evaluation data is
  absent) with every fifth word dropped, or a word inserted after every fourth, or
  one word in five dropped or inserted at random places;
* **hard negatives**: every pair of news_events_dev articles of the same event, and every
  COUNTER pair labelled ``non_derived`` (independent reports of one event), that the
  5-gram search does not already verify (those are found anyway), and Clough answers
  labelled ``non_derived`` against their task's source text, when of near-full length to
  each other (``candidates.bigram_size_ratio``: only those are ever compared);

and prints the lowest copies, the highest negatives and the share of each side above
each candidate threshold. The threshold in ``CandidateSettings.bigram_containment``
must sit above every negative with a margin and below nearly every copy.
"""

from __future__ import annotations

import argparse
import csv
import random
from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import numpy as np

from bench.corpus import EVAL
from provenance.api import load
from provenance.candidates import bigram_pairs, find_pairs
from provenance.documents import document_from_text
from provenance.fingerprint import Fingerprint, fingerprint
from provenance.model import Document
from provenance.quotes import extract_quotes
from provenance.settings import Settings
from provenance.trails import quote_key, statement_keys

FILLER = ("indeed", "reportedly", "locally", "frankly", "apparently", "notably", "however", "still")
THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


def _every(text: str, keep: Callable[[int, str], list[str]]) -> str:
    """``text`` with each word replaced by ``keep(n, word)`` (n counts words from 1), lines kept."""
    n = 0
    lines = []
    for line in text.split("\n"):
        out = []
        for word in line.split():
            n += 1
            out.extend(keep(n, word))
        lines.append(" ".join(out))
    return "\n".join(lines)


def drop_fifth(text: str) -> str:
    return _every(text, lambda n, w: [] if n % 5 == 0 else [w])


def insert_fourth(text: str) -> str:
    return _every(text, lambda n, w: [w, FILLER[n % len(FILLER)]] if n % 4 == 0 else [w])


def random_edits(text: str, seed: int) -> str:
    """One word in five dropped or followed by an inserted word, at random."""
    rng = random.Random(seed)

    def edit(_: int, word: str) -> list[str]:
        roll = rng.random()
        if roll < 0.1:
            return []
        return [word, rng.choice(FILLER)] if roll < 0.2 else [word]

    return _every(text, edit)


DISGUISES: dict[str, Callable[[str, int], str]] = {
    "drop every 5th": lambda t, _: drop_fifth(t),
    "insert every 4th": lambda t, _: insert_fourth(t),
    "1 in 5 at random": random_edits,
}


def containment(a: np.ndarray, b: np.ndarray) -> float:
    """``max(|A∩B|/|A|, |A∩B|/|B|)`` of two sorted unique arrays (0 when either is empty)."""
    if a.size == 0 or b.size == 0:
        return 0.0
    shared = np.intersect1d(a, b, assume_unique=True).size
    return shared / min(a.size, b.size)


def fingerprints(documents: Sequence[Document], settings: Settings) -> list[Fingerprint]:
    """Fingerprints as the analysis makes them: without the shingles and bigrams of quoted statements."""
    quotes = [extract_quotes(d, settings.quotes) for d in documents]
    statements = [statement_keys(q, tuple(quote_key(x.text) for x in q)) for q in quotes]
    return fingerprint(documents, settings.fingerprint, statements)


def copies(documents: Sequence[Document], settings: Settings) -> tuple[dict[str, list[float]], dict[str, str]]:
    """Containment of each disguised copy in its document, by disguise (articles of 150+ words),
    and how many of the copies at the threshold the sketch's search finds, by disguise."""
    out: dict[str, list[float]] = {}
    found_by: dict[str, str] = {}
    originals = [d for d in documents if d.words >= 150]
    sources = fingerprints(originals, settings)
    for name, disguise in DISGUISES.items():
        made = [document_from_text(disguise(d.raw, i), f"copy{i}", settings) for i, d in enumerate(originals)]
        found = fingerprints(made, settings)
        out[name] = [containment(s.bigrams, c.bigrams) for s, c in zip(sources, found, strict=True)]
        found_by[name] = _searched(originals, made, [*sources, *found], out[name], settings)
    return out, found_by


def _searched(
    originals: Sequence[Document],
    made: Sequence[Document],
    fps: Sequence[Fingerprint],
    scores: Sequence[float],
    settings: Settings,
) -> str:
    """How many copies at the threshold :func:`bigram_pairs` pairs with their document, all searched together."""
    ids = [*(d.id for d in originals), *(d.id for d in made)]
    pairs = {(p.a, p.b) for p in bigram_pairs(ids, fps, settings.candidates)}
    wanted = [
        tuple(sorted((o.id, m.id)))
        for o, m, score in zip(originals, made, scores, strict=True)
        if score >= settings.candidates.bigram_containment
    ]
    return f"{sum(pair in pairs for pair in wanted)} of {len(wanted)}"


def negatives(documents: Sequence[Document], pairs: Sequence[tuple[str, str]], settings: Settings) -> list[float]:
    """Containment of each pair of ``documents`` (by id) that the 5-gram search does not verify."""
    by_id = {d.id: d for d in documents}
    fps = dict(zip(by_id, fingerprints(list(by_id.values()), settings), strict=True))
    verified, _, groups = find_pairs(list(by_id), list(fps.values()), settings.candidates)
    linked = {(p.a, p.b) for p in verified} | {(p.b, p.a) for p in verified}
    linked |= {(a, b) for group in groups for a in group for b in group if a != b}  # identical texts
    ratio = settings.candidates.bigram_size_ratio
    return [
        containment(fps[a].bigrams, fps[b].bigrams)
        for a, b in pairs
        if a in fps and b in fps and (a, b) not in linked and _near_full(fps[a].bigrams, fps[b].bigrams, ratio)
    ]


def _near_full(a: np.ndarray, b: np.ndarray, ratio: float) -> bool:
    """Whether two samples are of near-full length to each other (``bigram_size_ratio``)."""
    return min(a.size, b.size) >= ratio * max(a.size, b.size)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def measure(
    eval_dir: Path, settings: Settings
) -> tuple[tuple[dict[str, list[float]], dict[str, str]], dict[str, list[float]]]:
    """Copies by disguise (and how many the search finds) and negatives by data set."""
    # Only the 5-gram search may run here: the bigram sketch is what is being measured.
    five_grams = replace(settings, candidates=replace(settings.candidates, bigram_containment=2.0))
    news = eval_dir / "news_events_dev"
    counter = eval_dir / "counter_dev"
    clough = eval_dir / "clough_short_answers"
    articles: list[Document] = []
    found: dict[str, list[float]] = {}
    if news.is_dir():
        docs, _ = load([news / "docs"], settings)
        event = {r["doc"]: r["event"] for r in _rows(news / "meta.csv")}
        same = [(a.id, b.id) for a, b in combinations(docs, 2) if event.get(a.id) == event.get(b.id)]
        found["news_events_dev same event"] = negatives(docs, same, five_grams)
        articles.extend(docs)
    if counter.is_dir():
        docs, _ = load([counter / "docs"], settings)
        rows = [(r["doc_a"], r["doc_b"]) for r in _rows(counter / "truth.csv") if r["relation"] == "non_derived"]
        found["counter_dev non_derived"] = negatives(docs, rows, five_grams)
        articles.extend(d for d in docs if d.id.endswith("p"))
    if clough.is_dir():
        docs, _ = load([clough / "docs"], settings)
        rows = [(r["doc_a"], r["doc_b"]) for r in _rows(clough / "truth.csv") if r["relation"] == "non_derived"]
        found["clough non_derived"] = negatives(docs, rows, five_grams)
    if not articles:
        import tempfile

        from bench.corpus import generate

        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp), n_sources=60, seed=3, reuse_share=0.0)
            articles = list(load([Path(tmp) / "docs"], settings)[0])
    return copies(articles, settings), found


def _line(name: str, values: list[float]) -> str:
    if not values:
        return f"  {name:30} (none)"
    ordered = sorted(values)
    shares = "  ".join(f">={t:.2f}: {sum(v >= t for v in values) / len(values):.3f}" for t in THRESHOLDS)
    return (
        f"  {name:30} n={len(values):5}  min {ordered[0]:.3f}  p1 {ordered[len(values) // 100]:.3f}  "
        f"median {ordered[len(values) // 2]:.3f}  max {ordered[-1]:.3f}\n  {'':30} {shares}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.disguise_thresholds", description=__doc__.split("\n")[0])
    parser.add_argument("--eval", type=Path, default=EVAL, help=f"evaluation data (default {EVAL})")
    args = parser.parse_args(argv)
    settings = Settings()
    (made, searched), negative = measure(args.eval, settings)
    print(f"sampled bigram containment (1 in {settings.fingerprint.bigram_sample} bigrams kept)")
    print("copies no 5-gram links (should be above the threshold):")
    for name, values in made.items():
        print(_line(name, values))
        print(f"  {'':30} found by the search (band keys), of those at the threshold: {searched[name]}")
    print("hard negatives not verified by 5-grams (must stay below it):")
    for name, values in negative.items():
        print(_line(name, values))
    print(f"current threshold: candidates.bigram_containment = {settings.candidates.bigram_containment}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
