"""Quality gate for pair detection: precision and recall against ground truth, floors pinned.

``python -m bench.quality`` prints, and exits 1 when a figure is below its floor in
``bench/floors.json``:

* a generated corpus (:mod:`bench.corpus`, synthetic text; also real text when
  ``../shared/eval`` exists): recall of pairs whose containment by construction is at
  least 0.5, overall and by kind of reuse, and precision of every reported pair against
  all pairs that share text by construction;
* Clough & Stevenson short answers: every near copy and light revision linked to its
  source, no non-derived answer linked to it, heavy revisions reported. Two answers
  labelled ``near_copy`` copy a part of the Wikipedia article that is not in the source
  text the corpus ships (they share no word 3-gram with it); they are listed in the
  floors as unlinkable, and the gate checks that they really share nothing;
* news_events_dev: every ``identical_text`` pair found, no link between articles of
  different events (``meta.csv``).
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from bench.corpus import EVAL, generate
from provenance import analyze
from provenance.model import Analysis
from provenance.settings import Settings, with_overrides

FLOORS = Path(__file__).resolve().parent / "floors.json"
RECALL_CONTAINMENT = 0.5


@dataclass
class Result:
    """One evaluation: named figures, their floors, and lines of detail."""

    name: str
    figures: dict[str, float] = field(default_factory=dict)
    detail: list[str] = field(default_factory=list)

    def failures(self, floors: dict[str, Any]) -> list[str]:
        out = []
        for key, floor in floors.items():
            if key.startswith("min_") and self.figures.get(key[4:], float("-inf")) < floor:
                out.append(f"{self.name}: {key[4:]} = {self.figures.get(key[4:])} below floor {floor}")
            if key.startswith("max_") and self.figures.get(key[4:], float("inf")) > floor:
                out.append(f"{self.name}: {key[4:]} = {self.figures.get(key[4:])} above ceiling {floor}")
        return out


def linked(pairs: Iterable[tuple[str, str]], duplicates: Iterable[tuple[str, Sequence[str]]]) -> set[tuple[str, str]]:
    """Every pair of documents that share text (``a < b``): the analysis's pairs, with each group of
    identical texts (``(head, copies)``) expanded: its members are linked to one another and each
    one to every partner of the head. Quadratic in a group's size: for scoring only.

    >>> sorted(linked([("a", "h")], [("h", ["c"])]))
    [('a', 'c'), ('a', 'h'), ('c', 'h')]
    """
    members = {head: [head, *copies] for head, copies in duplicates}
    out: set[tuple[str, str]] = set()
    for x, y in pairs:
        out.update(_key(a, b) for a in members.get(x, [x]) for b in members.get(y, [y]))
    for group in members.values():
        out.update(_key(a, b) for i, a in enumerate(group) for b in group[i + 1 :])
    return out


def _linked(analysis: Analysis) -> set[tuple[str, str]]:
    return linked(((p.a, p.b) for p in analysis.pairs), ((g.head, g.copies) for g in analysis.duplicates))


def _key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def evaluate_generated(
    n_sources: int,
    seed: int,
    *,
    reuse_share: float,
    text: Literal["real", "synthetic"] = "synthetic",
    settings: Settings | None = None,
) -> Result:
    """Generate a corpus, analyse it, and score the pairs against its truth."""
    with tempfile.TemporaryDirectory() as tmp:
        truth = generate(Path(tmp), n_sources=n_sources, seed=seed, reuse_share=reuse_share, text=text)
        analysis = analyze([Path(tmp) / "docs"], settings)
    kinds = {d.id: d.kind for d in truth.documents}
    parents = {d.id: d.source for d in truth.documents}
    found = _linked(analysis)
    all_truth = {(p.a, p.b) for p in truth.pairs}
    by_kind: dict[str, list[bool]] = defaultdict(list)
    below: list[bool] = []
    for pair in truth.pairs:
        hit = (pair.a, pair.b) in found
        if pair.containment < RECALL_CONTAINMENT:
            below.append(hit)
            continue
        if pair.relation == "derived":
            child = pair.a if parents.get(pair.a) == pair.b else pair.b
            kind = kinds[child]
        else:
            kind = pair.relation
        by_kind[kind].append(hit)
    hits = [h for v in by_kind.values() for h in v]
    true_found = len(found & all_truth)
    result = Result(f"generated ({text}, {n_sources} sources, seed {seed})")
    result.figures = {
        "documents": len(analysis.documents),
        "truth_pairs": len(truth.pairs),
        "reported": len(found),
        "recall": round(sum(hits) / len(hits), 4) if hits else 1.0,
        "precision": round(true_found / len(found), 4) if found else 1.0,
        "candidates": analysis.stats["candidates"]["candidates"],  # type: ignore[index]
        "verified": analysis.stats["candidates"]["verified"],  # type: ignore[index]
    }
    for kind in sorted(by_kind):
        values = by_kind[kind]
        result.detail.append(f"recall {kind}: {sum(values)}/{len(values)}")
    if below:
        result.detail.append(f"found below containment {RECALL_CONTAINMENT} (not scored): {sum(below)}/{len(below)}")
    for a, b in sorted(found - all_truth)[:10]:
        result.detail.append(f"false pair: {a} {b}")
    return result


def _truth_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def evaluate_clough(eval_dir: Path, unlinkable: dict[str, str], settings: Settings | None = None) -> Result:
    """Near copies and light revisions linked to their source; non-derived answers not."""
    root = eval_dir / "clough_short_answers"
    analysis = analyze([root / "docs"], settings)
    found = _linked(analysis)
    rows = _truth_rows(root / "truth.csv")
    counts: dict[str, list[bool]] = defaultdict(list)
    result = Result("clough_short_answers")
    for row in rows:
        hit = _key(row["doc_a"], row["doc_b"]) in found
        if row["doc_b"] in unlinkable:
            result.detail.append(f"unlinkable {row['relation']} {row['doc_b']}: {unlinkable[row['doc_b']]}")
            continue
        counts[row["relation"]].append(hit)
        if row["relation"] in ("near_copy", "light_revision") and not hit:
            result.detail.append(f"missed {row['relation']}: {row['doc_a']} {row['doc_b']}")
        if row["relation"] == "non_derived" and hit:
            result.detail.append(f"non-derived linked: {row['doc_a']} {row['doc_b']}")
    result.figures = {
        "near_copy_recall": _share(counts["near_copy"]),
        "light_revision_recall": _share(counts["light_revision"]),
        "heavy_revision_found": _share(counts["heavy_revision"]),
        "non_derived_links": float(sum(counts["non_derived"])),
        "unlinkable_containment": _unlinkable_overlap(analysis.documents, rows, unlinkable, settings),
    }
    return result


def _unlinkable_overlap(
    documents: Any, rows: list[dict[str, str]], unlinkable: dict[str, str], settings: Settings | None
) -> float:
    """Largest containment of an exempted answer in its labelled source (a stock phrase at most)."""
    from provenance.fingerprint import fingerprint

    by_id = {d.id: d for d in documents}
    worst = 0.0
    for row in rows:
        if row["doc_b"] in unlinkable:
            a, b = fingerprint([by_id[row["doc_a"]], by_id[row["doc_b"]]], (settings or Settings()).fingerprint)
            shared = len(set(a.shingles.tolist()) & set(b.shingles.tolist()))
            worst = max(worst, shared / max(b.size, 1))
    return round(worst, 4)


def _share(values: list[bool]) -> float:
    return round(sum(values) / len(values), 4) if values else 1.0


def evaluate_news(eval_dir: Path, settings: Settings | None = None) -> Result:
    """All identical cross-outlet copies found; no link across events."""
    root = eval_dir / "news_events_dev"
    analysis = analyze([root / "docs"], settings)
    found = _linked(analysis)
    event = {row["doc"]: row["event"] for row in _truth_rows(root / "meta.csv")}
    rows = _truth_rows(root / "truth.csv")
    identical = [_key(r["doc_a"], r["doc_b"]) for r in rows if r["relation"] == "identical_text"]
    cross = sorted(pair for pair in found if event.get(pair[0]) != event.get(pair[1]))
    result = Result("news_events_dev")
    result.figures = {
        "identical_recall": _share([pair in found for pair in identical]),
        "cross_event_links": float(len(cross)),
        "reported": float(len(found)),
    }
    result.detail += [f"cross-event link: {a} {b}" for a, b in cross[:10]]
    result.detail += [f"missed identical: {a} {b}" for a, b in identical if (a, b) not in found]
    return result


def run(floors: dict[str, Any], eval_dir: Path = EVAL, *, real: bool = True) -> list[Result]:
    """Every evaluation the floors name; those needing ``eval_dir`` only when it exists."""
    gen = floors["generated"]
    results = [evaluate_generated(gen["sources"], gen["seed"], reuse_share=gen["reuse_share"])]
    if real and eval_dir.is_dir():
        real_floors = floors["generated_real"]
        results.append(
            evaluate_generated(
                real_floors["sources"], real_floors["seed"], reuse_share=real_floors["reuse_share"], text="real"
            )
        )
        clough = floors["clough_short_answers"]
        settings = with_overrides(Settings(), clough.get("settings", {}))
        results.append(evaluate_clough(eval_dir, clough["unlinkable"], settings))
        results.append(evaluate_news(eval_dir))
    return results


def floors_for(result: Result, floors: dict[str, Any]) -> dict[str, Any]:
    name = result.name
    if name.startswith("generated (real"):
        key = "generated_real"
    elif name.startswith("generated"):
        key = "generated"
    else:
        key = name
    found: dict[str, Any] = floors[key]
    return found


def load_floors(path: Path = FLOORS) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=int, help="generated corpus size (default: the floors file's)")
    parser.add_argument("--seed", type=int, help="generated corpus seed (default: the floors file's)")
    parser.add_argument("--eval", type=Path, default=EVAL, help=f"evaluation data (default {EVAL})")
    args = parser.parse_args(argv)
    floors = load_floors()
    if args.sources:
        floors["generated"]["sources"] = args.sources
    if args.seed is not None:
        floors["generated"]["seed"] = args.seed
    if not args.eval.is_dir():
        print(f"{args.eval} is absent: only the synthetic generated corpus is evaluated")
    failures: list[str] = []
    for result in run(floors, args.eval):
        print(f"\n== {result.name}")
        for key, value in result.figures.items():
            print(f"  {key:24} {value}")
        for line in result.detail:
            print(f"  - {line}")
        failures += result.failures(floors_for(result, floors))
    print("\n" + ("\n".join(f"FAIL {f}" for f in failures) if failures else "all floors met"))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
