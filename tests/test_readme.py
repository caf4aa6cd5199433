"""The README is the five-minute page: short, the two setup commands, five examples the parser
takes, a picture of a report and a link to every page of docs/ (whose checks are tests/test_docs.py)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from provenance.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_lines(text: str) -> list[str]:
    """The lines of the ``sh`` code blocks, comments cut off."""
    blocks = re.findall(r"^```sh\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    return [line.split("  #")[0].strip() for block in blocks for line in block.splitlines() if line.strip()]


def test_readme_is_under_10_kb() -> None:
    size = len(README.encode("utf-8"))
    assert size < 10_000, f"README.md is {size} bytes: move the detail to a page of docs/ and link it"


def test_two_setup_commands() -> None:
    assert code_lines(README)[:2] == ["make report", "make test"]


def test_five_example_commands_that_the_parser_takes() -> None:
    examples = [line for line in code_lines(README) if line.startswith("provenance ")]
    assert len(examples) == 5
    for example in examples:
        try:
            build_parser().parse_args(shlex.split(example)[1:])
        except SystemExit:
            pytest.fail(f"the parser refuses the README's example {example!r}")


def test_every_command_has_an_example() -> None:
    parser = build_parser()
    names = next(a for a in parser._actions if a.dest == "command").choices
    for name in names:
        assert f"provenance {name} " in README, name


def test_links_to_every_docs_page_and_shows_a_report() -> None:
    for page in sorted((ROOT / "docs").glob("*.md")):
        assert f"(docs/{page.name})" in README, page.name
    picture = re.search(r"!\[[^\]]+\]\((docs/[^)]+\.(?:png|svg))\)", README)
    assert picture is not None and (ROOT / picture.group(1)).is_file()
