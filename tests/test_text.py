"""Tokens and keys: Unicode-aware, so non-Latin scripts never collapse to nothing."""

from __future__ import annotations

import sys

import pytest

from provenance.text import FOLDS_TO_ASCII, matching_key, matching_keys, tokens


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


@pytest.mark.parametrize(
    "text",
    [
        "“Yes,” she said. It’s over — really. Don't ‘go’ now.",
        "Plain ASCII here. And there's more, isn't there?",
        "Rock'n'roll. ''Odd'' o''k 'tis the dogs' day'. Don’t ‘go’ 9's",
        "Café au lait. Naïve ﬁne words. ÀB.",
        "北京很冷。我们走吧！ Moscow’s “no limits” pact.",
        "İstanbul. STRASSE ß. ｆｕｌｌ width.",
        "",
        "… — ‘’ “”",
    ],
)
def test_matching_keys_equal_per_span_keys(text: str) -> None:
    spans = [(a, b) for a in range(0, len(text) + 1, 3) for b in range(a, len(text) + 1, 7)]
    assert matching_keys(text, spans) == [matching_key(text[a:b]) for a, b in spans]


def test_folds_to_ascii_lists_every_such_character() -> None:
    found = "".join(chr(c) for c in range(128, sys.maxunicode + 1) if any(ord(x) < 128 for x in chr(c).casefold()))
    assert found == FOLDS_TO_ASCII
