"""Inputs named by URL (provenance.remote): ``file://`` through fsspec, and ``s3://`` from
a real S3 server (moto's, started here on a free local port) read by this process, by
the process pool's workers and by the workers of a Dask LocalCluster."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.corpus import generate
from provenance import analyze
from provenance.check import drop_files
from provenance.cli import main
from provenance.engine import make_engine
from provenance.ingest import Source, discover, is_url, read
from provenance.model import Analysis, Rejected
from provenance.remote import RemoteError, TooLargeError, expand, fetch_many, one_line
from provenance.report.as_json import render_json
from provenance.report.markdown import render_markdown
from provenance.settings import Settings, with_overrides

BUCKET = "news"
PREFIX = f"s3://{BUCKET}/corpus/"
LIMIT = 200_000  # ingest.max_bytes in these tests: the generated and seed files are far smaller
BAD = {"bad/empty.txt": b"", "bad/blob.txt": b"\x00\x01binary\x00" * 50, "bad/huge.txt": b"word " * (LIMIT // 4)}


def _settings() -> Settings:
    return with_overrides(Settings(), {"ingest.max_bytes": LIMIT})


def _reports(analysis: Analysis) -> tuple[str, str]:
    return render_json(analysis), render_markdown(analysis)


def _as_local(reports: tuple[str, str], prefix: str, local: Path) -> tuple[str, str]:
    """Reports of URLs as the folder's would be (the tables' padding aside: see :func:`_unpadded`)."""
    json_text, markdown = (text.replace(prefix, f"{local}/") for text in reports)
    return json_text, _unpadded(markdown)


def _unpadded(markdown: str) -> str:
    """Markdown with its table cells stripped of the padding that lines columns up (a
    column of longer paths is wider), and rule cells made one dash."""
    rows = []
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.split("|")] if line.startswith("|") else None
        rows.append(line if cells is None else "|".join("-" if c and not c.strip("-:") else c for c in cells))
    return "\n".join(rows)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated articles of every reuse kind, the seeds in a subfolder, files the
    analysis must reject, and a file of another extension that a folder listing skips."""
    root = tmp_path_factory.mktemp("remote")
    generate(root, n_sources=60, seed=5, reuse_share=0.3)
    docs = root / "docs"
    shutil.copytree(Path(__file__).resolve().parent.parent / "seeds", docs / "seeds")
    for name, data in BAD.items():
        (docs / name).parent.mkdir(exist_ok=True)
        (docs / name).write_bytes(data)
    (docs / "notes.csv").write_text("not, an, article\n", encoding="utf-8")
    return docs


@pytest.fixture(scope="module")
def local(corpus: Path) -> tuple[str, str]:
    json_text, markdown = _reports(analyze([corpus], _settings()))
    return json_text, _unpadded(markdown)


