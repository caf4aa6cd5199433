"""Measure the quote settings on real news (../shared/eval/news_events_dev), print the figures.

1. Phrase vs statement: every distinct quote the extractor finds in the dev set was
   labelled by hand (bench/data/quote_kind_labels.csv: raw offsets and label, no text);
   the rule is swept over ``statement_min_words`` and ``clause_min_words``.
2. Trail links: every candidate pair of quote variants (sharing a word trigram) with
   its containment and ratio, so the gap between same-quote and different-quote
   pairs that ``link_containment`` and ``link_ratio`` sit in can be checked by eye.

Run: ``.venv/bin/python bench/quote_thresholds.py`` (skips with a message without the data).
"""

from __future__ import annotations

import csv
import sys
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz

from provenance import analyze
from provenance.quotes import extract_quotes, quote_kind
from provenance.settings import QuoteSettings
from provenance.trails import _candidates, _shown, _variants, matched_words

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "eval" / "news_events_dev" / "docs"
LABELS = ROOT / "bench" / "data" / "quote_kind_labels.csv"


def _labels() -> dict[tuple[str, int, int], str]:
    lines = [line for line in LABELS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return {(r["doc"], int(r["start"]), int(r["end"])): r["label"] for r in csv.DictReader(lines)}


def sweep_kinds(texts: dict[tuple[str, int, int], str], labels: dict[tuple[str, int, int], str]) -> None:
    statements = sum(v == "statement" for v in labels.values())
    print(f"phrase vs statement: {len(labels)} labelled quotes ({statements} statements)")
    print("statement_min_words clause_min_words accuracy  statements-called-phrases  phrases-called-statements")
    base = QuoteSettings()
    for clause in (2, 3, 4):
        for minimum in range(5, 17):
            settings = replace(base, statement_min_words=minimum, clause_min_words=clause)
            missed = wrong = 0
            for key, label in labels.items():
                kind = quote_kind(texts[key], settings)
                missed += label == "statement" and kind == "phrase"
                wrong += label == "phrase" and kind == "statement"
            accuracy = 1 - (missed + wrong) / len(labels)
            mark = "  <- default" if (minimum, clause) == (base.statement_min_words, base.clause_min_words) else ""
            print(f"{minimum:19d} {clause:16d} {accuracy:8.3f}  {missed:25d}  {wrong:25d}{mark}")


def link_scores(quotes: list, settings: QuoteSettings) -> None:  # type: ignore[type-arg]
    variants = _variants(quotes)
    pairs = sorted(_candidates(variants, settings))
    print(f"\ntrail links: {len(quotes)} quotes, {len(variants)} variants, {len(pairs)} candidate pairs")
    print("containment ratio short long | shorter variant || longer variant   (pairs with containment >= 0.3)")
    rows = []
    for a, b in pairs:
        va, vb = variants[a], variants[b]
        short, long_ = (va, vb) if len(va.keys) <= len(vb.keys) else (vb, va)
        contained = matched_words(short.keys, long_.keys, settings.min_block_words) / len(short.keys)
        ratio = fuzz.ratio(va.key, vb.key) / 100
        if contained >= 0.3 and short.statement and long_.statement and len(short.keys) >= settings.trim_min_words:
            rows.append((contained, ratio, len(short.keys), len(long_.keys), short, long_))
    for contained, ratio, ns, nl, short, long_ in sorted(rows, key=lambda r: (r[0], r[1])):
        texts = f"{' '.join(_shown(quotes, short))[:60]} || {' '.join(_shown(quotes, long_))[:60]}"
        print(f"{contained:11.2f} {ratio:5.2f} {ns:5d} {nl:4d} | {texts}")


def main() -> int:
    if not DEV.is_dir():
        print(f"skipped: {DEV} is absent (see ../shared/eval/README.md)")
        return 0
    settings = QuoteSettings()
    analysis = analyze([DEV])
    quotes = [q for doc in analysis.documents for q in extract_quotes(doc, settings)]
    texts = {(q.doc, q.raw.start, q.raw.end): q.text for q in quotes}
    labels = {k: v for k, v in _labels().items() if k in texts}
    missing = len(_labels()) - len(labels)
    if missing:
        print(f"note: {missing} labelled quotes are no longer extracted at the same offsets")
    sweep_kinds(texts, labels)
    link_scores(quotes, settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
