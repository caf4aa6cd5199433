"""Hostile inputs (issue 31): stray bytes, symlinks out of the corpus, odd files, undecodable
names and inputs that match nothing. Each reported case, reproduced through the CLI in process."""

from __future__ import annotations

import errno
import json
import os
import shutil
import threading
import zipfile
from pathlib import Path

import pytest

from provenance.cli import main
from provenance.errors import InputError
from provenance.ingest import Source, discover, read
from provenance.model import Rejected
from provenance.names import shown
from provenance.settings import IngestSettings
from tests.conftest import SEEDS, copy_seeds, git, init_repo

SEED_000 = "000_3a0f44c342259dfd"  # holds curly quotes: valid multi-byte UTF-8
SECRET = "aws_secret_access_key = wJalrXUtnFEMI-NOT-A-REAL-KEY"
SETTINGS = IngestSettings()


def _analyze(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["analyze", *argv, "--jobs", "1", "--quiet"])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _outputs(out: Path) -> str:
    """Every report written to ``out`` as text (the workbook's XML unzipped)."""
    texts = []
    for path in sorted(out.iterdir()):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                texts.extend(book.read(name).decode("utf-8") for name in book.namelist())
        else:
            texts.append(path.read_text(encoding="utf-8"))  # strict: every output is valid UTF-8
    return "\n".join(texts)


def _rejected(err: str) -> dict[str, str]:
    """``rejected:`` lines on stderr as {file name: reason}."""
    out = {}
    for line in err.splitlines():
        assert line.startswith("rejected: "), line
        path, reason, _ = line[len("rejected: ") :].split(": ", 2)
        out[path.rsplit("/", 1)[-1]] = reason
    return out


# --- 4. one stray byte ------------------------------------------------------------------------------


def test_a_stray_byte_in_a_credited_copy_is_utf8_with_a_repair_and_still_a_copy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = init_repo(copy_seeds(tmp_path / "repo" / "corpus").parent)
    data = (SEEDS / f"{SEED_000}.txt").read_bytes()
    middle = data.index(b"\n\n", len(data) // 2)
    (repo / "corpus" / "copy.txt").write_bytes(b"Source: Reuters\n\n" + data[:middle] + b"\x81" + data[middle:])
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "drop")

    code = main(["check", "--against", str(repo / "corpus"), "--since", "main"])
    lines = capsys.readouterr().out.splitlines()
    verdict = next(line for line in lines if "copy.txt:" in line)
    assert code == 1 and verdict.startswith("FAIL") and SEED_000 in verdict, lines

    out = tmp_path / "out"
    assert _analyze(capsys, str(repo / "corpus"), "--out", str(out), "--format", "json,md")[0] == 0
    report = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    copy = next(d for d in report["documents"] if d["id"] == "copy")
    assert copy["encoding"] == "utf-8"
    assert {"fixer": "invalid-utf-8", "count": 1} in copy["repairs"]
    assert any({p["a"], p["b"]} == {"copy", SEED_000} for p in report["pairs"])
    assert "invalid-utf-8 ×1" in (out / "provenance.md").read_text(encoding="utf-8")
    # Raw offsets stay exact: the raw text is the decoded one, the replacement character in it.
    decoded = read(Source("copy", str(repo / "corpus" / "copy.txt"), "copy.txt"), SETTINGS)
    assert not isinstance(decoded, Rejected)
    assert decoded.text == (b"Source: Reuters\n\n" + data[:middle]).decode() + "\ufffd" + data[middle:].decode()


def test_an_ascii_file_with_a_stray_byte_is_not_read_as_an_exotic_codec(tmp_path: Path) -> None:
    (tmp_path / "stray.txt").write_bytes(b"Source: Reuters\n\nThe talks resumed on Friday.\x81 More followed.\n")
    decoded = read(Source("stray", str(tmp_path / "stray.txt"), "stray.txt"), SETTINGS)
    assert not isinstance(decoded, Rejected)
    assert (decoded.encoding, [(r.fixer, r.count) for r in decoded.repairs]) == ("utf-8", [("invalid-utf-8", 1)])


