"""Normalisation: labelled repairs, negatives untouched, offset maps and idempotency."""

from __future__ import annotations

import json
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.model import Span
from provenance.normalize import FIXERS, hex_escape_edits, normalize, replay

DATA = Path(__file__).parent / "data"
CASES = json.loads((DATA / "normalize_cases.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_labelled_cases(case: dict[str, object]) -> None:
    result = normalize(str(case["raw"]))
    assert result.clean == case["clean"]
    assert [r.fixer for r in result.repairs] == case["fixers"]
    assert replay(str(case["raw"]), result.repairs) == result.clean


@pytest.mark.parametrize("line", (DATA / "hex_negative.txt").read_text(encoding="utf-8").splitlines())
def test_negative_hex_lookalikes_survive(line: str) -> None:
    assert hex_escape_edits(line) == []
    assert normalize(line).clean == line


def test_seed_000_is_repaired(seeds_dir: Path) -> None:
    raw = (seeds_dir / "000_3a0f44c342259dfd.txt").read_text(encoding="utf-8")
    result = normalize(raw)
    assert "xe2x80" not in result.clean and "xc2xa0" not in result.clean
    assert "“aggressive rhetoric towards Ukraine.”" in result.clean
    assert "Russia’s military build-up" in result.clean
    assert '"' not in result.clean  # every quote mark was residue, and stays curly
    assert {r.fixer for r in result.repairs} == {"hex-escapes", "whitespace"}


def test_seed_offsets_slice_back_to_residue(seeds_dir: Path) -> None:
    raw = (seeds_dir / "000_3a0f44c342259dfd.txt").read_text(encoding="utf-8")
    result = normalize(raw)
    at = result.clean.index("Russia’s")
    span = result.offsets.to_raw(Span(at, at + len("Russia’s")))
    assert raw[span.start : span.end] == "Russiaxe2x80x99s"


# Fragments that exercise every fixer, including escapes next to each other and
# next to the characters other fixers change.
FRAGMENTS = st.sampled_from(
    [
        "a",
        "Bc ",
        "word",
        " ",
        "\n",
        "\r\n",
        "\r",
        "\u00a0",
        "\u200b",
        "xe2x80x99",
        "xe2x80x9c",
        "xc2xa0",
        "\\xe2\\x80\\x94",
        "xe2",
        "x80",
        "0xc0ffee",
        "â€™",
        "Ã©",
        "“",
        "’",
        "北京",
        "مرحبا",
        "é",
        "\ufeff",
    ]
)
TEXTS = st.lists(FRAGMENTS, max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.data())
def test_offsets_round_trip(raw: str, data: st.DataObject) -> None:
    result = normalize(raw)
    clean = result.clean
    start = data.draw(st.integers(0, len(clean)))
    end = data.draw(st.integers(start, len(clean)))
    span = result.offsets.to_raw(Span(start, end))
    assert 0 <= span.start <= span.end <= len(raw)
    # The end of the clean text is the end of the raw text.
    assert result.offsets.raw_start(len(clean)) == len(raw)
    # The raw region, normalised again, contains the clean text it was mapped from. Only for
    # context-free fixers: ftfy judges mojibake per line, so a fragment cut out of its line
    # may be repaired differently (a valid map, an invalid oracle); the exact property below
    # covers every fixer.
    if "mojibake" not in {r.fixer for r in result.repairs}:
        assert clean[start:end] in normalize(raw[span.start : span.end]).clean


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_offset_map_is_identity_outside_repairs(raw: str) -> None:
    result = normalize(raw)
    clean, regions = result.clean, result.offsets.regions
    assert all(a[1] <= b[0] and a[3] <= b[2] for a, b in pairwise(regions))
    inside = {i for c_start, c_end, _, _ in regions for i in range(c_start, c_end)}
    for i, char in enumerate(clean):
        if i not in inside:
            assert raw[result.offsets.raw_start(i)] == char
    for c_start, c_end, r_start, r_end in regions:
        if c_end > c_start:
            assert result.offsets.to_raw(Span(c_start, c_end)) == Span(r_start, r_end)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_offsets_are_monotonic(raw: str) -> None:
    result = normalize(raw)
    starts = [result.offsets.raw_start(i) for i in range(len(result.clean) + 1)]
    assert starts == sorted(starts)
    assert starts[-1] == len(raw)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_fixers_are_idempotent(raw: str) -> None:
    once = normalize(raw).clean
    assert normalize(once).clean == once
    for fixer in FIXERS:
        assert fixer(fixer(raw)) == fixer(raw)
