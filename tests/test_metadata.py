"""Metadata with evidence: titles, stated dates, datelines and outlet cues."""

from __future__ import annotations

import re

import pytest

from provenance.furniture import classify_lines
from provenance.metadata import (
    _CUES,
    _NEEDS_FOLDED,
    _copyright_matches,
    _folded_view,
    canonical_outlet,
    extract,
    outlet_cues,
)
from provenance.segment import segment
from provenance.settings import NormalizeSettings

S = NormalizeSettings()


def _meta(text: str):  # type: ignore[no-untyped-def]
    lines = classify_lines(text, S)
    paragraphs, sentences = segment(text, lines)
    return extract(text, lines, paragraphs, sentences, S)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Thursday, December 16, 2021\n\nA headline for the day\n\nBody text here.", "2021-12-16"),
        ("A headline for the day\n\n16 March 2020\n\nBody text here.", "2020-03-16"),
        ("Headline\n\nPublished: 2023-02-03\n\nBody.", "2023-02-03"),
        ("Headline words go here\n\nThe deal was signed on February 4, 2022, in Beijing.", None),
    ],
)
def test_dates_only_when_stated_for_the_document(text: str, date: str | None) -> None:
    meta = _meta(text)
    assert meta.date == date
    if date:
        assert meta.date_evidence is not None and meta.date_evidence.span is not None


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        ("Title of the piece here\n\nBEIJING — International pressure grew.", "BEIJING —"),
        ("Title of the piece here\n\nHong Kong (CNN) --\n\nAntony Blinken is due.", "Hong Kong (CNN) --"),
        ("Title of the piece here\n\nWASHINGTON (AP) — The Supreme Court ruled.", "WASHINGTON (AP) —"),
        ("Title of the piece here\n\nThe Supreme Court ruled — again — on Friday.", None),
    ],
)
def test_datelines(text: str, dateline: str | None) -> None:
    assert _meta(text).dateline == dateline


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The minister resigned, Reuters reported on Friday.", [("Reuters", "reported")]),
        (
            "Trade rose 12% according to the South China Morning Post. Both sides agreed.",
            [("South China Morning Post", "according to")],
        ),
        (
            "Sales fell, according to the U.S. Census Bureau News. It was late.",
            [("U.S. Census Bureau News", "according to")],
        ),
        ("The plan was approved, according to the Associated Press.", [("AP", "according to")]),
        ("WASHINGTON (AP) — The court ruled.", [("AP", "dateline credit")]),
        ("Body.\n\nSource: cnnespanol", [("CNN", "source line")]),
        ("CNBC: Markets fall as rates rise", [("CNBC", "credit prefix")]),
        ("By The Associated Press", [("AP", "byline")]),
        ("Spotify chief admits error\n\nAssociated Press\n\nPurchase: Order Reprint", [("AP", "outlet line")]),
        ("Daily Review\n\nThe board met on Monday.", []),
        ("© 2019 Cable News Network, Inc.", [("CNN", "copyright")]),
        ("Copyright 2018 The Associated Press. All rights reserved.", [("AP", "copyright")]),
        ("“It is over,” she said on CNBC’s “Squawk Box” on Thursday.", [("CNBC", "on-air credit")]),
        ("The deal is done, the Kyiv Independent reported.", [("Kyiv Independent", "reported")]),
        ("The deal is done, according to Angela Stent.", []),
        ("Summary: the deal is done.", []),
        # closing credits: a writer signed with an outlet, a sign-off, a reporting credit
        # stating an outlet, a republication notice, a syndication service's copyright
        ("Body.\n\nDana Whitfield, Harbour Gazette", [("Harbour Gazette", "signed byline")]),
        ("By OLA NWOSU and Tim Berg, Associated Press\n\nBody.", [("AP", "signed byline")]),
        ("By Ana de Souza, CNN Business Reporter\n\nBody.", [("CNN", "signed byline")]),
        ("By Ann Lee | Example Times\n\nBody.", [("Example Times", "signed byline")]),
        ("It closed. — Reuters", [("Reuters", "sign-off")]),
        ("It closed.\n\n– The Harbour Gazette", [("Harbour Gazette", "sign-off")]),
        (
            "(Reporting by Dana Whitfield for the Harbour Gazette; Editing by Tim Berg)",
            [("Harbour Gazette", "reporting credit")],
        ),
        ("Additional reporting by Reuters TV in Paris", [("Reuters", "reporting credit")]),
        ("This story was originally published by The Harbour Gazette.", [("Harbour Gazette", "republication notice")]),
        ("It first appeared in the Kyiv Independent.", [("Kyiv Independent", "republication notice")]),
        ("Copyright 2018 by CNN NewSource. All rights reserved.", [("CNN", "copyright")]),
        # ... and what is not one: people only, a person's name with an outlet-like word, a
        # title bar, a quoted tweet's signature, a date after "originally published"
        ("(Reporting by Dana Whitfield in Paris; Editing by Tim Berg)", []),
        ("Reporting by Efe Kerem; editing by Tom Post", []),
        ("Body.\n\nEmily Post, Etiquette Columnist", []),
        ("Body.\n\nJo Ray, Independent Senator", []),
        ("Body.\n\nDana Whitfield", []),
        ("Port traffic rises | Harbour Gazette\n\nBody.", []),
        ("It closed.\n\n— Emily Post", []),
        ("— Ari Vance (@arivance) May 30, 2019", []),
        ("The 2018–2019 season ended — Reuters reported nothing.", [("Reuters", "reported")]),
        ("Originally published May 30 at 10:25 p.m. PT.", []),
        ("It was first published on Monday by a blog.", []),
    ],
)
def test_outlet_cues(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(c.outlet, c.kind) for c in outlet_cues(text)] == expected


