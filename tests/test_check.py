"""The CI gate end to end in real temporary git repositories: drops that pass, drops that fail, and why."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from provenance import analyze
from provenance.cli import main
from tests.conftest import copy_seeds, git, init_repo
from tests.texts import FESTIVAL

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
SEED_000 = "000_3a0f44c342259dfd"
SEED_003 = "003_de54a7ad96882903"
SEED_004 = "004_764842f75cb87e49"

UNRELATED = """Town council approves budget for a new public library

March 3, 2024

RIVERTON — The town council on Tuesday approved a budget of 2.3 million dollars for a new public library,
ending a debate that had divided residents for more than a year. The building will rise on the site of the
old bus depot, next to the primary school, and is due to open in the spring of next year.

“We finally have a place where the children of this town can read after school,” said Maria Lopez, who
chairs the library committee. Opponents had argued that the money should go to road repairs instead.

The council also agreed to extend the opening hours of the swimming pool during the summer holidays and
to plant two hundred trees along the river path, a project that volunteers have promised to help with.
"""


FURNITURE_TOP = "Home | World | Politics | Business\nListen to this article\nShare this story\n\n"
FURNITURE_BOTTOM = "\n\nRead more\nLeave a comment\nSubscribe to our newsletter\n© 2024 The Daily Planet\n"
BINARY = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


def _commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose ``corpus/`` holds the seeds, committed on ``main``, on branch ``drop``."""
    copy_seeds(tmp_path / "repo" / "corpus")
    return init_repo(tmp_path / "repo")


def _seed(name: str) -> str:
    return (SEEDS / f"{name}.txt").read_text(encoding="utf-8")


def _paragraphs(text: str, min_words: int = 25) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if len(p.split()) >= min_words]


def _check(repo: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str]]:
    code = main(["check", "--against", str(repo / "corpus"), "--since", "main", *extra])
    return code, capsys.readouterr().out.splitlines()


def _line(lines: list[str], path: str) -> str:
    """The verdict line of the file at ``path`` (relative to the repository)."""
    return next(line for line in lines if line[:4] in {"PASS", "FAIL", "SKIP"} and line[5:].startswith(f"{path}:"))


def test_an_unrelated_article_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "corpus" / "local").mkdir()
    (repo / "corpus" / "local" / "library.txt").write_text(UNRELATED, encoding="utf-8")
    _commit(repo, "drop")
    code, lines = _check(repo, capsys)
    assert code == 0, lines
    assert _line(lines, "corpus/local/library.txt").startswith("PASS corpus/local/library.txt: unrelated")
    assert lines[-1] == "checked 1 file against 5 indexed documents: 1 passed, 0 failed, 0 skipped"


def test_a_seed_wrapped_in_new_furniture_fails_naming_the_seed(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo)
    (repo / "corpus" / "planet.txt").write_text(FURNITURE_TOP + _seed(SEED_000) + FURNITURE_BOTTOM, encoding="utf-8")
    _commit(repo, "drop")
    code, lines = _check(repo, capsys)
    assert code == 1
    line = _line(lines, "corpus/planet.txt")
    assert line.startswith("FAIL corpus/planet.txt: ")
    # furniture is set aside: the copy is the seed's text, named first
    assert f"{SEED_000}.txt" in line.split(",")[0]
    assert "same text as" in line or "full copy of" in line


