"""Segment: paragraphs and sentences of the non-furniture text, with spans and keys.

Spans index the clean text (map them to the raw file with the document's offset
map). A paragraph is a run of consecutive non-blank, non-furniture lines; a line
break inside a paragraph also ends a sentence (pull quotes, bullets and bylines sit
on lines of their own). Sentence boundaries are found with a rule that knows common
abbreviations and initials and the full stops of Chinese and Japanese.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from typing import Final

from provenance.model import Line, OffsetMap, Segment, Span
from provenance.normalize import apply_edits, compose
from provenance.text import (
    DIACRITICS,
    IGNORABLE,
    char_ranges,
    concealing_edits,
    fold_quotes,
    matching_keys,
    positions_of,
)

# Abbreviations that end with a full stop without ending the sentence.
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sen",
        "rep",
        "gov",
        "gen",
        "lt",
        "col",
        "sgt",
        "capt",
        "adm",
        "st",
        "jr",
        "sr",
        "inc",
        "corp",
        "co",
        "ltd",
        "llc",
        "plc",
        "bros",
        "no",
        "nos",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "al",
        "approx",
        "dept",
        "est",
        "fig",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mt",
        "ft",
        "rev",
        "hon",
        "pres",
        "supt",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "d.c",
        "a.m",
        "p.m",
    ]
)
# A sentence ends at . ! ? … , optionally followed by closing quotes or brackets, then
# whitespace and a plausible sentence start; or at a stop no other character means in its
# script (CJK 。！？, the Arabic-script full stop ۔ and question mark ؟ of Urdu, Persian
# and Arabic, the Devanagari danda । and double danda ॥), whatever follows. The
# pattern opens with one character class so the regex engine skips ahead to each stop;
# the lookbehinds then pick the Latin or the other form (a pattern opening with a group
# was tried at every position: 21 against 7 µs a line of a generated article).
_SCRIPT_STOPS = "。！？۔؟।॥"
_BOUNDARY = re.compile(
    r"[.!?…。！？۔؟।॥](?:"
    r"(?<=[.!?…])(?P<rest>[.!?…]*[\"'”’»)\]]*)(?P<space>\s+)(?=[\"'“‘«(\[]?[^\W_a-z])"
    r"|(?<=[。！？۔؟।॥])[。！？۔؟।॥]*[”’»」』）)]*)"
)

_STOPS = ".!?…" + _SCRIPT_STOPS  # the characters _BOUNDARY opens with


_WORD_WINDOW = 24  # characters looked back for the word before a full stop, see _is_abbreviation
# A full stop after more letters or digits than the longest abbreviation has ends a
# word too long to be one (no whitespace, stop or opening quote among them to shorten
# the word; casefolding never does): most sentence ends, told without finding the word
# (0.98 against 0.59 µs a sentence end of a generated article).
_LONG_WORD = max(map(len, _ABBREVIATIONS)) + 1


def _is_abbreviation(text: str, end: int) -> bool:
    """True when the full stop at ``text[end - 1]`` closes an abbreviation or initial.

    >>> _is_abbreviation("met Mr. Xi", 6), _is_abbreviation("met him. Xi", 8)
    (True, False)
    >>> _is_abbreviation("(“Dr. Xi", 5), _is_abbreviation(" " + "x" * 30 + ". Xi", 32)
    (True, False)
    """
    if end > _LONG_WORD and text[end - _LONG_WORD - 1 : end - 1].isalnum():
        return False  # see _LONG_WORD
    # The word is what follows the last whitespace before the stop: split off the end of a
    # short window (str.split's whitespace is str.isspace's), walking back by hand only
    # when the word fills the window (a character at a time was 1.6% of a build).
    window = text[max(0, end - _WORD_WINDOW) : end]
    word = window.rsplit(None, 1)[-1]
    if len(word) == len(window) and end > len(window):
        start = end - len(window)
        while start > 0 and not text[start - 1].isspace():  # back to the start of the word
            start -= 1
        word = text[start:end]
    word = word.rstrip(".").lstrip("\"'“‘(«[").casefold()
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True  # an initial: "J. Smith"
    return word in _ABBREVIATIONS


def split_sentences(text: str, offset: int = 0) -> Iterator[Span]:
    """Sentence spans of one line of text (shifted by ``offset``), whitespace trimmed.

    >>> line = "U.S. officials met Mr. Xi. “It went well,” she said. Then they left."
    >>> [line[s.start:s.end] for s in split_sentences(line)]
    ['U.S. officials met Mr. Xi.', '“It went well,” she said.', 'Then they left.']
    >>> [s for s in split_sentences("北京很冷。我们走吧！")]
    [Span(start=0, end=5), Span(start=5, end=10)]
    >>> [s for s in split_sentences("وہ آئے۔ کیا؟ ہاں۔")]
    [Span(start=0, end=7), Span(start=8, end=12), Span(start=13, end=17)]
    """
    for start, end in sentence_bounds(text):
        yield Span(offset + start, offset + end)


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of one line of text, whitespace trimmed.

    >>> sentence_bounds("  It rained.  Mr. Xi left.  ")
    [(2, 12), (14, 26)]
    """
    out: list[tuple[int, int]] = []
    _line_bounds(text, 0, len(text), positions_of(text, _STOPS), out)
    return out


