"""Rendering time of every report format against the analysis time, on a generated corpus.

``python -m bench.bench_report [--docs 10000] [--seed 7] [--rounds 3] [--uncapped]``
generates a synthetic corpus with :mod:`bench.corpus` (10% reuse: copies, excerpts,
commentary, damage, withheld sources), runs :func:`provenance.analyze` on it once (the
baseline), then times each format as the command line writes it, with
:func:`provenance.cli.write_outputs` into a temporary folder (files written, the
garbage collector paused as the CLI pauses it):

* ``md``: :func:`~provenance.report.markdown.render_markdown` (capped tables);
* ``json``: :func:`~provenance.report.as_json.to_dict` and ``dumps``;
* ``xlsx``: ``to_dict``, the tables (:func:`~provenance.report.tables.frames_from`) and
  :func:`~provenance.report.workbook.render_workbook`;
* ``csv``: ``to_dict``, the tables and one CSV file per table;
* ``all``: the four together (the JSON records and the tables built once and shared).

Each renderer is run ``--rounds`` times and its best time kept; every figure is printed
as a ratio to the analysis time measured in the same run, wall clock and CPU (the
machine is shared: absolute times are noisy). The target is a wall ratio under 0.10
for each format; ``all`` is printed for information.
``--uncapped`` also renders the Markdown with every table uncapped, to show what the
caps save.
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from bench.corpus import generate
from provenance import analyze
from provenance.cli import write_outputs
from provenance.report.markdown import render_markdown
from provenance.settings import ReportSettings

TARGET = 0.10
# bench.corpus writes about 1.09 documents per source at the default 10% reuse
# (withheld sources are not in docs/).
DOCS_PER_SOURCE = 1.09


def _timed(action: Callable[[], object], rounds: int) -> tuple[float, float, object]:
    """Best wall and CPU seconds of ``rounds`` runs, and the last result."""
    best_wall = best_cpu = math.inf
    result: object = None
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu, result


def _size(result: object) -> str:
    """Size of a rendered text, or of the files ``write_outputs`` wrote."""
    if isinstance(result, str):
        return f"{len(result.encode('utf-8')) / 1e6:.2f} MB"
    if isinstance(result, list):
        return f"{sum(p.stat().st_size for p in result if isinstance(p, Path)) / 1e6:.2f} MB"
    return ""


def run(n_docs: int, seed: int, rounds: int, *, uncapped: bool) -> bool:
    """Print the figures; return whether every ratio is under the target."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, n_sources=math.ceil(n_docs / DOCS_PER_SOURCE), seed=seed)
        wall, cpu = time.perf_counter(), time.process_time()
        analysis = analyze([root / "docs"])
        analysis_wall, analysis_cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"corpus: {len(analysis.documents):,} documents, {len(analysis.pairs):,} pairs, "
            f"{len(analysis.passages):,} passages, {len(analysis.quotes):,} quote trails"
        )
        print(f"analysis: {analysis_wall:.1f} s wall, {analysis_cpu:.1f} s CPU (the baseline)")
        out = root / "out"
        formats = {fmt: (fmt,) for fmt in ("md", "json", "xlsx", "csv")} | {"all": ("md", "json", "xlsx", "csv")}
        renderers: dict[str, Callable[[], object]] = {
            name: partial(write_outputs, analysis, out, chosen) for name, chosen in formats.items()
        }
        if uncapped:
            big = ReportSettings(table_rows=10**9, graph_nodes=80, cluster_sections=10**9, appendix_documents=10**9)
            renderers["md uncapped"] = lambda: render_markdown(analysis, big)
        ok = True
        print(f"{'format':<12} {'wall s':>8} {'ratio':>7} {'CPU s':>8} {'ratio':>7}  output")
        for name, action in renderers.items():
            best_wall, best_cpu, result = _timed(action, 1 if name == "md uncapped" else rounds)
            ratio_wall, ratio_cpu = best_wall / analysis_wall, best_cpu / analysis_cpu
            if name in ("md", "json", "xlsx", "csv"):
                ok &= ratio_wall < TARGET
            print(
                f"{name:<12} {best_wall:>8.2f} {ratio_wall:>7.3f} {best_cpu:>8.2f} {ratio_cpu:>7.3f}  {_size(result)}"
            )
        print(f"target: each format's wall ratio under {TARGET:.2f}: {'met' if ok else 'NOT met'}")
        return ok


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_report", description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=10_000, help="documents in the generated corpus (default 10000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3, help="runs per renderer, best kept (default 3)")
    parser.add_argument("--uncapped", action="store_true", help="also render the Markdown with no table caps")
    args = parser.parse_args()
    return 0 if run(args.docs, args.seed, args.rounds, uncapped=args.uncapped) else 1


if __name__ == "__main__":
    raise SystemExit(main())
