"""Quotes: every direct quote of a document, with its kind and its speaker.

Works on the repaired clean text (``Document.clean``) and skips page furniture;
spans are reported in the raw file through ``Document.raw_span``. Quote marks are
paired by their shape and position, the way a reader pairs them:

* double marks of any style (``“ ”``, ``"``, ``„ “``), guillemets (``« »`` and
  ``» «``), CJK corner brackets (``「 」``, ``『 』``) and single marks used as
  quote marks (``‘ ’``, ``'``) when they open before a word and close after one;
  an apostrophe between letters (``Russia’s``) never closes a quote;
* marks inside an open quote belong to it (a nested ``‘ally.'`` inside ``“…”``);
* a quote with no closing mark on its paragraph continues in the next paragraph
  when that one reopens with a quote mark (the English convention); otherwise it
  is kept only when it runs to a sentence end, and dropped as a stray mark if not;
* a closing mark with no opener pairs with a stray closing-shaped mark a few words
  before it (``partnership." without limits”``), noted as a misplaced mark;
* a pull quote is a line followed by a person's name line and a title line, with
  or without marks.

Short quoted terms (``“no limits”``) are *phrases*, full sentences *statements*
(:func:`quote_kind`). Attribution lives in :mod:`provenance.speakers`. This module
never guesses a speaker and never reads files.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from provenance.model import Attribution, Document, Line, Quote, QuoteKind, QuotePlace, Segment, Span
from provenance.settings import QuoteSettings
from provenance.speakers import Cue, People, cue_after, cue_before, name_line, wordset
from provenance.text import char_positions, positions_of, tokens

# Mark families: opening marks, closing marks. Straight marks are both.
_DOUBLE_OPEN = '“„‟〝＂"'
_DOUBLE_CLOSE = '”“〞＂"'
_GUILLEMETS = "«»"
_CORNERS = {"「": "」", "『": "』"}
_SINGLE = "‘’‚'"
_MARK_CHARS = "\"“”„‟〝〞＂«»「」『』‘’‚'"
_MARKS = re.compile(f"[{_MARK_CHARS}]")
_OPENING_CONTEXT = "([{—–-/:;“‘«„‚「『"
_CLOSING_CONTEXT = ".,;:!?)]}—–-…”’»\"'」』"
_NON_SINGLE_MARKS = re.compile('["“”„‟〝〞＂«»「」『』]')
_TERMINAL = re.compile(r"[.!?…。！？۔؟।॥][\"'”’»」』)\]]*\s*$")
_STOP_THEN_SPACE = re.compile(r"[.!?]\s")

# English clause words: a short quote holding one of them is a sentence, not a term.
_CLAUSE_WORDS = wordset(
    "i we you he she they it is are was were am be been being will would can could should shall may might "
    "must do does did have has had don't doesn't didn't won't wouldn't can't couldn't isn't aren't wasn't "
    "weren't i'm we're you're they're it's that's there's i've we've i'll we'll"
)


def _family(mark: str) -> str:
    if mark in "«»":
        return "guillemet"
    if mark in "「」":
        return "corner"
    if mark in "『』":
        return "white corner"
    if mark in _SINGLE:
        return "single"
    return "double"


def _flanks(text: str, i: int) -> tuple[bool, bool]:
    """(left-flanking, right-flanking): may the mark at ``i`` open, may it close."""
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    left = not nxt.isspace() and (prev.isspace() or prev in _OPENING_CONTEXT)
    right = not prev.isspace() and (nxt.isspace() or nxt in _CLOSING_CONTEXT)
    return left, right


class _Pair(NamedTuple):  # a tuple: made in 0.4 µs, a frozen dataclass with a default in 2.1
    """A paired quote inside one paragraph text: mark positions, relative to the paragraph."""

    open: int  # index of the opening mark, or -1 when the quote continues from the last paragraph
    close: int  # index of the closing mark, or len(text) when it runs on
    family: str
    note: str = ""


class _Scan(NamedTuple):
    pairs: tuple[_Pair, ...]
    dangling: int | None  # an opening double/guillemet mark never closed
    dangling_family: str


_ALWAYS_OPENS = "“„‟〝«「『"  # marks that open a quote wherever they stand (when none is open)


def _opens(mark: str, text: str, i: int, left: bool, right: bool) -> bool:
    """May ``mark`` open a quote here (no quote is open)?"""
    if mark in _ALWAYS_OPENS:
        return True
    if mark in "”»":
        return left and not right  # Swedish ”…”, Danish »…«
    if mark in '"＂':
        return left or not right
    if mark in "‘‚":
        return not (i + 1 < len(text) and text[i + 1].isspace())
    if mark == "'":
        prev = text[i - 1] if i > 0 else " "
        nxt = text[i + 1] if i + 1 < len(text) else " "
        return left and not right and nxt.isalpha() and not prev.isalnum()
    return False


def _closes(mark: str, family: str, opener: str, text: str, i: int, left: bool, right: bool) -> bool:
    """Does ``mark`` close the open quote of ``family`` (opened with ``opener``)?"""
    if family == "double":
        if mark not in _DOUBLE_CLOSE:
            return False
        if mark == "“":
            return opener == "„" or (right and not left)
        return not (left and not right) or mark == "”"
    if family == "guillemet":
        return mark == ("«" if opener == "»" else "»")
    if family in ("corner", "white corner"):
        return mark == _CORNERS.get(opener, "")
    if mark not in "’'":
        return False
    prev = text[i - 1] if i > 0 else " "
    nxt = text[i + 1] if i + 1 < len(text) else " "
    return right and not (prev.isalpha() and nxt.isalpha())


_LATER_SINGLE_CLOSE = re.compile(r"\w[.,!?;:]?[’'](?![\w])")


def _plural_possessive(text: str, i: int, family: str) -> bool:
    """Is the single mark at ``i`` the apostrophe of a plural possessive (``the leaders’ plan``)
    inside an open single quote that closes later? Then it does not close the quote."""
    if family != "single" or i == 0 or text[i - 1] != "s":
        return False
    if not (i + 2 < len(text) and text[i + 1] == " " and text[i + 2].islower()):
        return False
    later = _LATER_SINGLE_CLOSE.search(text, i + 1)
    return later is not None and "‘" not in text[i + 1 : later.start()]


def _scan(text: str, marks: Sequence[int], ignore: frozenset[int], continued: str, misplaced_max_words: int) -> _Scan:
    """Pair the quote marks of one paragraph text (``marks``: their positions, from text.positions_of)."""
    pairs: list[_Pair] = []
    open_at: int | None = None
    family = ""
    opener = ""
    if continued:
        first = len(text) - len(text.lstrip())
        open_at, family, opener = -1, continued, text[first] if first < len(text) else ""
        ignore = ignore | {first}
    stray_close: tuple[int, str] | None = None
    for i in marks:
        if i in ignore:
            continue
        mark = text[i]
        if mark in "’'" and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum():
            # An apostrophe inside a word (Russia’s, don't) flanks neither way, so it opens
            # and closes nothing, whatever is open: skipped before _flanks, _opens and
            # _family are asked (3.4 a generated article, 18 a news_events page).
            continue
        # The commonest marks need no flanks: an opening-only mark opens when nothing is
        # open (see _opens), and ” closes an open double quote (see _closes), whatever
        # stands around them (the 8 curly marks of a generated article, 1.3 µs each).
        if open_at is None and mark in _ALWAYS_OPENS:
            open_at, family, opener = i, _family(mark), mark
            continue
        if open_at is not None and mark == "”" and family == "double":
            pairs.append(_Pair(open_at, i, family))
            open_at = None
            stray_close = None
            continue
        left, right = _flanks(text, i)
        if open_at is not None:
            if _closes(mark, family, opener, text, i, left, right) and not _plural_possessive(text, i, family):
                pairs.append(_Pair(open_at, i, family))
                open_at = None
                stray_close = None
            elif family == "double" and mark in '“„"' and left and not right:
                open_at, opener = i, mark  # a new opener: the earlier mark was stray
            continue
        if _opens(mark, text, i, left, right):
            open_at, family, opener = i, _family(mark), mark
            continue
        kind = _family(mark)
        if kind == "single" or not right:
            continue
        if stray_close is not None and stray_close[1] == kind:
            gap = text[stray_close[0] + 1 : i]
            if 0 < len(gap.split()) <= misplaced_max_words and not _MARKS.search(gap):
                pairs.append(_Pair(stray_close[0], i, kind, "misplaced opening mark"))
                stray_close = None
                continue
        stray_close = (i, kind)
    if open_at is not None and family == "single" and open_at >= 0:
        return _scan(text, marks, ignore | {open_at}, continued, misplaced_max_words)
    dangling = open_at if open_at is not None else None
    return _Scan(tuple(pairs), dangling, family if dangling is not None else "")


_DOUBLED = re.compile("‘‘|’’|''|``|,,")
_TYPEWRITER = re.compile("‘‘|’’|``|,,")
_AS_DOUBLE = {"‘‘": "“ ", "``": "“ ", "’’": "” ", "''": '" ', ",,": "„ "}


def _twice(text: str, mark: str) -> bool:
    """Does ``mark`` (one character) follow itself somewhere in ``text``?

    Looks at each occurrence, found with memchr: for a rare mark such as ``’`` that is
    0.5 against 4.4 µs for ``"’’" in text`` over a generated article (a two-character
    search tests every character).
    """
    return mark in text and any(text.startswith(mark, i + 1) for i in char_positions(text, mark))


def _has_doubled(text: str) -> bool:
    """Does ``text`` hold a doubled single mark that :func:`_pairing_view` reads as a double one?

    >>> _has_doubled("Russia’s ‘ally’"), _has_doubled("He said ’’no’’"), _has_doubled("a,, b")
    (False, True, True)
    """
    return _twice(text, "‘") or _twice(text, "’") or _twice(text, "`") or ",," in text


def _pairing_view(text: str) -> str:
    """``text`` with doubled single marks (typewriter ‘‘…’’, ``…'') read as one double mark.

    The length is kept (the second mark becomes a space), so positions stay valid.

    >>> _pairing_view("He said ‘‘no’’ twice")
    'He said “ no”  twice'
    >>> _pairing_view("``Yes,'' he said")
    '“ Yes,"  he said'
    """
    if not _has_doubled(text):
        return text
    # Two straight singles close a double quote only where ``…'' pairs are used; elsewhere
    # they are more often a nested single closing next to its outer one ('… 'Whites,'').
    pattern = _DOUBLED if "``" in text else _TYPEWRITER
    return pattern.sub(lambda m: _AS_DOUBLE[m.group()], text)


def _mark_end(clean: str, i: int) -> int:
    """The position after the (possibly doubled) quote mark at ``i``."""
    return i + 2 if clean[i : i + 2] in _AS_DOUBLE else i + 1


def _char_after_mark(clean: str, i: int) -> str:
    """The character after the (possibly doubled) quote mark at ``i``; a real opener touches its word."""
    j = i + 2 if clean[i : i + 2] in _AS_DOUBLE else i + 1
    return clean[j] if j < len(clean) else " "


def _continues(next_text: str, family: str) -> bool:
    """Does the next paragraph reopen a quote of ``family`` (continuation over a break)?"""
    stripped = next_text.lstrip()
    if not stripped:
        return False
    first = stripped[0]
    if family == "double":
        return first in '“„"'
    if family == "guillemet":
        return first in "«»"
    return False


class _Found(NamedTuple):  # a tuple, like _Pair: 0.45 µs to make, one a quote
    """A quote found in the clean text: its parts (one per paragraph) and mark positions."""

    parts: tuple[Span, ...]
    open_mark: int | None  # clean index of the opening mark (None for a bare pull quote)
    close_mark: int | None  # clean index of the closing mark (None when it runs to a paragraph end)
    marks: str
    notes: tuple[str, ...]


_ASCII_ALNUM = re.compile("[A-Za-z0-9]")


def _has_token(text: str) -> bool:
    """``bool(tokens(text))``: ASCII text has a token where it has a letter or a digit, found
    without folding and splitting it (the quotes of 500 generated articles: 1.3 against 2.2
    µs a quote).

    >>> _has_token(" -- '' "), _has_token("'no' ..."), _has_token("…")
    (False, True, False)
    """
    if text.isascii():
        return _ASCII_ALNUM.search(text) is not None
    return bool(tokens(text))


def _trim(clean: str, start: int, end: int) -> tuple[int, int]:
    """Strip spaces and the attribution comma from the quoted words."""
    while start < end and (clean[start].isspace() or clean[start - 1 : start + 1] in _AS_DOUBLE):
        start += 1
    while end > start and (clean[end - 1].isspace() or clean[end - 1] == ","):
        end -= 1
    return start, end


def _paragraph_marks(clean: str, paragraphs: Sequence[Segment]) -> tuple[list[str] | None, list[list[int]]]:
    """The pairing view of each paragraph (None when each is its own text, see _view) and
    the positions of its quote marks in it.

    The whole text is looked at once, not each paragraph: with no doubled mark in it
    every paragraph is its own pairing view, and the marks of the whole text, found
    once, are shared out to the paragraphs (find_quotes of a generated article: 167 µs
    with a regex scan of each paragraph, 132 with a str.find one, 117 with one for the text).
    """
    if _has_doubled(clean):
        views = [_pairing_view(paragraph.clean.slice(clean)) for paragraph in paragraphs]
        return views, [positions_of(text, _MARK_CHARS) for text in views]
    everywhere = positions_of(clean, _MARK_CHARS)
    marks: list[list[int]] = []
    for paragraph in paragraphs:
        base = paragraph.clean.start
        first, last = bisect_left(everywhere, base), bisect_left(everywhere, paragraph.clean.end)
        marks.append([i - base for i in everywhere[first:last]])
    return None, marks


def _view(clean: str, paragraphs: Sequence[Segment], views: list[str] | None, index: int) -> str:
    """The pairing view of paragraph ``index`` ("" past the last one).

    Sliced only for the paragraphs find_quotes looks at: half of a generated article's
    have no quote mark (slicing every paragraph cost 13 µs an article).
    """
    if index >= len(paragraphs):
        return ""
    return views[index] if views is not None else paragraphs[index].clean.slice(clean)


def find_quotes(clean: str, paragraphs: Sequence[Segment], settings: QuoteSettings) -> list[_Found]:
    """Every marked quote of the paragraphs (furniture is not in them), in text order."""
    found: list[_Found] = []
    carry: tuple[list[Span], int, str, str] | None = None  # parts, open mark, family, marks so far
    views, found_marks = _paragraph_marks(clean, paragraphs)
    for index, paragraph in enumerate(paragraphs):
        positions = found_marks[index]
        continued = carry[2] if carry is not None else ""
        if not positions and not continued:
            continue  # nothing to pair, nothing carried over (a carry needs marks to go on)
        base = paragraph.clean.start
        text = _view(clean, paragraphs, views, index)
        ignore: frozenset[int] = frozenset()
        while True:
            scan = _scan(text, positions, ignore, continued, settings.misplaced_mark_max_words)
            if scan.dangling is None or scan.dangling < 0:
                break
            nxt = _view(clean, paragraphs, views, index + 1)
            after = text[scan.dangling + 1 :]
            if _continues(nxt, scan.dangling_family) or (
                _TERMINAL.search(after)
                and not _NON_SINGLE_MARKS.search(after)
                and len(after.split()) >= 2
                and not _char_after_mark(clean, base + scan.dangling).isspace()
            ):
                break
            ignore = ignore | {scan.dangling}
        for pair in scan.pairs:
            if pair.open < 0 and carry is not None:
                reopen = base + len(text) - len(text.lstrip()) + 1
                parts = [*carry[0], Span(*_trim(clean, reopen, base + pair.close))]
                marks = carry[3] + clean[base + pair.close]
                found.append(
                    _Found(tuple(parts), carry[1], base + pair.close, marks, ("continues over a paragraph break",))
                )
                carry = None
                continue
            start, end = _trim(clean, base + pair.open + 1, base + pair.close)
            if start < end and _has_token(clean[start:end]):
                marks = clean[base + pair.open] + clean[base + pair.close]
                notes: tuple[str, ...] = (pair.note,) if pair.note else ()
                found.append(_Found((Span(start, end),), base + pair.open, base + pair.close, marks, notes))
        if scan.dangling is not None:
            open_rel = scan.dangling
            start = base + (open_rel + 1 if open_rel >= 0 else len(text) - len(text.lstrip()) + 1)
            part = Span(*_trim(clean, start, base + len(text)))
            nxt = _view(clean, paragraphs, views, index + 1)
            if carry is not None and open_rel < 0:
                parts, open_mark, fam, marks = carry
                carry = ([*parts, part], open_mark, fam, marks)
            else:
                carry = ([part], base + open_rel, scan.dangling_family, clean[base + open_rel])
            if not _continues(nxt, scan.dangling_family):
                parts, open_mark, _fam, marks = carry
                notes = (
                    ("no closing mark",) if len(parts) == 1 else ("continues over a paragraph break", "no closing mark")
                )
                found.append(_Found(tuple(parts), open_mark, None, marks, notes))
                carry = None
        elif carry is not None and not any(p.open < 0 for p in scan.pairs):
            carry = None
    return found


def quote_kind(text: str, settings: QuoteSettings) -> QuoteKind:
    """``statement`` for full sentences, ``phrase`` for short quoted terms.

    A quote is a statement when it has at least ``statement_min_words`` words, or at
    least ``clause_min_words`` and either the shape of a sentence (capital first,
    closing punctuation) or a clause word (a pronoun or an auxiliary verb). A quote
    that a speech cue follows at once is promoted to a statement by the caller when
    it starts with a capital (``“This normalises violence,” she said``).

    >>> s = QuoteSettings()
    >>> quote_kind("no limits", s), quote_kind("Squawk Box Asia", s), quote_kind("the Russians wouldn’t do anything", s)
    ('phrase', 'phrase', 'statement')
    >>> quote_kind("We will win.", s), quote_kind("independent foreign policy of peace", s)
    ('statement', 'phrase')
    """
    words = tokens(text)
    if len(words) >= settings.statement_min_words:
        return "statement"
    if len(words) < settings.clause_min_words:
        return "phrase"
    first = next((ch for ch in text if ch.isalpha()), "")
    capital = first.isupper() or first.upper() == first.lower()
    if capital and _TERMINAL.search(text):
        return "statement"
    if any(word.replace("’", "'") in _CLAUSE_WORDS for word in words):
        return "statement"
    return "phrase"


# Cues that follow a quote at once and name who *said* it (not "according to").
_SPEECH_CUES = frozenset(("pronoun", "name-verb", "verb-name", "source-verb"))


def _said_sentence(text: str, settings: QuoteSettings) -> bool:
    """A short quote someone is said to have said, starting with a capital, is a sentence."""
    first = next((ch for ch in text if ch.isalpha()), "")
    return first.isupper() and len(tokens(text)) >= settings.clause_min_words


def _quote_text(clean: str, parts: Sequence[Span]) -> str:
    """The words of a quote's parts on one line, single-spaced.

    >>> _quote_text("a “b  c d” e “f”", [Span(3, 9), Span(14, 15)])
    'b c d f'
    """
    if len(parts) == 1:  # nearly every quote: no generator to join (1.0 against 2.3 µs a quote)
        return " ".join(clean[parts[0].start : parts[0].end].split())
    return " ".join(" ".join(part.slice(clean).split()) for part in parts)


@dataclass(frozen=True, slots=True)
class _Layout:
    """Line facts of one document needed to place quotes and find pull quotes."""

    heading_spans: tuple[Span, ...]
    body_lines: tuple[Line, ...]


def _layout(lines: Sequence[Line]) -> _Layout:
    headings = tuple(line.clean for line in lines if line.kind in ("title", "heading"))
    body = tuple(line for line in lines if line.kind in ("title", "heading", "body"))
    return _Layout(headings, body)


def _place(start: int, layout: _Layout) -> QuotePlace:
    # A loop, not any() over a generator: 0.25 against 0.9 µs a quote (two heading spans).
    for span in layout.heading_spans:
        if span.start <= start < span.end:
            return "heading"
    return "body"


def _pull_quotes(clean: str, layout: _Layout, settings: QuoteSettings) -> list[tuple[Span, str, Span]]:
    """Pull-quote blocks: (quote line span, speaker, name line span).

    A line that ends like a sentence, followed (blank lines aside) by a line that is
    only a person's name and then a short title line without sentence punctuation,
    with more article text after the block (a signature at the very end is a byline).
    """
    out: list[tuple[Span, str, Span]] = []
    lines = layout.body_lines
    for i in range(len(lines) - 2):
        quote_line, name_ln, title_ln = lines[i], lines[i + 1], lines[i + 2]
        # The rare name line first: it rules out nearly every line before the quote line
        # is split into words and searched for a full stop (44 against 18 µs an article).
        named = name_line(name_ln.clean.slice(clean))
        if named is None:
            continue
        text = quote_line.clean.slice(clean).strip()
        words = len(text.split())
        if not (settings.pull_quote_min_words <= words <= settings.pull_quote_max_words and _TERMINAL.search(text)):
            continue
        name, titled = named
        title = title_ln.clean.slice(clean).strip()
        has_title = titled or (
            0 < len(title.split()) <= settings.pull_quote_title_max_words and not _TERMINAL.search(title)
        )
        rest = lines[i + 3 :] if not titled else lines[i + 2 :]
        if has_title and any(
            len(line.clean.slice(clean).split()) > settings.pull_quote_title_max_words for line in rest
        ):
            out.append((quote_line.clean, name, name_ln.clean))
    return out


def extract_quotes(doc: Document, settings: QuoteSettings) -> tuple[Quote, ...]:
    """Every direct quote of a document, attributed where a cue names the speaker."""
    clean = doc.clean
    paragraphs = doc.paragraphs
    layout = _layout(doc.lines)
    found = find_quotes(clean, paragraphs, settings)
    pulls = _pull_quotes(clean, layout, settings)
    if not found and not pulls:
        return ()
    quote_spans = [Span(f.parts[0].start, f.parts[-1].end) for f in found]
    people = People(clean, quote_spans)
    para_starts = [p.clean.start for p in paragraphs]
    pull_names: dict[int, tuple[str, Span]] = {}
    for line_span, name, name_span in pulls:
        people.add(name_span.start, name)
        pull_names[line_span.start] = (name, name_span)
    covered = set()
    quotes: list[Quote] = []
    previous: tuple[_Found, Cue | None, int] | None = None  # last quote, its cue, its paragraph
    speaking: tuple[_Found, Cue | None, int] | None = None  # last attributed statement
    for item in found:
        span = Span(item.parts[0].start, item.parts[-1].end)
        text = _quote_text(clean, item.parts)
        if not text.strip():
            continue  # marks around nothing but space (a stray pair across a paragraph break)
        kind = quote_kind(text, settings)
        para = _paragraph_index(para_starts, span.start)
        floor = paragraphs[max(0, para - settings.pronoun_paragraphs)].clean.start if paragraphs else 0
        cue = _attribute(clean, item, kind, paragraphs, para_starts, para, floor, people, previous, speaking, settings)
        if kind == "phrase" and cue is not None and cue.kind in _SPEECH_CUES and _said_sentence(text, settings):
            kind = "statement"
        pull = _pull_for(item, pull_names, clean)
        if pull is not None:
            covered.add(pull[2])
            if cue is None or cue.speaker is None:
                cue = Cue(pull[0], "pull-quote", pull[1])
        place: QuotePlace = "pull quote" if pull is not None else _place(span.start, layout)
        quotes.append(_quote(doc, span, text, kind, place, item.marks, cue, item.notes))
        previous = (item, cue, para)
        if kind == "statement" and cue is not None and cue.speaker is not None:
            speaking = (item, cue, para)
    for line_span, name, name_span in pulls:
        if line_span.start in covered:
            continue
        start, end = _trim(clean, line_span.start, line_span.end)
        text = _quote_text(clean, [Span(start, end)])
        cue = Cue(name, "pull-quote", name_span)
        quotes.append(_quote(doc, Span(start, end), text, quote_kind(text, settings), "pull quote", "", cue, ()))
    quotes.sort(key=lambda q: (q.clean.start, q.clean.end))
    return tuple(quotes)


def _pull_for(item: _Found, pull_names: dict[int, tuple[str, Span]], clean: str) -> tuple[str, Span, int] | None:
    """The pull-quote name for a marked quote that fills a pull-quote line."""
    if item.open_mark is None or not pull_names:
        return None  # most documents have no pull quote: no line start to look for
    line_start = clean.rfind("\n", 0, item.open_mark) + 1
    if line_start not in pull_names:
        return None
    if clean[line_start : item.open_mark].strip():
        return None
    name, span = pull_names[line_start]
    return name, span, line_start


def _paragraph_index(starts: Sequence[int], pos: int) -> int:
    return max(0, bisect_right(starts, pos) - 1)


def _attribute(
    clean: str,
    item: _Found,
    kind: QuoteKind,
    paragraphs: Sequence[Segment],
    para_starts: Sequence[int],
    para: int,
    floor: int,
    people: People,
    previous: tuple[_Found, Cue | None, int] | None,
    speaking: tuple[_Found, Cue | None, int] | None,
    settings: QuoteSettings,
) -> Cue | None:
    """The cue of one quote: after it, else before it, else the quote it continues."""
    # A quote of one part ends in the paragraph it starts in (no second search, 0.8 µs).
    last = para if len(item.parts) == 1 else _paragraph_index(para_starts, item.parts[-1].start)
    last_para = paragraphs[last]
    para_end = last_para.clean.end
    statement = kind == "statement"
    if item.close_mark is not None:
        after = _mark_end(clean, item.close_mark)
        limit = min(para_end, after + settings.cue_window_chars)
        cue = cue_after(clean, after, limit, people, floor, statement=statement)
        if cue is not None:
            return cue
    if not statement or item.open_mark is None:
        return None
    para_start = paragraphs[para].clean.start
    window_start = max(para_start, item.open_mark - settings.cue_window_chars)
    if previous is not None and previous[0].close_mark is not None and previous[2] == para:
        window_start = max(window_start, _mark_end(clean, previous[0].close_mark))
    sentence = _last_sentence_start(clean, window_start, item.open_mark)
    cue = cue_before(clean, sentence, item.open_mark, people, floor)
    if cue is not None:
        return cue
    return _continuation(clean, item, speaking, para)


_SENTENCE_END = re.compile(r"[.!?][\"'”’»)]*\s+(?=\S)")


def _last_sentence_start(clean: str, start: int, end: int) -> int:
    last = start
    for match in _SENTENCE_END.finditer(clean, start, end):
        if match.end() < end:
            last = match.end()
    return last


def _continuation(clean: str, item: _Found, previous: tuple[_Found, Cue | None, int] | None, para: int) -> Cue | None:
    """A quote right after an attributed quote of the same paragraph, with only that
    quote's attribution clause between them, has the same speaker."""
    if previous is None or item.open_mark is None:
        return None
    prev, prev_cue, prev_para = previous
    if prev_para != para or prev_cue is None or prev_cue.speaker is None or prev.close_mark is None:
        return None
    if "\n" in clean[prev.close_mark : item.open_mark]:
        return None
    cue_between = prev.close_mark < prev_cue.span.start < item.open_mark
    after = clean[prev_cue.span.end if cue_between else prev.close_mark + 1 : item.open_mark]
    inner = after.strip().rstrip(".,:;").strip()
    if _STOP_THEN_SPACE.search(inner) or (not cue_between and any(ch.isalnum() for ch in inner)):
        return None
    return Cue(prev_cue.speaker, "continues", Span(prev_cue.span.start, prev_cue.span.end), "")


def _raw_span(doc: Document, span: Span) -> Span:
    """``doc.raw_span(span)``: a copy of the span when nothing was repaired (raw positions are
    clean ones then), without the offset map's two searches (0.4 against 1.6 µs a span)."""
    return doc.raw_span(span) if doc.offsets.regions else Span(span.start, span.end)


def _quote(
    doc: Document,
    span: Span,
    text: str,
    kind: QuoteKind,
    place: QuotePlace,
    marks: str,
    cue: Cue | None,
    notes: tuple[str, ...],
) -> Quote:
    if cue is None:
        attribution = Attribution()
    else:
        attribution = Attribution(
            speaker=cue.speaker,
            cue=cue.kind,
            text=" ".join(cue.span.slice(doc.clean).split()),
            clean=cue.span,
            raw=_raw_span(doc, cue.span),
            source=cue.source,
        )
    return Quote(
        doc=doc.id,
        clean=span,
        raw=_raw_span(doc, span),
        text=text,
        kind=kind,
        place=place,
        marks=marks,
        attribution=attribution,
        notes=notes,
    )