def _line_bounds(text: str, start: int, end: int, stops: list[int], out: list[tuple[int, int]]) -> None:
    """Append the sentence bounds of the line ``text[start:end]`` (no line break inside it).

    What ``_BOUNDARY.finditer`` finds on the line alone, the pattern tried only where it
    can match: every match opens with a stop, and ``stops`` are the positions of
    :data:`_STOPS` in ``text`` (:func:`~provenance.text.positions_of`; ``text`` may be a
    whole page). The pattern runs with the line's end as the end of the text, and its
    lookbehinds see only the stop it opens with; the word before a full stop never runs back past the line break before
    the line (:func:`_is_abbreviation` stops at whitespace). So the bounds are those of
    the line, shifted by ``start``.

    >>> text = "Mr. Xi came.\\nHe left. Then?"
    >>> out: list[tuple[int, int]] = []
    >>> _line_bounds(text, 13, len(text), positions_of(text, _STOPS), out)
    >>> [text[a:b] for a, b in out]
    ['He left.', 'Then?']
    """
    resume = start  # where the previous match ended: finditer resumes there
    for at in stops[bisect_left(stops, start) :]:
        if at >= end:
            break
        if at < resume:
            continue
        match = _BOUNDARY.match(text, at, end)
        if match is None:
            continue
        resume = match.end()
        if match.group("space") is not None:  # a Latin stop, then whitespace
            stop = match.end("rest")
            if stop == at + 1 and text[at] == "." and _is_abbreviation(text, stop):
                continue
        else:
            stop = resume
        _trimmed(text, start, stop, out)
        start = resume
    _trimmed(text, start, end, out)


# What a reader does not see, next to a sentence stop: a character before it, or after it
# (past closing marks, whitespace and an opening mark), hides the boundary from _BOUNDARY.
_HIDDEN_CHAR: Final = re.compile(f"[{IGNORABLE}{DIACRITICS}]")
_HIDDEN_AFTER_STOP: Final = re.compile(f"[{_STOPS}]*[\"'”’»)\\]]*\\s*[\"'“‘«(\\[]?[{IGNORABLE}{DIACRITICS}]")
# The same characters as code point ranges: first and one past the last of each, in turn.
_HIDDEN_RANGES: Final = tuple(b for first, last in char_ranges(IGNORABLE + DIACRITICS) for b in (first, last + 1))


def _concealed(clean: str, stops: list[int]) -> bool:
    """Whether markup, zero-width characters or combining marks may hide sentence boundaries
    (``clean`` with its quotes and dashes folded or not).

    Markup is looked for only on pages with ``<`` or ``&``, and the rest only beside the
    full stops of pages that are not ASCII, so a plain page costs two ``in`` tests.
    """
    if ("<" in clean or "&" in clean) and any(concealing_edits(clean)):
        return True
    if clean.isascii():
        return False
    return any(_concealed_stop(clean, at) for at in stops)


