"""Quote extraction and attribution: labelled cases written for these tests, then the seeds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.api import document_from_text
from provenance.model import Document, Quote
from provenance.quotes import extract_quotes, quote_kind
from provenance.settings import QuoteSettings
from provenance.speakers import person_name

DATA = Path(__file__).parent / "data"
CASES = json.loads((DATA / "quote_cases.json").read_text(encoding="utf-8"))
SETTINGS = QuoteSettings()


def make_document(text: str, doc_id: str = "doc", date: str | None = None) -> Document:
    """A ``Document`` built from text the way the pipeline builds one from a file."""
    if date is not None:
        text = f"{date}\n\n{text}"
    return document_from_text(text, doc_id)


def _found(quote: Quote) -> dict[str, object]:
    return {
        "text": quote.text,
        "speaker": quote.attribution.speaker,
        "kind": quote.kind,
        "cue": quote.attribution.cue,
        "source": quote.attribution.source,
        "place": quote.place,
        "notes": list(quote.notes),
    }


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_labelled_cases(case: dict[str, object]) -> None:
    doc = make_document(str(case["text"]))
    found = [_found(q) for q in extract_quotes(doc, SETTINGS)]
    expected = case["quotes"]
    assert isinstance(expected, list)
    assert len(found) == len(expected), found
    for got, want in zip(found, expected, strict=True):
        # Every label names text, speaker and kind; cue, source, place and notes when they matter.
        assert {key: got[key] for key in want} == want, got


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_spans_slice_back_to_the_quote(case: dict[str, object]) -> None:
    doc = make_document(str(case["text"]))
    for quote in extract_quotes(doc, SETTINGS):
        assert quote.raw.slice(doc.raw) == quote.clean.slice(doc.clean)  # no repairs in these texts
        if len(quote.notes) == 0 or "continues over a paragraph break" not in quote.notes:
            assert " ".join(quote.raw.slice(doc.raw).split()) == quote.text
        cue = quote.attribution
        if cue.raw is not None:
            assert " ".join(cue.raw.slice(doc.raw).split()) == cue.text


def test_speakers_are_named_in_the_document() -> None:
    """No speaker is ever a name the document does not contain."""
    for case in CASES:
        doc = make_document(str(case["text"]))
        for quote in extract_quotes(doc, SETTINGS):
            if quote.attribution.speaker is not None:
                assert quote.attribution.speaker in doc.clean


def test_furniture_lines_are_skipped() -> None:
    text = "Prices rose again.\n\nRead more: “Markets fall as rates climb again” \n\nThe end of the story is here."
    doc = make_document(text)
    assert any(line.kind == "furniture" for line in doc.lines)
    assert extract_quotes(doc, SETTINGS) == ()


def test_raw_spans_survive_repairs() -> None:
    """Quotes are found on the repaired text and reported where the raw file has them."""
    raw = "xe2x80x9cWe will win the vote,xe2x80x9d said Ana Ruiz, a senator."
    doc = make_document(raw)
    (quote,) = extract_quotes(doc, SETTINGS)
    assert quote.text == "We will win the vote"
    assert quote.raw.slice(doc.raw) == "We will win the vote"
    assert quote.attribution.speaker == "Ana Ruiz"
    assert quote.attribution.raw is not None
    assert quote.attribution.raw.slice(doc.raw) == "said Ana Ruiz"


def test_bad_input_never_raises() -> None:
    for text in ["“", "”", "«»", "‘’", '"""', "“ ” “", "‘‘’’", "「", "x" * 5000 + "“", "“\n\n“\n\n“", "''``''"]:
        extract_quotes(make_document(text), SETTINGS)


@pytest.mark.parametrize(
    ("run", "name"),
    [
        ("Angela Stent", "Angela Stent"),
        ("Russian President Vladimir Putin", "Vladimir Putin"),
        ("Acme Group’s Thomas", "Thomas"),
        ("Acme Partners’ Kim", "Kim"),
        ("Wilbur L. Ross Jr.", "Wilbur L. Ross Jr."),
        ("Jean-Pierre Cabestan", "Jean-Pierre Cabestan"),
        ("Georgetown University", None),
        ("University of Hong Kong", None),
        ("Reuters", None),
        ("NATO", None),
        ("South China Sea", None),
    ],
)
def test_person_names(run: str, name: str | None) -> None:
    assert person_name(run) == name


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("borderless", "phrase"),
        ("no limits", "phrase"),
        ("aggressive rhetoric towards Ukraine.", "phrase"),
        ("the Russians wouldn’t do anything", "statement"),
        ("It was over.", "statement"),
        ("building a community with a shared future for mankind", "phrase"),
        ("reaffirmed the commitment to firmly support the partner in maintaining long-term stability", "statement"),
        ("Xi Jinping Thought on Diplomacy", "phrase"),
    ],
)
def test_quote_kinds(text: str, kind: str) -> None:
    assert quote_kind(text, SETTINGS) == kind


PIECES = st.sampled_from(
    [
        "“",
        "”",
        '"',
        "‘",
        "’",
        "'",
        "«",
        "»",
        "„",
        "「",
        "」",
        "‘‘",
        "’’",
        "``",
        " ",
        "\n",
        "\n\n",
        ",",
        ".",
        ":",
        "said",
        "she said",
        "Ana Ruiz",
        "Kim",
        "according to",
        "word",
        "It’s",
        "the leaders’",
        "—",
        "[x]",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, max_size=40).map(" ".join))
def test_any_text_gives_valid_quotes(text: str) -> None:
    doc = make_document(text)
    for quote in extract_quotes(doc, SETTINGS):
        assert 0 <= quote.clean.start < quote.clean.end <= len(doc.clean)
        assert 0 <= quote.raw.start < quote.raw.end <= len(doc.raw)
        assert quote.text.strip() and quote.kind in ("statement", "phrase")
        if quote.attribution.speaker is not None:
            assert quote.attribution.speaker.split()[-1] in doc.clean
