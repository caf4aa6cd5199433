"""Quote extraction speed on ~4 KB news-like articles, against tokenising the same texts.

Articles are built by drawing real paragraphs (from ../shared/eval/news_events_dev
when present, else from seeds/) with a seeded generator until each is ~4 KB, so the
quote density is that of real news. Documents are built first (ingest and
normalisation are other stages); then, on one core, in the same run:

* baseline: ``provenance.text.tokens`` over each clean text (the cost of just
  tokenising, the floor any per-document stage pays);
* extraction: ``extract_quotes`` (mark pairing, kinds, attribution, raw spans), with
  the name cache (``person_name`` is memoised: people recur across a news corpus)
  warm, and cold (cleared before every article: the worst case, no name seen twice);
* trails: ``build_trails`` over every quote found (corpus-level grouping), in three
  shapes: the quotes as drawn (each real quote repeated across many articles), every
  quote made a near-copy (one word replaced: the worst case, many variants that must
  all be scored), and unrelated quotes (random words of the same lengths: every
  quote its own trail).

Run: ``.venv/bin/python bench/bench_quotes.py [N_ARTICLES]`` (default 3000). Best of 5 interleaved rounds.
"""

from __future__ import annotations

import hashlib
import random
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from provenance.api import build_document
from provenance.ingest import Decoded, Source
from provenance.model import Document
from provenance.normalize import normalize
from provenance.quotes import extract_quotes
from provenance.settings import NormalizeSettings, QuoteSettings
from provenance.speakers import person_name
from provenance.text import tokens
from provenance.trails import build_trails

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "news_events_dev" / "docs"
TARGET_CHARS = 4000


def paragraphs() -> tuple[str, list[str]]:
    folder = DEV if DEV.is_dir() else ROOT / "seeds"
    out: list[str] = []
    for path in sorted(folder.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        out.extend(p.strip() for p in text.split("\n\n") if len(p.strip()) > 40)
    return str(folder), out


def articles(pool: list[str], n: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts: list[str] = []
        size = 0
        while size < TARGET_CHARS:
            part = rng.choice(pool)
            parts.append(part)
            size += len(part) + 2
        out.append("\n\n".join(parts))
    return out


def document(text: str, index: int) -> Document:
    doc_id = f"a{index:06d}"
    decoded = Decoded(Source(doc_id, doc_id, doc_id), text, "utf-8", hashlib.sha256(text.encode()).hexdigest())
    return build_document(decoded, normalize(text), NormalizeSettings(), frozenset())


def best_of(runs: int, *works: Callable[[], object]) -> list[float]:
    """Best time of each piece of work, the pieces interleaved round by round so that a
    change in the machine's load (2 shared cores) hits them alike and ratios stay fair."""
    best = [float("inf")] * len(works)
    for _ in range(runs):
        for i, work in enumerate(works):
            start = time.perf_counter()
            work()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3000
    source, pool = paragraphs()
    texts = articles(pool, n)
    docs = [document(t, i) for i, t in enumerate(texts)]
    settings = QuoteSettings()
    mean_kb = sum(len(d.clean) for d in docs) / len(docs) / 1000
    print(f"{n} articles of {mean_kb:.1f} KB on average, paragraphs drawn from {source}")

    def cold() -> None:
        for d in docs:
            person_name.cache_clear()
            extract_quotes(d, settings)

    baseline, extraction, cold_extraction = best_of(
        5, lambda: [tokens(d.clean) for d in docs], lambda: [extract_quotes(d, settings) for d in docs], cold
    )
    quotes = [q for d in docs for q in extract_quotes(d, settings)]
    dates = {d.id: d.metadata.date for d in docs}
    rng = random.Random(1)
    vocabulary = sorted({w for q in quotes for w in q.text.split()})
    near, unrelated = [], []
    for i, q in enumerate(quotes):
        words = q.text.split()
        if len(words) > 3:
            words[rng.randrange(len(words))] = f"x{i}"
        near.append(replace(q, text=" ".join(words)))
        unrelated.append(replace(q, text=" ".join(rng.choice(vocabulary) for _ in words)))
    shapes = {}
    for name, sample in (("as drawn", quotes), ("near-copies", near), ("unrelated", unrelated)):
        (seconds,) = best_of(3, lambda sample=sample: build_trails(sample, dates, settings))  # type: ignore[misc]
        shapes[name] = (seconds, len(build_trails(sample, dates, settings)))

    print(f"baseline  tokens():        {n / baseline:9,.0f} articles/s")
    print(f"quotes    extract_quotes(): {n / extraction:9,.0f} articles/s  ({len(quotes) / n:.1f} quotes per article)")
    print(f"          cold name cache:  {n / cold_extraction:9,.0f} articles/s")
    print(
        f"ratio     extraction / tokenising: {baseline / extraction:.2f} warm, {baseline / cold_extraction:.2f} cold "
        "(1.00 = as fast as tokenising)"
    )
    for name, (seconds, count) in shapes.items():
        print(
            f"trails    build_trails() {name:<12} {len(quotes) / seconds:9,.0f} quotes/s = "
            f"{n / seconds:7,.0f} articles/s ({count:,} trails)"
        )
    target = 1000
    verdict = "meets" if n / cold_extraction >= target else "MISSES"
    print(f"target    >= {target:,} articles/s per core for extraction, cold cache: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
