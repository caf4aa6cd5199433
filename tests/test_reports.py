"""Reports people use: golden seeds reports, Markdown that parses as GFM, the workbook and CSVs.

The golden files in ``reports/`` are what ``make report`` writes for ``seeds/``; they are
regenerated only on purpose with ``pytest --update-golden`` and reviewed like code.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from provenance.cli import main
from provenance.report.markdown import render_markdown
from provenance.report.tables import COLUMNS, frame
from provenance.report.workbook import PERCENT_FORMAT, SCORE_FORMAT, csv_name, render_workbook
from provenance.settings import ReportSettings

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
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1",
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
    # "Formatted as shown": LibreOffice displays the shares and confidences as percentages.
    lineage = pd.read_csv(tmp_path / "out" / "provenance-Lineage.csv", dtype=str, keep_default_na=False)
    data = json.loads((seeds_report / "provenance.json").read_text(encoding="utf-8"))
    shares = {d["id"]: d["original_share"] for d in data["documents"]}
    assert list(lineage["original_share"]) == [f"{shares[doc]:.1%}" for doc in lineage["doc"]]
    assert all(re.fullmatch(r"\d+\.\d%", value) for value in lineage["confidence"])


# --- the Markdown report read cold ------------------------------------------------------------


def _sections(text: str) -> dict[str, str]:
    """``## `` sections by title, in order."""
    parts = re.split(r"^## (.+)$", text, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_markdown_puts_the_findings_first(seeds_report: Path) -> None:
    text = (seeds_report / "provenance.md").read_text(encoding="utf-8")
    sections = _sections(text)
    assert list(sections)[:4] == ["Summary", "Findings", "Lineage", "Related documents"]
    assert list(sections)[-1] == "Settings"
    summary = sections["Summary"]
    assert "**5** documents analysed" in summary and "**0** files rejected" in summary
    assert "**1** cluster" in summary and "**4** republished documents" in summary
    assert "quote trails, **5** carried by more than one document" in summary
    assert "provenance 0.1.0 with the default settings" in summary
    findings = sections["Findings"]
    same = next(p for p in findings.split("\n\n") if p.startswith("**Same piece"))
    assert "`000_3a0f44c342259dfd`" in same and "`003_de54a7ad96882903`" in same and "**CNBC**" in same
    line003 = next(line for line in findings.splitlines() if line.startswith("- [`003_de54a7ad96882903`]"))
    assert "excerpt with commentary" in line003 and "WNU Editor: Moscow will not support" in line003
    assert "(1832–" in line003  # what 003 added, with its raw offsets
    travelled = findings.split("quotes travelled between documents:**", 1)[1]
    assert "(Angela Stent)" in travelled and "(Neil Thomas)" in travelled
    line001 = next(line for line in findings.splitlines() if line.startswith("- [`001_b11ff0966c21501b`]"))
    assert "attributed rewrite" in line001 and "**CNBC** piece" in line001 and "CNBC reported" in line001
    line004 = next(line for line in findings.splitlines() if line.startswith("- [`004_764842f75cb87e49`]"))
    assert "translated republication" in line004 and "**CNN** piece" in line004 and "cnnespanol" in line004
    line002 = next(line for line in findings.splitlines() if line.startswith("- [`002_deb1d1c265629a32`]"))
    assert " is original " in line002 and "no shared text" in line002


def _table_after(text: str, marker: str) -> list[list[str]]:
    """The cells of the first pipe table after ``marker`` (header first, separator dropped)."""
    rows = []
    for line in text.split(marker, 1)[1].lstrip("\n").splitlines():
        if not line.startswith("|"):
            if rows:
                break
            continue
        if not line.startswith("|-"):
            rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def test_lineage_table_and_graph(seeds_report: Path) -> None:
    text = (seeds_report / "provenance.md").read_text(encoding="utf-8")
    data = json.loads((seeds_report / "provenance.json").read_text(encoding="utf-8"))
    header, *rows = _table_after(text, "## Lineage")
    assert header[:8] == [
        "document",
        "title",
        "outlets named",
        "role",
        "parent",
        "original %",
        "republished %",
        "confidence",
    ]
    assert len(rows) == len(data["documents"])
    docs = {d["id"]: d for d in data["documents"]}
    lineage = {e["doc"]: e for e in data["lineage"]}
    for row in rows:
        doc_id = re.search(r"`([^`]+)`", row[0]).group(1)  # type: ignore[union-attr]
        assert row[3] == lineage[doc_id]["role"]
        assert row[5] == f"{docs[doc_id]['original_share']:.1%}" and row[7] == f"{lineage[doc_id]['confidence']:.0%}"
    row003 = next(row for row in rows if "003_de54a7ad96882903" in row[0])
    assert "CNBC" in row003[4] and "(318–326)" in row003[8]  # the credit prefix, with raw offsets
    graph = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert graph.startswith("flowchart LR\n")
    nodes = dict(re.findall(r"^  ([a-z]\d+)[\[(]+\"([^\"]*)\"", graph, flags=re.MULTILINE))
    assert all(re.fullmatch(r"[dx]\d+", node) for node in nodes)
    externals = {node for node in nodes if node.startswith("x")}
    assert {nodes[x].split("<br/>")[0] for x in externals} == {"CNBC", "CNN"}
    assert all(re.search(rf'^  {x}\(\["[^"]*"\]\):::external$', graph, flags=re.MULTILINE) for x in externals)
    edges = re.findall(r"^  ([a-z]\d+) (?:-->|-\.-)\|\"[^\"]*\"\| ([a-z]\d+)$", graph, flags=re.MULTILINE)
    assert len(edges) == 5 and all(a in nodes and b in nodes for a, b in edges)
    assert "002#95;deb1d1c265629a32" not in graph  # only documents in a relation are drawn
    assert "1 document with no relation is not drawn" in text


def _github_slug(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch in "_- ").replace(" ", "-")


def test_internal_links_reach_a_heading(seeds_report: Path) -> None:
    text = (seeds_report / "provenance.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    slugs = {_github_slug(tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"}
    targets = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert targets and targets <= slugs, targets - slugs
    assert "document-003_de54a7ad96882903" in targets


def test_markdown_tables_are_capped(seed_analysis) -> None:  # type: ignore[no-untyped-def]
    small = ReportSettings(table_rows=2, graph_nodes=2, cluster_sections=1, appendix_documents=1, excerpt_chars=40)
    text = render_markdown(seed_analysis, small)
    assert render_markdown(seed_analysis, small) == text, "same analysis, same bytes"
    _header, *rows = _table_after(text, "## Lineage")
    assert len(rows) == 2 and "… and 3 more documents: see `provenance.json` or the workbook" in text
    assert "2 more documents in a relation are not drawn (the graph is capped)" in text
    assert text.count("\n### Document ") == 1 and "4 more documents are not listed here" in text
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert all(cells == header for header, rows in _tables(tokens) for cells in rows)
    assert len(text) < len(render_markdown(seed_analysis)) / 2


def test_report_settings_come_from_the_analysis(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    for n in range(4):
        (corpus / f"d{n}.txt").write_text(f"Story number {n} about the harbour and its boats.\n", encoding="utf-8")
    assert main(["analyze", str(corpus), "--out", str(tmp_path / "o"), "--quiet", "--set", "report.table_rows=1"]) == 0
    text = (tmp_path / "o" / "provenance.md").read_text(encoding="utf-8")
    assert "… and 3 more documents" in text and "`report.table_rows` = `1`" in text.split("## Findings")[0]


def test_hostile_document_text_stays_inside_cells(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    title = 'A | "quoted" title with *stars*, $5 & <b>tags</b> `ticks` [link](x) #tag'
    body = (
        "The council voted | 7 to 2 | on Tuesday to close the old harbour bridge, citing *urgent* safety risks. "
        "Engineers said the $4 million repair & <i>inspection</i> would take two more years to complete.\n\n"
        "Residents who cross the bridge every day said they were “angry” and would appeal the `decision` at once."
    )
    (corpus / "a.txt").write_text(f"{title}\n\n{body}\n", encoding="utf-8")
    (corpus / "b.txt").write_text(
        f"Source: Harbour News | Local\n\n{title}\n\n{body}\n\nEditor: our view.\n", encoding="utf-8"
    )
    assert main(["analyze", str(corpus), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    text = (tmp_path / "o" / "provenance.md").read_text(encoding="utf-8")
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables = _tables(tokens)
    assert tables and all(cells == header for header, rows in tables for cells in rows)
    inline = [child for t in tokens if t.children for child in t.children]
    assert not any(t.type in ("html_inline", "html_block") for t in [*tokens, *inline])
    assert not any(t.type == "link_open" and not t.attrs["href"].startswith("#") for t in inline)
    graph = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    for label in re.findall(r"\[\"(.*)\"\]", graph):
        assert not set(label.replace("<br/>", " ")) & set('"*`<>|$&[]'), label


def _mermaid_modules() -> Path | None:
    modules = ROOT / ".venv" / "mermaid" / "node_modules"
    if shutil.which("node") is None or not (modules / "mermaid").is_dir() or not (modules / "jsdom").is_dir():
        return None
    return modules


def test_mermaid_graph_parses_with_mermaid(seeds_report: Path, tmp_path: Path) -> None:
    modules = _mermaid_modules()
    if modules is None:
        pytest.skip("mermaid is not installed: `make tools` installs it with npm into .venv/mermaid (needs node)")
    script = ROOT / "tests" / "tools" / "parse_mermaid.mjs"
    bad = tmp_path / "bad.md"
    bad.write_text('```mermaid\nflowchart LR\n  d1["a "quoted" label"]\n```\n', encoding="utf-8")
    for path, ok in ((seeds_report / "provenance.md", True), (bad, False)):
        done = subprocess.run(
            ["node", str(script), str(modules), str(path)], capture_output=True, text=True, timeout=120, check=False
        )
        assert (done.returncode == 0) is ok, done.stdout + done.stderr
    assert (
        "parsed 1 mermaid block"
        in subprocess.run(
            ["node", str(script), str(modules), str(seeds_report / "provenance.md")],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        ).stdout
    )


# --- the workbook: Lineage sheet, formats, and the streamed rows read back ----------------------


def test_lineage_sheet_joins_the_json_records(seeds_report: Path) -> None:
    data = json.loads((seeds_report / "provenance.json").read_text(encoding="utf-8"))
    sheet = pd.read_excel(seeds_report / "provenance.xlsx", sheet_name="Lineage")
    assert list(sheet.columns[:9]) == [
        "doc",
        "title",
        "outlets",
        "role",
        "parent",
        "relation",
        "original_share",
        "republished_share",
        "confidence",
    ]
    docs = {d["id"]: d for d in data["documents"]}
    assert list(sheet["doc"]) == [e["doc"] for e in data["lineage"]]
    for row in sheet.itertuples(index=False):
        doc = docs[row.doc]
        assert row.title == doc["title"]
        assert row.original_share == pytest.approx(doc["original_share"])
        assert row.republished_share == pytest.approx(doc["republished_share"])
    row = sheet.set_index("doc").loc["003_de54a7ad96882903"]
    assert row["outlets"] == "CNBC" and row["parent"] == "external:CNBC" and "credit prefix" in row["evidence"]
    book = load_workbook(seeds_report / "provenance.xlsx")
    lineage = book["Lineage"]
    header = [cell.value for cell in lineage[1]]
    for name in ("original_share", "republished_share", "confidence"):
        column = header.index(name) + 1
        cells = [lineage.cell(row=r, column=column) for r in range(2, lineage.max_row + 1)]
        assert cells and all(cell.number_format == PERCENT_FORMAT for cell in cells), name
    assert lineage.auto_filter.ref == f"A1:{get_column_letter(len(header))}{len(data['lineage']) + 1}"


def test_streamed_rows_read_back_exactly() -> None:
    values = [
        "plain",
        "=SUM(A1:A2)",
        "  leading and trailing  ",
        "a < b & c > d",
        "bell\x07 and \x1b escape",
        "separator \uffff inside",
        "x" * 40_000,
        "Arabic مرحبا, Cyrillic привет, CJK 你好",
        None,
    ]
    table = pd.DataFrame(
        {
            "text": values,
            "words": [1, 2, 3, None, 5, 6, 7, 8, 9],
            "original_share": [0.25, 1.0, 0.0, 0.5, None, 0.125, 0.3333, 1e-05, 0.9],
            "flag": [True, False, True, False, True, False, True, False, None],
        }
    )
    book = load_workbook(io.BytesIO(render_workbook({"Sheet": table})))
    sheet = book["Sheet"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(values)
    texts = [row[0] for row in rows]
    assert texts[:4] == values[:4] and texts[4] == "bell and  escape" and texts[5] == "separator  inside"
    assert texts[6] == "x" * 31_999 + "…" and texts[7] == values[7] and texts[8] is None
    assert sheet["A3"].data_type == "s"  # a formula-looking text stays text
    assert [row[1] for row in rows] == [1, 2, 3, None, 5, 6, 7, 8, 9]
    assert [row[2] for row in rows] == [0.25, 1.0, 0.0, 0.5, None, 0.125, 0.3333, 1e-05, 0.9]
    assert sheet["C2"].number_format == PERCENT_FORMAT and sheet["B2"].number_format == "General"
    assert [row[3] for row in rows][:2] == [True, False]
    assert sheet["A8"].alignment.wrap_text and not sheet["A2"].alignment.wrap_text
    assert sheet.dimensions == "A1:D10" and sheet.column_dimensions["A"].width == 60


def test_json_alone_is_streamed_with_the_same_bytes(tmp_path: Path) -> None:
    # md,json streams the JSON record by record; with the workbook the dict is built once:
    # both must write the same bytes.
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        assert main(["analyze", "seeds/", "--out", str(tmp_path / "a"), "--format", "json", "--quiet"]) == 0
        assert main(["analyze", "seeds/", "--out", str(tmp_path / "b"), "--format", "json,csv", "--quiet"]) == 0
    assert (tmp_path / "a" / "provenance.json").read_bytes() == (tmp_path / "b" / "provenance.json").read_bytes()
