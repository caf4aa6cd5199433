"""Normalise: repair scrape damage while keeping a map back to the raw text.

A registry of named fixers runs in order. Each fixer is pure: it returns the edits
(``start, end, replacement`` in its input) it would make, so the pipeline can both
apply them and keep an exact offset map from the clean text back to the decoded file.
A ``Repair`` is recorded only for fixers that changed something. Replaying the
fixers on the raw text gives the clean text (:func:`replay`).

This stage never straightens curly quotes, folds widths or ligatures, or applies
Unicode normalisation: those would erase evidence. Folding for comparison happens
only in matching keys (:mod:`provenance.text`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import ftfy
from rapidfuzz.distance import Indel

from provenance.model import OffsetMap, Repair

Edit = tuple[int, int, str]
# Rounds of the whole fixer sequence; two suffice for every case we have seen, the
# third is a guard, and the loop stops as soon as a round changes nothing.
_MAX_ROUNDS = 3
FindEdits = Callable[[str], list[Edit]]


@dataclass(frozen=True, slots=True)
class Fixer:
    """A named pure fixer: ``edits(text)`` lists the replacements it makes."""

    name: str
    edits: FindEdits

    def __call__(self, text: str) -> str:
        return apply_edits(text, self.edits(text))


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply sorted, non-overlapping edits.

    >>> apply_edits("abcdef", [(1, 3, "X"), (4, 4, "-")])
    'aXd-ef'
    """
    out: list[str] = []
    pos = 0
    for start, end, replacement in edits:
        out.append(text[pos:start])
        out.append(replacement)
        pos = end
    out.append(text[pos:])
    return "".join(out)


# --- hex-escape residue -------------------------------------------------------------

# Runs of two-digit escapes, with or without their lost backslashes: `xe2x80x99`,
# `\xe2\x80\x99`. Only runs that form valid multi-byte UTF-8 sequences are decoded,
# so `xerox`, `0xc0ffee`, `max80` and colour codes stay as they are.
_HEX_RUN = re.compile(r"(?:\\?x[0-9a-fA-F]{2})+")
_HEX_UNIT = re.compile(r"\\?x([0-9a-fA-F]{2})")
# Every decodable run holds a lead byte (C2–F4) followed by a continuation byte
# (80–BF). This pattern opens with a literal, so the regex engine skips to each "x";
# the run pattern (an optional backslash first) is tried at every position.
_HEX_HINT = re.compile(r"x[c-fC-F][0-9a-fA-F]\\?x[89abAB][0-9a-fA-F]")


def _utf8_length(lead: int) -> int:
    """Length of the UTF-8 sequence a lead byte starts (0 if not a multi-byte lead)."""
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def hex_escape_edits(text: str) -> list[Edit]:
    r"""Edits that decode UTF-8 byte escapes whose backslashes were lost.

    >>> apply_edits("Russiaxe2x80x99s", hex_escape_edits("Russiaxe2x80x99s"))
    'Russia’s'
    >>> hex_escape_edits("xerox 0xc0ffee max80 #c2a0ff")
    []
    """
    if not _HEX_HINT.search(text):
        return []
    edits: list[Edit] = []
    for run in _HEX_RUN.finditer(text):
        units = list(_HEX_UNIT.finditer(run.group()))
        values = [int(u.group(1), 16) for u in units]
        i = 0
        while i < len(units):
            length = _utf8_length(values[i])
            chunk = bytes(values[i : i + length]) if length else b""
            try:
                decoded = chunk.decode("utf-8") if len(chunk) == length and length else ""
            except UnicodeDecodeError:
                decoded = ""
            if decoded:
                start = run.start() + units[i].start()
                end = run.start() + units[i + length - 1].end()
                edits.append((start, end, decoded))
                i += length
            else:
                i += 1
    return edits


# --- classic mojibake through ftfy ---------------------------------------------------

# ftfy configured to repair encoding damage only: quotes stay curly, widths and
# ligatures stay as written, no Unicode normalisation, no HTML unescaping, line
# breaks left to our whitespace fixer (which records them).
_FTFY = ftfy.TextFixerConfig(
    unescape_html=False,
    remove_terminal_escapes=True,
    fix_encoding=True,
    restore_byte_a0=True,
    replace_lossy_sequences=True,
    decode_inconsistent_utf8=True,
    fix_c1_controls=True,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    fix_surrogates=True,
    remove_control_chars=False,
    normalization=None,
    explain=False,
)


