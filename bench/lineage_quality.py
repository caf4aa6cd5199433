"""Quality gate for lineage: roles and parents against ground truth, floors pinned.

``python -m bench.lineage_quality [--check]`` prints, and with ``--check`` exits 1 when a
figure is below its floor in ``bench/lineage_floors.json``:

* generated corpora (:mod:`bench.corpus`, synthetic and real text): role accuracy over
  every document and over the republished ones, parent accuracy (an in-corpus source by
  id, a withheld source as ``external:<its outlet>``), the share of undecided
  documents, and a confusion table of expected against found roles;
* Clough & Stevenson short answers: each answer's relation to its source task text,
  classified as ``near_copy`` (a full or partial copy), ``revision`` (a rewrite; light
  and heavy revisions together) or ``non_derived`` (no relation), with per-class F1 and
  the macro-F1.

Expected roles of generated documents: sources are ``original``; ``full_copy``,
``furniture_wrapped``, ``hex_damaged``, ``mojibake_damaged`` and ``light_edit`` are
``full republication``; ``excerpt`` is ``excerpt``; ``excerpt_commentary`` is ``excerpt
with commentary``.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from bench.corpus import EVAL, Truth, generate
from bench.quality import Result
from provenance import analyze
from provenance.model import Analysis
from provenance.settings import Settings, with_overrides

FLOORS = Path(__file__).resolve().parent / "lineage_floors.json"
EXPECTED_ROLE = {
    "original": "original",
    "unrelated": "original",
    "full_copy": "full republication",
    "furniture_wrapped": "full republication",
    "hex_damaged": "full republication",
    "mojibake_damaged": "full republication",
    "light_edit": "full republication",
    "excerpt": "excerpt",
    "excerpt_commentary": "excerpt with commentary",
}
CLOUGH_CLASS = {
    "near_copy": "near_copy",
    "light_revision": "revision",
    "heavy_revision": "revision",
    "non_derived": "non_derived",
}
# Share of an answer in near-exact passages from which a copy relation is a near copy
# (Clough near copies 0.3-1.0 but for three; revisions mostly below 0.15).
NEAR_COPY_EXACT = 0.2


def expected_parent(truth: Truth, doc_id: str) -> str | None:
    doc = next(d for d in truth.documents if d.id == doc_id)
    if doc.source is None:
        return None
    return f"external:{doc.outlet}" if doc.withheld else doc.source


def score_generated(truth: Truth, analysis: Analysis, name: str) -> Result:
    """Role and parent accuracy of an analysed generated corpus against its truth."""
    found = {edge.doc: edge for edge in analysis.lineage}
    result = Result(name)
    confusion: Counter[tuple[str, str]] = Counter()
    roles = parents = both = derived = derived_roles = derived_both = undecided = 0
    for doc in truth.documents:
        edge = found.get(doc.id)
        if edge is None:
            continue
        want_role = EXPECTED_ROLE[doc.kind]
        want_parent = expected_parent(truth, doc.id)
        role_ok = edge.role == want_role
        parent_ok = edge.parent == want_parent
        roles += role_ok
        parents += parent_ok
        both += role_ok and parent_ok
        undecided += edge.role == "undecided"
        confusion[(want_role, edge.role)] += 1
        if doc.source is not None:
            derived += 1
            derived_roles += role_ok
            derived_both += role_ok and parent_ok
        if not (role_ok and parent_ok) and len(result.detail) < 25:
            result.detail.append(
                f"{doc.id} ({doc.kind}): expected {want_role} of {want_parent}, found {edge.role} of {edge.parent}"
                f" ({edge.confidence:.2f})"
            )
    total = len(truth.documents)
    result.figures = {
        "documents": total,
        "republished": derived,
        "role_accuracy": round(roles / total, 4),
        "parent_accuracy": round(parents / total, 4),
        "role_and_parent_accuracy": round(both / total, 4),
        "republished_role_accuracy": round(derived_roles / derived, 4) if derived else 1.0,
        "republished_role_and_parent_accuracy": round(derived_both / derived, 4) if derived else 1.0,
        "undecided_share": round(undecided / total, 4),
    }
    result.detail[:0] = [
        f"{want:>24} -> {got:<24} {n}" for (want, got), n in sorted(confusion.items()) if want != got or n
    ]
    return result


def evaluate_generated(
    n_sources: int, seed: int, reuse_share: float, text: Literal["real", "synthetic"], settings: Settings
) -> Result:
    with tempfile.TemporaryDirectory() as tmp:
        truth = generate(Path(tmp), n_sources=n_sources, seed=seed, reuse_share=reuse_share, text=text)
        analysis = analyze([Path(tmp) / "docs"], settings)
    return score_generated(truth, analysis, f"generated ({text}, {n_sources} sources, seed {seed})")


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def exact_share(analysis: Analysis, doc: str, other: str, settings: Settings) -> float:
    """Share of ``doc``'s article text in near-exact passages shared with ``other``."""
    chars = next((c.chars for c in analysis.compositions if c.doc == doc), 0)
    exact = 0
    for p in analysis.passages:
        if {p.a, p.b} == {doc, other} and p.similarity >= settings.lineage.exact_similarity:
            exact += len(p.a_clean if p.a == doc else p.b_clean)
    return exact / chars if chars else 0.0