def _concealed_stop(clean: str, at: int) -> bool:
    """Whether a hidden character stands before the stop at ``at`` or just after it.

    The regexes run only where one of the seven characters around the stop is hidden:
    beside a stop, characters outside ASCII are mostly curly quotes, where two regex
    calls a stop were most of a generated page's segmentation cost.
    """
    window = clean[max(at - 1, 0) : at + 6]
    if window.isascii() or not any(_hidden(char) for char in window):
        return False
    return bool((at > 0 and _HIDDEN_CHAR.match(clean, at - 1)) or _HIDDEN_AFTER_STOP.match(clean, at + 1))


def _hidden(char: str) -> bool:
    """Whether ``char`` is default-ignorable or a combining mark (:data:`_HIDDEN_RANGES`).

    >>> _hidden("\u200b"), _hidden("\u0301"), _hidden("”"), _hidden("a")
    (True, True, False, False)
    """
    return char > "\x7f" and bisect_right(_HIDDEN_RANGES, ord(char)) % 2 == 1


def _revealed_bounds(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """:func:`_line_bounds` of the line ``text[start:end]`` read without what conceals its
    boundaries (:func:`~provenance.text.concealing_edits`), mapped back to ``text``.

    >>> text = "<span>It rained.</span>\u200c <span>Mr.</span> Xi left."
    >>> out: list[tuple[int, int]] = []
    >>> _revealed_bounds(text, 0, len(text), out)
    >>> [text[a:b] for a, b in out]
    ['It rained.', 'Mr.</span> Xi left.']
    """
    line = text[start:end]
    edits = concealing_edits(line)
    seen = apply_edits(line, edits)
    offsets = compose(OffsetMap((), len(line)), line, edits)
    found: list[tuple[int, int]] = []
    _line_bounds(seen, 0, len(seen), positions_of(seen, _STOPS), found)
    out.extend((start + offsets.raw_start(a), start + offsets.raw_end(b)) for a, b in found)


def _trimmed(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """Append ``(start, end)`` with whitespace trimmed off both ends, unless nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        out.append((start, end))


def segment(clean: str, lines: Sequence[Line]) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Paragraphs and sentences of the non-furniture lines, with matching keys.

    Segments with an empty key (lines of punctuation only) are dropped.
    """
    # The sentence bounds of the whole page first, then all their keys: the stops are
    # found and the text folded once a page, not once for each of its text lines (8.7
    # a generated article: segment 312 against 209 µs, a news_events page 637 against 449).
    stops = positions_of(clean, _STOPS)
    # Quotes and dashes folded once a page, for its keys and for the look for hidden
    # characters (lengths kept): most pages are ASCII once folded and skip that look.
    folded = clean if clean.isascii() else fold_quotes(clean)
    concealed = _concealed(folded, stops)
    bounds: list[tuple[int, int]] = []
    runs: list[tuple[int, int, int]] = []  # paragraph candidates: start, end, their first bound
    start = end = -1
    first = 0
    for line in lines:
        kind = line.kind
        if kind in {"blank", "furniture"}:
            if start >= 0:
                runs.append((start, end, first))
                start = -1
            continue
        span = line.clean
        if start < 0:
            start, first = span.start, len(bounds)
        end = span.end
        if concealed:
            _revealed_bounds(clean, span.start, end, bounds)
        else:
            _line_bounds(clean, span.start, end, stops, bounds)
    if start >= 0:
        runs.append((start, end, first))
    if not runs:
        return (), ()
    keys = matching_keys(folded, bounds)
    paragraphs: list[Segment] = []
    sentences: list[Segment] = []
    lasts = [first for _, _, first in runs[1:]] + [len(bounds)]
    for (start, end, first), last in zip(runs, lasts, strict=True):
        # The sentences cover every token of the paragraph (only whitespace lies
        # between them), so the paragraph's key is theirs joined: one tokenisation.
        index = len(paragraphs)
        found = [
            Segment(Span(a, b), key, index)
            for (a, b), key in zip(bounds[first:last], keys[first:last], strict=True)
            if key
        ]
        if found:
            paragraphs.append(Segment(Span(start, end), " ".join([s.key for s in found]), index))
            sentences.extend(found)
    return tuple(paragraphs), tuple(sentences)