def test_closing_credits_carry_raw_offsets() -> None:
    # Repairs (line endings, doubled spaces) make clean and raw offsets differ: each cue's
    # span maps back to its text in the file.
    from provenance.api import document_from_text

    raw = (
        "Port  traffic rises\r\n\r\nBy Dana Whitfield, Harbour Gazette\r\n\r\nThe port grew.  It was busy.\r\n\r\n"
        "(Reporting by Tim Berg for the Harbour Gazette; Editing by Jo Ray)\r\n\r\n"
        "This story was originally published by The Harbour Gazette.\r\n\r\n— Reuters\r\n"
    )
    doc = document_from_text(raw)
    cues = {c.kind: c for c in doc.metadata.outlet_cues}
    assert set(cues) == {"signed byline", "reporting credit", "republication notice", "sign-off"}
    assert doc.raw != doc.clean
    for cue in cues.values():
        assert doc.raw_span(cue.span).slice(doc.raw).strip() == cue.text
    assert doc.raw_span(cues["sign-off"].span).slice(doc.raw) == "— Reuters"


def test_closing_credit_patterns_stay_linear() -> None:
    # Hostile lines: long runs of names, dashes and credit words end each match early.
    import time

    texts = [
        "\n" + "Ann Lee " * 20000 + ", CNN",
        "By " + "Ann " * 20000,
        ". —A" * 20000,
        "\n(Reporting by " + "Ann Lee and " * 5000,
        "originally published by " + "Ann " * 20000,
    ]
    for text in texts:
        start = time.perf_counter()
        outlet_cues(text)
        assert time.perf_counter() - start < 1.0


def test_canonical_outlets() -> None:
    assert canonical_outlet("Associated Press") == "AP"
    assert canonical_outlet("The New York Times") == "The New York Times"
    assert canonical_outlet("Neil Thomas") is None


@pytest.mark.parametrize(
    "name", ["CNBC’s", "Reuters's.", " the Guardian's: ", "CNBC's\n.", "CNBC’s\n", "Boss", "Post’s Times", "’s", ""]
)
def test_canonical_outlet_cuts_a_possessive_as_its_pattern_did(name: str) -> None:
    # the possessive is cut with a prefilter on the name's ending; the result is the pattern's alone
    cleaned = re.sub(r"['’]s$", "", name.strip().strip(".,;:")).strip()
    folded = cleaned.casefold().removeprefix("the ")
    expected = canonical_outlet(cleaned) if cleaned else None
    assert canonical_outlet(name) == expected
    assert expected is None or folded in {"cnbc", "reuters", "guardian"} or expected == cleaned


