"""Engines: the same corpus gives byte-identical reports in-process, with worker
processes and on a Dask LocalCluster; the progress display and the CLI options."""

from __future__ import annotations

import io
import os
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bench.corpus import generate
from provenance import parallel
from provenance.align import align_corpus
from provenance.api import analyze, load
from provenance.candidates import colliding_pairs
from provenance.cli import main
from provenance.documents import build_document, keyed_again, load_sources
from provenance.engine import DASK_INSTALL, Engine, LocalEngine, make_engine
from provenance.errors import SettingsError
from provenance.ingest import discover, read
from provenance.model import Analysis, KeylessSegments, Metadata, Rejected
from provenance.normalize import normalize
from provenance.output import write_atomic_chunks
from provenance.parallel import band_collide
from provenance.progress import TerminalProgress, progress_for
from provenance.report import as_json
from provenance.report.as_json import iter_json, render_json
from provenance.report.markdown import render_markdown
from provenance.settings import Settings


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus of every reuse kind (more than one task per stage), plus a bad file."""
    root = tmp_path_factory.mktemp("engines")
    generate(root, n_sources=260, seed=11, reuse_share=0.3)
    (root / "docs" / "empty.txt").write_bytes(b"")
    return root / "docs"


@pytest.fixture(scope="module")
def reference(corpus: Path) -> tuple[str, str]:
    return _reports(analyze([corpus]))


def _reports(analysis: Analysis) -> tuple[str, str]:
    text = b"".join(iter_json(analysis)).decode("utf-8")
    assert text == render_json(analysis)  # the streamed report is the report
    return text, render_markdown(analysis)


def test_streamed_json_is_render_json(seed_analysis: Analysis, tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    for analysis in (seed_analysis, analyze([empty])):
        path = tmp_path / "out" / "provenance.json"
        write_atomic_chunks(path, iter_json(analysis))
        assert path.read_bytes() == render_json(analysis).encode("utf-8")
    assert not analyze([empty]).documents


def test_streamed_json_makes_its_records_as_it_writes_them(seed_analysis: Analysis) -> None:
    """Long sections are iterators, not lists: a 100k-document report's records never all
    exist at once (compiled, a generator expression outside a call becomes a whole list)."""
    sections = as_json._sections(seed_analysis)
    for key in ("documents", "pairs", "passages", "quotes", "lineage"):
        assert isinstance(sections[key], Iterator), key
        assert not isinstance(sections[key], list), key


def test_parent_documents_keep_what_reports_read(corpus: Path) -> None:
    serial = {d.id: d for d in analyze([corpus]).documents}
    with LocalEngine(1) as engine:
        lean = analyze([corpus], engine=engine).documents
    for doc in lean:
        full = serial[doc.id]
        assert (doc.raw, doc.clean, doc.metadata, doc.repairs, doc.furniture) == (
            full.raw, full.clean, full.metadata, full.repairs, full.furniture,
        )  # fmt: skip
        assert [s.clean for s in doc.paragraphs] == [s.clean for s in full.paragraphs]
        assert len(doc.sentences) == len(full.sentences) and all(s.key == "" for s in doc.sentences)


def test_alignment_documents_are_made_from_the_built_segments(corpus: Path, seeds_dir: Path) -> None:
    """keyed_again gives the paragraphs, sentences and keys a full build gives (repaired,
    multilingual and furniture-laden texts: the seeds; generated reuse of every kind)."""
    settings = Settings()
    sources, _ = discover([corpus, seeds_dir], settings.ingest)
    checked = 0
    for source in sources[:120] + sources[-5:]:
        decoded = read(source, settings.ingest)
        if isinstance(decoded, Rejected):
            continue
        normalized = normalize(decoded.text)
        full = build_document(
            decoded, normalized, settings.normalize, frozenset({"share this article"}), metadata=False
        )
        packed = KeylessSegments.of(full.paragraphs), KeylessSegments.of(full.sentences)
        again = keyed_again(decoded, normalized, *packed)
        assert (again.sentences, again.paragraphs, again.words) == (full.sentences, full.paragraphs, full.words)
        assert replace(again, lines=full.lines, sentences=(), paragraphs=()) == replace(
            full, sentences=(), paragraphs=()
        )
        checked += bool(full.sentences)
    assert checked > 100


@pytest.mark.parametrize("jobs", [1, 2])
def test_local_engine_gives_identical_reports(corpus: Path, reference: tuple[str, str], jobs: int) -> None:
    with LocalEngine(jobs) as engine:
        analysis = analyze([corpus], engine=engine)
    assert analysis.pairs and analysis.passages and analysis.quotes and analysis.rejected
    assert analysis.stats["engine"] == {"name": "local", "workers": jobs}
    assert _reports(analysis) == reference


def test_load_on_workers_gives_the_same_documents(corpus: Path) -> None:
    serial = load([corpus], Settings())
    with LocalEngine(2) as engine:
        assert load([corpus], Settings(), engine=engine) == serial


def _check_band_ranges(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Collisions counted by ranges of minhash rows on the engine's workers are the index's."""
    rng = np.random.default_rng(3)
    signatures = rng.integers(0, 40, size=(300, 64), dtype=np.uint32)  # many collisions
    collide = band_collide(engine)
    assert collide is not None
    monkeypatch.setattr(parallel, "BAND_SPLIT_CELLS", 0)  # split however small
    pairs, counts = collide(signatures, 8)
    expected_pairs, expected_counts = colliding_pairs(signatures, 8)
    assert len(pairs) > 1000
    assert np.array_equal(pairs, expected_pairs) and np.array_equal(counts, expected_counts)


