"""Passage-level quality of the alignment: character recall and precision against the truth.

Reads a labelled corpus in the ``bench.corpus`` contract (``DIR/docs/<id>.txt`` and
``DIR/truth.json`` whose documents list ``copied`` spans ``doc_start/doc_end`` in the
written file and ``src_start/src_end`` in the parent's), aligns the truth's related pairs
plus sampled unrelated pairs, and measures by characters (whitespace not counted):

* **recall**: of the text two related documents share by construction, the part our
  passages cover, on both sides of every related pair (parent and child, siblings, chains:
  shared text is found by mapping every copied span into its root source);
* **precision**: of the text our passages cover, the part that is shared by construction
  with the other document of the pair (passages between unrelated documents count as wrong).

Usage::

    python -m bench.align_quality                       # generate with bench.corpus, then measure
    python -m bench.align_quality --corpus DIR          # measure a corpus already written
    python -m bench.align_quality --check               # also compare with bench/align_floors.json

Exit code 1 with ``--check`` when a figure is below its floor.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

from bench.corpus import generate
from provenance.align import align_corpus
from provenance.api import build_document
from provenance.furniture import corpus_repeats
from provenance.ingest import Decoded, discover, read
from provenance.model import Document, Passage
from provenance.normalize import normalize
from provenance.settings import Settings, with_overrides

FLOORS = Path(__file__).resolve().parent / "align_floors.json"
# The corpora the floors are pinned on (arguments of bench.corpus.generate).
CORPORA: dict[str, dict[str, Any]] = {
    "synthetic": {"n_sources": 200, "seed": 1, "reuse_share": 0.5, "text": "synthetic"},
    "real": {"n_sources": 27, "seed": 1, "reuse_share": 1.0, "text": "real"},
}
# Seeds pooled per corpus. The real corpus has only 27 source articles, so one draw
# decides which articles (caption-heavy or not) get copied: recall ranged 0.961-0.984
# over seeds 1-4 with the same code. Pooling four draws measures the code, not the draw.
SEEDS: dict[str, tuple[int, ...]] = {"synthetic": (1,), "real": (1, 2, 3, 4)}
# Unrelated pairs aligned besides the related ones (all pairs when there are fewer).
NEGATIVE_PAIRS = 20_000

Interval = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of a written document copied from the stretch ``[root_start, root_end)`` of a root."""

    start: int
    end: int
    root: str
    root_start: float
    root_end: float


@dataclass(slots=True)
class Scores:
    shared: int = 0  # characters shared by construction on related pairs
    found: int = 0  # ... of them covered by passages
    predicted: int = 0  # characters covered by passages
    correct: int = 0  # ... of them shared by construction with the other document
    by_kind: dict[str, list[int]] = field(default_factory=dict)  # kind -> [found, shared]

    @property
    def recall(self) -> float:
        return self.found / self.shared if self.shared else 1.0

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0


def load_documents(docs_dir: Path, settings: Settings) -> list[Document]:
    """The corpus as the pipeline sees it after normalisation and segmentation."""
    sources, _ = discover([docs_dir], settings.ingest)
    decoded = [d for d in (read(s, settings.ingest) for s in sources) if isinstance(d, Decoded)]
    normalized = [normalize(d.text) for d in decoded]
    repeated = corpus_repeats((n.clean for n in normalized), settings.normalize)
    return [build_document(d, n, settings.normalize, repeated) for d, n in zip(decoded, normalized, strict=True)]


