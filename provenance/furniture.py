"""Line roles: title, heading, body, or page furniture (marked, never deleted).

Furniture is what a scraper picks up around an article: audio players ("Listen to
this article"), share counters, comment boxes, "Read more" teasers, related-link
headlines, video teasers with running times, archive navigation, copyright and
privacy footers. It is recognised from general cues, never from a list of one
corpus's lines:

* call-to-action and footer phrases common to news sites (:data:`CUE_PATTERNS`);
* the shape of a line: a bullet or heading-like line without sentence punctuation
  standing alone between paragraphs, a trailing running time (``2:20``), a
  timestamp listing, a short teaser ending in an ellipsis;
* repetition: a heading-like line that recurs inside one document (related links
  shown twice), or a short line recurring in many documents of the corpus.

Furniture lines are excluded from matching keys, shingles and shares, and listed
in the report so a reader can check each one and its cue.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from itertools import accumulate

from provenance.model import Line, LineKind, Span
from provenance.settings import NormalizeSettings
from provenance.text import matching_key

# (cue name, pattern matched against the whole stripped line, case-insensitive).
CUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("audio player", r"(listen to|play|hear) (this|the) (article|story|episode)\b.*"),
        ("share counter", r"(\d[\d,.]*\s*(k\s*)?)?(people\s+)?(have\s+)?shared? this (story|article|post)\b.*"),
        ("share buttons", r"share( (this|on|via)\b.{0,40})?"),
        ("comment box", r"(leave|post|add|write) a (comment|reply|response)\b.*|\d*\s*comments?\s*:?|no comments\s*:?"),
        ("comment form", r".*(your email address will not be published|required fields are marked).*"),
        (
            "read more",
            r"((read|see|view) (more|the (full|original|whole)|full (story|article))|continue reading)\b.{0,60}",
        ),
        ("post navigation", r"(previous|next|older|newer) (post|article|story|entry)\b.*"),
        ("reading time", r"(read(ing)? time\s*:?\s*\d+.*|\d+\s*min(ute)?s?\s+read)"),
        ("newsletter", r".*\b(sign up|subscribe)\b.{0,80}(newsletter|updates|inbox|free)\b.*"),
        ("advertisement", r"(advertisement|sponsored( content)?|ad|promoted)"),
        (
            "footer",
            r"(©|\(c\) \d{4}|copyright\s+(©\s*)?\d{4}).*|.*(all rights reserved|privacy (policy|notice)|"
            r"terms of (use|service)|cookie (policy|settings)|we use cookies).*",
        ),
        ("disclaimer", r".*\b(not under our control|does not necessarily (imply|reflect|represent|endorse))\b.*"),
        (
            "related links",
            r"(related( articles| stories| coverage| content)?|you may (also )?like|recommended( for you)?|"
            r"trending( now)?|trends \d+h|most (read|popular|viewed)|more (from|on) .{1,40})\s*:?",
        ),
        ("archive navigation", r"all (the )?(news |latest )?(news|articles|stories|posts) (on|from|for)\b.*"),
        ("follow us", r"(follow us|click here|tap here|download (the|our) app)\b.*"),
    )
)

# Lower-case text that each cue opening with ".*" (its phrase anywhere in the line)
# cannot match without: one alternative of the phrase or a part of it. Those patterns
# try the phrase at every position under IGNORECASE; a missing literal in the line's
# _literal_view rules the cue out before its pattern runs (the cues of a short line not
# seen before: 11.5 against 8.3 µs on generated articles, 17.0 against 10.7 on real
# pages). Keep in step with CUE_PATTERNS.
_CUE_LITERALS: dict[str, tuple[str, ...]] = {
    "comment form": ("your email address will not be published", "required fields are marked"),
    "newsletter": ("sign up", "subscribe"),
    "footer": ("©", "(c) ", "copyright", "all rights reserved", "privacy ", "terms of ", "cookie ", "we use cookies"),
    "disclaimer": ("not under our control", "does not necessarily "),
}
_LITERAL_CUES = frozenset(_CUE_LITERALS)
_ANY_LITERAL = re.compile("|".join(re.escape(literal) for literals in _CUE_LITERALS.values() for literal in literals))
# Characters that IGNORECASE matches with an ASCII letter of a literal but that str.lower
# does not turn into that letter: "İ" lowers to two characters, "ı" and "ſ" stay
# themselves (tests/test_furniture.py checks every code point), see _literal_view.
_LOWER_FIXES = (("\u0130", "i"), ("\u0131", "i"), ("\u017f", "s"))

_BULLET = re.compile(r"^\s*[•·▪◦●*\-–]\s+")
_BULLET_CHARS = "•·▪◦●*-–"  # what _BULLET opens with, on a stripped line
_TERMINAL_CHARS = frozenset(".!?…:;。！？۔؟।॥")
_TRAILING_CLOSERS = "\"'”’»)]} \t"
_RUNNING_TIME = re.compile(r"\b\d{1,2}:\d{2}(:\d{2})?$")
_TIMESTAMP = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_INNER_STOP = re.compile(r"[.!?](?=\s)")
_CUE_MAX_WORDS = 25  # longer lines are body text: no cue pattern is tried on them


def has_terminal_punctuation(text: str) -> bool:
    """True when a line ends like a sentence (closing quotes and brackets ignored).

    >>> has_terminal_punctuation("“aggressive rhetoric towards Ukraine.” ")
    True
    >>> has_terminal_punctuation("Russia talks up China’s goodwill")
    False
    """
    stripped = text.rstrip(_TRAILING_CLOSERS)
    if stripped.endswith("\n"):
        stripped = stripped[:-1]  # as a regex's "$" would, look before one final line break
    # The last character, not a regex search for "[...]$", which tried every position of
    # a body paragraph (3 µs each, called several times a line).
    return bool(stripped) and stripped[-1] in _TERMINAL_CHARS


def is_heading_like(text: str, settings: NormalizeSettings) -> bool:
    """Short, without sentence punctuation at its end: a title, heading or link."""
    return _heading_like(text.strip(), len(text.split()), settings)


def _heading_like(stripped: str, words: int, settings: NormalizeSettings) -> bool:
    # The word count first: it rules out body paragraphs without looking at their end.
    return bool(stripped) and words <= settings.heading_max_words and not has_terminal_punctuation(stripped)


def line_cue(text: str) -> str:
    """The furniture cue a line matches on its own, or ``""``.

    >>> line_cue("Listen to this article")
    'audio player'
    >>> line_cue("US suffers setback in hypersonic arms race 0:46")
    'video teaser (running time)'
    >>> line_cue("Moscow struck an even more optimistic tone.")
    ''
    >>> line_cue("FILE - In this June 30, 2013 file photo, a singer performs. The company said on Friday it would act.")
    'photo caption'
    >>> line_cue("In this case the court said the photographs were not evidence.")
    ''
    """
    stripped = text.strip()
    return _cue(stripped, len(stripped.split())) if stripped else ""


# A news agency's photo caption, as pages reprint it above or beside the story: "In this
# June 30, 2013 file photo, ...", "FILE - This March 20, 2018, file photo shows ...". It
# often restates the lead, so two different stories with one photo shared "text".
_PHOTO_CAPTION = re.compile(
    r"(?:file\s*[-–—:]\s*(?:in\s+)?this|in\s+this)\s+(?:[\w,./-]+\s+){0,6}?(?:file\s+)?photo(?:graph)?\b",
    re.IGNORECASE,
)
_CAPTION_OPENINGS = ("in this ", "file")


def _cue(stripped: str, words: int) -> str:
    """:func:`line_cue` of a stripped, non-empty line of ``words`` words."""
    if stripped[:8].lower().startswith(_CAPTION_OPENINGS) and _PHOTO_CAPTION.match(stripped, 0, 120):
        return "photo caption"
    if words <= _CUE_MAX_WORDS:
        return _short_cue(stripped, words)
    if _BULLET.match(stripped) and not has_terminal_punctuation(stripped):
        return "link bullet (no sentence punctuation)"
    return ""


# Short lines are where the cue patterns run, and on real pages many of them recur in
# document after document (footers, share and comment widgets: 41% of the short lines
# of 68 news pages from two events). Their cues cost 14 µs a line; a cached one is read
# back. Longer lines, each seen once, are not kept.
@lru_cache(maxsize=1 << 14)
def _short_cue(stripped: str, words: int) -> str:
    view = _literal_view(stripped)
    # Most lines hold no literal at all (79% of the short lines of generated articles,
    # 97% on news_events pages): one search says so, not a test for each literal.
    ruled_out = (
        _LITERAL_CUES
        if _ANY_LITERAL.search(view) is None
        else frozenset(name for name, literals in _CUE_LITERALS.items() if not any(lit in view for lit in literals))
    )
    pattern, names = _cue_alternation(ruled_out)
    match = pattern.fullmatch(stripped)
    if match is not None:
        return names[match.lastindex or 0]
    # Each test below needs a character its pattern cannot match without (the line is
    # stripped: it opens with the bullet, ends with the ellipsis): a line's patterns
    # cost 3.2 µs, mostly in searches that fail.
    if stripped[0] in _BULLET_CHARS and _BULLET.match(stripped) and not has_terminal_punctuation(stripped):
        return "link bullet (no sentence punctuation)"
    if words <= 20 and ":" in stripped and _RUNNING_TIME.search(stripped):
        return "video teaser (running time)"
    if words <= 12 and "T" in stripped and _TIMESTAMP.search(stripped):
        return "timestamped listing"
    if words <= 10 and stripped.endswith(("...", "…")) and not _INNER_STOP.search(stripped[:-3]):
        return "teaser ending in an ellipsis"
    return ""


@cache
def _cue_alternation(ruled_out: frozenset[str]) -> tuple[re.Pattern[str], dict[int, str]]:
    """One pattern for the cues not ``ruled_out`` by their literals, and the cue of each group.

    Each cue's pattern is a group of an alternation, in CUE_PATTERNS order: its
    fullmatch takes the first alternative that matches the whole line, the cue the
    patterns one by one find, and the match's last group is that alternative's. One
    regex call for a line, not one for each cue (with the prefilters in _short_cue, a
    short line not seen before 13.6 -> 7.5 µs on generated articles, 15.5 -> 8.7 on
    news_events pages).

    >>> pattern, names = _cue_alternation(frozenset(_CUE_LITERALS))
    >>> names[pattern.fullmatch("Read more").lastindex]
    'read more'
    """
    kept = [(name, pattern) for name, pattern in CUE_PATTERNS if name not in ruled_out]
    alternation = re.compile("|".join(f"({pattern.pattern})" for _, pattern in kept), re.IGNORECASE)
    # A cue's group is the one opening after the groups of the cues before it.
    starts = accumulate([1] + [pattern.groups + 1 for _, pattern in kept[:-1]])
    return alternation, {start: name for start, (name, _) in zip(starts, kept, strict=True)}


def _literal_view(stripped: str) -> str:
    """Lower-case text holding a literal of :data:`_CUE_LITERALS` wherever a cue pattern's
    case-insensitive match of it stands in ``stripped``.

    On an ASCII line that is the line lowered. Other lines (curly quotes, "©") were tried
    on every pattern: with the view the cues of a news_events page's short line not seen
    before take 14.3 against 17.2 µs. Every character a pattern matches with an ASCII
    letter lowers to that letter, but for :data:`_LOWER_FIXES`.

    >>> _literal_view("PRİVACY POLICY"), _literal_view("Sign Up ſoon")
    ('privacy policy', 'sign up soon')
    """
    if stripped.isascii():
        return stripped.lower()
    for char, letter in _LOWER_FIXES:
        if char in stripped:
            stripped = stripped.replace(char, letter)
    return stripped.lower()


def repeat_keys(text: str, settings: NormalizeSettings) -> frozenset[str]:
    """Keys of the lines of one clean text that can become furniture by repetition.

    Only short lines without sentence punctuation qualify (navigation, widget
    titles), so three copies of one wire story do not erase each other's text.

    >>> sorted(repeat_keys("Sign up now\\nIt rained all day.\\nSign up now", NormalizeSettings()))
    ['sign up now']
    """
    keys = {
        matching_key(line)
        for line in text.split("\n")
        if line.strip()
        and not has_terminal_punctuation(line)  # first: it rules out body paragraphs without splitting them
        and len(line.split()) <= settings.furniture_repeat_max_words
    }
    return frozenset(key for key in keys if key)


def repeated_keys(counts: Counter[str], settings: NormalizeSettings) -> frozenset[str]:
    """The keys found in at least ``furniture_min_docs`` documents (``counts`` per document)."""
    return frozenset(key for key, n in counts.items() if n >= settings.furniture_min_docs)


def corpus_repeats(
    texts: Iterable[str], settings: NormalizeSettings, base_counts: Mapping[str, int] | None = None
) -> frozenset[str]:
    """Keys of short unpunctuated lines that occur in at least ``furniture_min_docs`` documents.

    The count is per document: a line repeated inside one page counts once.
    ``base_counts`` are documents elsewhere in the corpus holding each key (a stored
    index), added so that a few new files see the furniture of the whole corpus.
    """
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(repeat_keys(text, settings))
    base = base_counts or {}
    return frozenset(
        key for key, n in counts.items() if n + base.get(key, 0) >= settings.furniture_min_docs
    ) | frozenset(key for key, n in base.items() if n >= settings.furniture_min_docs)


def _word_limit(settings: NormalizeSettings) -> int:
    """The largest word count a line's is compared with (cue, heading and repeat limits).

    Counting a line's words can stop past it: body paragraphs are not split into all
    their words (with the tuple line records, classify_lines 130 -> 105 µs a generated
    article).
    """
    return max(_CUE_MAX_WORDS, settings.heading_max_words, settings.furniture_repeat_max_words)


def _line_spans(parts: list[str]) -> list[Span]:
    """The spans of the lines ``parts`` of a text split at its line breaks."""
    starts = [0, *accumulate([len(part) + 1 for part in parts[:-1]])]
    return list(map(Span, starts, [start + len(part) for start, part in zip(starts, parts, strict=True)]))


def classify_lines(clean: str, settings: NormalizeSettings, repeated: frozenset[str] = frozenset()) -> tuple[Line, ...]:
    """Give every line of the clean text a role, with the cue for furniture.

    What classification reads of a line (its words, whether it is heading-like, its cue
    and, where one is needed, its key) is worked out once, and only for text lines: half
    the lines of an article are blank. Lists a column each, not a record a line, and no
    call a line for what is a comparison (classify_lines 191 -> 143 µs a generated article,
    468 -> 390 a news_events page, shape cache cold).
    """
    parts = clean.split("\n")
    last = len(parts) - 1
    stripped = [part.strip() for part in parts]
    texts = [i for i, text in enumerate(stripped) if text]
    limit = _word_limit(settings)
    # Counting can stop past the limit: body paragraphs are not split into all their words.
    words = [len(stripped[i].split(None, limit)) for i in texts]
    heading_like = [
        count <= settings.heading_max_words and not has_terminal_punctuation(stripped[i])
        for i, count in zip(texts, words, strict=True)
    ]
    cues = [_cue(stripped[i], count) for i, count in zip(texts, words, strict=True)]
    # A paragraph of its own: blank lines or text edges around it.
    headings = [
        like and (i == 0 or not stripped[i - 1]) and (i == last or not stripped[i + 1])
        for i, like in zip(texts, heading_like, strict=True)
    ]
    short = [bool(repeated) and count <= settings.furniture_repeat_max_words for count in words]
    # The matching key of a line that can need one: a heading (counted for related
    # links), or short enough to be corpus furniture and without a cue of its own.
    keys = [
        matching_key(parts[i]) if heading or (brief and not cue) else ""
        for i, heading, brief, cue in zip(texts, headings, short, cues, strict=True)
    ]
    heading_counts = Counter(key for key, heading in zip(keys, headings, strict=True) if heading)
    # The first line of the body, and the last line that is text but not heading-like.
    bodies = [j for j, like in enumerate(heading_like) if not like]
    first_body = next((texts[j] for j in bodies if not cues[j]), len(parts))
    last_body = texts[bodies[-1]] if bodies else -1
    kinds: list[LineKind] = ["blank"] * len(parts)
    notes = [""] * len(parts)
    for j, i in enumerate(texts):
        kinds[i], notes[i] = _classify(
            i,
            words[j],
            headings[j],
            cues[j],
            short[j],
            keys[j],
            settings,
            repeated,
            heading_counts,
            first_body,
            last_body,
        )
    return tuple(map(Line, _line_spans(parts), kinds, notes))


def _classify(
    index: int,
    words: int,
    heading: bool,
    cue: str,
    short: bool,
    key: str,
    settings: NormalizeSettings,
    repeated: frozenset[str],
    heading_counts: Counter[str],
    first_body: int,
    last_body: int,
) -> tuple[LineKind, str]:
    """The role and cue of the text line ``index`` (``heading``: heading-like, alone)."""
    if cue:
        return "furniture", cue
    if short and key and key in repeated:
        return "furniture", f"repeated in {settings.furniture_min_docs}+ documents of the corpus"
    if not heading:
        return "body", ""
    if heading_counts[key] > 1:
        return "furniture", "heading-like line repeated within the document (related link)"
    # A related-link headline sits between body paragraphs, not at the very end.
    if index > first_body and words > settings.section_heading_max_words and last_body > index:
        return "furniture", "headline-like line inside the body (related link)"
    return "heading", ""
