"""Sentences and paragraphs with spans that slice the clean text."""

from __future__ import annotations

import pytest

from provenance.furniture import classify_lines
from provenance.segment import segment, split_sentences
from provenance.settings import NormalizeSettings


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr. Smith met Gen. Lee. They talked.", ["Dr. Smith met Gen. Lee.", "They talked."]),
        ("The U.S. and the U.K. agreed. Talks end.", ["The U.S. and the U.K. agreed.", "Talks end."]),
        ("J. R. Smith spoke. Others did not.", ["J. R. Smith spoke.", "Others did not."]),
        ("“Go now,” he said. “Why?” she asked.", ["“Go now,” he said.", "“Why?” she asked."]),
        ("Prices rose 3.5 percent. Wages did not.", ["Prices rose 3.5 percent.", "Wages did not."]),
        ("Он сказал. Она ушла.", ["Он сказал.", "Она ушла."]),
        ("他说了。她走了！", ["他说了。", "她走了！"]),
        ("No final stop", ["No final stop"]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert [s.slice(text) for s in split_sentences(text)] == expected


def test_segments_skip_furniture_and_keep_spans() -> None:
    text = "Headline Of The Story Here\n\nListen to this article\n\nFirst sentence. Second one.\nA byline line\n"
    lines = classify_lines(text, NormalizeSettings())
    paragraphs, sentences = segment(text, lines)
    assert [p.clean.slice(text) for p in paragraphs] == [
        "Headline Of The Story Here",
        "First sentence. Second one.\nA byline line",
    ]
    assert [s.clean.slice(text) for s in sentences] == [
        "Headline Of The Story Here",
        "First sentence.",
        "Second one.",
        "A byline line",
    ]
    assert [s.paragraph for s in sentences] == [0, 1, 1, 1]
    assert sentences[1].key == "first sentence"


@pytest.mark.parametrize(
    "text",
    [
        "He met Mr. Xi. Then J. Smith left. It was " + "x" * 40 + ". Done.",
        "(“Dr. Who” said.) A very-long-word-without-spaces-that-fills-the-window.Mr. And so on.",
        "Start. " * 5,
    ],
)
def test_abbreviation_window_matches_a_walk_back(text: str) -> None:
    from provenance.segment import _ABBREVIATIONS, _is_abbreviation

    def walk_back(end: int) -> bool:
        start = end
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        word = text[start:end].rstrip(".").lstrip("\"'“‘(«[").casefold()
        return bool(word) and ((len(word) == 1 and word.isalpha()) or word in _ABBREVIATIONS)

    stops = [i + 1 for i, ch in enumerate(text) if ch == "."]
    assert [_is_abbreviation(text, end) for end in stops] == [walk_back(end) for end in stops]


@pytest.mark.parametrize("text", ["", "\n\n", "  \n", "Listen to this article"])
def test_no_text_lines_no_segments(text: str) -> None:
    assert segment(text, classify_lines(text, NormalizeSettings())) == ((), ())


def test_urdu_arabic_and_devanagari_stops_end_sentences() -> None:
    # Scripts, not corpora: the Arabic-script full stop and question mark, the danda.
    from provenance.segment import sentence_bounds

    urdu = "وزیر اعظم لاہور پہنچ گئے۔ انہوں نے اجلاس کی صدارت کی؟ اجلاس جاری ہے۔"
    assert [urdu[a:b] for a, b in sentence_bounds(urdu)] == [
        "وزیر اعظم لاہور پہنچ گئے۔",
        "انہوں نے اجلاس کی صدارت کی؟",
        "اجلاس جاری ہے۔",
    ]
    hindi = "मंत्री दिल्ली पहुंचे। बैठक जारी है।"
    assert [hindi[a:b] for a, b in sentence_bounds(hindi)] == ["मंत्री दिल्ली पहुंचे।", "बैठक जारी है।"]