# Where ftfy can have something to repair: a UTF-8 lead byte read as Latin-1/cp1252
# (Â..ô) followed by a continuation byte read the same way (U+0080–U+00BF, or the
# cp1252 characters of bytes 0x80–0x9F), C1 controls, surrogates, terminal escapes
# and replacement characters. Lines without any of these are left to themselves:
# ftfy's badness check on every line with a curly quote cost more than all other
# normalisation together (2,189 generated articles: 6.0 of 16.5 s).
_CP1252_HIGH = (  # the characters cp1252 gives bytes 0x80–0x9F
    "\u20ac\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u017d"
    "\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u017e\u0178"
)
_LEAD = "\u00c2-\u00f4"
_CONTINUATION = f"\u0080-\u00bf{_CP1252_HIGH}"
_LONE = "\u0080-\u009f\ud800-\udfff\x1b\ufffd"
# A lead then a continuation, or a lone suspect character. The pattern opens with one
# class of both kinds so the regex engine skips ahead to them, then tells which it
# found by looking back (an alternation of the two was tried at every position:
# 61 against 18 µs a generated article).
_MOJIBAKE_HINT = re.compile(f"[{_LEAD}{_LONE}](?:(?<=[{_LEAD}])[{_CONTINUATION}]|(?<![{_LEAD}]))")


def mojibake_edits(text: str) -> list[Edit]:
    """Edits that undo classic mojibake (``â€™`` for ``’``), found line by line.

    Only lines with a sequence mojibake is made of go through ftfy. ftfy returns only
    the repaired text, so each changed line is diffed against its repair to keep the
    edits small and the offset map exact.

    >>> apply_edits("Itâ€™s cafÃ©", mojibake_edits("Itâ€™s cafÃ©"))
    'It’s café'
    >>> mojibake_edits("“Curly” quotes — stay")
    []
    """
    if text.isascii() or not _MOJIBAKE_HINT.search(text):
        return []
    edits: list[Edit] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        if _MOJIBAKE_HINT.search(line):
            fixed = ftfy.fix_text(line, _FTFY)
            if fixed != line:
                edits.extend(_diff_edits(line, fixed, offset))
        offset += len(line)
    return edits


def _diff_edits(before: str, after: str, offset: int) -> list[Edit]:
    """The replacements turning ``before`` into ``after``, merged where they touch.

    rapidfuzz's Indel opcodes (an exact longest common subsequence in C++) replace
    difflib, which took 13 ms per repaired line.

    >>> _diff_edits("Itâ€™s cafÃ©", "It’s café", 10)
    [(12, 15, '’'), (20, 22, 'é')]
    """
    edits: list[Edit] = []
    for op in Indel.opcodes(before, after):
        if op.tag == "equal":
            continue
        start, end, replacement = offset + op.src_start, offset + op.src_end, after[op.dest_start : op.dest_end]
        if edits and edits[-1][1] == start:
            previous = edits.pop()
            start, replacement = previous[0], previous[2] + replacement
        edits.append((start, end, replacement))
    return edits


# --- whitespace ------------------------------------------------------------------------

_ODD_SPACE = re.compile(r"\r\n?|[\u00a0\u2000-\u200a\u202f\u205f\u3000]|[\u200b\u2060\ufeff\u00ad]")
# The same characters as one class: a fast scan that tells most texts need nothing.
_ODD = "\r\u00a0\u2000-\u200a\u202f\u205f\u3000\u200b\u2060\ufeff\u00ad"
_ODD_SPACE_HINT = re.compile(f"[{_ODD}]")


def whitespace_edits(text: str) -> list[Edit]:
    """NBSP and other odd spaces to spaces, CR and CRLF to LF, invisible marks removed.

    >>> apply_edits("a\\u00a0b\\r\\nc\\u200bd", whitespace_edits("a\\u00a0b\\r\\nc\\u200bd"))
    'a b\\ncd'
    """
    if not _ODD_SPACE_HINT.search(text):
        return []
    edits: list[Edit] = []
    for match in _ODD_SPACE.finditer(text):
        found = match.group()
        if found.startswith("\r"):
            replacement = "\n"
        elif found in "\u200b\u2060\ufeff\u00ad":
            replacement = ""
        else:
            replacement = " "
        edits.append((match.start(), match.end(), replacement))
    return edits


