"""Credits: outlet cues read as piece, fact or self credits; translation cues; language guesses."""

from __future__ import annotations

import pytest

from provenance.api import document_from_text
from provenance.credits import (
    _NOTICE_WORDS,
    _may_hint,
    credits,
    language,
    piece_outlets,
    translation_evidence,
)
from provenance.settings import LineageSettings
from provenance.text import FOLDS_TO_ASCII

S = LineageSettings()
BODY = (
    "The committee met for six hours on Tuesday and approved the budget after a long debate.\n\n"
    "Members said the vote was the closest in a decade, with several abstentions on the final text.\n\n"
    "The measure now goes to the upper chamber, where its fate is less certain than supporters hope.\n\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # credit lines decide the piece's outlet wherever they stand
        ("Budget passes\n\nExample Wire: Budget passes after long debate\n\n" + BODY, [("Example Wire", "piece")]),
        ("Budget passes\n\n" + BODY + "Source: Reuters", [("Reuters", "piece")]),
        ("Budget passes\n\nLONDON (AP) — " + BODY, [("AP", "piece")]),
        ("Budget passes\n\nBy The Associated Press\n\n" + BODY, [("AP", "piece")]),
        # an agency's copyright is its piece; a newspaper's copyright is the page's own footer
        ("Budget passes\n\n" + BODY + "Copyright 2021 The Associated Press. All rights reserved.", [("AP", "piece")]),
        ("Budget passes\n\n" + BODY + "© 2021 Cable News Network, Inc.", [("CNN", "self")]),
        # an agency's name alone on a line is its byline; a newspaper's is the masthead
        ("Budget passes\n\nAssociated Press\n\n" + BODY, [("AP", "piece")]),
        ("CBS News\n\nBudget passes\n\n" + BODY, [("CBS News", "self")]),
        # "X reported" credits the piece in the lead, one fact further down
        (
            "The committee approved the budget after a long debate on Tuesday, Bloomberg reported.\n\n" + BODY,
            [("Bloomberg", "piece")],
        ),
        (
            BODY + "Spending rose by 4% last year, according to the Financial Times, a sharp change.",
            [("Financial Times", "fact")],
        ),
        (BODY + "“It is a good day,” the chairman told NBC News after the vote.", [("NBC News", "fact")]),
        (BODY + "Example Times reported the story first.", [("Example Times", "piece")]),
        # closing credits credit the piece as a byline at the top does
        ("Budget passes\n\n" + BODY + "Dana Whitfield, Harbour Gazette", [("Harbour Gazette", "piece")]),
        ("Budget passes\n\n" + BODY + "— Reuters", [("Reuters", "piece")]),
        ("Budget passes\n\n" + BODY + "(Reporting by Tim Berg for Reuters; Editing by Jo Ray)", [("Reuters", "piece")]),
        ("Budget passes\n\n" + BODY + "(Reporting by Tim Berg; Editing by Jo Ray)", []),
        ("Budget passes\n\n" + BODY + "This story was originally published by Bloomberg.", [("Bloomberg", "piece")]),
        # a syndication service's copyright is the piece it licenses, not the page's own footer
        ("Budget passes\n\n" + BODY + "Copyright 2021 by CNN NewSource. All rights reserved.", [("CNN", "piece")]),
        ("Budget passes\n\n" + BODY + "The-CNN-Wire ™ & © 2021 Cable News Network, Inc.", [("CNN", "piece")]),
        (
            "Budget passes\n\n" + BODY + "Copyright 2021 by Example Times. All rights reserved.",
            [("Example Times", "self")],
        ),
        # ... and an outlet named "... Wire" is no syndication service
        ("Budget passes\n\n" + BODY + "© 2021 Harbour Wire. All rights reserved.", [("Harbour Wire", "self")]),
        (BODY, []),
    ],
)
def test_credit_scopes(text: str, expected: list[tuple[str, str]]) -> None:
    found = credits(document_from_text(text), S)
    assert [(c.outlet, c.scope) for c in found] == expected
    assert all(c.reason and c.weight > 0 for c in found)


def test_piece_outlets_sum_and_order() -> None:
    doc = document_from_text("Budget passes\n\nBy The Associated Press\n\nLONDON (AP) — " + BODY + "Source: Reuters")
    assert piece_outlets(credits(doc, S)) == [("AP", 2.0), ("Reuters", 1.0)]


def test_translation_cues() -> None:
    doc = document_from_text(
        "Now you can read non-English news...\n\nBudget passes\n\nMADRID (Example) -- " + BODY + "Source: cnnespanol"
    )
    evidence = translation_evidence(doc, credits(doc, S), S)
    details = [e.detail for e in evidence]
    assert any("Spanish-language edition" in d and "English" in d for d in details)
    assert any("translation notice" in d for d in details)
    assert all(e.span is not None for e in evidence)


def test_no_translation_when_the_edition_matches_the_text() -> None:
    spanish = (
        "El comité aprobó el presupuesto el martes después de un largo debate en la cámara.\n\n"
        "Los miembros dijeron que la votación fue la más reñida de la década, con varias abstenciones.\n\n"
        "Fuente: CNN en Español\n\nSource: cnnespanol"
    )
    doc = document_from_text(spanish)
    assert language(doc.clean) == "es"
    assert translation_evidence(doc, credits(doc, S), S) == []


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Le comité a approuvé le budget mardi après un long débat dans la salle.", "fr"),
        ("Der Ausschuss hat den Haushalt am Dienstag nach einer langen Debatte gebilligt.", "de"),
        ("O comitê aprovou o orçamento na terça-feira depois de um longo debate com a oposição.", "pt"),
        ("وافقت اللجنة على الميزانية يوم الثلاثاء بعد نقاش طويل", "ar"),
        ("委员会周二在长时间辩论后批准了预算。", "zh"),
        ("委員会は火曜日に長い議論の末に予算を承認した。", "ja"),
    ],
)
def test_language_guess(text: str, code: str) -> None:
    assert language(text) == code


@pytest.mark.parametrize(
    "text",
    [
        "A TRANSLATED story",
        "“Non-English News” below",
        "Übersetzt von der Redaktion",
        "ÜBERSETZT",
        "tranſlated",
        "TRANSLAẗ",
        "ﬅradu",
        "ŉon-english",
        "NON-ENGLIẖ",
        "Traducido por",
        "tradotto",
        "Trade talks — no notice here",
        "",
    ],
)
def test_notice_prefilter_agrees_with_casefold(text: str) -> None:
    # _may_hint may say yes where casefold finds no word, never no where it finds one
    exact = any(word in text.casefold() for word in _NOTICE_WORDS)
    assert _may_hint(text) or not exact
    assert _may_hint(text) == exact or any(c in text for c in FOLDS_TO_ASCII)