def root_segments(truth: dict[str, Any], lengths: dict[str, int]) -> dict[str, list[Segment]]:
    """Every written document's copied stretches, mapped into the coordinates of its root.

    A document without a parent is its own root; a copied span of a child maps through its
    parent's segments (proportionally inside a span, so damage that lengthens text is fine);
    a child's own text is a root too (a grandchild may copy it).
    """
    docs = {d["id"]: d for d in truth["documents"]}
    segments: dict[str, list[Segment]] = {}

    def of(doc_id: str) -> list[Segment]:
        if doc_id in segments:
            return segments[doc_id]
        doc = docs.get(doc_id)
        parent = doc.get("source") if doc else None
        if doc is None or parent is None:  # a root, written or withheld
            size = lengths.get(doc_id, 0)
            segments[doc_id] = [Segment(0, size, doc_id, 0, size)] if doc is not None else []
            return segments[doc_id]
        parent_segments = of(parent) if parent in docs else None
        out: list[Segment] = []
        for c in doc["copied"]:
            d0, d1, s0, s1 = c["doc_start"], c["doc_end"], c["src_start"], c["src_end"]
            if parent_segments is None:  # withheld parent: it is the root
                out.append(Segment(d0, d1, parent, s0, s1))
                continue
            for seg in parent_segments:
                lo, hi = max(s0, seg.start), min(s1, seg.end)
                if lo >= hi:
                    continue
                out.append(
                    Segment(
                        round(_lerp(lo, s0, s1, d0, d1)),
                        round(_lerp(hi, s0, s1, d0, d1)),
                        seg.root,
                        _lerp(lo, seg.start, seg.end, seg.root_start, seg.root_end),
                        _lerp(hi, seg.start, seg.end, seg.root_start, seg.root_end),
                    )
                )
        pos = 0
        for start, end in union((c["doc_start"], c["doc_end"]) for c in doc["copied"]):
            if start > pos:
                out.append(Segment(pos, start, doc_id, pos, start))
            pos = max(pos, end)
        if pos < lengths.get(doc_id, 0):
            out.append(Segment(pos, lengths[doc_id], doc_id, pos, lengths[doc_id]))
        segments[doc_id] = out
        return out

    for doc_id in docs:
        of(doc_id)
    return segments


def _lerp(x: float, x0: float, x1: float, y0: float, y1: float) -> float:
    return y0 if x1 == x0 else y0 + (x - x0) * (y1 - y0) / (x1 - x0)


def shared_by_construction(sx: Sequence[Segment], sy: Sequence[Segment]) -> list[Interval]:
    """The stretches of x whose text y also copied from (or is) the same root text."""
    out: list[Interval] = []
    for a in sx:
        for b in sy:
            if a.root != b.root:
                continue
            lo, hi = max(a.root_start, b.root_start), min(a.root_end, b.root_end)
            if lo < hi:
                start = round(_lerp(lo, a.root_start, a.root_end, a.start, a.end))
                end = round(_lerp(hi, a.root_start, a.root_end, a.start, a.end))
                if start < end:
                    out.append((start, end))
    return union(out)