@pytest.mark.parametrize(
    "text",
    [
        "Le café de la gare était fermé à Noël; l'été dernier, les élèves étaient déçus. " * 4,
        "“Wir schaffen das”, sagte die Kanzlerin – größer, schöner, Öl für Bäcker. " * 4,
    ],
)
def test_single_byte_text_still_decodes_as_before(tmp_path: Path, text: str) -> None:
    (tmp_path / "cp1252.txt").write_bytes(text.encode("cp1252"))
    decoded = read(Source("cp1252", str(tmp_path / "cp1252.txt"), "cp1252.txt"), SETTINGS)
    assert not isinstance(decoded, Rejected)
    assert decoded.text == text and decoded.encoding != "utf-8" and decoded.repairs == ()


# --- 7. symlinks out of the corpus ----------------------------------------------------------------------


def _leaky_corpus(tmp_path: Path) -> Path:
    secret = tmp_path / "home" / ".aws" / "credentials"
    secret.parent.mkdir(parents=True)
    secret.write_text(f"[default]\n{SECRET}\n", encoding="utf-8")
    corpus = copy_seeds(tmp_path / "corpus")
    (corpus / "leak.txt").symlink_to(secret)
    (corpus / "inside.txt").symlink_to(corpus / f"{SEED_000}.txt")  # inside the corpus: read
    return corpus


def test_a_symlink_out_of_the_corpus_is_skipped_and_its_content_is_in_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _leaky_corpus(tmp_path)
    out = tmp_path / "out"
    code, _, err = _analyze(capsys, str(corpus), "--out", str(out), "--format", "md,json,csv,xlsx")
    assert code == 0
    assert _rejected(err) == {"leak.txt": "outside-root"}
    assert "--follow-symlinks" in err
    text = _outputs(out)
    assert "wJalrXUtnFEMI" not in text and "outside-root" in text
    ids = {d["id"] for d in json.loads((out / "provenance.json").read_text(encoding="utf-8"))["documents"]}
    assert "inside" in ids and "leak" not in ids

    # A pattern's symlinks must stay under its fixed folders, a named file's in its folder.
    for given in (str(corpus / "*.txt"), str(corpus / "leak.txt")):
        code, _, err = _analyze(capsys, given, "--out", str(out))
        assert code == 0 and _rejected(err) == {"leak.txt": "outside-root"}
        assert "wJalrXUtnFEMI" not in _outputs(out)