def clough_classes(
    analysis: Analysis, truth_rows: Sequence[dict[str, str]], settings: Settings
) -> list[tuple[str, str, str, str]]:
    """(answer, task source, expected class, found class) for every labelled answer.

    A near copy is a copy relation (full or partial) whose near-exact passages cover at least
    ``NEAR_COPY_EXACT`` of the answer; a copy relation below that took a sentence or two
    verbatim and reworded the rest, which Clough's guidelines call a revision.
    """
    relations = {(r.a, r.b): r for r in analysis.relations}
    out = []
    for row in truth_rows:
        source, answer = row["doc_a"], row["doc_b"]
        relation = relations.get((min(source, answer), max(source, answer)))
        if relation is None or relation.relation == "independent":
            found = "non_derived"
        elif relation.relation in ("full copy", "partial copy"):
            copied = exact_share(analysis, answer, source, settings) >= NEAR_COPY_EXACT
            found = "near_copy" if copied else "revision"
        else:
            found = "revision"
        out.append((answer, source, CLOUGH_CLASS[row["relation"]], found))
    return out


def evaluate_clough(settings: Settings, unlinkable: Sequence[str] = ()) -> Result | None:
    folder = EVAL / "clough_short_answers"
    if not folder.exists():
        return None
    with (folder / "truth.csv").open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["doc_b"] not in unlinkable]
    analysis = analyze([folder / "docs"], settings)
    classes = clough_classes(analysis, rows, settings)
    result = Result("clough_short_answers (near copy / revision / non-derived)")
    labels = ("near_copy", "revision", "non_derived")
    f1s = {}
    for label in labels:
        tp = sum(1 for _, _, want, got in classes if want == label and got == label)
        fp = sum(1 for _, _, want, got in classes if want != label and got == label)
        fn = sum(1 for _, _, want, got in classes if want == label and got != label)
        f1s[label] = _f1(tp, fp, fn)
        result.figures[f"f1_{label}"] = round(f1s[label], 4)
    result.figures["macro_f1"] = round(sum(f1s.values()) / len(labels), 4)
    result.figures["accuracy"] = round(sum(1 for c in classes if c[2] == c[3]) / len(classes), 4)
    confusion = Counter((want, got) for _, _, want, got in classes)
    result.detail = [f"{want:>12} -> {got:<12} {n}" for (want, got), n in sorted(confusion.items())]
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.lineage_quality", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a figure is below its floor")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="STAGE.NAME=VALUE")
    parser.add_argument("--only", choices=("generated", "generated_real", "clough"), action="append")
    args = parser.parse_args(argv)
    floors: dict[str, Any] = json.loads(FLOORS.read_text(encoding="utf-8"))
    overrides = dict(item.split("=", 1) for item in args.overrides)
    results: list[tuple[str, Result]] = []
    for key in ("generated", "generated_real"):
        if args.only and key not in args.only:
            continue
        spec = floors[key]
        if spec["text"] == "real" and not EVAL.exists():
            print(f"{key}: skipped, {EVAL} is absent")
            continue
        settings = with_overrides(Settings(), overrides)
        results.append(
            (key, evaluate_generated(spec["sources"], spec["seed"], spec["reuse_share"], spec["text"], settings))
        )
    if not args.only or "clough" in args.only:
        spec = floors["clough_short_answers"]
        settings = with_overrides(Settings(), {**spec.get("settings", {}), **overrides})
        clough = evaluate_clough(settings, tuple(spec.get("unlinkable", ())))
        if clough is None:
            print(f"clough_short_answers: skipped, {EVAL} is absent")
        else:
            results.append(("clough_short_answers", clough))
    failed = []
    for key, result in results:
        print(f"== {result.name}")
        for name, value in result.figures.items():
            print(f"  {name:<40} {value}")
        for line in result.detail:
            print(f"  - {line}")
        failed.extend(result.failures(floors[key]))
    for line in failed:
        print("BELOW FLOOR:", line)
    print("all floors met" if not failed else f"{len(failed)} figures below their floors")
    return 1 if (args.check and failed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
