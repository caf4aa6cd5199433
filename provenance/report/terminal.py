"""Plain terminal text: quote trails (``provenance quotes``) and two documents side by side (``provenance compare``).

Quote trails: one block per trail, a header (kind, speaker, documents, first
occurrence), the trail's text, then one line per occurrence with its raw offsets,
form, difference and attribution cue.

Side by side: no colour codes, so it reads the same in a pipe or a file. Columns are
measured in display cells: Chinese and Japanese characters take two, combining marks
none, so the two columns stay aligned for any script. Formats only; nothing is
recomputed.
"""

from __future__ import annotations

import textwrap
import unicodedata

from provenance.model import Analysis, Comparison, Composition, Document, Passage, QuoteOccurrence, QuoteTrail

_WIDTH = 100


def _occurrence_line(occurrence: QuoteOccurrence) -> str:
    quote = occurrence.quote
    cue = quote.attribution
    who = cue.speaker or "unattributed"
    said = f"{who} ({cue.cue}: “{cue.text}”)" if cue.cue else who
    line = f"    {quote.doc}  {quote.raw.start}–{quote.raw.end}  {occurrence.form}  {quote.place}  {said}"
    if occurrence.diff:
        line += f"\n        {occurrence.diff}"
    if quote.notes:
        line += f"\n        note: {'; '.join(quote.notes)}"
    return line


def _trail_block(trail: QuoteTrail) -> str:
    speaker = trail.speaker or "unattributed"
    if trail.conflicting_speakers:
        speaker += f" (CONFLICTING: {', '.join(trail.speakers)})"
    docs = len(trail.docs)
    header = (
        f"{trail.trail}  {trail.kind}  {speaker}  {docs} document{'s' if docs != 1 else ''}, "
        f"{len(trail.occurrences)} occurrence{'s' if len(trail.occurrences) != 1 else ''}  "
        f"first: {trail.first} ({trail.first_basis})"
    )
    text = textwrap.fill(f"“{trail.text}”", width=_WIDTH, initial_indent="  ", subsequent_indent="   ")
    return "\n".join([header, text, *(_occurrence_line(o) for o in trail.occurrences)])


def render_trails(analysis: Analysis, *, shared_only: bool = False) -> str:
    """All trails (or only those carried more than once), then quote counts per document.

    An empty corpus or one without quotes gives a one-line message.
    """
    trails = [t for t in analysis.quotes if not shared_only or len(t.docs) > 1 or len(t.occurrences) > 1]
    if not trails:
        return "No direct quotes found.\n"
    blocks = [_trail_block(t) for t in trails]
    counts = [
        f"  {c.doc}: {c.quotes} quotes ({c.statements} statements, {c.phrases} phrases), {c.shared} shared"
        + (f" with {', '.join(c.shared_with)}" if c.shared_with else "")
        + (f" and {c.partners - len(c.shared_with)} more" if c.partners > len(c.shared_with) else "")
        for c in analysis.quote_counts
    ]
    return "\n\n".join(blocks) + "\n\nQuotes per document:\n" + "\n".join(counts) + "\n"


_GUTTER = " │ "
_MIN_COLUMN = 16


def cells(text: str) -> int:
    """Display width of ``text`` in terminal cells.

    >>> cells("abc"), cells("北京"), cells("é")
    (3, 4, 1)
    """
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` cells, broken at spaces, inside words only when a word is too long.

    >>> wrap("the quick brown fox", 9)
    ['the quick', 'brown fox']
    >>> wrap("北京欢迎你们", 5)
    ['北京', '欢迎', '你们']
    """
    lines: list[str] = []
    line, used = "", 0
    for given in text.split():
        word, size = given, cells(given)
        if line and used + 1 + size <= width:
            line, used = f"{line} {word}", used + 1 + size
            continue
        if line:
            lines.append(line)
        line, used = "", 0
        while size > width:  # a word (or a run of CJK) wider than the column
            cut, taken = 0, 0
            while cut < len(word) and taken + cells(word[cut]) <= width:
                taken += cells(word[cut])
                cut += 1
            cut = max(cut, 1)
            lines.append(word[:cut])
            word = word[cut:]
            size = cells(word)
        line, used = word, size
    if line:
        lines.append(line)
    return lines


def _column(doc: Document, passage: Passage, side: str, width: int) -> list[str]:
    span = passage.a_clean if side == "a" else passage.b_clean
    out: list[str] = []
    for paragraph in span.slice(doc.clean).split("\n"):
        if paragraph.strip():
            out.extend(wrap(paragraph, width))
    return out


def _shorten(lines: list[str], limit: int) -> list[str]:
    """At most ``limit`` lines (0: all), the middle ones replaced by "…"."""
    if not limit or len(lines) <= limit:
        return lines
    head = (limit - 1) // 2 + (limit - 1) % 2
    tail = limit - 1 - head
    return [*lines[:head], "…", *(lines[len(lines) - tail :] if tail else [])]


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - cells(text))


def _share(comp: Composition, other: str) -> str:
    return f"{comp.chars:,} chars of text, {comp.republished_share:.1%} shared with {other}"


def render_compare(comparison: Comparison, width: int, lines: int = 12) -> str:
    """The passages of two documents side by side in ``width`` cells, ``lines`` per passage."""
    a, b = comparison.a, comparison.b
    column = max(_MIN_COLUMN, (width - cells(_GUTTER)) // 2)
    total = 2 * column + cells(_GUTTER)
    out = [
        *wrap(f"A: {a.path} ({_share(comparison.composition_a, 'B')})", total),
        *wrap(f"B: {b.path} ({_share(comparison.composition_b, 'A')})", total),
    ]
    if not comparison.passages:
        out.append("No shared passages.")
        return "\n".join(out) + "\n"
    count = len(comparison.passages)
    out.extend(wrap(f"{count} shared passage{'s' if count != 1 else ''}; offsets index the raw files.", total))
    for n, p in enumerate(comparison.passages, 1):
        where = f"A {p.a_start}–{p.a_end} ↔ B {p.b_start}–{p.b_end}"
        title = f"── {n} · {p.kind} · similarity {p.similarity:.3f} · {where} "
        out.append("")
        out.extend(wrap(title, total)[:-1])
        last = wrap(title, total)[-1] + " "
        out.append(last + "─" * max(0, total - cells(last)))
        left = _shorten(_column(a, p, "a", column), lines)
        right = _shorten(_column(b, p, "b", column), lines)
        for k in range(max(len(left), len(right))):
            row = _pad(left[k] if k < len(left) else "", column) + _GUTTER + (right[k] if k < len(right) else "")
            out.append(row.rstrip())
    return "\n".join(out) + "\n"
