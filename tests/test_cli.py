"""The CLI end to end: reports written, bad files listed, exit codes, determinism."""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from provenance import api, cli
from provenance.cli import main
from provenance.model import Analysis
from provenance.report.as_json import TOP_LEVEL_KEYS

LATIN = "Le café de la gare était fermé à Noël; l'été dernier, les élèves étaient déçus et fâchés. " * 3
UTF16 = "Москва и Пекин — «ни шагу назад», сказал министр. The talks resumed on Friday in Geneva."


def _messy_corpus(root: Path, seeds_dir: Path) -> Path:
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(seeds_dir / "003_de54a7ad96882903.txt", corpus / "good.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (corpus / "latin1.txt").write_bytes(LATIN.encode("latin-1"))
    (corpus / "utf16.txt").write_bytes(UTF16.encode("utf-16"))
    (corpus / "nul.txt").write_bytes(b"An article with a NUL\x00 byte inside it, which is not text.")
    return corpus


def test_messy_corpus(tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = _messy_corpus(tmp_path, seeds_dir)
    out = tmp_path / "out"
    assert main(["analyze", str(corpus), "--out", str(out)]) == 0
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("rejected: ") for line in err)
    data = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert set(TOP_LEVEL_KEYS) <= set(data)
    docs = {d["id"]: d for d in data["documents"]}
    assert set(docs) == {"good", "latin1", "utf16"}
    assert docs["utf16"]["encoding"] == "utf-16-bom"
    assert docs["latin1"]["title"].startswith("Le café de la gare")
    rejected = {Path(r["path"]).name: r["reason"] for r in data["rejected"]}
    assert rejected == {"empty.txt": "empty", "binary.txt": "binary", "nul.txt": "binary"}
    md = (out / "provenance.md").read_text(encoding="utf-8")
    assert "## Rejected files" in md and "binary.txt" in md


def test_json_document_fields_and_raw_offsets(tmp_path: Path, seeds_dir: Path) -> None:
    assert main(["analyze", str(seeds_dir), "--out", str(tmp_path), "--quiet"]) == 0
    data = json.loads((tmp_path / "provenance.json").read_text(encoding="utf-8"))
    for doc in data["documents"]:
        assert {"id", "path", "title", "date", "outlet_cues", "encoding", "repairs", "words"} <= set(doc)
        raw = Path(doc["path"]).read_text(encoding="utf-8")
        for cue in doc["outlet_cues"]:
            assert raw[cue["start"] : cue["end"]].strip()
        for line in doc["furniture"]:
            assert " ".join(raw[line["start"] : line["end"]].split()) == " ".join(line["text"].split())
    first = next(d for d in data["documents"] if d["id"].startswith("000_"))
    assert {"fixer": "hex-escapes", "count": 76} in first["repairs"]


def test_output_is_deterministic(tmp_path: Path, seeds_dir: Path) -> None:
    runs = []
    for name in ("a", "b"):
        assert main(["analyze", str(seeds_dir), "--out", str(tmp_path / name), "--quiet"]) == 0
        runs.append({p.name: p.read_bytes() for p in (tmp_path / name).iterdir()})
    assert runs[0] == runs[1]
    assert set(runs[0]) == {"provenance.md", "provenance.json"}  # no temporary files left


def test_usage_errors_are_one_line(tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", str(seeds_dir), "--out", str(tmp_path), "--set", "nope.x=1"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("Error: unknown setting 'nope.x'")
    assert main(["analyze", str(seeds_dir), "--out", str(tmp_path), "--format", "pdf"]) == 2
    assert capsys.readouterr().err.startswith("Error: --format")


def test_settings_from_corpus_pyproject(tmp_path: Path, seeds_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds_dir, corpus)
    (corpus / "pyproject.toml").write_text("[tool.provenance.fingerprint]\nshingle_size = 4\n", encoding="utf-8")
    assert main(["analyze", str(corpus), "--out", str(tmp_path / "o"), "--quiet"]) == 0
    data = json.loads((tmp_path / "o" / "provenance.json").read_text(encoding="utf-8"))
    assert data["settings"]["fingerprint"]["shingle_size"] == 4
    assert (
        main(["analyze", str(corpus), "--out", str(tmp_path / "p"), "--quiet", "--set", "fingerprint.shingle_size=6"])
        == 0
    )
    data = json.loads((tmp_path / "p" / "provenance.json").read_text(encoding="utf-8"))
    assert data["settings"]["fingerprint"]["shingle_size"] == 6


def test_installed_script_and_module_run(tmp_path: Path, seeds_dir: Path) -> None:
    script = Path(sys.executable).with_name("provenance")
    assert script.exists(), "the console script is installed with the package"
    done = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=True)
    assert done.stdout.startswith("provenance ")
    # The command ends the process without the usual cleanup once its reports are written:
    # the summary line, block-buffered on a pipe, must still arrive, and the reports be whole.
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    for command in ([str(script)], [sys.executable, "-m", "provenance"]):
        out = tmp_path / command[-1].replace("/", "_")
        done = subprocess.run(
            [*command, "analyze", str(seeds_dir), "--out", str(out), "--format", "md,json"],
            capture_output=True,
            text=True,
            check=False,
            env=buffered,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"analysed {len(list(seeds_dir.glob('*.txt')))} documents"), done.stdout
        assert json.loads((out / "provenance.json").read_text(encoding="utf-8"))["documents"]
        assert (out / "provenance.md").read_text(encoding="utf-8").startswith("# ")


def test_analyze_keeps_the_collector_paused_until_its_reports_are_written(
    tmp_path: Path, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A collection after the analysis walks all its objects (3.7 s at 100k articles)."""
    steps: list[str] = []
    collections: list[int] = []

    def analyze(*args: Any, **kwargs: Any) -> Analysis:
        steps.append("analysis")
        return api.analyze(*args, **kwargs)

    def write_outputs(*args: Any, **kwargs: Any) -> list[Path]:
        written = cli_write_outputs(*args, **kwargs)
        steps.append("written")
        return written

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and steps == ["analysis"]:
            collections.append(info["generation"])

    cli_write_outputs = cli.write_outputs
    monkeypatch.setattr(cli, "analyze", analyze)
    monkeypatch.setattr(cli, "write_outputs", write_outputs)
    frozen = gc.get_freeze_count()
    gc.callbacks.append(count)
    try:
        args = ["analyze", str(seeds_dir), "--out", str(tmp_path), "--format", "md,json", "--quiet", "--jobs", "1"]
        code = main(args)
    finally:
        gc.callbacks.remove(count)
    assert code == 0 and steps == ["analysis", "written"] and (tmp_path / "provenance.json").is_file()
    assert collections == [] and gc.isenabled()
    # Only the command, which ends right after its reports, freezes what it made; main() called
    # from a program leaves that program's objects to the collector.
    assert gc.get_freeze_count() == frozen