def test_follow_symlinks_reads_them_wherever_they_lead(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _leaky_corpus(tmp_path)
    out = tmp_path / "out"
    code, _, err = _analyze(capsys, str(corpus), "--out", str(out), "--format", "json", "--follow-symlinks")
    assert code == 0 and err == ""
    ids = {d["id"] for d in json.loads((out / "provenance.json").read_text(encoding="utf-8"))["documents"]}
    assert {"leak", "inside"} <= ids


def test_index_build_and_check_skip_the_symlink_out_of_the_corpus_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = _leaky_corpus(tmp_path)
    assert main(["index", "build", str(corpus)]) == 0
    captured = capsys.readouterr()
    assert _rejected(captured.err) == {"leak.txt": "outside-root"}
    assert "1 rejected" in captured.out
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "leak.txt").symlink_to(tmp_path / "home" / ".aws" / "credentials")
    code = main(["check", str(drop), "--index", str(corpus / ".provenance" / "index.sqlite"), "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1  # a rejected file fails the gate by default
    assert [(v["path"].rsplit("/", 1)[-1], v["role"]) for v in result["files"]] == [("leak.txt", "outside-root")]
    assert "wJalrXUtnFEMI" not in json.dumps(result)


# --- 13. paths skipped with no reason -------------------------------------------------------------------


def _odd_corpus(tmp_path: Path) -> Path:
    corpus = copy_seeds(tmp_path / "corpus")
    (corpus / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    (corpus / "ring-a.txt").symlink_to(corpus / "ring-b.txt")
    (corpus / "ring-b.txt").symlink_to(corpus / "ring-a.txt")
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "folder-link").symlink_to(corpus, target_is_directory=True)
    os.mkfifo(corpus / "pipe-without-extension")  # never a corpus file: not listed
    return corpus


def test_every_skipped_path_is_listed_with_its_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _odd_corpus(tmp_path)
    code, _, err = _analyze(capsys, str(corpus), "--out", str(tmp_path / "out"))
    assert code == 0
    assert _rejected(err) == {
        "dangling.txt": "dangling-symlink",
        "loop.txt": "symlink-loop",
        "ring-a.txt": "symlink-loop",
        "ring-b.txt": "symlink-loop",
        "pipe.txt": "not-regular-file",
        "folder-link": "symlink-to-folder",
    }
    assert "not a regular file (a FIFO)" in err
    assert main(["index", "build", str(corpus)]) == 0
    assert len(_rejected(capsys.readouterr().err)) == 6


def test_a_named_fifo_is_refused_as_not_a_regular_file_without_blocking(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    shutil.copy(SEEDS / f"{SEED_000}.txt", tmp_path / "good.txt")
    code, _, err = _analyze(capsys, str(fifo), str(tmp_path / "good.txt"), "--out", str(tmp_path / "out"))
    assert code == 0
    assert err == f"rejected: {fifo}: not-regular-file: not a regular file (a FIFO)\n"
    # Reading it (a FIFO put where a listed file was) returns at once: opening one never waits for a writer.
    found: list[object] = []
    reader = threading.Thread(target=lambda: found.append(read(Source("p", str(fifo), "p"), SETTINGS)), daemon=True)
    reader.start()
    reader.join(10)
    assert found == [Rejected("p", "not-regular-file", "not a regular file (a FIFO)")]


def test_an_unreadable_folder_is_listed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = copy_seeds(tmp_path / "corpus")
    (corpus / "locked").mkdir()
    real = os.scandir

    def refuse(path: str) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", refuse)
    sources, rejected = discover([corpus], SETTINGS)
    assert len(sources) == 5
    assert rejected == [Rejected(f"{corpus}/locked", "unreadable-folder", "Permission denied")]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder whatever its permissions")
def test_an_unreadable_folder_is_listed_for_real(tmp_path: Path) -> None:  # pragma: no cover (root in CI)
    corpus = copy_seeds(tmp_path / "corpus")
    locked = corpus / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text("secret", encoding="utf-8")
    locked.chmod(0)
    try:
        sources, rejected = discover([corpus], SETTINGS)
    finally:
        locked.chmod(0o755)
    assert len(sources) == 5
    assert [(r.path, r.reason) for r in rejected] == [(str(locked), "unreadable-folder")]


def test_an_over_long_path_is_listed(tmp_path: Path) -> None:
    corpus = copy_seeds(tmp_path / "corpus")
    part = "d" * 250
    folder = os.open(corpus, os.O_RDONLY)
    try:  # each folder made relative to the last one: the whole path is longer than any call takes
        for _ in range(20):
            os.mkdir(part, dir_fd=folder)
            deeper = os.open(part, os.O_RDONLY, dir_fd=folder)
            os.close(folder)
            folder = deeper
        os.close(os.open("deep.txt", os.O_WRONLY | os.O_CREAT, dir_fd=folder))
    finally:
        os.close(folder)
    sources, rejected = discover([corpus], SETTINGS)
    assert len(sources) == 5
    assert [r.reason for r in rejected] == ["name-too-long"]
    assert rejected[0].detail == os.strerror(errno.ENAMETOOLONG)


# --- 10. non-UTF-8 file names ---------------------------------------------------------------------------


def _with_latin1_name(folder: Path) -> Path:
    """``folder`` holding a copy of a seed named with the bytes ``caf\\xe9.txt`` (not UTF-8)."""
    name = os.fsdecode(b"caf\xe9.txt")
    shutil.copy(SEEDS / f"{SEED_000}.txt", folder / name)
    return folder / name


def test_a_non_utf8_name_goes_through_every_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = copy_seeds(tmp_path / "corpus")
    _with_latin1_name(corpus)
    out = tmp_path / "out"
    code, _, err = _analyze(capsys, str(corpus), "--out", str(out), "--format", "md,json,csv,xlsx")
    assert (code, err) == (0, "")
    text = _outputs(out)  # every report decodes as strict UTF-8
    assert "caf\\xe9" in text and "\udce9" not in text
    report = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    doc = next(d for d in report["documents"] if d["id"] == "caf\\xe9")
    assert doc["path"] == f"{corpus}/caf\\xe9.txt"
    assert any({p["a"], p["b"]} == {"caf\\xe9", SEED_000} for p in report["pairs"])
    assert main(["quotes", str(corpus), "--jobs", "1"]) == 0
    assert "caf\\xe9" in capsys.readouterr().out


def test_a_non_utf8_name_in_the_index_and_the_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = copy_seeds(tmp_path / "corpus")
    _with_latin1_name(corpus)
    assert main(["index", "build", str(corpus)]) == 0
    assert main(["index", "update", str(corpus)]) == 0  # reads the stored name back to hash the file
    assert "unchanged 6" in capsys.readouterr().out
    drop = tmp_path / "drop"
    drop.mkdir()
    copy = _with_latin1_name(drop)  # a new file of that name, and a copy of two indexed documents
    code = main(["check", str(copy), "--against", str(corpus), "--format", "json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 1
    (verdict,) = result["files"]
    assert verdict["path"].endswith("drop/caf\\xe9.txt") and verdict["status"] == "fail"
    assert {"caf\\xe9", SEED_000} <= {f["doc"] for f in verdict["findings"]}  # the indexed one read back
    junit = tmp_path / "junit.xml"
    for fmt in ("text", "github"):
        assert main(["check", str(copy), "--against", str(corpus), "--format", fmt, "--junit", str(junit)]) == 1
        assert "caf\\xe9" in capsys.readouterr().out
        assert "caf\\xe9" in junit.read_text(encoding="utf-8")
    assert main(["compare", str(copy), str(corpus / f"{SEED_000}.txt")]) == 0
    assert "caf\\xe9" in capsys.readouterr().out


def test_check_since_lists_a_symlink_out_of_the_corpus_added_in_git(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "credentials"
    secret.write_text(SECRET, encoding="utf-8")
    repo = init_repo(copy_seeds(tmp_path / "repo" / "corpus").parent)
    (repo / "corpus" / "leak.txt").symlink_to(secret)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "drop")
    code = main(["check", "--against", str(repo / "corpus"), "--since", "main"])
    out = capsys.readouterr().out
    assert code == 1 and "FAIL" in out and "leak.txt: rejected: outside-root" in out
    assert "wJalrXUtnFEMI" not in out


def test_shown_names_are_printable_utf8() -> None:
    assert shown(os.fsdecode(b"caf\xe9/\xff.txt")) == "caf\\xe9/\\xff.txt"
    assert shown("line\nbreak\x1b[31m.txt") == "line\\x0abreak\\x1b[31m.txt"
    assert shown("München/東京.txt") == "München/東京.txt"


# --- 13. inputs that match nothing --------------------------------------------------------------------


@pytest.mark.parametrize("command", [["analyze"], ["quotes"]])
def test_a_path_or_pattern_that_matches_nothing_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    out = tmp_path / "out"
    extra = ["--out", str(out)] if command == ["analyze"] else []
    for given in ("/nonexistent/folder", str(tmp_path / "*.txt")):
        assert main([*command, given, "--jobs", "1", *extra]) == 2
        err = capsys.readouterr().err.splitlines()
        assert len(err) == 1 and err[0].startswith(f"Error: {given}: "), err
    # One missing among real ones: each missing path named, nothing analysed or written.
    assert main([*command, str(SEEDS), "/nonexistent/a", "/nonexistent/b*.txt", "--jobs", "1", *extra]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "Error: /nonexistent/a: no such file or directory",
        "Error: /nonexistent/b*.txt: the pattern matches no file",
    ]
    assert not out.exists()


def test_index_and_check_refuse_what_matches_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "build", "/nonexistent/corpus"]) == 2
    assert capsys.readouterr().err == "Error: /nonexistent/corpus: no such file or directory\n"
    corpus = copy_seeds(tmp_path / "corpus")
    assert main(["check", "/nonexistent/new.txt", str(tmp_path / "*.md"), "--against", str(corpus)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "Error: /nonexistent/new.txt: no such file or directory",
        f"Error: {tmp_path}/*.md: the pattern matches no file",
    ]


def test_the_library_raises_naming_each_missing_input(tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        discover([SEEDS, tmp_path / "nope.txt", str(tmp_path / "*.md")], SETTINGS)
    assert str(raised.value).splitlines() == [
        f"{tmp_path}/nope.txt: no such file or directory",
        f"{tmp_path}/*.md: the pattern matches no file",
    ]