def test_band_ranges_on_workers_count_the_same_collisions(monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalEngine(2) as engine:
        _check_band_ranges(engine, monkeypatch)
    assert band_collide(LocalEngine(1)) is None


def test_one_task_runs_here_until_the_workers_run() -> None:
    """A lone task is not worth starting a pool for, but once one runs it goes there (and
    overlaps with this process: the quote-linking task does)."""
    here = os.getpid()
    with LocalEngine(2) as engine:
        assert list(engine.map(_pid, [0])) == [here]
        assert here not in set(engine.map(_pid, [0, 1]))
        assert list(engine.map(_pid, [0])) != [here]


def _pid(_: int) -> int:
    return os.getpid()


def _faults_reallocating(shape: tuple[int, int]) -> int:
    """Page faults taken by a third round of ``blocks`` arrays of ``megabytes`` MB, made and
    freed (``shape`` is ``(megabytes, blocks)``).

    glibc raises its thresholds as it sees such blocks freed, but a heap top this large
    is still handed back to the kernel after each round by default, and blocks above its
    largest mmap threshold (32 MB) always come from fresh mapped pages.
    """
    megabytes, count = shape

    def one_round() -> None:
        blocks = [np.ones(megabytes << 17) for _ in range(count)]  # 8-byte cells
        del blocks

    one_round()
    one_round()
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    one_round()
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_pool_workers_keep_freed_memory_for_the_next_task() -> None:
    """Without mallopt the third round of 8 MB arrays comes from fresh pages (~1,000 faults
    measured); a 40 MB array, above the largest mmap threshold, from fresh mapped pages
    every time (~530 faults of huge pages measured, ~10,000 without them) unless no block
    is mapped on its own (0)."""
    with LocalEngine(2) as engine:
        faults = list(engine.map(_faults_reallocating, [(8, 3), (8, 3)]))
        large = list(engine.map(_faults_reallocating, [(40, 1), (40, 1)]))
    assert max(faults) < 200, faults
    assert max(large) < 100, large


def test_dask_local_cluster_gives_identical_reports(corpus: Path, reference: tuple[str, str]) -> None:
    """Per-document tasks, alignment and the candidate search's band ranges on 2 Dask workers."""
    pytest.importorskip("distributed", reason="Dask is not installed: pip install -e '.[dev]' (or provenance[dask])")
    engine = make_engine("dask", jobs=2)
    try:
        assert engine.workers == 2
        # The client drops each future as its result is read: a held future keeps its
        # result on a worker until the whole map is consumed.
        results = engine.map(_pid, [0, 1, 2])
        next(results)
        held = engine._client.futures  # type: ignore[attr-defined]
        deadline = time.monotonic() + 10  # the client releases on its event loop, soon after
        while len(held) > 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(held) == 2
        assert len(list(results)) == 2
        analysis = analyze([corpus], engine=engine)
        with pytest.MonkeyPatch.context() as monkeypatch:
            _check_band_ranges(engine, monkeypatch)
    finally:
        engine.close()
    assert analysis.stats["engine"] == {"name": "dask", "workers": 2}
    assert _reports(analysis) == reference


def test_cli_on_an_existing_cluster(seeds_dir: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed", reason="Dask is not installed: pip install -e '.[dev]'")
    expected = tmp_path / "local"
    assert main(["analyze", str(seeds_dir), "--out", str(expected), "--jobs", "1", "--quiet"]) == 0
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=":0") as cluster:
        out = tmp_path / "dask"
        argv = ["analyze", str(seeds_dir), "--out", str(out), "--engine", "dask", "--quiet"]
        assert main([*argv, "--scheduler", cluster.scheduler_address]) == 0
    for name in ("provenance.json", "provenance.md"):
        assert (out / name).read_bytes() == (expected / name).read_bytes()


def test_unreachable_scheduler_is_one_line(seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dask = pytest.importorskip("dask", reason="Dask is not installed: pip install -e '.[dev]'")
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        argv = [
            "analyze",
            str(seeds_dir),
            "--out",
            str(tmp_path),
            "--engine",
            "dask",
            "--scheduler",
            "tcp://127.0.0.1:9",
        ]
        assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("Error: --scheduler tcp://127.0.0.1:9: cannot reach the Dask scheduler")
    assert err.count("\n") == 1


def test_cli_jobs_give_identical_files(corpus: Path, tmp_path: Path) -> None:
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / jobs
        assert main(["analyze", str(corpus), "--out", str(out), "--jobs", jobs, "--quiet"]) == 0
        outputs.append([(out / name).read_bytes() for name in ("provenance.json", "provenance.md")])
    assert outputs[0] == outputs[1]


def test_missing_dask_is_one_line_naming_the_install(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], seeds_dir: Path, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "dask", None)  # import dask raises ImportError
    with pytest.raises(SettingsError, match="pip install"):
        make_engine("dask")
    assert main(["analyze", str(seeds_dir), "--out", str(tmp_path), "--engine", "dask"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and DASK_INSTALL in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--scheduler", "tcp://127.0.0.1:1"], "--scheduler needs --engine dask"), (["--jobs", "0"], "at least 1")],
)
def test_engine_option_errors(
    argv: list[str], message: str, seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(seeds_dir), "--out", str(tmp_path), *argv]) == 2
    assert message in capsys.readouterr().err


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_outside_ci() -> None:
    assert progress_for(io.StringIO(), environ={}) is None
    assert progress_for(_Tty(), environ={"CI": "true"}) is None
    assert progress_for(_Tty(), quiet=True, environ={}) is None
    assert isinstance(progress_for(_Tty(), environ={}), TerminalProgress)


def test_progress_line_shows_stage_counts_rate_and_eta() -> None:
    stream = _Tty()
    now = [0.0]
    show = TerminalProgress(stream, redraw=10, clock=lambda: now[0])
    show("build", 0, 1000)
    now[0] = 2.0
    show("build", 400, 1000)
    show("build", 410, 1000)  # within 0.1 s of the last redraw: skipped
    now[0] = 4.0
    show("build", 1000, 1000)
    show("align", 0, 30)
    lines = stream.getvalue().split("\r")
    assert "400/1,000 docs" in lines[2] and "200 docs/s" in lines[2] and "ETA 0:03" in lines[2]
    assert not any("410/" in line for line in lines)
    assert lines[3].startswith("build") and lines[3].endswith("\n") and "ETA 0:00" in lines[3]
    assert lines[4].startswith("align") and "0/30 pairs" in lines[4]


def test_cli_progress_is_silent_when_not_a_terminal(
    seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(seeds_dir), "--out", str(tmp_path), "--jobs", "1"]) == 0
    captured = capsys.readouterr()
    assert "\r" not in captured.err and "ETA" not in captured.err