@pytest.fixture(scope="module")
def s3(corpus: Path) -> Iterator[None]:
    """A local S3 server holding the corpus under ``PREFIX``; the AWS variables point every
    process started from here (pool and Dask workers, the CLI) at it."""
    server_module = pytest.importorskip("moto.server", reason="pip install -e '.[dev]' (moto[server])")
    s3fs = pytest.importorskip("s3fs", reason="pip install -e '.[dev]' (s3fs)")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    variables = {
        "AWS_ENDPOINT_URL": f"http://{host}:{port}",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        s3fs.S3FileSystem.clear_instance_cache()
        fs = s3fs.S3FileSystem()
        fs.mkdir(BUCKET)
        fs.put(f"{corpus}/", PREFIX, recursive=True)
        try:
            yield
        finally:
            s3fs.S3FileSystem.clear_instance_cache()
            server.stop()


def test_urls_are_told_from_paths() -> None:
    assert is_url("s3://bucket/key") and is_url("file:///srv/news") and is_url("gs://b/")
    assert not is_url("news/2024") and not is_url("C:\\news") and not is_url("/srv/s3:/x")


def test_file_urls_give_the_reports_of_the_paths(corpus: Path, local: tuple[str, str]) -> None:
    """The same files through fsspec's local file system: the same analysis, every
    report byte for byte once the URL prefix is put back to the folder's path."""
    prefix = f"file://{corpus}/"
    analysis = analyze([prefix], _settings())
    assert {r.path: r.reason for r in analysis.rejected} == {
        f"{prefix}bad/empty.txt": "empty",
        f"{prefix}bad/blob.txt": "binary",
        f"{prefix}bad/huge.txt": "too-large",
    }
    assert all(d.path.startswith(prefix) for d in analysis.documents)
    assert _as_local(_reports(analysis), prefix, corpus) == local


def test_url_listing_filters_folders_by_extension_not_files_or_patterns(corpus: Path) -> None:
    below = {item.relative for item in expand(f"file://{corpus}") if item.below}
    assert "notes.csv" in below and "seeds/000_3a0f44c342259dfd.txt" in below
    sources, rejected = discover([f"file://{corpus}"], Settings().ingest)
    ids = {s.id for s in sources}
    assert "notes" not in ids and "seeds/000_3a0f44c342259dfd" in ids and not rejected
    # Named by itself or matched by a pattern, a file is taken whatever its extension.
    sources, _ = discover([f"file://{corpus}/notes.csv", f"file://{corpus}/seeds/00[12]*"], Settings().ingest)
    matched = sorted(path.stem for path in (corpus / "seeds").glob("00[12]*"))
    assert len(matched) == 2 and [s.id for s in sources] == [*matched, "notes"]
    # One file reached twice (a folder and the file itself) is one source, not a clash.
    sources, rejected = discover(
        [f"file://{corpus}/seeds", f"file://{corpus}/seeds/000_3a0f44c342259dfd.txt"], Settings().ingest
    )
    assert len(sources) == 5 and not rejected


@pytest.mark.parametrize(
    ("given", "reason"),
    [
        ("file:///no/such/folder/", "no such file or directory"),
        ("file:///no/such/*.txt", "the pattern matches no file"),
        ("nope://bucket/key", "Protocol not known: nope"),
    ],
)
def test_unlistable_urls_are_rejected_in_one_line(given: str, reason: str, seeds_dir: Path) -> None:
    sources, rejected = discover([given, seeds_dir], Settings().ingest)
    assert len(sources) == 5  # the rest of the corpus is still analysed
    assert rejected == [Rejected(given, "unreadable", reason)]


def test_a_missing_store_package_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "s3fs", None)  # import s3fs raises ImportError
    with pytest.raises(RemoteError) as raised:
        expand("s3://bucket/key")
    assert str(raised.value) == "Install s3fs to access S3: pip install 'provenance[s3]'"
    monkeypatch.setitem(sys.modules, "fsspec", None)
    source = Source("a", "s3://bucket/a.txt", "s3://bucket/a.txt")
    found = read(source, Settings().ingest)
    assert isinstance(found, Rejected) and found.reason == "unreadable" and "fsspec" in found.detail


def test_errors_become_one_line() -> None:
    assert one_line(PermissionError(13, "Permission denied")) == "Permission denied"
    assert one_line(RuntimeError("first\nsecond")) == "first"
    assert one_line(TimeoutError()) == "TimeoutError"
    assert one_line(FileNotFoundError("bucket/key.txt")) == "no such file or directory"  # as s3fs raises it


def test_the_check_takes_local_files_only(seeds_dir: Path) -> None:
    files, rejected = drop_files(["s3://bucket/new.txt", str(seeds_dir / "000_3a0f44c342259dfd.txt")], None, Settings())
    assert [f.source.file for f in files] == [str(seeds_dir / "000_3a0f44c342259dfd.txt")]
    assert rejected == [
        Rejected("s3://bucket/new.txt", "unreadable", "the check reads local files only (mount the store)")
    ]


@pytest.mark.usefixtures("s3")
@pytest.mark.parametrize("jobs", [1, 2])
def test_s3_prefix_gives_the_reports_of_the_folder(corpus: Path, local: tuple[str, str], jobs: int) -> None:
    """Read in this process (``--jobs 1``) and by the pool's workers: the same analysis as
    the folder's, bad objects rejected with the reasons bad files get."""
    engine = make_engine("local", jobs=jobs)
    try:
        analysis = analyze([PREFIX], _settings(), engine=engine)
    finally:
        engine.close()
    assert {r.path: r.reason for r in analysis.rejected} == {
        f"{PREFIX}bad/empty.txt": "empty",
        f"{PREFIX}bad/blob.txt": "binary",
        f"{PREFIX}bad/huge.txt": "too-large",
    }
    assert _as_local(_reports(analysis), PREFIX, corpus) == local


