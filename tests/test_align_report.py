"""Alignment in the reports and on the command line: JSON passages and shares with raw
offsets, the Markdown sections, and ``provenance compare`` side by side."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from provenance.cli import main
from provenance.report.terminal import cells

PASSAGE_KEYS = {
    "a",
    "a_start",
    "a_end",
    "b",
    "b_start",
    "b_end",
    "similarity",
    "kind",
    "text_id",
    "a_sentences",
    "b_sentences",
}


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory: pytest.TempPathFactory, seeds_dir: Path) -> tuple[dict, str]:  # type: ignore[type-arg]
    out = tmp_path_factory.mktemp("report")
    assert main(["analyze", str(seeds_dir), "--out", str(out), "--quiet"]) == 0
    data = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    return data, (out / "provenance.md").read_text(encoding="utf-8")


def test_json_passages_slice_the_raw_files(seed_report) -> None:  # type: ignore[no-untyped-def]
    data, _ = seed_report
    raws = {d["id"]: Path(d["path"]).read_text(encoding="utf-8") for d in data["documents"]}
    assert data["passages"], "seeds 000 and 003 share passages"
    texts = {t["id"]: t for t in data["passage_texts"]}
    assert len(texts) == len(data["passage_texts"]), "each text once"
    for p in data["passages"]:
        assert set(p) == PASSAGE_KEYS
        assert p["a"] < p["b"] and p["kind"] in ("verbatim", "edited") and 0.8 <= p["similarity"] <= 1.0
        assert raws[p["a"]][p["a_start"] : p["a_end"]] == texts[p["text_id"]]["text"]
        assert raws[p["b"]][p["b_start"] : p["b_end"]].strip()
    verbatim = [p for p in data["passages"] if p["kind"] == "verbatim"]
    assert any("xe2x80x99" in texts[p["text_id"]]["text"] for p in verbatim), "000's text is quoted as its file has it"


def test_json_documents_carry_shares(seed_report) -> None:  # type: ignore[no-untyped-def]
    data, _ = seed_report
    docs = {d["id"][:3]: d for d in data["documents"]}
    for doc in docs.values():
        assert doc["original_share"] + doc["republished_share"] == pytest.approx(1.0, abs=1e-3)
    assert docs["001"]["republished_share"] == 0.0 and docs["001"]["republished_from"] == []
    (source,) = docs["003"]["republished_from"]
    assert source["doc"] == docs["000"]["id"] and source["share"] == docs["003"]["republished_share"]
    raw = Path(docs["003"]["path"]).read_text(encoding="utf-8")
    own = [raw[o["start"] : o["end"]] for o in docs["003"]["own_passages"]]
    assert any(text.startswith("WNU Editor:") for text in own)
    assert any("Mikhail Metzel | TASS" in text for text in own)
    raw000 = Path(docs["000"]["path"]).read_text(encoding="utf-8")
    repeats = docs["000"]["internal_repeats"]
    assert any(raw000[r["start"] : r["end"]].startswith("Neither of them specifically") for r in repeats)


def _tables(markdown: str) -> list[list[str]]:
    tables: list[list[str]] = []
    previous = ""
    for line in markdown.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                tables.append([])
            tables[-1].append(line)
        previous = line
    return tables


def test_markdown_sections(seed_report) -> None:  # type: ignore[no-untyped-def]
    data, md = seed_report
    assert "## Related documents" in md and "### Cluster `000_3a0f44c342259dfd` (2 documents)" in md
    cluster = md.split("### Cluster `000_3a0f44c342259dfd`", 1)[1].split("\n## ", 1)[0]
    assert "WNU Editor: Moscow will not support China militarily." in cluster  # what 003 has alone
    assert "Mikhail Metzel \\| TASS" in md  # pipes in document text are escaped
    for rows in _tables(md):  # every row of a table has as many cells as its header
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, rows[0]
    pair = f"`{data['passages'][0]['a']}` ↔ `{data['passages'][0]['b']}`:"
    section = md.split(pair, 1)[1].split("\n\n", 2)[1]
    assert len([line for line in section.splitlines() if re.match(r"\| \d+ ", line)]) == len(data["passages"])


def test_compare_prints_side_by_side(seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a, b = seeds_dir / "003_de54a7ad96882903.txt", seeds_dir / "000_3a0f44c342259dfd.txt"
    assert main(["compare", str(a), str(b), "--width", "72"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("A: ") and "73.3% shared with B" in " ".join(lines[:2])
    assert "3 shared passages" in out and "verbatim · similarity 1.000" in out
    assert all(cells(line) <= 72 for line in lines), max(lines, key=cells)
    assert any("│" in line and "WNU" not in line for line in lines)


def test_compare_unrelated_cjk_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    zh = "北京今天宣布了新的经济政策，专家认为这将帮助中小企业渡过难关。政府还将提供更多贷款支持和税收减免。"
    (tmp_path / "a.txt").write_text(zh + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("评论：我们对此表示欢迎。\n\n" + zh + "\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("Rain is expected across the north of the country all week.\n", encoding="utf-8")
    assert main(["compare", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "--width", "50"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "1 shared passage;" in "\n".join(lines)
    assert all(cells(line) <= 50 for line in lines)
    assert main(["compare", str(tmp_path / "a.txt"), str(tmp_path / "c.txt")]) == 0
    assert "No shared passages." in capsys.readouterr().out
    assert main(["compare", str(tmp_path / "a.txt"), str(tmp_path / "missing.txt")]) == 2
    assert capsys.readouterr().err.startswith("Error: ")


def test_compare_piped_uses_a_default_width(seeds_dir: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "provenance",
            "compare",
            str(seeds_dir / "000_3a0f44c342259dfd.txt"),
            str(seeds_dir / "003_de54a7ad96882903.txt"),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    assert max(cells(line) for line in done.stdout.splitlines()) <= 100
