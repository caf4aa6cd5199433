"""Faults and hostile settings (issue 31): each one a single ``Error:`` line and exit 2, never a
traceback; outputs swapped in as a set; workers that die with their parent."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from provenance.cli import main
from provenance.settings import Range, Settings

# --- settings ----------------------------------------------------------------------------------


def _one_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The captured stderr, which must be one ``Error:`` line and no traceback."""
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("option", "named"),
    [
        (["--set", "fingerprint.shingle_size=0"], "fingerprint.shingle_size=0: must be an integer from 1 to 32"),
        (["--set", "fingerprint.shingle_size=-3"], "fingerprint.shingle_size=-3: must be an integer from 1 to 32"),
        (["--set", "fingerprint.num_perm=0"], "fingerprint.num_perm=0: must be an integer from 1 to 1024"),
        (["--set", "candidates.verify_containment=1.5"], "verify_containment=1.5: must be a number from 0 to 1"),
        (["--set", "fingerprint.shingle_size=five"], "shingle_size=five: must be an integer"),
        (["--set", "align.windows=maybe"], "align.windows=maybe: must be true or false"),
        (["--set", "align.sentence_cutoff=nan"], "sentence_cutoff=nan: must be a number from 0 to 1"),
    ],
)
def test_out_of_range_setting_is_one_line(
    option: list[str], named: str, tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["analyze", str(seeds_dir), "--out", str(tmp_path / "out"), *option]) == 2
    assert named in _one_error(capsys)
    assert not (tmp_path / "out").exists()  # refused before any work


@pytest.mark.parametrize(
    ("option", "named"),
    [
        (["--near-duplicate", "2"], "--near-duplicate 2 (check.near_duplicate): must be a number from 0 to 1"),
        (["--republication-min", "-0.1"], "--republication-min -0.1 (check.republication_min): must be a number"),
        (["--set", "check.max_matches=0"], "check.max_matches=0: must be an integer of at least 1"),
    ],
)
def test_check_options_are_validated(
    option: list[str], named: str, tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = shutil.copytree(seeds_dir, tmp_path / "corpus")
    new = tmp_path / "new.txt"
    new.write_text("A new article about nothing in particular, written for this test only.\n", encoding="utf-8")
    assert main(["check", str(new), "--against", str(corpus), *option]) == 2
    assert named in _one_error(capsys)


def test_pyproject_setting_out_of_range_names_the_file(
    tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = shutil.copytree(seeds_dir, tmp_path / "corpus")
    config = corpus / "pyproject.toml"
    config.write_text("[tool.provenance.fingerprint]\nnum_perm = 0\n", encoding="utf-8")
    assert main(["analyze", str(corpus), "--out", str(tmp_path / "out")]) == 2
    expected = f"Error: {config.resolve()}: fingerprint.num_perm = 0: must be an integer from 1 to 1024"
    assert _one_error(capsys) == expected
    config.write_text("[tool.provenance.ingest]\nmax_bytes = true\n", encoding="utf-8")
    assert main(["analyze", str(corpus), "--out", str(tmp_path / "out")]) == 2
    assert "ingest.max_bytes = True: must be an integer of at least 1" in _one_error(capsys)


def test_fields_that_bound_each_other_stay_ordered(
    tmp_path: Path, seeds_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "out")
    assert main(["analyze", str(seeds_dir), "--out", out, "--set", "lineage.contained_min=0.9"]) == 2
    assert "lineage.contained_min=0.9 must be below lineage.contained_full=0.8" in _one_error(capsys)
    # Both moved at once: checked on the final values, whatever order they are applied in.
    both = ["--set", "quotes.pull_quote_min_words=90", "--set", "quotes.pull_quote_max_words=120", "-q"]
    assert main(["analyze", str(seeds_dir), "--out", out, *both]) == 0


def test_every_numeric_setting_has_a_range_that_holds_its_default() -> None:
    for stage in dataclasses.fields(Settings):
        values = getattr(Settings(), stage.name)
        for spec in dataclasses.fields(values):
            bounds = spec.metadata.get("range")
            if isinstance(spec.default, bool | tuple):
                continue
            assert isinstance(bounds, Range), f"{stage.name}.{spec.name} has no range"
            assert bounds.allows(spec.default), f"{stage.name}.{spec.name}"
