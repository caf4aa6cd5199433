"""Matching keys and tokens: the folded form of text used only for comparison.

Keys are casefolded, quotes and dashes folded, punctuation stripped and whitespace
collapsed. They are never shown to users; spans always refer to the real text.

Keys also undo disguise, so a copy dressed up to look different keys like its source
(issue 31): HTML tags are dropped and entities decoded, default-ignorable code points
(zero-width and bidi controls, variation selectors, tag characters) and combining marks
are removed (NFKD first, so accents go too), letters of Latin, Greek, Cyrillic and a few
other alphabets that look like a Latin letter become that letter (the Unicode
confusables data of ``confusable-homoglyphs``), and a sentence with several words
spelled with look-alike digits (``pr0t3st``) has them read as letters. Plain ASCII text
skips all of it but the two markup characters and the digit test.
Tokenising is Unicode-aware: letters and digits of any script form words, and
scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar) are split
into single characters so Chinese or Japanese text does not collapse into one
giant "word".
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from typing import Final

# Quote and dash variants folded to ASCII in keys (evidence keeps the originals).
_FOLD_MAP = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2039": "'",
    "\u203a": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
}
_FOLD = str.maketrans(_FOLD_MAP)

# Characters of scripts written without spaces between words.
_UNSPACED = (
    "\u0e00-\u0e7f"  # Thai
    "\u0e80-\u0eff"  # Lao
    "\u1000-\u109f"  # Myanmar
    "\u1780-\u17ff"  # Khmer
    "\u3040-\u30ff"  # Hiragana, Katakana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # CJK compatibility ideographs
)
_TOKEN = re.compile(rf"[{_UNSPACED}]|[^\W_{_UNSPACED}]+(?:['][^\W_{_UNSPACED}]+)*")
_UNSPACED_CHAR = re.compile(f"[{_UNSPACED}]")
# Folded ASCII text (most sentences once quotes and dashes are folded) has no unspaced
# script and no capitals, so _TOKEN's words are its runs of [a-z0-9], joined by inner
# apostrophes. Mapping every other byte to a space and splitting finds them 3x faster
# than the regex (2.8 against 7.8 µs a sentence of a generated article).
# The characters outside ASCII whose casefold holds an ASCII character (ß → ss, ſ → s,
# K → k, ﬁ → fi, ẗ → t + U+0308, …), all of them (tests/test_text.py checks every code
# point). Without one of them, an ASCII literal stands in a text's casefold exactly where
# it stands in the text with only its ASCII letters lowered, which is far cheaper than
# casefolding a page that is not pure ASCII (metadata's cue view, credits' notice hint).
FOLDS_TO_ASCII = (
    "\u00df\u0130\u0149\u017f\u01f0\u1e96\u1e97\u1e98\u1e99\u1e9a\u1e9e\u212a\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"
)
_ASCII_SPACES = bytes(c if c in b"abcdefghijklmnopqrstuvwxyz0123456789'" else 32 for c in range(256))
# In such text an apostrophe belongs to a token only between two letters or digits
# (as _TOKEN joins them); any other is a separator. The pattern opens with the
# apostrophe so the regex engine jumps from one to the next.
_LONE_APOSTROPHE = re.compile(r"'(?:(?<![a-z0-9]')|(?![a-z0-9]))")

# --- undoing disguise --------------------------------------------------------------------

# HTML comments and tags, and character references with their semicolon (``AT&T`` and
# ``x < y`` are text, not markup). Inline tags join what they split (``<b>w</b>ord``);
# any other tag separates words, as a browser shows it.
_MARKUP = re.compile(
    r"<!--.*?-->|</?([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/?>"
    r"|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",
    re.DOTALL,
)
_INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins", "kbd"}
    | {"mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr"}
)
# Default-ignorable code points (DerivedCoreProperties.txt: soft hyphen, zero-width and
# bidi controls, Hangul fillers, variation selectors, tag characters), then the blocks
# of combining diacritics that NFKD splits accents into and that "zalgo" text stacks.
IGNORABLE = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164"
    "\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufff8\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff"
)
DIACRITICS = "\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_HIDDEN = re.compile(f"[{IGNORABLE}{DIACRITICS}]+")


def char_ranges(chars: str) -> list[tuple[int, int]]:
    """The code points of a regex class body of characters and ``a-b`` ranges (no escapes),
    as sorted, merged ``(first, last)`` ranges.

    >>> char_ranges("\u0300-\u036f\u034f\u00ad\u0370")
    [(173, 173), (768, 880)]
    """
    found: list[tuple[int, int]] = []
    at = 0
    while at < len(chars):
        if at + 2 < len(chars) and chars[at + 1] == "-":
            found.append((ord(chars[at]), ord(chars[at + 2])))
            at += 3
        else:
            found.append((ord(chars[at]), ord(chars[at])))
            at += 1
    merged: list[tuple[int, int]] = []
    for first, last in sorted(found):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged


# Any other run of non-ASCII characters right after a Latin letter or digit: combining
# marks of other blocks stacked on Latin text are dropped from it too.
_AFTER_ASCII = re.compile(r"(?<=[a-z0-9])[^\x00-\x7f]+")
# Alphabets whose letters are folded to a Latin look-alike. Arabic, Hebrew, Indic, CJK
# and other scripts keep every letter: their look-alikes (Arabic ه for o) are whole
# letters of running text, not disguise.
_CONFUSABLE_SCRIPTS = frozenset({"LATIN", "GREEK", "CYRILLIC", "ARMENIAN", "CHEROKEE", "COPTIC"})
# Where the letters of those alphabets other than Latin lie (after NFKD).
_CONFUSABLE_RANGES = (
    "\u0370-\u03ff\u0400-\u052f\u0530-\u058f\u13a0-\u13ff\u1c80-\u1c8f\u2c80-\u2cff\u2de0-\u2dff"
    "\ua640-\ua69f\uab70-\uabbf"
)
_LATIN_LETTER = re.compile("[a-z]")
# Words with a letter and a digit that stands for one (0 o, 1 i, 3 e, 4 a, 5 s, 7 t,
# 8 b, 9 g) are read as letters only in a sentence with at least this many of them and
# at least this share of its words: one model name (G7, A380, MP3) never triggers it.
_LEET_MIN_WORDS = 2
_LEET_MIN_SHARE = 0.2
_LEET_DIGITS = "01345789"
_LEET = str.maketrans(_LEET_DIGITS, "oieastbg")
# A number of two digits or more with a unit or suffix (10am, 1990s, 16bn), an ordinal
# (1st, 4th) or a decade (80s) is a number, never a word.
_NUMBER_WITH_SUFFIX = re.compile(r"[0-9]{2,}[a-z]+|[0-9]*(?:1st|2nd|3rd|[04-9]th|1[1-3]th|0s)")
_DIGIT_BY_LETTER = re.compile(r"[0-9](?:'?[^\W\d_]|(?<=[^\W\d_][0-9])|(?<=[^\W\d_]'[0-9]))")
# ASCII text as its shape: digits 0, letters a, apostrophes kept, anything else a space.
# (Final: the compiled module reads these as constants, not from the module's dict.)
_SHAPE: Final = bytes(48 if 48 <= c <= 57 else 97 if 97 <= c <= 122 else c if c == 39 else 32 for c in range(256))
_LOWER_A: Final = 97
_LOWER_Z: Final = 122
_APOSTROPHE: Final = 39
# Longer ASCII text has its digits found one digit at a time (ten ``str.find``, each a
# memchr), shorter text through its shape (one pass, but a pass that costs more a byte).
_FIND_DIGITS_FROM: Final = 256


def _digit_by_letter(text: str) -> bool:
    """Whether a letter stands beside a digit (an apostrophe between them or not) in lowered ``text``.

    >>> _digit_by_letter("in 2024 the g7"), _digit_by_letter("in 2024 the g 7"), _digit_by_letter("д7")
    (True, False, True)
    """
    if not text.isascii():
        return _DIGIT_BY_LETTER.search(text) is not None
    return _ascii_digit_by_letter(text)


def _ascii_digit_by_letter(text: str) -> bool:
    """:func:`_digit_by_letter` of ASCII text, read only around its digits (rare in prose):
    substring tests for a letter beside a digit stopped at every letter, and were most of
    what keys spent on undoing leetspeak.

    >>> _ascii_digit_by_letter("rock'n'roll 1'a"), _ascii_digit_by_letter("b'12 x"), _ascii_digit_by_letter("12'' a")
    (True, True, False)
    >>> _ascii_digit_by_letter(("x " * 200) + "a 2024 b4"), _ascii_digit_by_letter(("x " * 200) + "a 2024 b")
    (True, False)
    """
    if len(text) >= _FIND_DIGITS_FROM:
        data = text.encode()
        for digit in "0123456789":
            at = text.find(digit)
            while at >= 0:
                if _letter_near(data, at - 1, -1) or _letter_near(data, at + 1, 1):
                    return True
                at = text.find(digit, at + 1)
        return False
    shape = text.encode().translate(_SHAPE)
    at = shape.find(b"0")
    while at >= 0:
        if _letter_near(shape, at - 1, -1) or _letter_near(shape, at + 1, 1):
            return True
        at = shape.find(b"0", at + 1)
    return False


def _letter_near(data: bytes, near: int, step: int) -> bool:
    """Whether ``data[near]`` is a letter (``a`` to ``z``), or an apostrophe with one a ``step`` further."""
    if near < 0 or near >= len(data):
        return False
    byte = data[near]
    if _LOWER_A <= byte <= _LOWER_Z:
        return True
    far = near + step
    return byte == _APOSTROPHE and 0 <= far < len(data) and _LOWER_A <= data[far] <= _LOWER_Z


def strip_markup(text: str) -> str:
    """``text`` without HTML tags and comments, character references decoded.

    >>> strip_markup("<span>Th&#101;</span> <b>c</b>at&nbsp;sat, AT&T said <p>x < y")
    'The cat\xa0sat, AT&T said  x < y'
    """
    if "<" not in text and "&" not in text:
        return text
    return _MARKUP.sub(_unmarked, text)


_CONCEALING = re.compile(f"{_MARKUP.pattern}|[{IGNORABLE}{DIACRITICS}]+", re.DOTALL)


def concealing_edits(text: str) -> list[tuple[int, int, str]]:
    """Edits (``start, end, replacement``) that take out what a reader does not see: markup
    (tags dropped, references decoded), default-ignorable characters and combining marks.

    Sentence boundaries are found on the text so edited (:mod:`provenance.segment`), so a
    zero-width character or a ``</span>`` after every full stop hides none of them.

    >>> concealing_edits("Hi.</span>\u200c <b>So")
    [(3, 10, ''), (10, 11, ''), (12, 15, '')]
    """
    return [(m.start(), m.end(), _unmarked(m) if m.group()[0] in "<&" else "") for m in _CONCEALING.finditer(text)]


def _unmarked(match: re.Match[str]) -> str:
    found = match.group()
    if found[0] == "&":
        return html.unescape(found)
    tag = match.group(1)
    return "" if tag is None or tag.lower() in _INLINE_TAGS else " "


def _drop_marks(run: re.Match[str]) -> str:
    """A run of non-ASCII characters after a Latin letter without its combining marks."""
    return "".join(c for c in run.group() if not unicodedata.category(c).startswith("M"))


@cache
def _confusables() -> tuple[re.Pattern[str], re.Pattern[str], dict[int, str]]:
    """The characters folded to a Latin look-alike (as a class to search), the other
    letters of their alphabets, and the table.

    From the Unicode confusables data (``confusable-homoglyphs``): letters of
    :data:`_CONFUSABLE_SCRIPTS` whose prototype is one ASCII letter. Keys are casefolded
    first, so a lowercase letter also takes its capital's look-alike (Cyrillic н from Н
    is h), and a capital whose prototype is ``l`` looks like ``I`` (Cyrillic І is i).
    Loaded on first use: only texts left with letters outside ASCII need it.

    A key is folded only when such other letters (genuine Greek, Cyrillic, …, which have
    no Latin look-alike) are no more than its Latin letters: a Russian article keys as
    Russian, an English one dressed in Cyrillic о and е as English.
    """
    from confusable_homoglyphs import categories, confusables  # noqa: PLC0415 (see above)

    direct: dict[str, str] = {}
    for char, found in confusables.confusables_data.items():
        if len(char) != 1 or char.isascii() or not unicodedata.category(char).startswith("L"):
            continue
        prototype = found[0]["c"]
        latin = len(prototype) == 1 and prototype.isascii() and prototype.isalpha()
        if latin and categories.alias(char) in _CONFUSABLE_SCRIPTS:
            direct[char] = "i" if prototype == "l" and char.isupper() else prototype.lower()
    table: dict[str, str] = {}
    for char, latin in sorted(direct.items()):
        lower = char.casefold()
        if len(lower) == 1 and not lower.isascii() and (lower == char or lower not in direct):
            table.setdefault(lower, latin)
    folded = "".join(sorted(table))
    others = re.compile(f"(?![{folded}])[{_CONFUSABLE_RANGES}]")
    return re.compile(f"[{folded}]"), others, {ord(c): latin for c, latin in table.items()}


def _fold_unicode(text: str) -> str:
    """Casefolded, compatibility-decomposed ``text`` (not ASCII) with its disguise undone.

    >>> _fold_unicode("Ｒussiа’s cafe\u0301 p\u0336r\u0336o\u200dtest")
    'russia’s cafe protest'
    >>> _fold_unicode("Москва и Пекин")
    'москва и пекин'
    """
    text = unicodedata.normalize("NFKD", text).casefold()
    if not unicodedata.is_normalized("NFKD", text):  # casefolding can compose (rarely)
        text = unicodedata.normalize("NFKD", text)
    if _HIDDEN.search(text):
        text = _HIDDEN.sub("", text)
    if text.isascii():
        return text
    if _AFTER_ASCII.search(text):
        text = _AFTER_ASCII.sub(_drop_marks, text)
    pattern, others, table = _confusables()
    if pattern.search(text) and len(others.findall(text)) <= len(_LATIN_LETTER.findall(text)):
        text = text.translate(table)
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def fold_leet(words: list[str]) -> list[str]:
    """``words`` with look-alike digits read as letters, when enough of them are spelled so.

    >>> fold_leet(["th3", "pr0t3st", "in", "2024", "grew"])
    ['the', 'protest', 'in', '2024', 'grew']
    >>> fold_leet(["the", "g7", "met", "in", "2024", "and", "agreed"])
    ['the', 'g7', 'met', 'in', '2024', 'and', 'agreed']
    """
    found = [i for i, word in enumerate(words) if _leet_word(word)]
    if len(found) < _LEET_MIN_WORDS or len(found) < _LEET_MIN_SHARE * len(words):
        return words
    out = list(words)
    for i in found:
        out[i] = out[i].translate(_LEET)
    return out


def _leet_word(word: str) -> bool:
    """A word with a letter and a look-alike digit, not a number with a suffix (1990s, 10am, 4th).

    >>> [_leet_word(w) for w in ["4nd", "h3ll0", "t0", "1990s", "25th", "16bn", "100km", "2024"]]
    [True, True, True, False, False, False, False, False]
    """
    return (
        not word.isalpha()
        and not word.isdigit()
        and any(c in _LEET_DIGITS for c in word)
        and any(c.isalpha() for c in word)
        and _NUMBER_WITH_SUFFIX.fullmatch(word) is None
    )


def _leet_key(key: str) -> str:
    """A key (tokens joined by spaces) with :func:`fold_leet` applied."""
    if not _digit_by_letter(key):
        return key
    return " ".join(fold_leet(key.split(" ")))


def fold(text: str) -> str:
    """Casefold and fold quote and dash variants, and undo disguise (see the module docstring).

    >>> fold("Russia’s “Aggressive” — Rhetoric")
    'russia\\'s "aggressive" - rhetoric'
    >>> fold("<span>Ruѕѕia</span>&#8217;s Ca\\u0301fe\\u200b")
    "russia's cafe"
    """
    if "<" in text or "&" in text:
        text = strip_markup(text)
    if text.isascii():
        return text.lower()  # casefold is lower on ASCII; nothing to fold or normalise
    text = fold_quotes(text)
    if text.isascii():
        return text.lower()
    return _fold_unicode(text)


def fold_quotes(text: str) -> str:
    """``text`` with its quote and dash variants folded to ASCII (``text.translate(_FOLD)``).

    One ``in`` test for each variant and a replace for each one present: str.translate
    with a dict table walked every character in Python-level lookups (17 µs a sentence),
    and a regex scan for the variants (a class outside Latin-1) took 16 ns a character,
    with a Python call per replacement (a line of a generated article 5.4 against 1.5 µs).

    >>> print(fold_quotes("“It’s” — ok"))
    "It's" - ok
    """
    for variant, folded in _FOLD_MAP.items():
        if variant in text:
            text = text.replace(variant, folded)
    return text


def char_positions(text: str, char: str) -> Iterator[int]:
    """Every index of ``char`` (one character) in ``text``, in order.

    ``str.find`` looks for one character with memchr; a regex scan for a character
    class tests the class at every character (quote marks and sentence stops are found
    this way, several times faster).

    >>> list(char_positions("a.b.c", "."))
    [1, 3]
    """
    at = text.find(char)
    while at >= 0:
        yield at
        at = text.find(char, at + 1)


def positions_of(text: str, chars: Iterable[str]) -> list[int]:
    """Every index in ``text`` of any of ``chars`` (single characters), in order.

    What a regex ``finditer`` over the class of ``chars`` finds, for a fraction of its
    cost: the regex engine tests the class at every character, this looks for one
    character at a time with :func:`char_positions`, and only for those ``in`` the text
    (most are absent: 13 against 9 µs the 18 quote-mark kinds of a generated article).
    Quote marks and sentence stops are found this way.

    >>> positions_of("It rained… “No.” 3.5 m.", ".…“”")
    [9, 11, 14, 15, 18, 22]
    """
    found = [at for char in chars if char in text for at in char_positions(text, char)]
    if len(found) > 1:
        found.sort()
    return found


def tokens(text: str) -> list[str]:
    """Words of ``text`` after folding, one token per character for unspaced scripts.

    Apostrophes inside words are kept (``won't``), other punctuation dropped.

    >>> tokens("Russia’s military build-up, 2021!")
    ["russia's", 'military', 'build', 'up', '2021']
    >>> tokens("北京欢迎你")
    ['北', '京', '欢', '迎', '你']
    >>> tokens("Москва и Пекин")
    ['москва', 'и', 'пекин']
    """
    folded = fold(text)
    if not folded.isascii():
        words: list[str] = _TOKEN.findall(folded)
        return fold_leet(words) if _DIGIT_BY_LETTER.search(folded) else words
    words = _ascii_words(folded.encode().translate(_ASCII_SPACES).decode())
    return fold_leet(words) if _ascii_digit_by_letter(folded) else words


def token_spans(text: str) -> list[tuple[int, int]]:
    """Where the tokens of :func:`tokens` sit in ``text`` (half-open offsets).

    Quote and dash folding keeps lengths, so offsets are found on the lightly folded
    text; casefolding and NFKC can (rarely) change a token count, so callers compare
    ``len(token_spans(t))`` with ``len(tokens(t))`` before relying on the positions.

    >>> token_spans("“Russia’s” build-up")
    [(1, 9), (11, 16), (17, 19)]
    """
    return [match.span() for match in _TOKEN.finditer(text.translate(_FOLD))]


def key_size(key: str) -> int:
    """Length of a matching key, comparable across scripts.

    A character of a script written without spaces is a token of its own and carries
    about as much as a short word, so it counts four (itself, its space and two more),
    like ``"word "`` in English: length thresholds then treat Chinese fairly.

    >>> key_size("the cat sat"), key_size("北 京 今 天")
    (11, 15)
    """
    if key.isascii():
        return len(key)
    return len(key) + 2 * len(_UNSPACED_CHAR.findall(key))


def matching_key(text: str) -> str:
    """The comparison key of a segment: its tokens joined by single spaces.

    >>> matching_key("  “I think,” she said — twice. ")
    'i think she said twice'
    """
    return " ".join(tokens(text))


def matching_keys(text: str, spans: Sequence[tuple[int, int]]) -> list[str]:
    """``matching_key(text[start:end])`` for each ``(start, end)``, folding ``text`` once.

    Quote and dash folding keeps lengths, and so do lower-casing and the byte map of
    :func:`tokens` on ASCII text: when ``text`` is ASCII once folded (the sentences of
    most English lines), every span's key is read from the folded line, not folded
    again (the sentence keys of a generated article 178 against 156 µs). Other text
    (NFKC or casefolding may change lengths) takes :func:`matching_key` per span, but
    only the spans holding such text: ``text`` may be a whole page, where one accented
    name or symbol (half the generated articles) must not send every sentence there.
    Encoding with ``"replace"`` puts one ``?`` for each other character, so the mapped
    text keeps the positions of the ASCII spans.

    >>> line = "“Yes,” she said. It’s over. 北京很冷。"
    >>> spans = [(0, 16), (17, 27), (28, 33)]
    >>> matching_keys(line, spans) == [matching_key(line[a:b]) for a, b in spans]
    True
    >>> matching_keys("Don’t stop. Go—now!", [(0, 11), (12, 19)])
    ["don't stop", 'go now']
    """
    if ("<" in text or "&" in text) and _MARKUP.search(text):
        return [matching_key(text[start:end]) for start, end in spans]  # markup: rare, span by span
    folded = text if text.isascii() else fold_quotes(text)
    spaced = folded.encode("ascii", "replace").lower().translate(_ASCII_SPACES).decode()
    if not folded.isascii():
        keys = [
            _spaced_key(spaced[start:end]) if folded[start:end].isascii() else matching_key(text[start:end])
            for start, end in spans
        ]
    elif "'" not in spaced:
        keys = [" ".join(spaced[start:end].split()) for start, end in spans]
    else:
        keys = [_spaced_key(spaced[start:end]) for start, end in spans]
    if _ascii_digit_by_letter(spaced):  # a word with letters and digits somewhere: read each key's
        keys = [_leet_key(key) for key in keys]
    return keys


def _spaced_key(spaced: str) -> str:
    """The key of one span of a line mapped by :data:`_ASCII_SPACES` (its tokens joined).

    >>> _spaced_key("it's  'quoted'  rock'n'roll '' o''k")
    "it's quoted rock'n'roll o k"
    """
    return " ".join(_ascii_words(spaced))


def _ascii_words(spaced: str) -> list[str]:
    """The tokens of text mapped by :data:`_ASCII_SPACES`: its runs of ``[a-z0-9]``, joined
    by apostrophes that stand between two of them.

    Apostrophes are looked at only in text that holds one, and there in one regex pass,
    not word by word: the possessives of news text put an apostrophe on most lines, whose
    every word then went through a per-word regex (the keys of a generated article's line
    with one, 13.6 against 3.7 µs).

    >>> _ascii_words("it's 'quoted' rock'n'roll '' o''k")
    ["it's", 'quoted', "rock'n'roll", 'o', 'k']
    """
    if "'" in spaced:
        spaced = _LONE_APOSTROPHE.sub(" ", spaced)
    return spaced.split()
