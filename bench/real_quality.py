"""Quality on real news labelled outside this project, with default settings.

``python -m bench.real_quality [--set stage.name=value ...]`` prints:

* ``news_events_dev/judged_pairs.csv`` (163 pairs of real web news judged by reading both
  articles): precision of the reuse the analysis reports among judged pairs (judged
  ``full``/``part``/``rewrite`` are positives; ``quotes_only``/``same_event``/``unrelated``
  negatives), recall of judged ``full`` and of judged ``part``, and how many judged
  negative pairs end up inside one cluster (the largest count over clusters);
* ``counter_dev`` (Urdu agency → newspaper reuse labelled by the corpus authors): binary F1
  (derived or not) and ternary macro-F1 (whole / part / none) over the 299 labelled pairs.

A pair counts as reported reuse when the analysis gives it extent ``whole`` or ``part`` (a
relation's ``extent``; ``none`` is shared text too short to call reuse). Labels are read only
here, to score: the analysis never sees them, nor file names beyond ids.
"""

from __future__ import annotations

import argparse
import csv
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from provenance import analyze
from provenance.model import Analysis
from provenance.settings import Settings, with_overrides

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
POSITIVE = frozenset({"full", "part", "rewrite"})
NEGATIVE = frozenset({"quotes_only", "same_event", "unrelated"})
COUNTER_CLASS = {"wholly_derived": "whole", "partially_derived": "part", "non_derived": "none"}


@dataclass(frozen=True)
class Judged:
    precision: float
    reported: int
    false_positives: Counter[str]
    recall_full: float
    recall_part: float
    negatives_in_one_cluster: int
    negatives_in_one_piece: int
    direction_right: int
    direction_judged: int


@dataclass(frozen=True)
class Counted:
    binary_f1: float
    macro_f1: float
    confusion: Counter[tuple[str, str]]


def extents(analysis: Analysis) -> dict[tuple[str, str], str]:
    """Each reported text pair ``(a, b)``, ``a < b``, and its extent (``whole`` or ``part``); the
    members of a group of identical texts are whole copies of one another and relate to others
    as their head does."""
    out: dict[tuple[str, str], str] = {}
    members = {g.head: (g.head, *g.copies) for g in analysis.duplicates}
    for r in analysis.relations:
        if r.extent == "none" or r.relation == "independent":
            continue
        extent = r.extent
        for a in members.get(r.a, (r.a,)):
            for b in members.get(r.b, (r.b,)):
                out[(min(a, b), max(a, b))] = extent
    for group in members.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                out[(min(a, b), max(a, b))] = "whole"
    return out


def clusters(analysis: Analysis) -> dict[str, str]:
    """Each paired document's cluster."""
    out: dict[str, str] = {}
    for p in analysis.pairs:
        out[p.a] = out[p.b] = p.cluster
    for g in analysis.duplicates:
        for copy in g.copies:
            out[copy] = out.get(g.head, g.head)
    return out


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def judged(analysis: Analysis, folder: Path) -> Judged:
    found = extents(analysis)
    cluster = clusters(analysis)
    rows = _rows(folder / "judged_pairs.csv")
    reported = [r for r in rows if (min(r["doc_a"], r["doc_b"]), max(r["doc_a"], r["doc_b"])) in found]
    true = sum(1 for r in reported if r["relation"] in POSITIVE)
    wrong = Counter(r["relation"] for r in reported if r["relation"] in NEGATIVE)

    def recall(label: str) -> float:
        wanted = [r for r in rows if r["relation"] == label]
        hit = sum(1 for r in wanted if (min(r["doc_a"], r["doc_b"]), max(r["doc_a"], r["doc_b"])) in found)
        return hit / len(wanted) if wanted else 1.0

    together: Counter[str] = Counter()
    for r in rows:
        if r["relation"] in NEGATIVE:
            a, b = cluster.get(r["doc_a"]), cluster.get(r["doc_b"])
            if a is not None and a == b:
                together[a] += 1
    return Judged(
        precision=true / len(reported) if reported else 1.0,
        reported=len(reported),
        false_positives=wrong,
        recall_full=recall("full"),
        recall_part=recall("part"),
        negatives_in_one_cluster=max(together.values(), default=0),
        negatives_in_one_piece=max(_pieces_holding(analysis, rows).values(), default=0),
        direction_right=sum(1 for r in rows if r["direction"] in DIRECTED and _direction_right(analysis, r)),
        direction_judged=sum(1 for r in rows if r["direction"] in DIRECTED),
    )