def test_an_excerpt_of_a_seed_fails_naming_it(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    excerpt = "\n\n".join(["China and Russia: a view from Washington", *_paragraphs(_seed(SEED_004))[2:5]]) + "\n"
    (repo / "corpus" / "excerpt.txt").write_text(excerpt, encoding="utf-8")
    _commit(repo, "drop")
    code, lines = _check(repo, capsys)
    assert code == 1
    line = _line(lines, "corpus/excerpt.txt")
    assert line.startswith(f"FAIL corpus/excerpt.txt: excerpt of corpus/{SEED_004}.txt (")
    assert line.endswith("no credit line")


def test_a_credited_excerpt_passes_unless_every_republication_fails(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    body = "\n\n".join(_paragraphs(_seed(SEED_004))[2:5])
    (repo / "corpus" / "credited.txt").write_text(f"A view on Russia and China\n\nSource: CNN\n\n{body}\n", "utf-8")
    _commit(repo, "drop")
    code, lines = _check(repo, capsys)
    assert code == 0, lines
    assert "credited to CNN" in _line(lines, "corpus/credited.txt")
    code, lines = _check(repo, capsys, "--fail-on", "republication")
    assert code == 1
    assert "republication is not allowed" in _line(lines, "corpus/credited.txt")


def test_allowlisted_syndication_passes(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A full copy of a piece that credits CNN, published by a syndication partner.
    (repo / "corpus" / "partners").mkdir()
    (repo / "corpus" / "partners" / "cnn.txt").write_text(FURNITURE_TOP + _seed(SEED_004), encoding="utf-8")
    _commit(repo, "drop")
    code, lines = _check(repo, capsys)
    assert code == 1, "a near-duplicate fails by default"
    code, lines = _check(repo, capsys, "--allow-outlet", "cnn")
    assert code == 0, lines
    assert "allowlisted syndication (credits CNN)" in _line(lines, "corpus/partners/cnn.txt")
    code, lines = _check(repo, capsys, "--allow-pair", f"partners/* -> {SEED_004[:3]}_*")
    assert code == 0, lines
    assert "allowlisted pair" in _line(lines, "corpus/partners/cnn.txt")
    # and the same allowlist from the corpus's pyproject.toml
    (repo / "pyproject.toml").write_text('[tool.provenance.check]\nallow_outlets = ["CNN"]\n', encoding="utf-8")
    code, lines = _check(repo, capsys)
    assert code == 0, lines


def test_a_binary_file_in_the_drop_fails_with_its_reason(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "corpus" / "photo.txt").write_bytes(BINARY)
    (repo / "corpus" / "blank.txt").write_text("   \n", encoding="utf-8")
    (repo / "corpus" / "library.txt").write_text(UNRELATED, encoding="utf-8")
    _commit(repo, "drop")
    code, lines = _check(repo, capsys)
    assert code == 1
    assert _line(lines, "corpus/photo.txt").startswith("FAIL corpus/photo.txt: rejected: binary (")
    assert _line(lines, "corpus/blank.txt").startswith("FAIL corpus/blank.txt: rejected: empty (")
    assert _line(lines, "corpus/library.txt").startswith("PASS")
    code, lines = _check(repo, capsys, "--fail-on", "exact,near-duplicate,uncredited")
    assert code == 0
    assert _line(lines, "corpus/photo.txt").startswith("SKIP corpus/photo.txt: rejected: binary")


def test_since_checks_added_and_modified_files_not_against_their_old_versions(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = repo / "corpus" / f"{SEED_004}.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + "\nEditor's note: this story was updated.\n", "utf-8")
    excerpt = "\n\n".join(["Why Beijing will not send arms", *_paragraphs(_seed(SEED_000))[3:6]]) + "\n"
    (repo / "corpus" / "new.txt").write_text(excerpt, encoding="utf-8")
    (repo / "notes.md").write_text("not in the corpus folder\n", encoding="utf-8")
    _commit(repo, "drop")
    code, lines = _check(repo, capsys)
    assert code == 1
    assert _line(lines, f"corpus/{SEED_004}.txt").startswith(f"PASS corpus/{SEED_004}.txt: unrelated")
    assert _line(lines, "corpus/new.txt").startswith(f"FAIL corpus/new.txt: excerpt of corpus/{SEED_000}.txt")
    assert not any("notes.md" in line for line in lines)
    assert "checked 2 files" in lines[-1]


def test_new_files_are_checked_against_each_other(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    drop = repo / "corpus" / "today"
    drop.mkdir()
    (drop / "festival.txt").write_text(FESTIVAL, encoding="utf-8")
    excerpt = "Crowds at the harbour\n\n" + "\n\n".join(_paragraphs(FESTIVAL)[:2]) + "\n"
    (drop / "festival-short.txt").write_text(excerpt, encoding="utf-8")
    (drop / "festival-again.txt").write_text(FESTIVAL, encoding="utf-8")
    _commit(repo, "drop")
    code, lines = _check(repo, capsys)
    assert code == 1
    assert _line(lines, "corpus/today/festival.txt").startswith("PASS")
    short = _line(lines, "corpus/today/festival-short.txt")
    assert short.startswith("FAIL") and "excerpt of corpus/today/festival.txt in this drop" in short
    again = _line(lines, "corpus/today/festival-again.txt")
    assert again.startswith("FAIL")
    assert "exact duplicate of corpus/today/festival.txt in this drop (same bytes)" in again


def test_output_formats(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(repo)
    excerpt = "\n\n".join(["Analysts on China and Russia", *_paragraphs(_seed(SEED_004))[2:5]]) + "\n"
    (repo / "corpus" / "excerpt.txt").write_text(excerpt, encoding="utf-8")
    (repo / "corpus" / "library.txt").write_text(UNRELATED, encoding="utf-8")
    _commit(repo, "drop")
    summary = tmp_path / "summary.md"
    summary.write_text("# earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    junit = tmp_path / "junit.xml"
    code, lines = _check(repo, capsys, "--format", "github", "--junit", str(junit))
    assert code == 1
    error = next(line for line in lines if line.startswith("::error "))
    assert error.startswith("::error file=corpus/excerpt.txt,line=3,title=provenance%3A uncredited::excerpt of ")
    md = summary.read_text(encoding="utf-8")
    assert md.startswith("# earlier step\n## provenance check")
    assert "| FAIL | `corpus/excerpt.txt` | excerpt |" in md
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    failed = [case.get("name") for case in suite if case.find("failure") is not None]
    assert failed == ["corpus/excerpt.txt"]
    code, lines = _check(repo, capsys, "--format", "json")
    data = json.loads("\n".join(lines))
    assert code == 1 and data["summary"]["failed"] == 1 and data["summary"]["passed"] == 1
    record = next(f for f in data["files"] if f["path"] == "corpus/excerpt.txt")
    match = record["matches"][0]
    assert match["doc"] == SEED_004 and match["relation"] == "excerpt" and match["containment_new"] > 0.8
    # the line of the first shared passage is where the seed's text starts in the new file
    raw = (repo / "corpus" / "excerpt.txt").read_text(encoding="utf-8").splitlines()
    assert raw[match["line"] - 1].strip() in _seed(SEED_004)
    # same input, same bytes
    _check(repo, capsys, "--format", "json")
    again = _check(repo, capsys, "--format", "json")[1]
    assert again == lines


def test_the_gate_sees_what_a_full_analysis_sees(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    excerpt = "\n\n".join(["Analysts on China and Russia", *_paragraphs(_seed(SEED_000))[2:6]]) + "\n"
    (repo / "corpus" / "excerpt.txt").write_text(excerpt, encoding="utf-8")
    _commit(repo, "drop")
    code, lines = _check(repo, capsys, "--format", "json")
    assert code == 1
    record = json.loads("\n".join(lines))["files"][0]
    gate = {m["doc"]: (m["jaccard"], m["containment_new"], m["containment_doc"]) for m in record["matches"]}
    full = analyze([repo / "corpus"])
    expected = {
        (p.b if p.a == "excerpt" else p.a): (
            round(p.jaccard, 4),
            round(p.containment_a_in_b if p.a == "excerpt" else p.containment_b_in_a, 4),
            round(p.containment_b_in_a if p.a == "excerpt" else p.containment_a_in_b, 4),
        )
        for p in full.pairs
        if "excerpt" in (p.a, p.b)
    }
    assert expected and gate == expected


def test_usage_errors(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = str(repo / "corpus")
    assert main(["check", "x.txt"]) == 2
    assert "--against" in capsys.readouterr().err
    assert main(["check", "--against", corpus]) == 2
    assert "name the new files" in capsys.readouterr().err
    assert main(["check", "--against", corpus, "--since", "no-such-rev"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: --since 'no-such-rev': no such commit")
    assert main(["check", "--against", corpus, "--since", "main", "--fail-on", "typos"]) == 2
    assert "unknown rule typos" in capsys.readouterr().err
    assert main(["check", "--index", str(repo / "nope.sqlite"), "a.txt"]) == 2
    assert "no index at" in capsys.readouterr().err


def test_the_index_follows_the_repository_incrementally(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Each check brings the index up to date: only files new to the corpus are fingerprinted."""
    (repo / "corpus" / "library.txt").write_text(UNRELATED, encoding="utf-8")
    _commit(repo, "first drop")
    code = main(["check", "--against", str(repo / "corpus"), "--since", "main"])
    out, err = capsys.readouterr()
    assert code == 0 and "PASS corpus/library.txt" in out
    # built from the corpus without the file under check
    assert "5 documents; added 5, changed 0, removed 0, unchanged 0; fingerprinted 5" in err
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--ff-only", "drop")
    git(repo, "checkout", "-q", "-b", "second")
    (repo / "corpus" / "festival.txt").write_text(FESTIVAL, encoding="utf-8")
    (repo / "corpus" / f"{SEED_003}.txt").unlink()
    _commit(repo, "second drop")
    code = main(["check", "--against", str(repo / "corpus"), "--since", "main"])
    out, err = capsys.readouterr()
    assert code == 0 and "PASS corpus/festival.txt" in out and "library" not in out
    # the merged file joins the corpus, the deleted seed leaves it, nothing else is fingerprinted
    assert "5 documents; added 1, changed 0, removed 1, unchanged 4; fingerprinted 1" in err