def union(spans: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def intersect(first: Sequence[Interval], second: Sequence[Interval]) -> list[Interval]:
    out: list[Interval] = []
    i = j = 0
    while i < len(first) and j < len(second):
        lo, hi = max(first[i][0], second[j][0]), min(first[i][1], second[j][1])
        if lo < hi:
            out.append((lo, hi))
        if first[i][1] <= second[j][1]:
            i += 1
        else:
            j += 1
    return out


class Counter:
    """Non-whitespace characters of one text inside spans, in O(1) per span."""

    def __init__(self, text: str) -> None:
        self.prefix = [0]
        for char in text:
            self.prefix.append(self.prefix[-1] + (not char.isspace()))

    def __call__(self, spans: Iterable[Interval]) -> int:
        top = len(self.prefix) - 1
        return sum(self.prefix[min(e, top)] - self.prefix[min(s, top)] for s, e in spans)


def evaluation_pairs(truth: dict[str, Any], ids: Sequence[str], seed: int) -> list[tuple[str, str]]:
    """The truth's related pairs plus unrelated pairs (all of them, or a seeded sample)."""
    related = {(min(p["a"], p["b"]), max(p["a"], p["b"])) for p in truth["pairs"]}
    total = len(ids) * (len(ids) - 1) // 2
    if total - len(related) <= NEGATIVE_PAIRS:
        others = [p for p in combinations(sorted(ids), 2) if p not in related]
    else:
        rng = random.Random(seed)
        chosen: set[tuple[str, str]] = set()
        while len(chosen) < NEGATIVE_PAIRS:
            a, b = rng.sample(ids, 2)
            pair = (min(a, b), max(a, b))
            if pair not in related:
                chosen.add(pair)
        others = sorted(chosen)
    return sorted(related) + others


def score(
    truth: dict[str, Any], documents: Sequence[Document], passages: Sequence[Passage], pairs: Sequence[tuple[str, str]]
) -> Scores:
    """Character recall and precision of ``passages`` found on ``pairs``."""
    raws = {doc.id: doc.raw for doc in documents}
    counters = {doc_id: Counter(raw) for doc_id, raw in raws.items()}
    segments = root_segments(truth, {doc_id: len(raw) for doc_id, raw in raws.items()})
    kinds = {d["id"]: d["kind"] for d in truth["documents"]}
    found: dict[tuple[str, str], list[Interval]] = defaultdict(list)
    for p in passages:
        found[(p.a, p.b)].append((p.a_start, p.a_end))
        found[(p.b, p.a)].append((p.b_start, p.b_end))
    related = {(min(p["a"], p["b"]), max(p["a"], p["b"])) for p in truth["pairs"]}
    scores = Scores()
    for a, b in pairs:
        if a not in raws or b not in raws:
            continue
        for x, y in ((a, b), (b, a)):
            expected = shared_by_construction(segments.get(x, []), segments.get(y, []))
            got = union(found.get((x, y), []))
            hit = counters[x](intersect(expected, got))
            scores.predicted += counters[x](got)
            scores.correct += hit
            if (a, b) in related:
                n = counters[x](expected)
                scores.shared += n
                scores.found += hit
                derived_kind = kinds[x] if kinds.get(x) not in ("original", "unrelated") else kinds.get(y, "?")
                bucket = scores.by_kind.setdefault(derived_kind, [0, 0])
                bucket[0] += hit
                bucket[1] += n
    return scores


def evaluate(corpus: Path, settings: Settings | None = None, seed: int = 0) -> tuple[Scores, dict[str, float]]:
    """Load a written corpus, align its evaluation pairs and score the passages."""
    settings = settings or Settings()
    truth = json.loads((corpus / "truth.json").read_text(encoding="utf-8"))
    documents = load_documents(corpus / "docs", settings)
    pairs = evaluation_pairs(truth, [d.id for d in documents], seed)
    start = time.perf_counter()
    passages, _ = align_corpus(documents, pairs, settings.align)
    elapsed = time.perf_counter() - start
    return score(truth, documents, passages, pairs), {"pairs": len(pairs), "seconds": elapsed}


def _generate(name: str, out: Path) -> list[Path]:
    """The corpora written for ``name``, one per pooled seed."""
    paths = []
    for seed in SEEDS[name]:
        path = out / f"{name}-{seed}"
        generate(path, **{**CORPORA[name], "seed": seed})
        paths.append(path)
    return paths


def pooled(results: Sequence[tuple[Scores, dict[str, float]]]) -> tuple[Scores, dict[str, float]]:
    """Scores of several corpora added up (characters), and their pairs and seconds."""
    total = Scores()
    stats = {"pairs": 0.0, "seconds": 0.0}
    for scores, run in results:
        total.shared += scores.shared
        total.found += scores.found
        total.predicted += scores.predicted
        total.correct += scores.correct
        for kind, (hit, n) in scores.by_kind.items():
            bucket = total.by_kind.setdefault(kind, [0, 0])
            bucket[0] += hit
            bucket[1] += n
        stats["pairs"] += run["pairs"]
        stats["seconds"] += run["seconds"]
    return total, stats


def report(name: str, scores: Scores, stats: dict[str, float]) -> None:
    print(
        f"{name}: recall {scores.recall:.4f} ({scores.found:,}/{scores.shared:,} shared chars), "
        f"precision {scores.precision:.4f} ({scores.correct:,}/{scores.predicted:,} passage chars); "
        f"{int(stats['pairs']):,} pairs aligned in {stats['seconds']:.2f} s"
    )
    for kind, (hit, total) in sorted(scores.by_kind.items()):
        print(f"    recall {kind:<20} {hit / total if total else 1.0:.4f}  ({total:,} chars)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.align_quality", description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, action="append", default=[], help="a corpus already written")
    parser.add_argument("--text", choices=sorted(CORPORA), action="append", help="generated corpora to measure")
    parser.add_argument("--check", action="store_true", help="exit 1 when a figure is below bench/align_floors.json")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="align.NAME=VALUE")
    args = parser.parse_args(argv)
    settings = with_overrides(Settings(), dict(item.split("=", 1) for item in args.overrides))
    floors = json.loads(FLOORS.read_text(encoding="utf-8")) if FLOORS.exists() else {}
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        targets = [(path.name, [path]) for path in args.corpus]
        if not targets:
            targets = [(name, _generate(name, Path(tmp))) for name in (args.text or sorted(CORPORA))]
        for name, paths in targets:
            scores, stats = pooled([evaluate(path, settings) for path in paths])
            report(name, scores, stats)
            floor = floors.get(name)
            if args.check and floor:
                for metric in ("recall", "precision"):
                    value = getattr(scores, metric)
                    if value < floor[metric]:
                        print(f"    BELOW FLOOR: {metric} {value:.4f} < {floor[metric]}")
                        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
