"""End to end at scale: time per stage, peak memory, growth from 1k to 100k, quality, Dask vs local.

``python -m bench.bench_scale [--sizes 1000 10000 100000] [--jobs 2] [--repeat N] [--baseline] [--dask]
[--compare-up-to N]``

For each size a labelled corpus is generated once (:mod:`bench.corpus`, ~4 KB
news-like articles, 10% reuse of every kind; kept in ``--corpora``, default
``/tmp/provenance-bench``) and ``provenance analyze`` runs on it in a fresh child
process, exactly as the command line runs it (ingest to written Markdown and JSON
reports), while this process samples the memory of the child and all its
descendants (worker processes, a Dask cluster) from ``/proc`` every 0.5 s. Every
file of the corpus is read once just before each run, so runs start from a warm page
cache and compare code, not the disk (the time that read took is printed).
Memory is PSS (proportional set size): pages a forked worker shares with its
parent count once, split between them, so the sum is what the run really holds.

Printed per run: wall time, CPU time of the whole process tree, peak memory,
documents per second, per-stage seconds (task seconds summed over workers for the
stages that run on workers, parent seconds for the others) and the stage that
dominates; across sizes, how time and memory grow against the number of documents;
recall and precision of the related pairs the report lists against ``truth.json``
(recall over truth pairs with containment >= 0.5, precision over all truth pairs
that share text by construction). ``--baseline`` adds a ``--jobs 1`` run (the
in-process baseline) and ``--dask`` an ``--engine dask`` run (a LocalCluster of
``--jobs`` workers) of each size, with the ratio to the local run and a check that
their reports are the same bytes (by SHA-256, so no run's ~0.75 GB of 100k reports stays
in memory). The machine is shared: read ratios, not absolute times;
``--repeat N`` runs the local engine N times a size and prints the spread (and
whether the runs wrote the same bytes), ratios and growth taking the median run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from bench.corpus import generate, load_truth
from bench.quality import linked

CORPORA = Path(tempfile.gettempdir()) / "provenance-bench"


# --- memory of a process tree ------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            text = (task / "children").read_text()
            out.extend(int(c) for c in text.split())
    except OSError:
        pass
    return out


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def tree_pss_mb(pid: int) -> float:
    """PSS of a process and all its descendants, in MiB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        total += _pss_kb(current)
        stack.extend(_children(current))
    return total / 1024


@dataclass
class _Sampler:
    pid: int
    peak: float = 0.0
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak = max(self.peak, tree_pss_mb(self.pid))
            self.stop.wait(0.5)


def sampled(command: list[str], cwd: Path | None = None) -> tuple[int, float, float]:
    """Run ``command``: its exit code, wall seconds and its process tree's peak PSS (MiB), sampled."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd)
    sampler = _Sampler(process.pid)
    thread = threading.Thread(target=sampler.run, daemon=True)
    thread.start()
    code = process.wait()
    wall = time.perf_counter() - start
    sampler.stop.set()
    thread.join()
    return code, wall, sampler.peak


# --- one run in a child process -----------------------------------------------------------------


def _peak_rss_mib() -> float:
    """This process's own peak RSS (MiB): the high-water mark of its memory map.

    Not ``getrusage``'s ``ru_maxrss``: Linux keeps that across ``exec``, so a child
    started by this (large) benchmark process began with the benchmark's own peak. After
    a 100k run had read its 746 MB report, the next run's main process showed ~3.8 GB
    from its first instruction (the "Dask client +950 MiB" of earlier notes).
    """
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # elsewhere: the nearest figure


def child(corpus: str, out: str, jobs: int, engine: str) -> NoReturn:
    """What ``provenance analyze`` does, with the analysis's timings written to ``out/stats.json``."""
    import gc

    from provenance.api import analyze
    from provenance.cli import hard_exit, write_outputs
    from provenance.engine import make_engine
    from provenance.output import paused_gc
    from provenance.settings import Settings

    start = time.perf_counter()
    runner = make_engine(engine, jobs=jobs)
    with paused_gc():  # from the analysis to the reports, as the command runs (cli._analyze)
        try:
            analysis = analyze([corpus], Settings(), engine=runner)
        finally:
            runner.close()
        gc.freeze()  # as the command does before its reports (cli._analyze)
        analysed = time.perf_counter()
        rss_analysed = _peak_rss_mib()
        write_outputs(analysis, Path(out), ["md", "json"])
    done = time.perf_counter()
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    stats = {
        "documents": len(analysis.documents),
        "timings": analysis.stats["timings"],
        "wall": {**analysis.stats["wall"], "report": done - analysed},  # type: ignore[dict-item]
        "total": done - start,
        "cpu": sum(u.ru_utime + u.ru_stime for u in usage),
        "main_rss_analysis": rss_analysed,
        "main_rss": _peak_rss_mib(),
    }
    (Path(out) / "stats.json").write_text(json.dumps(stats), encoding="utf-8")
    hard_exit(0)  # as the provenance command ends, without freeing the analysis