def test_alignment_rebuilds_documents_without_metadata_and_aligns_the_same(corpus: Path) -> None:
    """The alignment tasks' rebuild skips metadata, which alignment never reads."""
    settings = Settings()
    sources, _ = discover([str(corpus)], settings.ingest)
    full, _ = load_sources(sources, settings)
    bare, _ = load_sources(sources, settings, metadata=False)
    assert any(d.metadata != Metadata() for d in full) and all(d.metadata == Metadata() for d in bare)
    assert [replace(d, metadata=Metadata()) for d in full] == list(bare)
    with LocalEngine(1) as engine:
        analysis = analyze([corpus], engine=engine)
    pairs = [(p.a, p.b) for p in analysis.pairs]
    assert pairs
    assert align_corpus(full, pairs, settings.align) == align_corpus(bare, pairs, settings.align)


def test_alignment_tasks_rebuild_documents_from_the_scan_cache(corpus: Path, tmp_path: Path) -> None:
    """An alignment task reads each document where the scan left it decoded and normalised,
    and the file itself only where that place is unreadable or holds another file."""
    settings = Settings()
    with LocalEngine(1) as engine:
        analysis = analyze([corpus], engine=engine)
    pairs = analysis.pairs[:40]
    cache = tmp_path / "cache"
    cache.mkdir()
    copy = tmp_path / "docs"
    copy.mkdir()
    for doc in analysis.documents:
        (copy / Path(doc.path).name).write_bytes(Path(doc.path).read_bytes())
    scanned = parallel.scan_corpus([str(copy)], settings, LocalEngine(1), {}, cache=cache)
    by_id = {s.id: s for s in scanned.sources}
    assert set(scanned.places) == set(by_id)
    (task,), _ = parallel.align_tasks(pairs, by_id, settings, scanned.repeated, scanned.places)
    expected = parallel.align_clusters(task).passages
    assert expected
    for source in task.sources:  # the files are gone: every document comes from the cache
        Path(source.file).unlink()
    cached = parallel.align_clusters(task)
    assert cached.passages == expected and "ingest" not in cached.seconds
    # One place now names another document's bytes: that document alone is not rebuilt.
    first, second = task.places[0], task.places[1]
    assert first is not None and second is not None
    moved = replace(task, places=(second, *task.places[1:]))
    rebuilt = {p for key, _ in parallel.align_clusters(moved).passages for p in key}
    assert task.sources[0].id not in rebuilt and task.sources[1].id in rebuilt
    # The build tasks read the same places: the documents whose files are gone are built.
    built, late = parallel.build_corpus(scanned, settings, LocalEngine(1), {}, products=False)
    assert not late and [b.document.id for b in built] == [s.id for s in scanned.sources]
