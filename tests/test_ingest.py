"""Ingest: decoding order, rejections as values, stable ids, inputs never written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from provenance.errors import InputError
from provenance.ingest import discover, read
from provenance.model import Rejected
from provenance.settings import IngestSettings

SETTINGS = IngestSettings()


def _read_all(paths: list[str | Path], settings: IngestSettings = SETTINGS):  # type: ignore[no-untyped-def]
    sources, rejected = discover(paths, settings)
    results = {s.id: read(s, settings) for s in sources}
    return results, rejected


def test_decoding_order_and_recorded_encoding(tmp_path: Path) -> None:
    text = "Café “Zürich” — naïve résumé, déjà vu. Ελληνικά και русский."
    (tmp_path / "utf8.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "u16.txt").write_bytes(text.encode("utf-16"))  # BOM + native order
    (tmp_path / "u16be.txt").write_bytes(b"\xfe\xff" + text.encode("utf-16-be"))
    latin = "Le café de la gare était fermé à Noël; l'été dernier, les élèves étaient déçus. " * 4
    (tmp_path / "latin1.txt").write_bytes(latin.encode("latin-1"))
    results, rejected = _read_all([tmp_path])
    assert rejected == []
    assert results["utf8"].text == text and results["utf8"].encoding == "utf-8"
    assert results["bom"].text == text and results["bom"].encoding == "utf-8-sig"
    assert results["u16"].text == text and results["u16"].encoding == "utf-16-bom"
    assert results["u16be"].text == text
    assert results["latin1"].text == latin
    assert results["latin1"].encoding not in {"utf-8", "utf-8-sig"}


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n\t ", "empty"),
        ("bom-only.txt", b"\xef\xbb\xbf", "empty"),
        ("utf16-bom-only.txt", b"\xff\xfe", "empty"),
        ("bom-blank.txt", b"\xef\xbb\xbf \n", "empty"),
        ("nul.txt", b"Some text\x00 with a NUL byte in the middle of it.", "binary"),
        ("image.txt", bytes(range(256)) * 8, "binary"),
        ("controls.txt", ("\x01\x02\x03\x04 text " * 50).encode(), "binary"),
    ],
)
def test_bad_files_are_rejected_with_reason(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    (tmp_path / name).write_bytes(data)
    (tmp_path / "good.txt").write_text("A perfectly good article.", encoding="utf-8")
    results, _rejected = _read_all([tmp_path])
    assert isinstance(results["good"], type(results["good"])) and not isinstance(results["good"], Rejected)
    bad = results[Path(name).stem]
    assert isinstance(bad, Rejected)
    assert bad.reason == reason
    assert name in bad.path and bad.detail


def test_too_large_and_missing(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("word " * 100, encoding="utf-8")
    results, rejected = _read_all([tmp_path], IngestSettings(max_bytes=100))
    assert isinstance(results["big"], Rejected) and results["big"].reason == "too-large"
    assert rejected == []
    with pytest.raises(InputError, match=r"nope\.txt: no such file or directory"):  # a named path: usage error
        discover([tmp_path, tmp_path / "nope.txt"], SETTINGS)


@pytest.mark.parametrize("expected", [0, 5, 10, 2**16 + 3])
def test_a_file_is_read_to_its_end_whatever_size_was_expected(tmp_path: Path, expected: int) -> None:
    """A file that grew (or shrank) since its size was taken is read whole."""
    from provenance.ingest import _read_to_end

    data = bytes(range(256)) * 600  # 153,600 bytes: several reads past the expected size
    (tmp_path / "grown.txt").write_bytes(data)
    descriptor = os.open(tmp_path / "grown.txt", os.O_RDONLY)
    try:
        assert _read_to_end(descriptor, expected) == data
    finally:
        os.close(descriptor)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files whatever their mode")
def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("hidden", encoding="utf-8")
    path.chmod(0)
    results, _ = _read_all([tmp_path])
    assert isinstance(results["secret"], Rejected) and results["secret"].reason == "unreadable"


def test_directory_ids_are_relative_recursive_sorted_and_filtered(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.md").write_text("z text", encoding="utf-8")
    (tmp_path / "a.txt").write_text("a text", encoding="utf-8")
    (tmp_path / "ignored.html").write_text("<p>x</p>", encoding="utf-8")
    sources, rejected = discover([tmp_path], SETTINGS)
    assert [s.id for s in sources] == ["a", "b/z"]
    assert rejected == []


def test_globs(tmp_path: Path) -> None:
    for name in ("one.txt", "two.txt", "three.md"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    sources, _ = discover([str(tmp_path / "*.txt")], SETTINGS)
    assert [s.id for s in sources] == ["one", "two"]


def test_duplicate_ids_are_an_input_error_not_an_overwrite(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    (tmp_path / "x" / "same.txt").write_text("first", encoding="utf-8")
    (tmp_path / "y" / "same.txt").write_text("second", encoding="utf-8")
    sources, rejected = discover([tmp_path / "x", tmp_path / "y"], SETTINGS)
    assert len(sources) == 1
    assert [r.reason for r in rejected] == ["duplicate-id"]
    assert "same" in rejected[0].detail


def test_no_inputs_is_a_usage_error() -> None:
    with pytest.raises(InputError):
        discover([], SETTINGS)


def test_inputs_are_never_written(tmp_path: Path, seeds_dir: Path) -> None:
    from provenance import analyze

    before = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in seeds_dir.iterdir()}
    analyze([seeds_dir])
    after = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in seeds_dir.iterdir()}
    assert before == after


def test_directory_walk_keeps_what_pathlib_would_find(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Links to files count, linked directories are not entered (and listed as such), a
    name's suffix is its last dot-part (never a leading dot), matched in any case; paths
    keep the root as given."""
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    for name in ("a.txt", "sub/B.TXT", "sub/deeper/c.md", "sub/x.y.txt", "sub/.txt", "noext", "sub/z.html"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    (tmp_path / "linkdir").symlink_to(tmp_path / "sub", target_is_directory=True)
    expected = sorted(
        (_id(p.relative_to(tmp_path)), p.relative_to(tmp_path).as_posix())
        for p in tmp_path.rglob("*")
        if p.is_file() and p.suffix.lower() in SETTINGS.extensions
    )
    monkeypatch.chdir(tmp_path)
    for root in (".", str(tmp_path), f"{tmp_path}/"):
        sources, rejected = discover([root], SETTINGS)
        prefix = "" if root == "." else f"{tmp_path}/"
        assert [(s.id, s.display) for s in sources] == [(i, prefix + r) for i, r in expected]
        assert all(s.path == Path(s.display) and s.path.is_file() for s in sources)
        assert [(r.path, r.reason) for r in rejected] == [(f"{prefix}linkdir", "symlink-to-folder")]
    assert [i for i, _ in expected] == ["a", "link", "sub/B", "sub/deeper/c", "sub/x.y"]


def _id(relative: Path) -> str:
    return relative.with_suffix("").as_posix()
