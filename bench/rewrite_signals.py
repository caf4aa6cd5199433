"""Research: which signals tell a rewrite from an independent report of the same event.

``python -m bench.rewrite_signals`` loads ``counter_dev`` and ``news_events_dev`` with
default settings and prints, for each candidate signal, its distribution over labelled
pairs and the best binary F1 a threshold on it reaches on COUNTER, with the false
positives that threshold makes among news_events_dev's judged negatives. Labels are
read here only to score; the signals are computed from the texts alone.
"""

from __future__ import annotations

import math
import pickle
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.real_quality import EVAL, _rows
from provenance.api import load
from provenance.model import Document
from provenance.quotes import extract_quotes
from provenance.settings import Settings

CACHE = Path("/tmp/rewrite_signals")


def documents(folder: Path) -> dict[str, Document]:
    CACHE.mkdir(exist_ok=True)
    cached = CACHE / f"{folder.parent.name}.pickle"
    if cached.exists():
        loaded: dict[str, Document] = pickle.loads(cached.read_bytes())
        return loaded
    docs, _ = load([folder], Settings())
    out = {d.id: d for d in docs}
    cached.write_bytes(pickle.dumps(out))
    return out


class Prepared:
    """Each document's non-quote sentences as word lists, and corpus document frequencies."""

    def __init__(self, docs: dict[str, Document]) -> None:
        settings = Settings()
        self.sentences: dict[str, list[list[str]]] = {}
        self.all_words: dict[str, set[str]] = {}
        df: Counter[str] = Counter()
        for doc in docs.values():
            spans = [q.clean for q in extract_quotes(doc, settings.quotes) if q.kind == "statement"]
            kept = []
            for s in doc.sentences:
                inside = sum(max(0, min(s.clean.end, q.end) - max(s.clean.start, q.start)) for q in spans)
                if inside * 2 > s.clean.end - s.clean.start:
                    continue
                words = s.key.split()
                if words:
                    kept.append(words)
            self.sentences[doc.id] = kept
            self.all_words[doc.id] = {w for s in kept for w in s}
            df.update(self.all_words[doc.id])
        n = len(docs)
        self.idf = {w: math.log(n / c) for w, c in df.items()}
        self.n = n
        self.binary = False

    def content(self, share: float) -> Prepared:
        """The same sentences, each word weighing 1 when in at most ``share`` of the documents, else 0."""
        out = object.__new__(Prepared)
        out.__dict__.update(self.__dict__)
        cap = max(2.0, share * self.n)
        out.idf = {w: (1.0 if self.n / math.exp(v) <= cap + 1e-9 else 0.0) for w, v in self.idf.items()}
        return out

    def weight(self, words: set[str]) -> float:
        return sum(self.idf[w] for w in words)


def containment(p: Prepared, a: str, b: str) -> float:
    wa, wb = p.all_words[a], p.all_words[b]
    return len(wa & wb) / min(len(wa), len(wb)) if wa and wb else 0.0


def idf_containment(p: Prepared, a: str, b: str) -> float:
    wa, wb = p.all_words[a], p.all_words[b]
    small = min(p.weight(wa), p.weight(wb))
    return p.weight(wa & wb) / small if small else 0.0