def test_title_skips_dates_mastheads_and_furniture() -> None:
    text = (
        "The Daily\n\nListen to this article\n\nMonday, May 3, 2021\n\nCity Council Approves New Budget Plan\n\nBody."
    )
    meta = _meta(text)
    assert meta.title == "City Council Approves New Budget Plan"
    assert meta.title_evidence is not None and meta.title_evidence.detail == "first heading-like line"


def test_title_falls_back_to_first_sentence() -> None:
    text = (
        "The council approved the budget on Monday after a long debate about parks, roads, schools, libraries,"
        " bus lanes, the fire station, the harbour wall and the pay of the town's forty-two employees. More."
    )
    meta = _meta(text)
    assert meta.title is not None and meta.title.startswith("The council approved")
    assert meta.title_evidence is not None and "first sentence" in meta.title_evidence.detail


@pytest.mark.parametrize(
    "text",
    [
        "Plain ASCII: SOURCE, Via, (C) 2020",
        "“Copyright” © 2021 — CREDIT",
        "ﬁle Straße VİA",
        "SOURCE",
        "Sour\u017fce",
        "",
    ],
)
def test_folded_view_finds_the_literals_casefolding_finds(text: str) -> None:
    view = _folded_view(text)
    for literals in _NEEDS_FOLDED.values():
        for literal in literals:
            for probe in (text, text + " " + literal.upper(), literal[:2] + text + literal[2:]):
                assert (literal in _folded_view(probe)) == (literal in probe.casefold())
    assert view == text.casefold() or view == text.encode().lower().decode()


@pytest.mark.parametrize(
    "text",
    [
        "© 2019 Cable News Network, Inc.",
        "(c) 2020 Foo News. (C)2020 Bar Wire, cc(c)(c) 2021 Q.",
        "COPYRIGHT 1999 Bar Wire, and CoPyRiGhT 2001 Baz Post.",
        "copyrıght 2001 Baz Post. COPYRİGHT 2002 Qux Daily.",  # IGNORECASE: "i" matches ı and İ
        "©© 2020 A. x(c) 2020 Reuters. ©2020 AP. Copyright © 2020 Reuters.",
        "copyright\n2020 Line Break. Ccopyright 2022 A, c©opyright 2023 B.",
        "(Cited) by a Company: copy right 2020, cyy 2020 Y, yy, ©  \u0662\u0660\u0662\u0660 Digits.",
        "y Y cy cY copy COPY (c",
        "",
    ],
)
def test_copyright_matches_are_what_the_pattern_finds(text: str) -> None:
    pattern = dict(_CUES)["copyright"]
    for probe in (text, text + "\n" + text, "x" * 3 + text):
        expected = [(m.span(), m.group("o")) for m in pattern.finditer(probe)]
        assert [(m.span(), m.group("o")) for m in _copyright_matches(pattern, probe)] == expected


# The outlet line pattern before its word runs were made possessive: the reference.
_OUTLET_LINE_BACKTRACKING = re.compile(
    r"\n[ \t]*(?P<o>(?:The )?[A-Z][\w.&'’-]*(?:[ \t]+[A-Z][\w.&'’-]*){0,4})[ \t]*$", re.MULTILINE
)


@pytest.mark.parametrize(
    "line",
    [
        "Reuters",
        "  The Associated Press \t",
        "The A B C D E",
        "The A B C D E F",
        "A B C D E F",
        "The",
        "The ",
        "U.S. News & World Report",
        "Agence France-Presse’s Desk",
        "Reuters reported it.",
        "Said Reuters",
        "reuters",
        "The reuters",
        "Thé Times",
    ],
)
def test_outlet_line_pattern_finds_what_backtracking_found(line: str) -> None:
    pattern = dict(_CUES)["outlet line"]
    for text in ("\n" + line, "\nBody text.\n" + line + "\n\n" + line + "\nMore."):
        expected = [(m.span(), m.group("o")) for m in _OUTLET_LINE_BACKTRACKING.finditer(text)]
        assert [(m.span(), m.group("o")) for m in pattern.finditer(text)] == expected
