"""Metadata the text states about itself, each value with the evidence behind it.

* title: the first heading-like line near the top (not a date, not furniture, not
  a masthead of fewer than ``title_min_words`` words), else the first sentence;
* date: a date standing on a line of its own or after a dateline cue ("Published",
  "All news articles on"); dates inside body sentences are events, not the
  document's date, and are not used;
* dateline: ``BEIJING —``, ``Hong Kong (CNN) --``, ``WASHINGTON (AP) —``;
* outlet cues: credits and attributions naming a news organisation, found by a cue
  grammar (``X reported``, ``according to X``, ``X:`` before a headline, ``(X) —``,
  ``Source: x``, ``By The Associated Press``, ``said on X's``, copyright lines), and the
  closing credits real pages carry (a writer signed with an outlet "Lucas Shaw,
  Bloomberg", a sign-off "— Reuters", "Reporting by ... for the X", "This story was
  originally published by X"), where X is a known outlet (:data:`OUTLETS`) or a name
  shaped like one ("... News", "... Times", "... Post", "... Agency"); where a person's
  name could pass for one, only a known outlet or a shaped name after "the" counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from provenance.furniture import has_terminal_punctuation
from provenance.model import Evidence, Line, Metadata, OutletCue, Segment, Span
from provenance.settings import NormalizeSettings
from provenance.text import FOLDS_TO_ASCII, positions_of

# Canonical outlet names and the spellings that refer to them (casefolded). A
# general gazetteer of large news organisations and wires, not this corpus's list.
OUTLETS: dict[str, tuple[str, ...]] = {
    "AP": ("ap", "associated press", "the associated press"),
    "Reuters": ("reuters", "thomson reuters"),
    "AFP": ("afp", "agence france-presse", "agence france presse"),
    "CNN": (
        "cnn",
        "cnn español",
        "cnn espanol",
        "cnnespanol",
        "cnn en español",
        "cnn international",
        "cable news network",
    ),
    "CNBC": ("cnbc",),
    "BBC": ("bbc", "bbc news"),
    "Bloomberg": ("bloomberg", "bloomberg news"),
    "NPR": ("npr",),
    "The New York Times": ("new york times", "the new york times", "nyt"),
    "The Washington Post": ("washington post", "the washington post"),
    "The Wall Street Journal": ("wall street journal", "the wall street journal", "wsj"),
    "The Guardian": ("the guardian", "guardian"),
    "Fox News": ("fox news", "fox business"),
    "NBC News": ("nbc news", "nbc"),
    "CBS News": ("cbs news", "cbs"),
    "ABC News": ("abc news",),
    "Al Jazeera": ("al jazeera",),
    "Xinhua": ("xinhua", "xinhua news agency"),
    "TASS": ("tass",),
    "Interfax": ("interfax",),
    "RIA Novosti": ("ria novosti",),
    "South China Morning Post": ("south china morning post", "scmp"),
    "Financial Times": ("financial times", "ft"),
    "Politico": ("politico",),
    "Axios": ("axios",),
    "Nikkei": ("nikkei", "nikkei asia"),
    "Kyodo": ("kyodo", "kyodo news"),
    "Yonhap": ("yonhap",),
    "EFE": ("efe",),
    "dpa": ("dpa",),
    "ANSA": ("ansa",),
    "UPI": ("upi", "united press international"),
}
_ALIAS = {alias: name for name, aliases in OUTLETS.items() for alias in aliases}
# A possessive ending cut off a name ("CNBC’s"): "$" also matches before a final line break.
_POSSESSIVE_END = re.compile(r"['’]s$")
_POSSESSIVE_ENDS = ("'s", "’s", "'s\n", "’s\n")
# Words that make a capitalised name look like a news organisation.
_OUTLET_SHAPE = re.compile(
    r"\b(News|Times|Post|Journal|Press|Agency|Tribune|Herald|Telegraph|Gazette|Chronicle|Daily|Wire|"
    r"Broadcasting|Radio|Television|TV|Network|Magazine|Review|Observer|Independent|Mail|Express)\b"
)
# A capitalised word: dotted acronyms keep their final stop ("U.S."), other words end
# before a full stop, so a name never runs across a sentence boundary ("... Post. Both").
_WORD = r"(?:(?:[A-Z]\.){2,}|[A-Z](?:[\w&'’-]|\.(?=\w))*)"
_NAME = rf"{_WORD}(?:[ \t]+(?:of|the|de|del|{_WORD})){{0,5}}"  # one line: never across a break
# People named in a byline: capitalised words (initials, "O'Neil", "AMIR VERA") and the
# particles of names, at least two words, joined by "and" or "&"; possessive (never given back).
_PERSON_WORD = r"[A-Z][\w.'’-]*+"
PERSONS = rf"{_PERSON_WORD}(?:[ \t]+(?:and|&|de|da|del|der|van|von|la|le|bin|al|{_PERSON_WORD})){{1,9}}+"
# What a reporting credit line opens with ("Reporting by", "Additional reporting by", "Writing by").
_CREDIT_WORDS = r"(?:[Rr]eporting|[Ww]riting|[Ee]diting)"

_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("credit prefix", re.compile(rf"\n\s*(?P<o>{_NAME})\s*:\s+\S")),  # "\n" for "^", see _AFTER_BREAK
    # "X reported" is found from its keyword, looking back for the name (_REPORTED).
    (
        "according to",
        re.compile(rf"according to (?:a (?:report|release|story) (?:from|by|in) )?(?:the )?(?P<o>{_NAME})"),
    ),
    ("told", re.compile(rf"told (?:the )?(?P<o>{_NAME})\b")),
    ("dateline credit", re.compile(r"\((?P<o>[A-Z][\w.&' -]{1,40})\)\s*(?:--|[—–-])")),
    (
        "source line",
        re.compile(
            r"\n\s*(?:source|via|originally published (?:by|in|at)|credit)\s*:?\s*(?P<o>\S[^\n]{0,60}?)\s*$",
            re.MULTILINE | re.IGNORECASE,
        ),
    ),
    ("byline", re.compile(r"\n\s*By\s+(?P<o>(?:The\s+)?[A-Z][\w.&' -]{1,50}?)\s*$", re.MULTILINE)),
    # "©", "(c)" or "copyright" in any case, a year, a name. It is matched only where it
    # can start, see _copyright_matches (the lookbehinds tell which opening it found).
    (
        "copyright",
        re.compile(
            r"[©(cC](?:(?<=©)|(?<=\()[cC]\)|(?<=[cC])(?i:opyright))"
            r"(?i:\s*(?:©\s*)?\d{4}\s+(?:by\s+)?(?P<o>[A-Z][\w.&' -]{1,50}?)(?:[.,]|$))",
            re.MULTILINE,
        ),
    ),
    ("on-air credit", re.compile(rf"said (?:on|to) (?P<o>{_NAME})(?:['’]s)?\b")),
    # An outlet's name alone on a line (an agency byline without "By"); only gazetteer
    # names count here, see _KNOWN_ONLY. The leading line break stands for "^", see
    # _AFTER_BREAK. The word runs and their count are possessive: a word cut short, or
    # a word fewer, leaves a word character or a capital where only a space or the end
    # of the line can follow, so giving one back never made a match; on most lines
    # (which open with a capital) the engine gave back every letter first (11 against
    # 6 µs a generated article).
    (
        "outlet line",
        re.compile(r"\n[ \t]*(?P<o>(?:The )?[A-Z][\w.&'’-]*+(?:[ \t]+[A-Z][\w.&'’-]*+){0,4}+)[ \t]*$", re.MULTILINE),
    ),
    # A writer's name and the outlet they write for, on a line of their own, at the top
    # or closing the piece: "Lucas Shaw, Bloomberg", "By Jane Roe and John Doe, Associated
    # Press", "By Ann Lee | Example Times". At least two capitalised words before the
    # separator (a person, not one place); a pipe or slash only after "By" (a title bar
    # reads "Headline | Outlet"). The outlet is read from what follows the separator,
    # see _signed_outlet. Word runs are possessive, so a line is tried once per start.
    (
        "signed byline",
        re.compile(
            rf"\n[ \t]*(?:By[ \t]+(?:{PERSONS})[ \t]*[,|/]|(?:{PERSONS})[ \t]*,)"
            r"[ \t]*(?P<o>[A-Z][^\n]{0,80}?)[ \t.]*$",
            re.MULTILINE,
        ),
    ),
    # "(Reporting by Jane Roe for the Example Times; Editing by John Doe)": the line names
    # people, and an outlet only when it states one (see _reporting_credits).
    ("reporting credit", re.compile(rf"\n[ \t]*\(?(?:[A-Z][a-z]+[ \t]+)?{_CREDIT_WORDS}[ \t]+by[ \t][^\n]*")),
    # "This story was originally published by X", "first appeared in the X", "Republished
    # with permission from X": the page says whose piece it carries.
    (
        "republication notice",
        re.compile(
            r"(?:(?:[Oo]riginally|[Ff]irst)[ \t]+(?:published|appeared)|"
            r"[Rr]epublished(?:[ \t]+with[ \t]+(?:the[ \t]+)?permission)?)"
            rf"[ \t]+(?:by|in|on|at|from|of)[ \t]+(?P<o>(?:[Tt]he[ \t]+)?{_NAME})"
        ),
    ),
)
# Cue kinds kept where they stand on a line classified as page furniture.
_IN_FURNITURE = frozenset({"source line", "copyright", "sign-off", "reporting credit", "republication notice"})
_AFFILIATION_PARTS = re.compile(r"[ \t]*[,|/][ \t]*")
# Cue kinds whose captured name must be a known outlet, not just outlet-shaped: a
# heading such as "Daily Review" alone on a line is not a credit.
_KNOWN_ONLY = frozenset({"outlet line"})
# Cue kinds whose name is read by a stricter rule than _outlet_in (which takes any leading
# part: "Efe Kerem" would be the agency EFE), see _named_outlet and _signed_outlet.
_STRICT = frozenset({"sign-off", "reporting credit", "republication notice"})
# Cue kinds that open with a lowercase keyword, which must start a word. (A leading \b
# in the pattern would stop the regex engine from jumping to the keyword.)
_KEYWORD_FIRST = frozenset({"according to", "told", "on-air credit", "republication notice"})
# Cue kinds whose pattern opens with an alternation the regex engine would try at every
# position (a republication notice: 285 µs a news_events page): each match opens a fixed
# distance before one of its _NEEDS literals (found with str.find), see _literal_matches.
_AT_LITERAL = frozenset({"republication notice"})
# Those distances, for single spaces: "rep|ublished", "first a|ppeared", "originally p|ublished".
# (Each literal looked for costs 2 µs a generated article, stored as UCS-2: "reprinted" is left out.)
_LITERAL_LEADS = (3, 7, 12)
# Patterns that open with a line break standing for "^" (a line start): they run on the
# text after a line break, so the engine jumps from break to break, where "^" under
# MULTILINE was tried at every position (outlet line 25 against 10 µs a generated
# article; on a news_events page credit prefix 56 against 37 µs, source line 24
# against 6, byline 22 against 4). Each search resumes at the last character of the
# previous match, which may be the break before the next match's line.
_AFTER_BREAK = frozenset({"credit prefix", "source line", "byline", "outlet line", "signed byline", "reporting credit"})
# Text a cue cannot match without, checked before running its pattern: as written for
# the case-sensitive patterns (a byline needs "By": "by" let it run on 96% of generated
# articles, "By" on 18%), casefolded for the others (_NEEDS_FOLDED, looked for only
# when needed, see _cue_matches).
_NEEDS: dict[str, tuple[str, ...]] = {
    "credit prefix": (":",),
    "according to": ("according to",),
    "told": ("told",),
    "dateline credit": ("(",),
    "byline": ("By",),
    "on-air credit": ("said on", "said to"),
    "signed byline": (",", "By"),
    "reporting credit": ("ing by",),
    "republication notice": ("ublished", "ppeared"),
}
_NEEDS_FOLDED: dict[str, tuple[str, ...]] = {
    "source line": ("source", "via", "originally published", "credit"),
}
# Where a copyright match can open: "©", "(" (of "(c)"), or the "c" of "copyright" three
# characters before its "y" (under IGNORECASE "y" matches only "y" and "Y").
_COPYRIGHT_OPENINGS = "©("
_COPYRIGHT_Y = "yY"
_COPYRIGHT_C = "cC"
# "X reported": the keyword, then the name right before it (searched in a window behind
# the keyword: trying the name pattern at every capital letter of an article cost more
# than all other cues together). The keyword is found from its literal opening, see
# _reported.
_REPORTED = re.compile(r"report(?:ed|s)\b")
_REPORTED_LEADS = ("has ", "first ")
_WORD_CHAR = re.compile(r"\w")
_NAME_BEFORE = re.compile(rf"(?P<o>{_NAME})\s+\Z")
_LOOK_BACK = 160
# A sign-off closing a piece: "— Reuters", "– The Associated Press", "(...) he said. —AFP".
# A long dash, then the outlet's name up to the end of the line (word runs possessive).
# It is tried only at dashes right after a line start or a sentence's end, see _sign_offs.
# ("--" is not looked for: str.find("--") cost 4.5 µs a generated article, stored as UCS-2.)
_SIGN_OFF = re.compile(r"[—–][ \t]*(?P<o>[A-Z][\w.&'’-]*+(?:[ \t]+[A-Z][\w.&'’-]*+){0,4}+)[ \t]*$", re.MULTILINE)
_SIGN_OFF_DASHES = "—–"
_SENTENCE_ENDS = frozenset('.!?"”’)')
_SIGN_OFF_SPACES = 8  # spaces looked through between a sentence's end and the dash
# Names in a reporting credit line (the first characters of it: people and places, and an
# outlet where the line states one).
_CREDIT_NAME = re.compile(_NAME)
_CREDIT_LINE_CHARS = 400

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_MONTH_NUMBER = {m[:3].casefold(): i for i, m in enumerate(_MONTHS.split("|")[:12], start=1)}
_WEEKDAY = r"(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?"
_DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(rf"{_WEEKDAY}(?P<month>{_MONTHS})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})"),
    re.compile(rf"{_WEEKDAY}(?P<day>\d{{1,2}})\s+(?P<month>{_MONTHS})\.?,?\s+(?P<year>\d{{4}})"),
    re.compile(r"(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})(?:T[\d:.]+Z?)?"),
)
_YEAR = re.compile(r"\d{4}")
_DATE_CUE = re.compile(r"(published|updated|posted|last updated|articles on|news on|date)\s*:?\s*$", re.IGNORECASE)
_DATELINE_DASHES = ("—", "–", "--")  # what _DATELINE closes with: a paragraph without one is none
_DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z.'-]+(?:[ ,]+[A-Z][A-Z.'-]+)*|[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,3})"
    r"(?:,\s*[A-Z][\w.]+)?\s*(?:\((?P<outlet>[^)]{1,40})\))?\s*(?:--|—|–)\s*",
)


def canonical_outlet(name: str) -> str | None:
    """The canonical name of an outlet, or None when ``name`` does not look like one.

    >>> canonical_outlet("cnnespanol"), canonical_outlet("CNBC’s"), canonical_outlet("Angela Stent")
    ('CNN', 'CNBC', None)
    >>> canonical_outlet("Kyiv Independent")
    'Kyiv Independent'
    """
    cleaned = name.strip().strip(".,;:")
    if cleaned.endswith(_POSSESSIVE_ENDS):  # the pattern can match only then (most names: no)
        cleaned = _POSSESSIVE_END.sub("", cleaned)
    cleaned = cleaned.strip()
    folded = cleaned.casefold()
    for candidate in (folded, folded.removeprefix("the ")):
        if candidate in _ALIAS:
            return _ALIAS[candidate]
    if _OUTLET_SHAPE.search(cleaned) and cleaned[:1].isupper():
        return cleaned
    return None


def outlet_cues(clean: str, exclude: Sequence[Span] = ()) -> tuple[OutletCue, ...]:
    """Every credit or attribution naming an outlet, in text order, de-duplicated."""
    found: dict[tuple[str, str, int], OutletCue] = {}
    for kind, name, span in _cue_matches(clean):
        if any(e.start <= span.start < e.end for e in exclude) and kind not in _IN_FURNITURE:
            continue
        if kind in _KNOWN_ONLY:
            outlet = canonical_outlet(name)  # the whole line must be the name
            outlet = outlet if outlet in OUTLETS else None
        elif kind == "signed byline":
            outlet = _signed_outlet(name)
        elif kind in _STRICT:
            outlet = _named_outlet(name)
        else:
            outlet = _outlet_in(name)
        if outlet is None:
            continue
        text = span.slice(clean).strip()
        found.setdefault((outlet, kind, span.start), OutletCue(outlet, kind, text, span))
    cues = sorted(found.values(), key=lambda c: (c.span.start, c.kind, c.outlet))
    # "Originally published by X" opening a line is a source line already: one credit, not two.
    sources = [c for c in cues if c.kind == "source line"]
    if sources:
        cues = [c for c in cues if c.kind != "republication notice" or not _within(c, sources)]
    return tuple(cues)


def _within(cue: OutletCue, others: Sequence[OutletCue]) -> bool:
    return any(o.outlet == cue.outlet and o.span.start <= cue.span.start < o.span.end for o in others)


def _leading_known(words: Sequence[str]) -> tuple[str, int] | None:
    """The gazetteer outlet the longest leading part of ``words`` names, and that part's length.

    A short name counts only as the outlet writes it ("AP", "dpa"), not as a person's
    first name ("Efe", "Ft.").

    >>> _leading_known(["CNN", "Supreme", "Court", "Reporter"]), _leading_known(["Efe", "Kerem"])
    (('CNN', 1), None)
    """
    for size in range(len(words), 0, -1):
        name = " ".join(words[:size])
        outlet = canonical_outlet(name)
        if outlet in OUTLETS and outlet is not None:
            bare = name.strip(".,;:'’")
            if len(bare) > 3 or bare.isupper() or bare == outlet:
                return outlet, size
    return None


def _named_outlet(name: str) -> str | None:
    """The outlet a sign-off, a reporting credit or a republication notice names, read strictly.

    A gazetteer outlet, alone or followed by words such as "TV" or "News" ("Reuters TV");
    an outlet-shaped name only after "the" (a person's name never takes it) or of three
    words or more ("Kaiser Health News"): "Emily Post" and "Tom Herald" are people.

    >>> _named_outlet("Reuters TV"), _named_outlet("The Kyiv Independent"), _named_outlet("Emily Post")
    ('Reuters', 'Kyiv Independent', None)
    >>> _named_outlet("AP's Jane Roe"), _named_outlet("Efe Kerem")
    ('AP', None)
    """
    words = name.split()
    article = bool(words) and words[0] in ("The", "the")
    words = words[1:] if article else words
    for i, word in enumerate(words):
        if word.endswith(("'s", "’s", "'", "’")):  # "AP's Jane Roe": the possessor
            words = words[: i + 1]
            words[-1] = _POSSESSIVE_END.sub("", word).rstrip("'’")
            break
    known = _leading_known(words)
    if known is not None and all(_OUTLET_SHAPE.fullmatch(w) for w in words[known[1] :]):
        return known[0]
    whole = canonical_outlet(" ".join(words)) if words else None
    if whole is not None and whole not in OUTLETS and (article or len(words) >= 3):
        return whole
    return None


def _signed_outlet(affiliation: str) -> str | None:
    """The outlet of a signed byline, from what follows the writer's name.

    Each part (split at commas, pipes, slashes): a gazetteer outlet leading it ("CNN
    Supreme Court Reporter"), else the whole part when it ends like an outlet's name
    ("Houston Chronicle", "The Kyiv Independent"); "Senior Writer" or "Independent
    Senator" name no outlet.

    >>> _signed_outlet("CNN Supreme Court Reporter"), _signed_outlet("Senior Writer, Houston Chronicle")
    ('CNN', 'Houston Chronicle')
    >>> _signed_outlet("Independent Senator"), _signed_outlet("Etiquette Columnist")
    (None, None)
    """
    for part in _AFFILIATION_PARTS.split(affiliation):
        words = part.split()
        if words[:1] == ["The"]:
            words = words[1:]
        if not words:
            continue
        known = _leading_known(words)
        if known is not None:
            return known[0]
        whole = canonical_outlet(" ".join(words))
        if whole is not None and _OUTLET_SHAPE.fullmatch(words[-1].strip(".,;:")):
            return whole
    return None


def _folded_view(clean: str) -> str:
    """A text holding each literal of :data:`_NEEDS_FOLDED` exactly when ``clean.casefold()`` does.

    Casefolding a page that is not pure ASCII (curly quotes suffice) goes character by
    character. The literals are ASCII: without a
    character that casefolds to ASCII, a literal stands in the casefolded text exactly
    where it stands in the text with only its ASCII letters lowered (UTF-8 bytes
    lowered, non-ASCII characters untouched): 29 against 21 µs a generated article
    (_cue_matches, which tests the literals on it, 102 against 93 µs).

    >>> _folded_view("SOURCE: “Via”"), _folded_view("ﬁ Straße")
    ('source: “via”', 'fi strasse')
    """
    if clean.isascii():
        return clean.lower()  # casefold is lower on ASCII, which str.lower does fastest
    if any(char in clean for char in FOLDS_TO_ASCII):
        return clean.casefold()
    return clean.encode().lower().decode()


def _cue_matches(clean: str) -> Iterator[tuple[str, str, Span]]:
    """(kind, captured name, span) of every cue match; prefiltered, see :data:`_NEEDS`.

    A source line's casefolded literals (:data:`_NEEDS_FOLDED`) are looked for in
    :func:`_folded_view` only when the answer is not known without it: its pattern
    matching ASCII text (its keyword among it) shows a literal. The view (17 µs a
    generated article) and the literal tests (15 µs, where the pattern alone takes 8)
    were paid on every page: extract 240 -> 211 µs a generated article. The copyright
    cue is tried only where it can open (:func:`_copyright_matches`).
    """
    after_break = ""
    for kind, pattern in _CUES:
        # (a kind matched at its literals looks for them itself: no scan for them first)
        if kind in _NEEDS and kind not in _AT_LITERAL and not any(literal in clean for literal in _NEEDS[kind]):
            continue
        if kind in _AFTER_BREAK:  # the match opens with the break before its line
            after_break = after_break or "\n" + clean
            found = _after_break(pattern, after_break)
            if kind == "source line" and found and not any(match.group().isascii() for match in found):
                folded = _folded_view(clean)
                if not any(literal in folded for literal in _NEEDS_FOLDED[kind]):
                    continue
            if kind == "reporting credit":
                for match in found:
                    yield from _reporting_credits(clean, match.start(), match.end() - 1)
                continue
            for match in found:
                yield kind, match.group("o"), Span(match.start(), match.end() - 1)
            continue
        if kind == "copyright":
            matches: Iterable[re.Match[str]] = _copyright_matches(pattern, clean)
        elif kind in _AT_LITERAL:
            matches = _literal_matches(pattern, clean, _NEEDS[kind])
        else:
            matches = pattern.finditer(clean)
        for match in matches:
            if kind in _KEYWORD_FIRST and match.start() > 0 and clean[match.start() - 1].isalnum():
                continue
            yield kind, match.group("o"), Span(match.start(), match.end())
    for start, end in _reported(clean):
        name = _NAME_BEFORE.search(clean, max(0, start - _LOOK_BACK), start)
        if name is not None:
            yield "reported", name.group("o"), Span(name.start(), end)
    yield from _sign_offs(clean)


def _reporting_credits(clean: str, start: int, end: int) -> Iterator[tuple[str, str, Span]]:
    """The outlets a reporting credit line states, each with the line as its span.

    The line names people ("Reporting by Jane Roe in Paris; Editing by John Doe"): a
    name counts only when :func:`_named_outlet` reads an outlet in it (with "the" before
    it when it is not a gazetteer outlet), so no outlet is made of a person's name.

    >>> text = "Body.\\n(Reporting by Jane Roe for the Example Times and Reuters TV; Editing by Tom Post)"
    >>> [(name, span.slice(text)[:13]) for _, name, span in _reporting_credits(text, 6, len(text))]
    [('The Example Times', '(Reporting by'), ('Reuters TV', '(Reporting by')]
    """
    while start < end and clean[start] in " \t":
        start += 1
    line = clean[start : min(end, start + _CREDIT_LINE_CHARS)]
    span = Span(start, end)
    for match in _CREDIT_NAME.finditer(line):
        name = match.group()
        if line.endswith(("the ", "The "), 0, match.start()):
            name = "The " + name
        if _named_outlet(name) is not None:
            yield "reporting credit", name, span


def _sign_offs(clean: str) -> Iterator[tuple[str, str, Span]]:
    """Sign-offs (:data:`_SIGN_OFF`) naming an outlet: a long dash opening a line or after a
    sentence's end, then the name up to the end of the line.

    Long dashes are found with ``str.find``; the pattern runs only where a sign-off can open.

    >>> [(name, span.slice(t)) for t in ["He left.\\n\\n— Reuters", "It ended. —The Kyiv Independent\\nNext"]
    ...  for _, name, span in _sign_offs(t)]
    [('Reuters', '— Reuters'), ('The Kyiv Independent', '—The Kyiv Independent')]
    """
    for at in positions_of(clean, _SIGN_OFF_DASHES):
        after = clean[at + 1 : at + 2]
        if after.isalnum() and not after.isupper():
            continue  # a range ("2018–2019") or a dash inside a sentence
        before = at - 1
        while before >= 0 and at - before <= _SIGN_OFF_SPACES and clean[before] in " \t":
            before -= 1
        line_start = before < 0 or clean[before] == "\n"
        if not line_start and clean[before] not in _SENTENCE_ENDS:
            continue
        match = _SIGN_OFF.match(clean, at)
        if match is not None:
            yield "sign-off", match.group("o"), Span(at, match.end())


def _copyright_matches(pattern: re.Pattern[str], clean: str) -> list[re.Match[str]]:
    """What ``pattern.finditer(clean)`` finds (the copyright cue), tried only where a match can open.

    The pattern opens with a class of four characters, which the regex engine tests at
    every character of the page; its openings (:data:`_COPYRIGHT_OPENINGS`, and the
    ``c`` before each ``y``) are found with ``str.find`` instead, and the pattern is
    matched at each in order, resuming where the last match ended as ``finditer`` does
    (a generated article 47 against 7 µs, pure Python; the casefolded view this cue was
    prefiltered with cost 12 µs alone). Every match is still the pattern's, so an
    opening found here that does not match costs one failed ``match``.

    >>> pattern = dict(_CUES)["copyright"]
    >>> text = "(Cited) COPYRIGHT 2021 Daily News. ©2020 AP, (c) 1999 Wire."
    >>> [m.span() for m in _copyright_matches(pattern, text)] == [m.span() for m in pattern.finditer(text)]
    True
    """
    starts = positions_of(clean, _COPYRIGHT_OPENINGS)
    starts.extend(at - 3 for at in positions_of(clean, _COPYRIGHT_Y) if at >= 3 and clean[at - 3] in _COPYRIGHT_C)
    starts.sort()
    return _matches_at(pattern, clean, starts)


def _literal_matches(pattern: re.Pattern[str], clean: str, literals: Sequence[str]) -> list[re.Match[str]]:
    """What ``pattern.finditer(clean)`` finds for a pattern whose matches open a fixed distance
    (:data:`_LITERAL_LEADS`) before one of ``literals`` (see :data:`_AT_LITERAL`), tried only there.

    "published" stands in many pages ("Published 10:31 am"): three failed ``match`` calls
    each, where the pattern searched every position.

    >>> pattern = dict(_CUES)["republication notice"]
    >>> text = "First appeared in the Daily Post. It was first published by The Example Times, republished from CNN."
    >>> found = _literal_matches(pattern, text, _NEEDS["republication notice"])
    >>> [m.span() for m in found] == [m.span() for m in pattern.finditer(text)], len(found)
    (True, 3)
    """
    at_literal = [at for literal in literals if literal in clean for at in _find_all(clean, literal)]
    if not at_literal:
        return []
    return _matches_at(
        pattern, clean, sorted({at - lead for at in at_literal for lead in _LITERAL_LEADS if at >= lead})
    )


def _matches_at(pattern: re.Pattern[str], clean: str, starts: Sequence[int]) -> list[re.Match[str]]:
    """``pattern`` matched at each of the sorted ``starts``, resuming where the last match ended
    as ``finditer`` does (the patterns never match empty text)."""
    found: list[re.Match[str]] = []
    resume = 0
    for start in starts:
        if start < resume:
            continue
        match = pattern.match(clean, start)
        if match is not None:
            found.append(match)
            resume = match.end()
    return found


def _find_all(text: str, literal: str) -> Iterator[int]:
    at = text.find(literal)
    while at >= 0:
        yield at
        at = text.find(literal, at + 1)


def _after_break(pattern: re.Pattern[str], after_break: str) -> list[re.Match[str]]:
    """The matches of a pattern opening with a line break (see :data:`_AFTER_BREAK`), in order.

    Each search resumes at the last character of the previous match, which may be the
    break before the next match's line.
    """
    found: list[re.Match[str]] = []
    match = pattern.search(after_break)
    while match is not None:
        found.append(match)
        match = pattern.search(after_break, match.end() - 1)
    return found


def _reported(clean: str) -> Iterator[tuple[int, int]]:
    """Spans of what ``\\b(?:has |first )?(?:reported|reports)\\b`` finds, in order.

    That pattern opens with ``\\b``, so the regex engine tried it at every position
    (210 µs a news_events page); here the engine jumps to each keyword and the word
    boundary and the optional lead before it are checked by hand (9 µs).

    >>> list(_reported("CNN has reported it; Reuters reports; misreported; (first reported)"))
    [(4, 16), (29, 36), (52, 66)]
    """
    last = 0  # where the previous match ended: the next cannot start before it
    for match in _REPORTED.finditer(clean):
        keyword = match.start()
        start = keyword if _starts_word(clean, keyword) else -1
        for lead in _REPORTED_LEADS:
            at = keyword - len(lead)
            if at >= last and clean.startswith(lead, at) and _starts_word(clean, at):
                start = at
        if start >= 0:
            last = match.end()
            yield start, last


def _starts_word(text: str, i: int) -> bool:
    """``\\b`` before ``text[i]``, a word character."""
    return i == 0 or not _WORD_CHAR.match(text, i - 1)


def _outlet_in(name: str) -> str | None:
    """Try the whole captured name, then shorter leading parts ("CNBC’s Squawk Box")."""
    words = name.split()
    for size in range(len(words), 0, -1):
        outlet = canonical_outlet(" ".join(words[:size]))
        if outlet is not None:
            return outlet
    return None


def find_title(
    clean: str, lines: Sequence[Line], sentences: Sequence[Segment], settings: NormalizeSettings
) -> tuple[str | None, Evidence | None]:
    """The first heading-like line near the top, else the first sentence."""
    seen = 0
    for line in lines:
        if line.kind in ("blank", "furniture"):
            continue
        seen += 1
        if seen > settings.title_search_lines:
            break
        text = line.clean.slice(clean).strip()
        words = text.split()
        short = line.kind == "heading" or len(words) <= settings.heading_max_words * 2
        if not short:
            break  # the body has begun: a title stands above it
        if len(words) >= settings.title_min_words and not _only_date(text) and not _DATELINE.fullmatch(text):
            return text, Evidence("title", "first heading-like line", span=line.clean)
    if sentences:
        first = sentences[0]
        return first.clean.slice(clean), Evidence("title", "no heading line: first sentence", span=first.clean)
    return None, None


def _only_date(text: str) -> bool:
    return any(p.fullmatch(text.strip().rstrip(".")) for p in _DATE_PATTERNS)


def find_date(clean: str, lines: Sequence[Line]) -> tuple[str | None, Evidence | None]:
    """A date on a line of its own, or right after a date cue, as ISO ``YYYY-MM-DD``."""
    for line in lines:
        if line.kind == "blank":
            continue
        text = line.clean.slice(clean)
        if not _year_near_end(text):
            continue
        for match in _dates(text):
            before = text[: match.start()].strip()
            after = text[match.end() :].strip()
            alone = not before and not after
            cued = bool(_DATE_CUE.search(before)) and len(after.split()) <= 3
            if alone or cued:
                iso = _iso(match)
                if iso:
                    detail = "date on a line of its own" if alone else f"date after the cue {before!r}"
                    span = Span(line.clean.start + match.start(), line.clean.start + match.end())
                    return iso, Evidence("date", detail, span=span)
    return None, None


def _year_near_end(text: str) -> bool:
    """Whether a four-digit year stands in one of the last five words of a line.

    A date counts only alone on its line or with at most three words after it, and its
    year is its last part (or followed by no space), so a line without such a year
    holds no date that counts. The date patterns open with an optional weekday, so the
    regex engine tried them at every position of every line: find_date took 604 µs a
    news_events page (most state no date of their own), 50 µs with this test first.

    >>> _year_near_end("Published: Jan. 5, 2018 at 10:00"), _year_near_end("In 2018 it rained on and off all year.")
    (True, False)
    """
    return bool(_YEAR.search(" ".join(text.rsplit(None, 5)[-5:])))


def _dates(text: str) -> Iterator[re.Match[str]]:
    for pattern in _DATE_PATTERNS:
        yield from pattern.finditer(text)


def _iso(match: re.Match[str]) -> str | None:
    groups = match.groupdict()
    month = int(groups["mnum"]) if groups.get("mnum") else _MONTH_NUMBER.get(groups["month"][:3].casefold())
    day, year = int(groups["day"]), int(groups["year"])
    if not month or not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


# --- dates the text mentions (what a stated date is checked against) -----------------------------

# A year in running text: not part of a longer number, an amount, a decimal or a word
# ("$2024", "2,024", "2024.5", "2024%", "A2024" are not years).
_YEAR_TAIL = re.compile(r"\d\d(?![\w%]|[.,/]\d)")
_NOT_BEFORE_YEAR = frozenset("$£€.,/_")
# What makes a year a date of day or month precision: the month and day before it, or
# the rest of an ISO date after it.
# A month and day, a day and month, or a month, filling what stands before a year
# ("March 3, ", "3rd of March ", "May "): tried with fullmatch from the start of each of
# the last words before the year, where a search anchored at the end tried every position.
_MONTH_BEFORE = re.compile(
    rf"(?:(?P<month>{_MONTHS})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?|"
    rf"(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<month2>{_MONTHS})\.?|"
    rf"(?P<month3>{_MONTHS})\.?),?\s+"
)
_WORDS_BEFORE_YEAR = 3
_ISO_TAIL = re.compile(r"-(?P<mnum>\d\d)-(?P<day>\d\d)(?!\d)")
_LOOK_BEFORE_YEAR = 24
# A bare year counts only after words that place an event in it ("in 2023", "since
# 2019", "mid-2021", "(2019)"): after other words a four-digit number is as often a count
# ("2000 troops"), and "by 2030", "until 2030" look ahead, not back.
_YEAR_LEADS = frozenset(
    {"in", "since", "during", "from", "after", "of", "early", "late", "mid", "between", "and", "year"}
    | {"spring", "summer", "autumn", "fall", "winter"}
)
# Lines whose dates are the page's claims about itself, not its text: a date alone or
# after a cue (find_date), a short line naming publication or an update, a copyright line.
_CLAIM_WORDS = re.compile(r"\b(?:published|updated|posted|modified|edited|copyright)\b|©|\([cC]\)", re.IGNORECASE)
_CLAIM_LINE_WORDS = 12
# Mentions kept per document: the earliest ones after its stated date (only they can
# contradict it, see provenance.lineage).
_MENTIONS_KEPT = 4


def mentions_after(clean: str, lines: Sequence[Line], date: str | None) -> tuple[tuple[str, Span], ...]:
    """Dates the text mentions that fall after ``date`` (ISO), earliest first, as
    ``(value, span)`` with ``value`` as precise as the text is: ``2024-03-03``,
    ``2024-03`` (a month) or ``2024`` (a year after a word like "in").

    A page's own claims (its date line, "Updated ...", copyright lines) and furniture are
    not its text and are skipped. Only years from the century of ``date`` on are looked
    for, found from their first two digits (a literal the regex engine jumps to).

    >>> from provenance.api import document_from_text
    >>> doc = document_from_text(
    ...     "Port grows\\n\\nMay 1, 2010\\n\\nOn March 3, 2024 the port, opened in 1998, grew by 2000 boxes in 2023."
    ...     "\\n\\nUpdated: May 2, 2024\\n\\n© 2011 Example News"
    ... )
    >>> found = mentions_after(doc.clean, doc.lines, "2010-05-01")
    >>> [(value, span.slice(doc.clean)) for value, span in found]
    [('2023', '2023'), ('2024-03-03', 'March 3, 2024')]
    """
    if not date:
        return ()
    century = int(date[:2])
    found: dict[str, Span] = {}
    for lead in range(max(century, 18), 21):
        prefix = str(lead)
        at = clean.find(prefix)
        while at >= 0:
            # A year before the date's year cannot follow it: most numbers stop here.
            if clean[at : at + 4] >= date[:4]:
                mention = _mention(clean, at)
                if mention is not None and date_floor(mention[0]) > date and mention[0] not in found:
                    found[mention[0]] = mention[1]
            at = clean.find(prefix, at + 2)
    if not found:
        return ()
    claims = _claim_lines(clean, lines)
    kept = [(value, span) for value, span in found.items() if not any(c.start <= span.start < c.end for c in claims)]
    kept.sort(key=lambda item: (date_floor(item[0]), item[1].start))
    return tuple(kept[:_MENTIONS_KEPT])


def date_floor(value: str) -> str:
    """The first day a mention can mean, as ISO (``2024`` -> ``2024-01-01``).

    >>> date_floor("2024"), date_floor("2024-03"), date_floor("2024-03-03")
    ('2024-01-01', '2024-03-01', '2024-03-03')
    """
    return (value + "-01-01")[:10]


def _mention(clean: str, at: int) -> tuple[str, Span] | None:
    """The date mentioned by the year starting at ``at``, if it reads as one."""
    if at > 0 and (clean[at - 1].isalnum() or clean[at - 1] in _NOT_BEFORE_YEAR):
        return None
    tail = _YEAR_TAIL.match(clean, at + 2)
    if tail is None:
        return None
    year, end = clean[at : at + 4], tail.end()
    iso = _ISO_TAIL.match(clean, end)
    if iso is not None:
        value = _checked(int(year), int(iso.group("mnum")), int(iso.group("day")))
        return (value, Span(at, iso.end())) if value else None
    window = clean[max(0, at - _LOOK_BEFORE_YEAR) : at]
    starts = _word_starts(window)
    for start in reversed(starts):
        named = _MONTH_BEFORE.fullmatch(window, start)
        if named is not None:
            name = named.group("month") or named.group("month2") or named.group("month3")
            month = _MONTH_NUMBER[name[:3].casefold()]
            day = named.group("day") or named.group("day2")
            value = _checked(int(year), month, int(day)) if day else f"{year}-{month:02d}"
            return (value, Span(at - len(window) + start, end)) if value else None
    if window.endswith("(") or clean.startswith(("’s", "'s"), end):
        return year, Span(at, end)
    lead = window[starts[0] :].rstrip().removesuffix("-").casefold() if starts else ""
    return (year, Span(at, end)) if lead in _YEAR_LEADS else None


def _word_starts(window: str) -> list[int]:
    """Where each of the last few words before the end of ``window`` starts, last first.

    >>> _word_starts("was on March 3, "), _word_starts("mid-")
    ([13, 7, 4], [0])
    """
    starts: list[int] = []
    end = len(window.rstrip())
    while end > 0 and len(starts) < _WORDS_BEFORE_YEAR:
        start = max(window.rfind(" ", 0, end), window.rfind("\n", 0, end)) + 1
        starts.append(start)
        end = len(window[:start].rstrip())
    return starts


def _checked(year: int, month: int, day: int) -> str | None:
    """``YYYY-MM-DD`` when it is a day of the calendar."""
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _claim_lines(clean: str, lines: Sequence[Line]) -> list[Span]:
    """Spans of the lines that hold the page's claims about itself, and of furniture."""
    spans = []
    for line in lines:
        if line.kind == "blank":
            continue
        if line.kind == "furniture":
            spans.append(line.clean)
            continue
        text = line.clean.slice(clean)
        short = len(text.split()) <= _CLAIM_LINE_WORDS
        claimed = (short and (_CLAIM_WORDS.search(text) or _only_date(text))) or "©" in text
        if claimed or (_year_near_end(text) and any(_DATE_CUE.search(text[: m.start()]) for m in _dates(text))):
            spans.append(line.clean)
    return spans


def find_dateline(clean: str, paragraphs: Sequence[Segment]) -> tuple[str | None, Evidence | None]:
    """``PLACE —`` or ``Place (OUTLET) --`` opening one of the first paragraphs."""
    for paragraph in paragraphs[:8]:
        text = paragraph.clean.slice(clean)
        if not any(dash in text for dash in _DATELINE_DASHES):
            continue  # a dateline ends with one: its pattern took 3.6 µs a paragraph to fail
        match = _DATELINE.match(text)
        if match and (match.group("place").isupper() or match.group("outlet")):
            end = paragraph.clean.start + match.end()
            value = text[: match.end()].strip()
            return value, Evidence("dateline", f"paragraph opens with {value!r}", span=Span(paragraph.clean.start, end))
    return None, None


def extract(
    clean: str,
    lines: Sequence[Line],
    paragraphs: Sequence[Segment],
    sentences: Sequence[Segment],
    settings: NormalizeSettings,
) -> Metadata:
    """All metadata of one document."""
    title, title_evidence = find_title(clean, lines, sentences, settings)
    date, date_evidence = find_date(clean, lines)
    dateline, dateline_evidence = find_dateline(clean, paragraphs)
    furniture = [line.clean for line in lines if line.kind == "furniture"]
    return Metadata(
        title=title,
        title_evidence=title_evidence,
        date=date,
        date_evidence=date_evidence,
        dateline=dateline,
        dateline_evidence=dateline_evidence,
        outlet_cues=outlet_cues(clean, furniture),
    )


__all__ = [
    "OUTLETS",
    "PERSONS",
    "canonical_outlet",
    "date_floor",
    "extract",
    "has_terminal_punctuation",
    "mentions_after",
    "outlet_cues",
]
