"""docs/ cannot drift from the code: its generated parts are what the code makes now, every
command, option and setting is in them, and what the pages name (settings, links, report keys,
examples) exists."""

from __future__ import annotations

import argparse
import difflib
import json
import re
import shlex
from pathlib import Path

import pytest

from provenance.cli import build_parser
from provenance.docs import (
    COMMAND,
    all_settings,
    anchor,
    commands,
    generated_pages,
    main,
    setting_docs,
    toml_value,
    undocumented_settings,
)
from provenance.report.tables import COLUMNS
from provenance.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
FIX = f"run `.venv/bin/python -m {COMMAND.split()[-1]}` and commit the pages it rewrites"
# A setting named in prose: `stage.name`, not a module (`provenance/lineage.py`), a dotted
# function (`provenance.candidates.related_pairs`), a file (`check.py`) or a pattern (`lineage.weight_*`).
STAGES = "|".join(f.name for f in Settings.__dataclass_fields__.values())
SETTING = re.compile(rf"(?<![\w./])({STAGES})\.(?!(?:py|md|json|csv|png|sqlite)\b)([a-z_]+)(?![\w*(])")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_generated_pages_match_the_code() -> None:
    for path, (current, fresh) in generated_pages(ROOT).items():
        if current != fresh:
            diff = difflib.unified_diff(current.splitlines(True), fresh.splitlines(True), "committed", "generated", n=1)
            pytest.fail(f"{path.relative_to(ROOT)} is out of date: {FIX}\n{''.join(diff)[:3000]}")


def test_the_command_rewrites_a_stale_page_and_check_says_so(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    for name in ("cli.md", "settings.md"):
        (tmp_path / "docs" / name).write_text(read(DOCS / name), encoding="utf-8")
    stale = tmp_path / "docs" / "settings.md"
    stale.write_text(read(stale).replace("| `ingest.max_bytes` |", "| `ingest.old_name` |"), encoding="utf-8")
    assert main(["--check", "--root", str(tmp_path)]) == 1
    assert main(["--root", str(tmp_path)]) == 0
    assert read(stale) == read(DOCS / "settings.md")
    assert main(["--check", "--root", str(tmp_path)]) == 0


def test_every_setting_has_an_explanation() -> None:
    missing = undocumented_settings()
    assert not missing, (
        f"no explanation for {', '.join(missing)}: write one line for users under the field in "
        f'provenance/settings.py, as a string ("""what it does"""), then {FIX}'
    )


def test_explanations_are_read_from_the_docstring_under_each_field() -> None:
    source = (
        "class CheckSettings:\n"
        "    # why\n"
        "    near: float = share(0.8)\n"
        '    """what it\n    does"""\n'
        "    bare: int = count(1, 1)\n"
    )
    assert setting_docs(source) == {"check.near": "what it does"}


def test_every_setting_is_in_the_reference() -> None:
    page = read(DOCS / "settings.md")
    for stage, name, value in all_settings():
        row = f"| `{stage}.{name}` | `{toml_value(value)}` |"
        assert row in page, f"{stage}.{name} is not in docs/settings.md: {FIX}"


def _sections(page: str) -> dict[str, str]:
    """The reference's sections by command: ``{"provenance index build": text}``."""
    parts = re.split(r"^### `([^`]+)`$", page, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_command_and_option_is_in_the_reference() -> None:
    sections = _sections(read(DOCS / "cli.md"))
    for command, _, parser in commands():
        assert command in sections, f"{command} is not in docs/cli.md: {FIX}"
        for action in parser._actions:
            for option in action.option_strings:
                if option not in {"-h", "--help"}:
                    assert f"`{option}" in sections[command], f"{command} {option} is not in docs/cli.md: {FIX}"


def _examples(epilog: str | None) -> list[str]:
    text = (epilog or "").split("exit codes:")[0]
    return [line.strip() for line in text.splitlines() if line.startswith("  ")]


def _parses(command_line: str) -> None:
    """Fails the test when the parser refuses ``command_line`` (argparse exits on an error)."""
    try:
        build_parser().parse_args(shlex.split(command_line)[1:])
    except SystemExit:
        pytest.fail(f"the parser refuses the example {command_line!r}")


def test_each_command_help_ends_with_two_examples_and_the_exit_codes() -> None:
    for command, _, parser in commands(build_parser()):
        assert isinstance(parser.formatter_class, type) and issubclass(
            parser.formatter_class, argparse.RawDescriptionHelpFormatter
        ), command
        examples = _examples(parser.epilog)
        assert len(examples) == 2, f"{command}: two examples, not {examples}"
        for example in examples:
            assert example.startswith(command), example
            _parses(example)
        shown = parser.format_help()
        assert shown.rstrip().endswith((parser.epilog or "").rstrip()), command
        assert "\nexit codes:\n  0 " in shown and "  2 " in shown, command


def test_setting_names_in_the_docs_exist() -> None:
    known = {f"{stage}.{name}" for stage, name, _ in all_settings()}
    for path in [ROOT / "README.md", *PAGES]:
        named = {f"{stage}.{name}" for stage, name in SETTING.findall(read(path))}
        assert named <= known, f"{path.relative_to(ROOT)} names settings that do not exist: {sorted(named - known)}"


def headings(page: str) -> set[str]:
    """The anchors of a page's headings (outside code blocks), as GitHub numbers repeated ones."""
    found: list[str] = []
    fenced = False
    for line in page.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and (match := re.match(r"#{1,6} (.+)", line)):
            slug = anchor(match.group(1))
            repeats = found.count(slug) + sum(1 for f in found if f.startswith(f"{slug}-"))
            found.append(f"{slug}-{repeats}" if repeats else slug)
    return set(found)


def test_links_between_pages_resolve() -> None:
    for path in [ROOT / "README.md", *PAGES]:
        for target in LINK.findall(read(path)):
            if target.startswith(("http://", "https://")):
                continue
            file, _, fragment = target.partition("#")
            dest = (path.parent / file).resolve() if file else path
            assert dest.exists(), f"{path.relative_to(ROOT)}: link to {target}, which does not exist"
            if fragment:
                assert fragment in headings(read(dest)), f"{path.relative_to(ROOT)}: no heading #{fragment} in {file}"


def test_the_reports_page_names_every_json_key_and_sheet() -> None:
    page = read(DOCS / "reports.md")
    keys = json.loads(read(ROOT / "reports" / "provenance.json"))
    for key in keys:
        assert f"`{key}`" in page, f"docs/reports.md does not name the JSON report's key {key!r}"
    for sheet in COLUMNS:
        assert sheet in page, f"docs/reports.md does not name the workbook's sheet {sheet!r}"


def test_the_pipeline_line_names_every_stage() -> None:
    page = read(DOCS / "development.md")
    for stage in ("ingest", "normalize", "segment", "metadata", "quotes", "fingerprint", "lineage cues"):
        assert re.search(rf"per document .*{stage}", page), stage
    for stage in ("candidates", "alignment", "quote trails", "lineage"):
        assert re.search(rf"per corpus .*{stage}", page), stage