def sentence_alignment(p: Prepared, a: str, b: str, min_sim: float, min_shared: int) -> tuple[int, float, float]:
    """(aligned in order, share of the shorter side's sentence weight aligned, mean sim)."""
    sa = [set(s) for s in p.sentences[a]]
    sb = [set(s) for s in p.sentences[b]]
    cells = []
    for i, x in enumerate(sa):
        wx = p.weight(x)
        for j, y in enumerate(sb):
            shared = x & y
            if len(shared) < min_shared:
                continue
            ws = p.weight(shared)
            if p.weight(shared) < min_shared:
                continue
            sim = ws / min(wx, p.weight(y)) if ws else 0.0
            if sim >= min_sim:
                cells.append((sim, i, j))
    cells.sort(reverse=True)
    used_a: set[int] = set()
    used_b: set[int] = set()
    matches: list[tuple[int, int, float]] = []
    for sim, i, j in cells:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        matches.append((i, j, sim))
    matches.sort()
    # longest increasing subsequence on j
    best: list[int] = [1] * len(matches)
    for k in range(len(matches)):
        for m in range(k):
            if matches[m][1] < matches[k][1] and best[m] + 1 > best[k]:
                best[k] = best[m] + 1
    ordered = max(best, default=0)
    words_a: set[str] = set().union(*sa) if sa else set()
    words_b: set[str] = set().union(*sb) if sb else set()
    a_smaller = p.weight(words_a) <= p.weight(words_b)
    small_side = sa if a_smaller else sb
    total = sum(p.weight(s) for s in small_side) or 1.0
    covered = sum(p.weight(small_side[m[0] if a_smaller else m[1]]) for m in matches)
    mean = sum(m[2] for m in matches) / len(matches) if matches else 0.0
    return ordered, covered / total, mean


Signal = Callable[[Prepared, str, str], float]


def _signal(min_sim: float, min_shared: int, which: int) -> Signal:
    def signal(p: Prepared, a: str, b: str) -> float:
        return float(sentence_alignment(p, a, b, min_sim, min_shared)[which])

    return signal


def best_f1(scored: Sequence[tuple[float, bool]]) -> tuple[float, float]:
    best = (0.0, 0.0)
    for threshold in sorted({s for s, _ in scored}):
        tp = sum(1 for s, t in scored if s >= threshold and t)
        fp = sum(1 for s, t in scored if s >= threshold and not t)
        fn = sum(1 for s, t in scored if s < threshold and t)
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best[0]:
            best = (f1, threshold)
    return best


def main() -> int:
    counter = Prepared(documents(EVAL / "counter_dev" / "docs"))
    news = Prepared(documents(EVAL / "news_events_dev" / "docs"))
    truth = [(r["doc_a"], r["doc_b"], r["relation"]) for r in _rows(EVAL / "counter_dev" / "truth.csv")]
    judged = [
        (r["doc_a"], r["doc_b"], r["relation"])
        for r in _rows(EVAL / "news_events_dev" / "judged_pairs.csv")
        if r["doc_a"] in news.sentences and r["doc_b"] in news.sentences
    ]
    print("sentences per doc: counter", sum(map(len, counter.sentences.values())) / counter.n)
    signals: dict[str, Signal] = {
        "unigram containment": containment,
        "idf containment": idf_containment,
    }
    for min_sim in (0.3, 0.4, 0.5, 0.6):
        for min_shared in (2, 3, 4):
            signals[f"ordered aligned sim{min_sim} sh{min_shared}"] = _signal(min_sim, min_shared, 0)
            signals[f"aligned coverage sim{min_sim} sh{min_shared}"] = _signal(min_sim, min_shared, 1)
    variant = sys.argv[1] if len(sys.argv) > 1 else "idf"
    if variant != "idf":
        counter, news = counter.content(float(variant)), news.content(float(variant))
    print("weights:", variant)
    for name, signal in signals.items():
        scored = [(signal(counter, a, b), rel != "non_derived") for a, b, rel in truth]
        f1, threshold = best_f1(scored)
        negatives = [
            (rel, round(signal(news, a, b), 2))
            for a, b, rel in judged
            if rel in ("quotes_only", "same_event", "unrelated") and signal(news, a, b) >= threshold
        ]
        positives = [
            rel for a, b, rel in judged if rel in ("full", "part", "rewrite") and signal(news, a, b) >= threshold
        ]
        print(
            f"{name:40s} COUNTER F1 {f1:.3f} at >= {threshold:.3f}; news negatives over it "
            f"{len(negatives)} {Counter(r for r, _ in negatives)}; positives {len(positives)}/40"
        )
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
