"""How long aligning one pair of ~5 KB news articles takes, against baselines run alongside.

Pairs are built from real articles of 4–6 KB (``../shared/eval/news_events_dev`` when
present, else the seeds): each article with an excerpt of itself carrying commentary and
edited words (related), with a full copy, and with another article (unrelated). Every pair
is aligned with :func:`provenance.align.align` (views of both documents included, as a
single pair costs), and in the same run with two baselines:

* ``difflib``: ``SequenceMatcher`` over the two texts' characters (what a naive aligner does);
* ``cdist-full``: the sentence matrix of the same keys without a score cutoff.

Usage: ``python -m bench.bench_align [--repeat N]``. The target is a mean under 5 ms per pair;
the figures print as milliseconds and as ratios to the baselines (the machine is shared,
absolute times are noisy, ratios much less).
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rapidfuzz import fuzz, process

from bench.align_quality import load_documents
from provenance.align import align
from provenance.model import Document
from provenance.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
NEWS = ROOT.parent / "shared" / "eval" / "news_events_dev" / "docs"
TARGET_MS = 5.0


def sources() -> list[str]:
    """Real articles of 4–6 KB (the seeds when the evaluation data is absent)."""
    folder = NEWS if NEWS.is_dir() else ROOT / "seeds"
    texts = [p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))]
    sized = [t for t in texts if 4_000 <= len(t.encode("utf-8")) <= 6_000]
    return sized or texts


def excerpt_with_commentary(text: str, k: int) -> str:
    """The first 60% of the paragraphs, one word in 40 changed, a comment before and after."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    kept = paragraphs[: max(1, len(paragraphs) * 3 // 5)]
    edited = []
    for n, paragraph in enumerate(kept):
        words = paragraph.split(" ")
        for pos in range((n + k) % 7, len(words), 40):
            words[pos] = "changed"
        edited.append(" ".join(words))
    comment = "Our editor adds: this report deserves a closer reading, and we will follow the story as it develops."
    return "\n\n".join([comment, *edited, comment.upper()]) + "\n"


def build_pairs(folder: Path) -> dict[str, list[tuple[Document, Document]]]:
    texts = sources()
    for k, text in enumerate(texts):
        (folder / f"s{k:03d}.txt").write_text(text, encoding="utf-8")
        (folder / f"e{k:03d}.txt").write_text(excerpt_with_commentary(text, k), encoding="utf-8")
        (folder / f"f{k:03d}.txt").write_text(text.replace("\n\n", "\n\n\n"), encoding="utf-8")
    docs = {d.id: d for d in load_documents(folder, Settings())}
    n = len(texts)
    return {
        "related": [(docs[f"s{k:03d}"], docs[f"e{k:03d}"]) for k in range(n)],
        "full copy": [(docs[f"s{k:03d}"], docs[f"f{k:03d}"]) for k in range(n)],
        "unrelated": [(docs[f"s{k:03d}"], docs[f"s{(k + 1) % n:03d}"]) for k in range(n)] if n > 1 else [],
    }


def _difflib(a: Document, b: Document) -> object:
    return difflib.SequenceMatcher(None, a.clean, b.clean, autojunk=False).get_matching_blocks()


def _cdist_full(a: Document, b: Document) -> object:
    return process.cdist([s.key for s in a.sentences], [s.key for s in b.sentences], scorer=fuzz.ratio)


def mean_ms(
    run: Callable[[Document, Document], object], pairs: Sequence[tuple[Document, Document]], repeat: int
) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for a, b in pairs:
            run(a, b)
        times.append((time.perf_counter() - start) * 1000 / len(pairs))
    return statistics.median(times)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_align", description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds; the median is printed (default 5)")
    args = parser.parse_args(argv)
    settings = Settings().align
    with tempfile.TemporaryDirectory() as tmp:
        groups = build_pairs(Path(tmp))
    sizes = [len(a.raw) for pairs in groups.values() for a, _ in pairs]
    print(f"{len(sizes)} pairs, articles of {min(sizes):,}–{max(sizes):,} chars (mean {statistics.mean(sizes):,.0f})")
    worst = 0.0
    for name, pairs in groups.items():
        if not pairs:
            continue
        ours = mean_ms(lambda a, b: align(a, b, settings), pairs, args.repeat)
        full = mean_ms(_cdist_full, pairs, args.repeat)
        naive = mean_ms(_difflib, pairs, 1)
        worst = max(worst, ours)
        print(
            f"{name:>10}: align {ours:6.3f} ms/pair | cdist without cutoff {full:6.3f} ms ({ours / full:4.2f}x) | "
            f"difflib on characters {naive:8.2f} ms (align is {naive / ours:,.0f}x faster)"
        )
    verdict = "under" if worst < TARGET_MS else "OVER"
    print(f"slowest kind of pair: {worst:.3f} ms, {verdict} the {TARGET_MS:.0f} ms target")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
