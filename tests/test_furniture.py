"""Furniture is marked from general cues and repetition, not from the seeds' lines."""

from __future__ import annotations

import re

import pytest

from provenance.furniture import _CUE_LITERALS, CUE_PATTERNS, _literal_view, classify_lines, corpus_repeats, line_cue
from provenance.settings import NormalizeSettings

S = NormalizeSettings()


@pytest.mark.parametrize(
    "line",
    [
        "Listen to this article",
        "1,204 people shared this story",
        "Leave a reply",
        "Your email address will not be published. Required fields are marked *",
        "Read more ....",
        "Continue reading",
        "Previous post Some Headline Here",
        "Next article: Another headline",
        "No comments:",
        "12 Comments",
        "Read Time: 4 Minutes",
        "5 min read",
        "Sign up for our free newsletter",
        "Advertisement",
        "© 2023 Example Media Group. All rights reserved.",
        "Copyright 2019 The Associated Press. All rights reserved.",
        "Privacy Policy",
        "Related Articles",
        "You may also like",
        "  • Minister resigns after budget row",
        "Watch: the summit in two minutes 1:45",
        "Politics 2021-04-05T10:00:00Z",
        "Tap here to download the app",
    ],
)
def test_furniture_cues(line: str) -> None:
    assert line_cue(line), line


@pytest.mark.parametrize(
    "line",
    [
        "Moscow struck an even more optimistic tone.",
        "Share prices fell sharply on Friday after the announcement.",
        "The copyright lawsuit was filed in federal court on Tuesday.",
        "  • The meeting came days after the G7 condemned the build-up.",
        "He read more than forty reports before deciding.",
        "Related parties must disclose the transactions, the regulator said.",
        "",
    ],
)
def test_body_lines_are_not_furniture(line: str) -> None:
    assert line_cue(line) == "", line


ARTICLE = """Ministers Agree on Water Deal After Long Talks

Listen to this article

The ministers of three countries signed a water-sharing agreement on Tuesday after two years of talks.

Drought forces farmers to change crops across the region

The agreement sets quotas for each country and creates a joint commission to settle disputes.

What the deal means

Critics said the quotas were too generous to upstream users, and campaigners promised to challenge them.

Drought forces farmers to change crops across the region

Officials will meet again in March to review the first season.
"""


def test_article_roles() -> None:
    lines = classify_lines(ARTICLE, S)
    roles = {line.clean.slice(ARTICLE): (line.kind, line.cue) for line in lines if line.kind != "blank"}
    assert roles["Ministers Agree on Water Deal After Long Talks"][0] == "heading"
    assert roles["Listen to this article"] == ("furniture", "audio player")
    assert roles["What the deal means"][0] == "heading"
    assert roles["Drought forces farmers to change crops across the region"][0] == "furniture"
    assert roles["Officials will meet again in March to review the first season."][0] == "body"


def test_short_lines_repeated_across_the_corpus_are_furniture() -> None:
    docs = [
        f"Story number {i} is about something else entirely today.\n\nDaily Planet Newsletter Box\n" for i in range(4)
    ]
    repeated = corpus_repeats(docs, S)
    lines = classify_lines(docs[0], S, repeated)
    kinds = {line.clean.slice(docs[0]): line.kind for line in lines}
    assert kinds["Daily Planet Newsletter Box"] == "furniture"
    assert kinds["Story number 0 is about something else entirely today."] == "body"


def test_long_shared_text_is_not_erased_by_repetition() -> None:
    paragraph = "The central bank raised its main interest rate by half a point on Thursday, citing inflation."
    repeated = corpus_repeats([paragraph] * 5, S)
    assert repeated == frozenset()


@pytest.mark.parametrize(
    ("line", "cue"),
    [
        ("Your email address will not be published. Required fields are marked *", "comment form"),
        ("Sign up for our free newsletter", "newsletter"),
        ("SUBSCRIBE to get daily updates", "newsletter"),
        ("(C) 2021 Some Outlet", "footer"),
        ("Copyright 2020 Some Outlet", "footer"),
        ("Privacy Notice | Terms of Service | Cookie Settings", "footer"),
        ("We use cookies to improve your experience", "footer"),
        ("The views expressed do not necessarily reflect ours", ""),
        ("This content does not necessarily reflect our views", "disclaimer"),
        ("Links are not under our control", "disclaimer"),
        ("Signup newsletter", ""),
        ("© 2021 “Some” Outlet", "footer"),
        ("PRİVACY POLİCY", "footer"),
        ("Sign up ſoon, it’s free", "newsletter"),
        ("“Read” the Prıvacy notıce", "footer"),
    ],
)
def test_cue_literals_rule_out_only_lines_their_pattern_misses(line: str, cue: str) -> None:
    # _CUE_LITERALS skips a pattern on a line without its literals: the cue must be the
    # one the patterns alone give.
    stripped = line.strip()
    alone = next((name for name, pattern in CUE_PATTERNS if pattern.fullmatch(stripped)), "")
    assert line_cue(line) == alone == cue


def test_literal_view_lowers_every_character_a_pattern_matches_with_a_literal_character() -> None:
    # _literal_view relies on it: a case-insensitive match of a literal stands in the view.
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    characters = {char for literals in _CUE_LITERALS.values() for literal in literals for char in literal}
    for char in sorted(characters):
        for match in re.finditer(re.escape(char), every, re.IGNORECASE):
            assert _literal_view(match.group()) == char, (char, match.group())


def test_cue_patterns_can_run_as_one_alternation() -> None:
    """_cue_alternation joins the cue patterns under IGNORECASE with groups renumbered:
    a pattern with other flags or a numbered back-reference would silently change meaning."""
    for name, pattern in CUE_PATTERNS:
        assert pattern.flags == re.IGNORECASE | re.UNICODE, name
        assert re.search(r"\\[1-9]|\(\?P=", pattern.pattern) is None, name
