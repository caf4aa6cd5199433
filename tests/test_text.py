"""Tokens and keys: Unicode-aware, so non-Latin scripts never collapse to nothing."""

from __future__ import annotations

import pytest

from provenance.text import matching_key, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Russia’s “aggressive” build-up", ["russia's", "aggressive", "build", "up"]),
        ('Russia\'s "aggressive" build—up', ["russia's", "aggressive", "build", "up"]),
        ("Москва и Пекин сближаются.", ["москва", "и", "пекин", "сближаются"]),
        ("قالت الوزارة إن المحادثات", ["قالت", "الوزارة", "إن", "المحادثات"]),
        ("習近平と会談", ["習", "近", "平", "と", "会", "談"]),
        ("시진핑 주석이 말했다", ["시진핑", "주석이", "말했다"]),
        ("จีนและรัสเซีย", list("จีนและรัสเซีย")),
        ("1.28 trillion yuan ($190 billion)", ["1", "28", "trillion", "yuan", "190", "billion"]),
        ("…!?", []),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_keys_fold_quotes_dashes_and_case() -> None:
    assert matching_key("“No Limits” — partnership") == matching_key('"no limits" - Partnership')