DIRECTED = frozenset({"A_from_B", "B_from_A", "common"})


def _direction_right(analysis: Analysis, row: dict[str, str]) -> bool:
    """Whether the analysis orders a judged pair as its readers did: the derived side named, or
    (``common``) both documents under the credited outlet."""
    a, b = row["doc_a"], row["doc_b"]
    if row["direction"] == "common":
        parents = {e.doc: e.parent or "" for e in analysis.lineage}
        outlet = row["source"].casefold()
        return bool(outlet) and all(
            parents.get(d, "").startswith("external:") and outlet in parents.get(d, "").casefold() for d in (a, b)
        )
    derived = a if row["direction"] == "A_from_B" else b
    relation = next((r for r in analysis.relations if {r.a, r.b} == {a, b}), None)
    if relation is not None and relation.derived is not None:
        return relation.derived == derived
    edges = {e.doc: e for e in analysis.lineage}
    source = b if derived == a else a
    return edges[derived].parent == source if derived in edges else False


def _pieces_holding(analysis: Analysis, rows: Sequence[dict[str, str]]) -> Counter[str]:
    """For each piece, the judged negative pairs whose two documents it both holds."""
    held: Counter[str] = Counter()
    for piece in analysis.pieces:
        docs = {m.doc for m in piece.members}
        held[piece.id] = sum(1 for r in rows if r["relation"] in NEGATIVE and {r["doc_a"], r["doc_b"]} <= docs)
    return held


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def counter(analysis: Analysis, folder: Path) -> Counted:
    found = extents(analysis)
    confusion: Counter[tuple[str, str]] = Counter()
    for r in _rows(folder / "truth.csv"):
        key = (min(r["doc_a"], r["doc_b"]), max(r["doc_a"], r["doc_b"]))
        confusion[(COUNTER_CLASS[r["relation"]], found.get(key, "none"))] += 1
    derived = {"whole", "part"}
    tp = sum(n for (t, f), n in confusion.items() if t in derived and f in derived)
    fp = sum(n for (t, f), n in confusion.items() if t not in derived and f in derived)
    fn = sum(n for (t, f), n in confusion.items() if t in derived and f not in derived)
    f1s = []
    for label in ("whole", "part", "none"):
        ltp = confusion[(label, label)]
        lfp = sum(n for (t, f), n in confusion.items() if f == label and t != label)
        lfn = sum(n for (t, f), n in confusion.items() if t == label and f != label)
        f1s.append(_f1(ltp, lfp, lfn))
    return Counted(_f1(tp, fp, fn), sum(f1s) / len(f1s), confusion)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", action="append", default=[], metavar="STAGE.NAME=VALUE")
    parser.add_argument("--eval", type=Path, default=EVAL)
    args = parser.parse_args(argv)
    settings = with_overrides(Settings(), dict(item.split("=", 1) for item in args.set))
    news = args.eval / "news_events_dev"
    if not news.is_dir():
        print(f"skipped: {news} not found")
        return 0
    j = judged(analyze([news / "docs"], settings), news)
    print(
        f"news_events_dev judged pairs: precision {j.precision:.3f} of {j.reported} reported "
        f"(false: {dict(sorted(j.false_positives.items()))}); recall full {j.recall_full:.3f}, "
        f"part {j.recall_part:.3f}; judged negatives in one cluster: {j.negatives_in_one_cluster}, in one piece: "
        f"{j.negatives_in_one_piece}; direction right for {j.direction_right} of {j.direction_judged} judged pairs"
    )
    urdu = args.eval / "counter_dev"
    c = counter(analyze([urdu / "docs"], settings), urdu)
    print(f"counter_dev: binary F1 {c.binary_f1:.3f}, ternary macro-F1 {c.macro_f1:.3f}")
    table = ", ".join(f"{t}->{f} {n}" for (t, f), n in sorted(c.confusion.items()))
    print(f"  truth->found: {table}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