# --- one word a line --------------------------------------------------------------------

# A run of at least this many lines of one word each (blank lines between them or not),
# with at least _WORD_LINES_STOPS of its words ending in punctuation, is prose broken at
# every word (a disguise: every word a paragraph of its own, which never aligns); a menu
# of one-word links has no punctuation and stays as it is.
_WORD_LINES_MIN = 12
_WORD_LINES_STOPS = 2
# Three one-word lines in a row: the pattern opens with a line break, so the regex engine
# jumps from one to the next, and gives up at the first space of a line of prose.
_WORD_LINES_HINT = re.compile(r"\n[ \t]*\S+[ \t]*\n(?:[ \t]*\n)*[ \t]*\S+[ \t]*\n(?:[ \t]*\n)*[ \t]*\S+[ \t]*(?:\n|$)")
# A word of at most 40 characters: a line of Chinese, or of words joined by &nbsp;, is longer.
_WORD_LINE = re.compile(r"[ \t]*(\S{1,40})[ \t]*")


def word_line_edits(text: str) -> list[Edit]:
    r"""Edits that join runs of one-word lines back into lines of prose.

    A gap of the run's usual number of line breaks becomes a space, a wider one a
    paragraph break (where the paragraphs of the disguised text were).

    >>> words = "It rained, so we stayed in all day. Then it cleared up.".split()
    >>> text = "Intro line here.\n\n" + "\n\n".join(words) + "\n\n\nNext."
    >>> apply_edits(text, word_line_edits(text))
    'Intro line here.\n\nIt rained, so we stayed in all day. Then it cleared up.\n\nNext.'
    >>> word_line_edits("Home\nWorld\nPolitics\nBusiness\nTech\nScience\nHealth\nSports\nArts\nBooks\nStyle\nFood")
    []
    """
    if not _WORD_LINES_HINT.search(text):
        return []
    edits: list[Edit] = []
    run: list[tuple[int, int]] = []  # the words of the current run of one-word lines
    pos = 0
    for line in text.split("\n"):
        start, pos = pos, pos + len(line) + 1
        if not line.strip():
            continue  # blank lines never end a run
        match = _WORD_LINE.fullmatch(line)
        if match is None:
            edits.extend(_joined(text, run))
            run = []
        else:
            run.append((start + match.start(1), start + match.end(1)))
    edits.extend(_joined(text, run))
    return edits