@dataclass
class Run:
    label: str
    documents: int
    wall: float
    cpu: float
    peak_mb: float
    stages: dict[str, float]
    phases: dict[str, float]
    recall: float
    precision: float
    reports: tuple[bytes, bytes]  # SHA-256 of the JSON and of the Markdown report
    main_rss: tuple[float, float]  # peak RSS of the main process: after the analysis, after the reports


def warm(docs: Path) -> tuple[int, float]:
    """Read every file under ``docs`` once (files, seconds), so that the run after it finds
    them in the page cache.

    This machine's disk reads ~5,000 small files a second however many threads ask: from a
    cold cache, reading the 100k corpus added ~10 s to the scan, and a cache dropped between
    two runs made their difference a fact about the disk, not the code.
    """
    start, files = time.perf_counter(), 0
    for folder, _, names in os.walk(docs):
        for name in names:
            (Path(folder) / name).read_bytes()
            files += 1
    return files, time.perf_counter() - start


def run(corpus: Path, jobs: int, engine: str, label: str) -> Run:
    files, seconds = warm(corpus / "docs")
    print(f"{label}: read {files:,} files into the page cache first ({seconds:.1f} s)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "bench.bench_scale", "--child", str(corpus / "docs"), tmp, str(jobs), engine]
        code, wall, peak = sampled(cmd, cwd=Path(__file__).resolve().parent.parent)
        if code:
            raise SystemExit(f"{label}: the analysis exited with {code}")
        stats = json.loads((Path(tmp) / "stats.json").read_text(encoding="utf-8"))
        data = (Path(tmp) / "provenance.json").read_bytes()
        markdown = (Path(tmp) / "provenance.md").read_bytes()
        reports = (hashlib.sha256(data).digest(), hashlib.sha256(markdown).digest())
    recall, precision = quality(json.loads(data), corpus / "truth.json")
    return Run(
        label, stats["documents"], wall, stats["cpu"], peak, stats["timings"], stats["wall"],
        recall, precision, reports, (stats["main_rss_analysis"], stats["main_rss"]),
    )  # fmt: skip


def quality(report: dict[str, Any], truth_path: Path) -> tuple[float, float]:
    """Recall over truth pairs with containment >= 0.5; precision over every pair that shares text."""
    truth = load_truth(truth_path)
    positives = {(p.a, p.b) for p in truth.pairs if p.containment >= 0.5}
    related = {(p.a, p.b) for p in truth.pairs}
    text_pairs = ((p["a"], p["b"]) for p in report["pairs"] if p["jaccard"] is not None)
    found = linked(text_pairs, ((g["head"], g["copies"]) for g in report.get("duplicates", ())))
    recall = len(found & positives) / len(positives) if positives else 1.0
    precision = len(found & related) / len(found) if found else 1.0
    return recall, precision


def corpus_for(size: int, seed: int, root: Path) -> Path:
    """The corpus of about ``size`` documents (10% reuse), generated once and reused."""
    path = root / f"n{size}-s{seed}"
    if not (path / "truth.json").is_file():
        print(f"generating {size} documents in {path} ...", flush=True)
        generate(path, n_sources=round(size / 1.1), seed=seed, reuse_share=0.1)
    return path


# --- printing -------------------------------------------------------------------------------------


def describe(r: Run) -> None:
    stages = ", ".join(f"{k} {v:.1f}" for k, v in sorted(r.stages.items(), key=lambda kv: -kv[1]))
    top, seconds = max(r.stages.items(), key=lambda kv: kv[1])
    share = seconds / sum(r.stages.values())
    phases = ", ".join(f"{k} {v:.1f}" for k, v in r.phases.items())
    print(
        f"{r.label:<22} {r.documents:>7,} docs  wall {r.wall:7.1f} s  cpu {r.cpu:7.1f} s  "
        f"{r.documents / r.wall:6.0f} docs/s  peak {r.peak_mb:7,.0f} MiB "
        f"({r.peak_mb * 1024 / r.documents:5.1f} KiB/doc)"
    )
    print(
        f"{'':<22} main process peak RSS {r.main_rss[0]:,.0f} MiB by the end of the analysis, "
        f"{r.main_rss[1]:,.0f} MiB with the reports written"
    )
    print(f"{'':<22} recall {r.recall:.4f} (containment >= 0.5), precision {r.precision:.4f}")
    print(f"{'':<22} stage seconds (task time): {stages}; dominant: {top} ({share:.0%})")
    print(f"{'':<22} wall by phase: {phases}")


def median_run(runs: list[Run]) -> Run:
    """The run of median wall time (the lower middle one of an even number)."""
    return sorted(runs, key=lambda r: r.wall)[(len(runs) - 1) // 2]


def spread(runs: list[Run]) -> None:
    """Wall and peak memory over repeated runs of one size, and whether their reports are the same bytes."""
    walls = [r.wall for r in runs]
    same = all(r.reports == runs[0].reports for r in runs[1:])
    print(
        f"{'':<22} {len(runs)} runs: wall min {min(walls):.1f}, median {median_run(runs).wall:.1f}, "
        f"max {max(walls):.1f} s; peak max {max(r.peak_mb for r in runs):,.0f} MiB; "
        f"reports identical across runs: {same}"
    )


def growth(runs: list[Run]) -> None:
    print("\ngrowth (against the smallest size):")
    base = runs[0]
    for r in runs[1:]:
        docs = r.documents / base.documents
        print(
            f"  {base.documents:,} -> {r.documents:,} docs (x{docs:.1f}): wall x{r.wall / base.wall:.1f}, "
            f"cpu x{r.cpu / base.cpu:.1f}, peak memory x{r.peak_mb / base.peak_mb:.1f}; "
            f"cpu per doc x{(r.cpu / r.documents) / (base.cpu / base.documents):.2f}"
        )


def main(argv: list[str] | None = None) -> int:
    args_in = sys.argv[1:] if argv is None else argv
    if args_in[:1] == ["--child"]:
        given, out, jobs, engine = args_in[1:5]
        return child(given, out, int(jobs), engine)
    parser = argparse.ArgumentParser(prog="python -m bench.bench_scale", description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--baseline", action="store_true", help="also run --jobs 1 (in-process) for the ratio")
    parser.add_argument("--dask", action="store_true", help="also run --engine dask (LocalCluster of --jobs workers)")
    parser.add_argument(
        "--compare-up-to",
        type=int,
        default=10000,
        metavar="N",
        help="run --baseline and --dask only for sizes up to N (default 10000: at 100k each run takes minutes)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        metavar="N",
        help="run the local engine N times a size: each run, their spread and a byte check of their reports "
        "(ratios and growth use the median run; this machine's speed swings ±10%% between runs)",
    )
    parser.add_argument("--corpora", type=Path, default=CORPORA, help=f"where corpora are kept (default {CORPORA})")
    args = parser.parse_args(args_in)
    if args.repeat < 1:
        parser.error("--repeat: give 1 or more runs")
    runs: list[Run] = []
    for size in args.sizes:
        corpus = corpus_for(size, args.seed, args.corpora)
        print(f"\n== {size:,} documents ({corpus})", flush=True)
        repeats: list[Run] = []
        for _ in range(args.repeat):
            repeats.append(run(corpus, args.jobs, "local", f"local --jobs {args.jobs}"))
            describe(repeats[-1])
        local = median_run(repeats)
        if len(repeats) > 1:
            spread(repeats)
        runs.append(local)
        if args.baseline and size <= args.compare_up_to:
            single = run(corpus, 1, "local", "local --jobs 1")
            describe(single)
            print(
                f"{'':<22} --jobs {args.jobs} vs --jobs 1: wall x{single.wall / local.wall:.2f} faster, "
                f"reports identical: {single.reports == local.reports}"
            )
        if args.dask and size <= args.compare_up_to:
            dask = run(corpus, args.jobs, "dask", f"dask {args.jobs} workers")
            describe(dask)
            print(
                f"{'':<22} dask vs local: wall x{dask.wall / local.wall:.2f}, cpu x{dask.cpu / local.cpu:.2f}, "
                f"peak x{dask.peak_mb / local.peak_mb:.2f}; reports identical: {dask.reports == local.reports}"
            )
    if len(runs) > 1:
        growth(runs)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