@pytest.mark.usefixtures("s3")
def test_s3_objects_that_cannot_be_read_are_rejected(seeds_dir: Path) -> None:
    sources, rejected = discover([f"s3://{BUCKET}/missing/", "s3://no-such-bucket/x/", seeds_dir], Settings().ingest)
    assert len(sources) == 5
    assert [(r.path, r.reason) for r in rejected] == [
        (f"s3://{BUCKET}/missing/", "unreadable"),
        ("s3://no-such-bucket/x/", "unreadable"),
    ]
    assert all("\n" not in r.detail and r.detail for r in rejected)
    gone = read(Source("gone", f"s3://{BUCKET}/corpus/gone.txt", "gone"), Settings().ingest)
    assert gone == Rejected("gone", "unreadable", "no such file or directory")


@pytest.mark.usefixtures("s3")
def test_dask_workers_read_the_bucket(corpus: Path, local: tuple[str, str], tmp_path: Path) -> None:
    """The command on a Dask LocalCluster whose workers read the objects themselves."""
    pytest.importorskip("distributed", reason="Dask is not installed: pip install -e '.[dev]'")
    out = tmp_path / "out"
    argv = ["analyze", PREFIX, "--out", str(out), "--engine", "dask", "--jobs", "2", "--quiet"]
    argv += ["--set", f"ingest.max_bytes={LIMIT}"]
    done = subprocess.run(
        [sys.executable, "-m", "provenance", *argv], capture_output=True, text=True, env=os.environ.copy(), check=False
    )
    assert done.returncode == 0, done.stderr
    assert sorted(line.split(": ")[2] for line in done.stderr.splitlines() if line.startswith("rejected: ")) == [
        "binary",
        "empty",
        "too-large",
    ]
    json_text = (out / "provenance.json").read_text(encoding="utf-8")
    markdown = (out / "provenance.md").read_text(encoding="utf-8")
    assert _as_local((json_text, markdown), PREFIX, corpus) == local


@pytest.mark.parametrize(
    ("argv", "error"),
    [
        (["index", "build", "s3://bucket/corpus"], "Error: index build s3://bucket/corpus: the index reads a local"),
        (["check", "new.txt", "--against", "s3://bucket/corpus"], "Error: --against s3://bucket/corpus: the index"),
    ],
)
def test_the_index_takes_a_local_folder_only(argv: list[str], error: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(error) and err.count("\n") == 1


@pytest.mark.usefixtures("s3")
def test_objects_are_fetched_in_one_batch_in_order(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One ranged request a file, all in one call to the store; the ones that come back
    too long or failing are asked again by themselves (an empty object refuses a range)."""
    import s3fs  # the s3 fixture skips without it

    calls: list[int] = []
    batch = s3fs.S3FileSystem._cat_ranges  # what the instances' cat_ranges runs on fsspec's loop

    async def counted(self: object, paths: list[str], *args: object, **kwargs: object) -> object:
        calls.append(len(paths))
        return await batch(self, paths, *args, **kwargs)

    monkeypatch.setattr(s3fs.S3FileSystem, "_cat_ranges", counted)
    s3fs.S3FileSystem.clear_instance_cache()  # an instance binds its methods when made
    names = ["seeds/000_3a0f44c342259dfd.txt", *BAD, "gone.txt", "notes.csv"]
    found = fetch_many([PREFIX + name for name in names], LIMIT)
    assert calls == [len(names)]
    assert found[0] == (corpus / names[0]).read_bytes()
    assert found[1:3] == [BAD["bad/empty.txt"], BAD["bad/blob.txt"]]
    assert isinstance(found[3], TooLargeError) and found[3].size == len(BAD["bad/huge.txt"])
    assert isinstance(found[4], RemoteError) and str(found[4]) == "no such file or directory"
    assert found[5] == (corpus / "notes.csv").read_bytes()
    assert fetch_many(["nope://x", PREFIX + "notes.csv"], LIMIT)[1] == found[5]
