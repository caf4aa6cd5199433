"""Faults and hostile settings (issue 31): each one a single ``Error:`` line and exit 2, never a
traceback; outputs swapped in as a set; workers that die with their parent."""

from __future__ import annotations

import dataclasses
import errno
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Generator, Iterable, Sequence
from contextlib import closing
from pathlib import Path

import pytest

from bench.corpus import generate
from provenance import index as index_module
from provenance import output, parallel
from provenance.api import analyze
from provenance.cli import main
from provenance.engine import LocalEngine
from provenance.errors import IndexStateError, OutputError
from provenance.index import build_index, default_index, update_index
from provenance.ingest import Source
from provenance.report.as_json import render_json
from provenance.settings import Range, Settings
from tests.conftest import copy_seeds

# --- settings ----------------------------------------------------------------------------------


def _one_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The captured stderr, which must be one ``Error:`` line and no traceback."""
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("option", "named"),
    [
        (["--set", "fingerprint.shingle_size=0"], "fingerprint.shingle_size=0: must be an integer from 1 to 32"),
        (["--set", "fingerprint.shingle_size=-3"], "fingerprint.shingle_size=-3: must be an integer from 1 to 32"),
        (["--set", "fingerprint.num_perm=0"], "fingerprint.num_perm=0: must be an integer from 1 to 1024"),
        (["--set", "candidates.verify_containment=1.5"], "verify_containment=1.5: must be a number from 0 to 1"),
        (["--set", "fingerprint.shingle_size=five"], "shingle_size=five: must be an integer"),
        (["--set", "align.windows=maybe"], "align.windows=maybe: must be true or false"),
        (["--set", "align.sentence_cutoff=nan"], "sentence_cutoff=nan: must be a number from 0 to 1"),
    ],
)
def test_out_of_range_setting_is_one_line(
    option: list[str], named: str, tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(seeds_dir), "--out", str(tmp_path / "out"), *option]) == 2
    assert named in _one_error(capsys)
    assert not (tmp_path / "out").exists()  # refused before any work


@pytest.mark.parametrize(
    ("option", "named"),
    [
        (["--near-duplicate", "2"], "--near-duplicate 2 (check.near_duplicate): must be a number from 0 to 1"),
        (["--republication-min", "-0.1"], "--republication-min -0.1 (check.republication_min): must be a number"),
        (["--set", "check.max_matches=0"], "check.max_matches=0: must be an integer of at least 1"),
    ],
)
def test_check_options_are_validated(
    option: list[str], named: str, tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = shutil.copytree(seeds_dir, tmp_path / "corpus")
    new = tmp_path / "new.txt"
    new.write_text("A new article about nothing in particular, written for this test only.\n", encoding="utf-8")
    assert main(["check", str(new), "--against", str(corpus), *option]) == 2
    assert named in _one_error(capsys)


def test_pyproject_setting_out_of_range_names_the_file(
    tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = shutil.copytree(seeds_dir, tmp_path / "corpus")
    config = corpus / "pyproject.toml"
    config.write_text("[tool.provenance.fingerprint]\nnum_perm = 0\n", encoding="utf-8")
    assert main(["analyze", str(corpus), "--out", str(tmp_path / "out")]) == 2
    expected = f"Error: {config.resolve()}: fingerprint.num_perm = 0: must be an integer from 1 to 1024"
    assert _one_error(capsys) == expected
    config.write_text("[tool.provenance.ingest]\nmax_bytes = true\n", encoding="utf-8")
    assert main(["analyze", str(corpus), "--out", str(tmp_path / "out")]) == 2
    assert "ingest.max_bytes = True: must be an integer of at least 1" in _one_error(capsys)


def test_fields_that_bound_each_other_stay_ordered(
    tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "out")
    assert main(["analyze", str(seeds_dir), "--out", out, "--set", "lineage.contained_min=0.9"]) == 2
    assert "lineage.contained_min=0.9 must be below lineage.contained_full=0.8" in _one_error(capsys)
    # Both moved at once: checked on the final values, whatever order they are applied in.
    both = ["--set", "quotes.pull_quote_min_words=90", "--set", "quotes.pull_quote_max_words=120", "-q"]
    assert main(["analyze", str(seeds_dir), "--out", out, *both]) == 0


def test_every_numeric_setting_has_a_range_that_holds_its_default() -> None:
    for stage in dataclasses.fields(Settings):
        values = getattr(Settings(), stage.name)
        for spec in dataclasses.fields(values):
            bounds = spec.metadata.get("range")
            if isinstance(spec.default, bool | tuple):
                continue
            assert isinstance(bounds, Range), f"{stage.name}.{spec.name} has no range"
            assert bounds.allows(spec.default), f"{stage.name}.{spec.name}"


# --- index faults ------------------------------------------------------------------------------


def _page_of(index: Path, table: str) -> int:
    with closing(sqlite3.connect(index)) as connection:
        return int(connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0])


def _damage(index: Path, how: str) -> None:
    """Damage a built index the way a crash, a disk or a hand would."""
    data = index.read_bytes()
    if how == "truncated":
        index.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        index.write_bytes(data[:100] + bytes(range(256)) * ((len(data) - 100) // 256 + 1))
    elif how == "malformed page":  # the documents table's root page overwritten
        page_size = int.from_bytes(data[16:18], "big")
        start = (_page_of(index, "documents") - 1) * page_size
        index.write_bytes(data[:start] + b"\xa5" * page_size + data[start + page_size :])
    else:
        statement = {
            "dropped column": "ALTER TABLE documents DROP COLUMN title",
            "dropped table": "DROP TABLE lines",
            "bad JSON meta": "UPDATE meta SET value = '{\"shingle_size\": 5,' WHERE key = 'params'",
            "bad settings meta": "UPDATE meta SET value = '[1, 2' WHERE key = 'settings'",
            "wrong schema version": "UPDATE meta SET value = 7 WHERE key = 'schema_version'",
        }[how]
        connection = sqlite3.connect(index)
        connection.execute(statement)
        connection.commit()
        connection.close()


DAMAGE = (
    "truncated",
    "garbage",
    "malformed page",
    "dropped column",
    "dropped table",
    "bad JSON meta",
    "bad settings meta",
    "wrong schema version",
)


@pytest.fixture
def indexed(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A corpus, its built index and a new file to check."""
    corpus = copy_seeds(tmp_path / "corpus")
    build_index(corpus, default_index(corpus), Settings())
    new = tmp_path / "new.txt"
    new.write_text((corpus / "003_de54a7ad96882903.txt").read_text(encoding="utf-8"), encoding="utf-8")
    return corpus, default_index(corpus), new