def _joined(text: str, run: Sequence[tuple[int, int]]) -> list[Edit]:
    """The edits joining the words of one run (none when it is not prose broken at every word)."""
    if len(run) < _WORD_LINES_MIN or sum(text[end - 1] in ".,;:!?" for _, end in run) < _WORD_LINES_STOPS:
        return []
    gaps = [(end, start) for (_, end), (start, _) in pairwise(run)]
    breaks = [text.count("\n", a, b) for a, b in gaps]
    usual = sorted(breaks)[len(breaks) // 2]
    return [(a, b, "\n\n" if n > usual else " ") for (a, b), n in zip(gaps, breaks, strict=True)]


FIXERS: tuple[Fixer, ...] = (
    Fixer("hex-escapes", hex_escape_edits),
    Fixer("mojibake", mojibake_edits),
    Fixer("whitespace", whitespace_edits),
    Fixer("word-lines", word_line_edits),
)


# What the mojibake and whitespace fixers look for, in one scan: each of their hints
# scanned the whole text (17 + 17 µs a generated article), and 98% of generated
# articles need neither (nor the hex-escape fixer, whose hint is a fast literal search).
_ANY_REPAIR_HINT = re.compile(f"[{_LEAD}{_LONE}{_ODD}](?:(?<=[{_LEAD}])[{_CONTINUATION}]|(?<![{_LEAD}]))")


# --- offset map ------------------------------------------------------------------------

Region = tuple[int, int, int, int]


def compose(offsets: OffsetMap, text: str, edits: Sequence[Edit]) -> OffsetMap:
    """The offset map of ``apply_edits(text, edits)``, given the map of ``text``.

    Regions of earlier repairs that an edit overlaps are absorbed into it (the edit
    is first widened to cover them whole), so the map stays a sorted list of
    disjoint regions.
    """
    regions = offsets.regions
    out: list[Region] = []
    shift = 0
    ri = 0
    for start, end, replacement in _widen(regions, edits, text):
        while ri < len(regions) and regions[ri][1] <= start:
            out.append(_shifted(regions[ri], shift))
            ri += 1
        while ri < len(regions) and regions[ri][0] < end and regions[ri][1] > start:
            ri += 1  # absorbed: the new region's raw extent covers it
        raw_start = offsets.raw_start(start)
        raw_end = offsets.raw_end(end) if end > start else raw_start
        out.append((start + shift, start + shift + len(replacement), raw_start, raw_end))
        shift += len(replacement) - (end - start)
    out.extend(_shifted(region, shift) for region in regions[ri:])
    return OffsetMap(tuple(out), offsets.raw_length)


def _shifted(region: Region, shift: int) -> Region:
    return (region[0] + shift, region[1] + shift, region[2], region[3])


def _widen(regions: Sequence[Region], edits: Sequence[Edit], text: str) -> list[Edit]:
    """Widen edits that cut into an earlier non-empty region, merging any that then overlap."""
    spans: list[list[int]] = []
    members: list[list[Edit]] = []
    for edit in edits:
        start, end = edit[0], edit[1]
        for c_start, c_end, _, _ in regions:
            if c_start < c_end and c_start < end and start < c_end:
                start, end = min(start, c_start), max(end, c_end)
        if spans and spans[-1][1] > start:
            spans[-1][1] = max(spans[-1][1], end)
            members[-1].append(edit)
        else:
            spans.append([start, end])
            members.append([edit])
    widened: list[Edit] = []
    for (start, end), group in zip(spans, members, strict=True):
        local = [(s - start, e - start, rep) for s, e, rep in group]
        widened.append((start, end, apply_edits(text[start:end], local)))
    return widened


@dataclass(frozen=True, slots=True)
class Normalized:
    """The result of normalisation: clean text, the repairs made and the offset map."""

    clean: str
    repairs: tuple[Repair, ...]
    offsets: OffsetMap


def normalize(raw: str, fixers: Sequence[Fixer] = FIXERS) -> Normalized:
    """Run the fixers in order; record a repair only where a fixer changed something.

    The sequence is repeated until nothing changes (at most ``_MAX_ROUNDS`` rounds),
    because one repair can uncover another (mojibake next to an NBSP that only the
    whitespace fixer turns into a space); repeated repairs add to one count.

    >>> n = normalize("Itxe2x80x99s\\u00a0here\\r\\n")
    >>> n.clean, [(r.fixer, r.count) for r in n.repairs]
    ('It’s here\\n', [('hex-escapes', 1), ('whitespace', 2)])
    """
    if (
        fixers is FIXERS
        and not _HEX_HINT.search(raw)
        and not _ANY_REPAIR_HINT.search(raw)
        and not _WORD_LINES_HINT.search(raw)
    ):
        return Normalized(raw, (), OffsetMap((), len(raw)))  # no fixer has an edit to make
    offsets = OffsetMap((), len(raw))
    text = raw
    counts: dict[str, int] = {}
    for _ in range(_MAX_ROUNDS):
        changed = False
        for fixer in fixers:
            edits = fixer.edits(text)
            if not edits:
                continue
            offsets = compose(offsets, text, edits)
            text = apply_edits(text, edits)
            counts[fixer.name] = counts.get(fixer.name, 0) + len(edits)
            changed = True
        if not changed:
            break
    return Normalized(text, tuple(Repair(name, n) for name, n in counts.items()), offsets)


def replay(raw: str, repairs: Sequence[Repair], fixers: Sequence[Fixer] = FIXERS) -> str:
    """Re-run the recorded repairs by name on the raw text (gives the clean text)."""
    named = {repair.fixer for repair in repairs}
    chosen = [fixer for fixer in fixers if fixer.name in named]
    text = raw
    for _ in range(_MAX_ROUNDS):
        before = text
        for fixer in chosen:
            text = fixer(text)
        if text == before:
            break
    return text
