"""Matching keys and tokens: the folded form of text used only for comparison.

Keys are casefolded, quotes and dashes folded, punctuation stripped and whitespace
collapsed. They are never shown to users; spans always refer to the real text.
Tokenising is Unicode-aware: letters and digits of any script form words, and
scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar) are split
into single characters so Chinese or Japanese text does not collapse into one
giant "word".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence

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


def fold(text: str) -> str:
    """Casefold and fold quote and dash variants (no other change).

    >>> fold("Russia’s “Aggressive” — Rhetoric")
    'russia\\'s "aggressive" - rhetoric'
    """
    if text.isascii():
        return text.lower()  # casefold is lower on ASCII; nothing to fold or normalise
    text = _fold_quotes(text)
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    return text.casefold()


def _fold_quotes(text: str) -> str:
    """``text`` with its quote and dash variants folded to ASCII (``text.translate(_FOLD)``).

    One ``in`` test for each variant and a replace for each one present: str.translate
    with a dict table walked every character in Python-level lookups (17 µs a sentence),
    and a regex scan for the variants (a class outside Latin-1) took 16 ns a character,
    with a Python call per replacement (a line of a generated article 5.4 against 1.5 µs).

    >>> print(_fold_quotes("“It’s” — ok"))
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
        return _TOKEN.findall(folded)
    return _ascii_words(folded.encode().translate(_ASCII_SPACES).decode())


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
    folded = text if text.isascii() else _fold_quotes(text)
    spaced = folded.encode("ascii", "replace").lower().translate(_ASCII_SPACES).decode()
    if not folded.isascii():
        return [
            _spaced_key(spaced[start:end]) if folded[start:end].isascii() else matching_key(text[start:end])
            for start, end in spans
        ]
    if "'" not in spaced:
        return [" ".join(spaced[start:end].split()) for start, end in spans]
    return [_spaced_key(spaced[start:end]) for start, end in spans]


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
