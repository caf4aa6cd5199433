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
