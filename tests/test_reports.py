"""Reports people use: golden seeds reports, Markdown that parses as GFM, the workbook and CSVs.

The golden files in ``reports/`` are what ``make report`` writes for ``seeds/``; they are
regenerated only on purpose with ``pytest --update-golden`` and reviewed like code.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook

from provenance.cli import main
from provenance.report.tables import COLUMNS, frame
from provenance.report.workbook import PERCENT_FORMAT, SCORE_FORMAT, csv_name, render_workbook

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ROOT / "reports"
GOLDEN = ("provenance.md", "provenance.json")


@pytest.fixture(scope="module")
def seeds_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds' reports written exactly as ``make report`` writes them (same relative input path)."""
    out = tmp_path_factory.mktemp("report")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        assert main(["analyze", "seeds/", "--out", str(out), "--format", "md,json,xlsx,csv", "--quiet"]) == 0
    return out


def test_golden_reports(seeds_report: Path, update_golden: bool) -> None:
    for name in (*GOLDEN, "provenance.xlsx"):
        fresh = (seeds_report / name).read_bytes()
        if update_golden:
            (REPORTS / name).write_bytes(fresh)
    for name in GOLDEN:
        assert (seeds_report / name).read_bytes() == (REPORTS / name).read_bytes(), (
            f"reports/{name} differs from a fresh run: regenerate on purpose with `pytest --update-golden`"
        )


def _sheets(data: bytes) -> dict[str, pd.DataFrame]:
    return pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, keep_default_na=False)


def test_golden_workbook_content(seeds_report: Path) -> None:
    fresh = _sheets((seeds_report / "provenance.xlsx").read_bytes())
    committed = _sheets((REPORTS / "provenance.xlsx").read_bytes())
    assert list(fresh) == list(COLUMNS)
    assert list(committed) == list(fresh)
    for name, sheet in fresh.items():
        pd.testing.assert_frame_equal(sheet, committed[name], obj=f"sheet {name}")


def test_csv_tables_match_the_workbook(seeds_report: Path) -> None:
    sheets = _sheets((seeds_report / "provenance.xlsx").read_bytes())
    for name, sheet in sheets.items():
        table = pd.read_csv(seeds_report / csv_name(name), dtype=str, keep_default_na=False)
        assert list(table.columns) == list(sheet.columns)
        assert len(table) == len(sheet)
    documents = pd.read_csv(seeds_report / "documents.csv")
    assert documents["id"].str.startswith(("000_", "001_", "002_", "003_", "004_")).all()


def _tables(tokens: list) -> list[tuple[int, list[int]]]:  # type: ignore[type-arg]
    """(header cells, [cells per body row]) for every table in a markdown-it token stream."""
    found: list[tuple[int, list[int]]] = []
    header = 0
    rows: list[int] = []
    cells = 0
    section = ""
    for token in tokens:
        if token.type == "table_open":
            header, rows = 0, []
        elif token.type in ("thead_open", "tbody_open"):
            section = token.type
        elif token.type == "tr_open":
            cells = 0
        elif token.type in ("th_open", "td_open"):
            cells += 1
        elif token.type == "tr_close":
            if section == "thead_open":
                header = cells
            else:
                rows.append(cells)
        elif token.type == "table_close":
            found.append((header, rows))
    return found


def test_markdown_parses_as_gfm(seeds_report: Path) -> None:
    text = (seeds_report / "provenance.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables = _tables(tokens)
    pipe_tables = sum(1 for line in text.splitlines() if line.startswith("|-") or line.startswith("|:"))
    assert len(tables) == pipe_tables > 0, "every pipe table must render as a table"
    for header, rows in tables:
        assert header > 1
        assert all(cells == header for cells in rows)
    fences = [t for t in tokens if t.type == "fence"]
    if "```mermaid" in text:
        assert any(t.info.strip() == "mermaid" for t in fences)


def test_markdown_escapes_document_text(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "pipes.txt").write_text(
        "A | title with *stars* and <b>tags</b> | here\n\nBody text | with a pipe, and `ticks`.\n", encoding="utf-8"
    )
    assert main(["analyze", str(corpus), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    text = (tmp_path / "o" / "provenance.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert all(cells == header for header, rows in _tables(tokens) for cells in rows)
    assert not any(t.type == "html_inline" for t in tokens if t.children is None) and "<b>" not in text


def _formatted_tables() -> dict[str, pd.DataFrame]:
    long_text = "A long passage of shared text. " * 10
    return {
        "Documents": frame(
            [{"id": "a", "title": '=HYPERLINK("http://x")', "original_share": 0.25, "words": 10}],
            ("id", "title", "original_share", "words"),
        ),
        "Pairs": frame([{"a": "a", "b": "b", "jaccard": 0.1234, "containment_a_in_b": 0.5}], ("a", "b")),
        "Passages": frame([{"a": "a", "text": long_text, "similarity": 1.0}], ("a", "text", "similarity")),
        "Empty": frame([], ("x", "y")),
    }


def test_workbook_formatting() -> None:
    data = render_workbook(_formatted_tables())
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Documents", "Pairs", "Passages", "Empty"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")
        assert all(cell.font.bold for cell in sheet[1])
    documents = book["Documents"]
    assert documents["B2"].data_type == "s" and documents["B2"].value.startswith("=HYPERLINK")
    assert documents["C2"].number_format == PERCENT_FORMAT
    assert book["Pairs"]["C2"].number_format == SCORE_FORMAT
    passages = book["Passages"]
    assert passages["B2"].alignment.wrap_text
    assert passages.column_dimensions["B"].width == 60
    assert 8 <= passages.column_dimensions["A"].width < 60
    assert render_workbook(_formatted_tables()) == data, "same tables, same bytes"


def test_workbook_opens_in_libreoffice(seeds_report: Path, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed: `make tools` installs it from Debian's packages (needs root)")
    profile = (tmp_path / "profile").as_uri()
    done = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            # comma-separated, double quotes, UTF-8, first line, formatted as shown, every sheet (-1)
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(tmp_path / "out"),
            str(seeds_report / "provenance.xlsx"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    produced = {p.name for p in (tmp_path / "out").glob("*.csv")}
    assert produced == {f"provenance-{name}.csv" for name in COLUMNS}
    shown = pd.read_csv(tmp_path / "out" / "provenance-Documents.csv", dtype=str, keep_default_na=False)
    ours = pd.read_csv(seeds_report / "documents.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(shown[["id", "title", "words"]], ours[["id", "title", "words"]])
