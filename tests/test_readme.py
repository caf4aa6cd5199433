"""The README tells the truth: every setting and every CLI command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from provenance.cli import build_parser
from provenance.settings import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_settings_table_matches_the_code() -> None:
    rows = dict(re.findall(r"^\| `([a-z_]+\.[a-z_]+)` \| `([^`]*)` \|", README, flags=re.MULTILINE))
    expected = {
        f"{stage}.{key}": str(value) for stage, values in Settings().as_dict().items() for key, value in values.items()
    }
    assert rows == expected


def test_every_command_is_documented() -> None:
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    for name in commands:
        assert f"`provenance {name}" in README, name


def test_two_setup_commands() -> None:
    assert "make report" in README and "make test" in README
