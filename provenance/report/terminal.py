"""Quote trails as plain terminal text (``provenance quotes DIR``).

One block per trail: a header (kind, speaker, documents, first occurrence), the
trail's text, then one line per occurrence with its raw offsets, form, difference
and attribution cue. Formats only; nothing is recomputed.
"""

from __future__ import annotations

import textwrap

from provenance.model import Analysis, QuoteOccurrence, QuoteTrail

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
        for c in analysis.quote_counts
    ]
    return "\n\n".join(blocks) + "\n\nQuotes per document:\n" + "\n".join(counts) + "\n"