@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_index_is_one_line_for_check_and_update(
    how: str, indexed: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, index, new = indexed
    _damage(index, how)
    commands = (
        ["index", "update", str(corpus)],
        ["check", str(new), "--against", str(corpus)],
        ["check", str(new), "--index", str(index)],
    )
    for command in commands:
        assert main(command) == 2, command
        line = _one_error(capsys)
        assert str(index) in line, line
        assert "--rebuild" in line, line
    # and the way out works
    assert main(["index", "build", str(corpus), "--rebuild"]) == 0
    assert main(["check", str(new), "--against", str(corpus)]) == 1  # a copy of an indexed file


def test_update_checks_the_database_before_reporting_success(indexed: tuple[Path, Path, Path]) -> None:
    """A damaged page the update's own queries never read is found before it says "done"."""
    corpus, index, _ = indexed
    with closing(sqlite3.connect(index)) as connection:  # closed: the last connection writes the WAL back
        connection.execute("CREATE TABLE spare (value TEXT)")
        connection.executemany("INSERT INTO spare VALUES (?)", [("x" * 500,)] * 200)
        connection.commit()
    data = index.read_bytes()
    page_size = int.from_bytes(data[16:18], "big")
    start = (_page_of(index, "spare") - 1) * page_size
    index.write_bytes(data[:start] + b"\x5a" * page_size + data[start + page_size :])
    with pytest.raises(IndexStateError, match=r"is damaged .*--rebuild"):
        update_index(corpus, index, Settings())


def test_a_locked_index_is_waited_for_then_one_line(
    indexed: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, index, new = indexed
    holder = sqlite3.connect(index, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        start = time.monotonic()
        assert main(["index", "update", str(corpus), "--lock-timeout", "0.3"]) == 2
        assert 0.25 < time.monotonic() - start < 20
        line = _one_error(capsys)
        assert f"index {index} is locked by another process (waited 0.3 s)" in line
        assert main(["check", str(new), "--against", str(corpus), "--lock-timeout", "0"]) == 2
        assert "is locked by another process" in _one_error(capsys)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert main(["index", "update", str(corpus), "--lock-timeout", "-1"]) == 2
    assert "--lock-timeout -1: must be a number of seconds of at least 0" in _one_error(capsys)
    assert main(["index", "update", str(corpus), "--jobs", "0"]) == 2
    assert "--jobs must be at least 1, got 0" in _one_error(capsys)
    assert main(["index", "update", str(corpus), "--lock-timeout", "0.3"]) == 0


# --- dead workers ------------------------------------------------------------------------------

_PYTEST_PID = os.getpid()
_real_scan = parallel.scan
_real_chunked = parallel.chunked


def _scan_killing_victims(task: parallel.ScanTask) -> parallel.ScanResult:
    """The scan, but a worker scanning ``victim.txt`` is killed the first time (a mark beside the
    file remembers it), and one scanning ``doomed.txt`` every time."""
    if os.getpid() != _PYTEST_PID:
        for source in task.sources:
            path = Path(source.path)
            if path.name == "doomed.txt":
                os.kill(os.getpid(), signal.SIGKILL)
            mark = path.with_suffix(".killed")
            if path.name == "victim.txt" and not mark.exists():
                mark.touch()
                os.kill(os.getpid(), signal.SIGKILL)
    return _real_scan(task)


@pytest.fixture
def killing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Scans that kill their workers, in tasks of two files; the run's caches under tmp_path/tmp."""
    monkeypatch.setattr(parallel, "scan", _scan_killing_victims)
    monkeypatch.setattr(parallel, "chunked", lambda items, size=2: _real_chunked(items, 2))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    return tmp_path


def test_a_killed_worker_is_retried_and_the_run_is_the_same(killing: Path, seeds_dir: Path) -> None:
    corpus = copy_seeds(killing / "corpus")
    shutil.copy(seeds_dir / "001_b11ff0966c21501b.txt", corpus / "victim.txt")
    expected = render_json(analyze([corpus], engine=LocalEngine(1)))
    with LocalEngine(2) as engine:
        got = render_json(analyze([corpus], engine=engine))
    assert (corpus / "victim.killed").exists()  # the worker did die
    assert got == expected
    assert list((killing / "tmp").iterdir()) == []  # the run's cache went with it


def test_a_worker_killed_twice_is_one_line_naming_the_files(
    killing: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = copy_seeds(killing / "corpus")
    shutil.copy(seeds_dir / "001_b11ff0966c21501b.txt", corpus / "doomed.txt")
    out = killing / "out"
    assert main(["analyze", str(corpus), "--out", str(out), "--jobs", "2", "--quiet"]) == 2
    line = _one_error(capsys)
    assert "a worker process died twice (killed by SIGKILL)" in line and "doomed.txt" in line, line
    assert not out.exists()
    assert list((killing / "tmp").iterdir()) == []


_real_index_scan = index_module.scan
_real_batches = index_module._batches


def _index_scan_killing(batch: Sequence[tuple[Source, str | None]], settings: Settings) -> list[index_module.Scan]:
    if os.getpid() != _PYTEST_PID and any(Path(source.path).name == "doomed.txt" for source, _ in batch):
        os.kill(os.getpid(), signal.SIGKILL)
    return _real_index_scan(batch, settings)


def test_an_index_build_whose_worker_dies_twice_is_one_line(
    tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(index_module, "scan", _index_scan_killing)
    monkeypatch.setattr(index_module, "_batches", lambda items, size=2: _real_batches(items, 2))
    corpus = copy_seeds(tmp_path / "corpus")
    shutil.copy(seeds_dir / "001_b11ff0966c21501b.txt", corpus / "doomed.txt")
    assert main(["index", "build", str(corpus), "--jobs", "2"]) == 2
    line = _one_error(capsys)
    assert "died twice (killed by SIGKILL) while working on indexing" in line and "doomed.txt" in line, line
    assert sorted(p.name for p in (corpus / ".provenance").iterdir()) == []  # no half-built index


# --- outputs as a set ----------------------------------------------------------------------------


def _listing(folder: Path) -> dict[str, bytes]:
    """Every entry of a folder (hidden ones too), files with their bytes."""
    return {p.name: p.read_bytes() if p.is_file() else b"<dir>" for p in folder.iterdir()}


def test_a_full_disk_midway_leaves_the_old_set_and_no_debris(
    tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["analyze", str(seeds_dir), "--out", str(out), "--format", "md,json,csv", "-q"]) == 0
    (out / "notes.txt").write_text("the user's own file\n", encoding="utf-8")
    before = _listing(out)
    real_write = output._write_file
    calls: list[Path] = []

    def full_disk(path: Path, chunks: Iterable[bytes | str]) -> None:
        calls.append(path)
        if len(calls) == 2:
            list(chunks)  # half the set rendered and staged, then the disk is full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_write(path, chunks)

    monkeypatch.setattr(output, "_write_file", full_disk)
    changed = ["--set", "report.table_rows=3", "--format", "md,json,csv", "-q"]
    assert main(["analyze", str(seeds_dir), "--out", str(out), *changed]) == 2
    line = _one_error(capsys)
    assert line == f"Error: {out / 'provenance.json'}: cannot write (No space left on device); {out} was left as it was"
    assert _listing(out) == before  # the old set, the user's file, and nothing else


def test_a_set_cut_off_while_moving_in_is_finished_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    with output.OutputSet(out) as old:
        old.write("a.txt", ["old a"])
        old.write("b.txt", ["old b"])
    real_replace = Path.replace
    moved: list[Path] = []

    def cut_off(self: Path, target: str | os.PathLike[str]) -> Path:
        if self.parent.name.startswith(output.COMMIT):
            if moved:
                raise OSError(errno.EIO, os.strerror(errno.EIO))  # as if the run died here
            moved.append(self)
        return real_replace(self, target)

    finishes = "the next run writing there finishes the set"
    with monkeypatch.context() as patch:
        patch.setattr(Path, "replace", cut_off)
        with pytest.raises(OutputError, match=finishes), output.OutputSet(out) as new:
            new.write("a.txt", ["new a"])
            new.write("b.txt", ["new b"])
    assert (out / "a.txt").read_text() == "new a" and (out / "b.txt").read_text() == "old b"
    output.finish_interrupted(out)  # what the next run does first
    assert _listing(out) == {"a.txt": b"new a", "b.txt": b"new b"}


def test_a_live_runs_staging_is_left_alone(tmp_path: Path) -> None:
    """Two runs writing to one folder: the second never removes the first one's staging folder."""
    out = tmp_path / "out"
    with output.OutputSet(out) as first:
        first.write("a.txt", ["first"])
        with output.OutputSet(out) as second:
            second.write("b.txt", ["second"])
        assert any(p.name.startswith(output.STAGING) for p in out.iterdir())
    assert _listing(out) == {"a.txt": b"first", "b.txt": b"second"}


def test_outputs_name_the_real_file_when_it_cannot_be_written(
    tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    (out / "provenance.md").mkdir(parents=True)  # a folder where the report goes
    assert main(["analyze", str(seeds_dir), "--out", str(out), "-q"]) == 2
    assert _one_error(capsys) == f"Error: {out / 'provenance.md'}: cannot write (a folder has that name)"
    assert sorted(p.name for p in out.iterdir()) == ["provenance.md"]
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", encoding="utf-8")
    assert main(["analyze", str(seeds_dir), "--out", str(blocked / "out"), "-q"]) == 2
    assert _one_error(capsys).startswith(f"Error: {blocked / 'out'}: cannot write (")


# --- the command killed --------------------------------------------------------------------------


def _group(pgid: int) -> list[int]:
    """The live processes of a process group (zombies are dead: their parent has yet to reap them)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


@pytest.fixture(scope="module")
def big_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated corpus that keeps two workers busy for a few seconds."""
    root = tmp_path_factory.mktemp("big")
    generate(root, n_sources=800, seed=5)
    return root / "docs"


def _start(corpus: Path, tmp: Path) -> subprocess.Popen[str]:
    """``provenance analyze`` in a process group of its own, once its workers run (its cache made)."""
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp)}
    command = [sys.executable, "-m", "provenance", "analyze", str(corpus), "--out", str(tmp.parent / "out")]
    run = subprocess.Popen(
        [*command, "--jobs", "2", "-q"], env=env, start_new_session=True, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and run.poll() is None:
        if len(_children(run.pid)) >= 2 and list(tmp.iterdir()):
            return run
        time.sleep(0.01)
    run.kill()
    pytest.fail(f"the run ended before it could be stopped: {run.communicate()}")


def _gone(pgid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while _group(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _group(pgid)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_kill_9_leaves_no_worker_and_the_next_run_removes_its_cache(
    big_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp = tmp_path / "tmp"
    run = _start(big_corpus, tmp)
    workers = _children(run.pid)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert _gone(run.pid), f"workers {workers} outlived the killed command"
    (left,) = list(tmp.iterdir())  # a dead process cannot remove its cache...
    assert left.name.startswith(f"provenance-{run.pid}-")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp))
    with parallel.run_cache(LocalEngine(1)):  # ...the next run does, first thing
        assert not left.exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_sigterm_stops_the_workers_and_removes_the_cache(big_corpus: Path, tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    run = _start(big_corpus, tmp)
    os.kill(run.pid, signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 128 + signal.SIGTERM, err
    assert err.strip() == "Error: stopped by SIGTERM"
    assert _gone(run.pid)
    assert list(tmp.iterdir()) == []
    assert not (tmp_path / "out").exists()


def _half_sent(marker: Path) -> None:
    """A task whose worker wrote the first part of a result message, and dies before the rest
    (as when killed mid-send): the length of a 1 MB message and a few of its bytes."""
    results = sys._getframe(1).f_locals["result_queue"]  # concurrent.futures' _process_worker
    os.write(results._writer.fileno(), (1 << 20).to_bytes(4, "big") + b"x" * 100)
    marker.touch()
    time.sleep(120)


def test_stopping_workers_after_a_half_sent_result_does_not_hang(tmp_path: Path) -> None:
    engine = LocalEngine(2)
    markers = [tmp_path / "a", tmp_path / "b"]
    engine.map(_half_sent, markers)
    deadline = time.monotonic() + 30
    while not any(m.exists() for m in markers) and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # the pool's manager thread now waits for the rest of the message
    stopper = threading.Thread(target=engine.terminate, daemon=True)
    stopper.start()
    stopper.join(20)
    assert not stopper.is_alive(), "terminate waited for a message its killed worker never finishes"


def _nap(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


def test_stopping_workers_after_cancelled_tasks_raises_nowhere(monkeypatch: pytest.MonkeyPatch) -> None:
    raised: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda hook: raised.append(hook.exc_value))
    engine = LocalEngine(2)
    results = engine.map(_nap, [0.0] + [5.0] * 9)
    assert next(results) == 0.0
    assert isinstance(results, Generator)
    results.close()  # the caller stops reading: the tasks not started are cancelled
    engine.terminate()
    assert raised == []
