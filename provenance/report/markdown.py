"""The Markdown provenance report (GitHub-flavoured, tables by tabulate).

Text coming from documents is escaped (pipes, Markdown punctuation, line breaks)
and long texts are cut with "…", so tables stay tables and stay readable.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from tabulate import tabulate

from provenance.model import Analysis, Composition, Document, QuoteOccurrence, QuoteTrail, Span

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def escape(text: str, limit: int | None = 80) -> str:
    """Escape document text for a Markdown table cell, cut to ``limit`` characters.

    >>> escape("a | b *c*")
    'a \\\\| b \\\\*c\\\\*'
    >>> escape("x" * 10, limit=5)
    'xxxx…'
    """
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return _MD_SPECIAL.sub(r"\\\1", text)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub table; an empty table is written as a sentence instead."""
    if not rows:
        return "_None._"
    return str(tabulate(rows, headers=list(headers), tablefmt="github", disable_numparse=True))


def _cues(doc: Document) -> str:
    seen: list[str] = []
    for cue in doc.metadata.outlet_cues:
        label = f"{cue.outlet} ({cue.kind})"
        if label not in seen:
            seen.append(label)
    return escape("; ".join(seen), limit=None) if seen else "—"


def _repairs(doc: Document) -> str:
    return ", ".join(f"{r.fixer} ×{r.count}" for r in doc.repairs) or "—"


def documents_section(analysis: Analysis) -> str:
    rows = [
        (
            f"`{doc.id}`",
            escape(doc.metadata.title or "—", 70),
            doc.metadata.date or "—",
            escape(doc.metadata.dateline or "—", 30),
            _cues(doc),
            doc.encoding,
            _repairs(doc),
            len(doc.furniture),
            doc.words,
        )
        for doc in analysis.documents
    ]
    headers = ("id", "title", "date", "dateline", "outlet cues", "encoding", "repairs", "furniture lines", "words")
    return "## Documents\n\n" + table(headers, rows)


def excerpt(text: str, limit: int = 160) -> str:
    """Escaped text, long text cut in the middle with "…" so both ends show.

    >>> excerpt("a" * 10 + "b" * 10, limit=9)
    'aaaa … bb'
    """
    text = " ".join(text.split())
    if len(text) > limit:
        head = (limit - 3) * 2 // 3
        text = text[:head].rstrip() + " … " + text[len(text) - (limit - 3 - head) :].lstrip()
    return escape(text, limit=None)


def _count(n: int, noun: str) -> str:
    """``1 pair``, ``2 pairs``.

    >>> _count(1, "pair"), _count(0, "passage")
    ('1 pair', '0 passages')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"


def passages_section(analysis: Analysis) -> str:
    """Side-by-side excerpts of the passages each pair of documents shares."""
    docs = {d.id: d for d in analysis.documents}
    by_pair: dict[tuple[str, str], list[int]] = {}
    for index, p in enumerate(analysis.passages):
        by_pair.setdefault((p.a, p.b), []).append(index)
    parts = [
        "## Shared passages",
        f"{_count(len(analysis.passages), 'passage')} shared by {_count(len(by_pair), 'pair')} of documents. "
        "Offsets index the raw files; text is shown repaired (escapes decoded), long text cut with “…”.",
    ]
    for (a, b), indexes in sorted(by_pair.items()):
        rows = []
        for n, index in enumerate(indexes, 1):
            p = analysis.passages[index]
            rows.append(
                (
                    n,
                    f"{p.a_start}–{p.a_end}",
                    excerpt(p.a_clean.slice(docs[a].clean)),
                    f"{p.b_start}–{p.b_end}",
                    excerpt(p.b_clean.slice(docs[b].clean)),
                    f"{p.similarity:.3f}",
                    p.kind,
                )
            )
        headers = ("#", f"`{a}`", "text", f"`{b}`", "text", "similarity", "kind")
        parts.append(f"### `{a}` ↔ `{b}`\n\n" + table(headers, rows))
    return "\n\n".join(parts)


def composition_section(analysis: Analysis) -> str:
    """Each document's own and republished share, and a marked view of what it added."""
    docs = {d.id: d for d in analysis.documents}
    rows = [
        (
            f"`{c.doc}`",
            c.chars,
            f"{c.original_share:.1%}",
            f"{c.republished_share:.1%}",
            ", ".join(f"`{s.doc}` {s.share:.1%}" for s in c.sources) or "—",
            len(c.repeats),
        )
        for c in analysis.compositions
    ]
    headers = ("document", "text chars", "original", "republished", "republished from", "internal repeats")
    parts = [
        "## Original and republished text",
        "Shares of each document's article text (furniture excluded) by characters; text repeating the "
        "document's own republished text (key points, pull quotes) counts as republished.",
        table(headers, rows),
    ]
    for comp in analysis.compositions:
        if comp.republished_chars or comp.repeats:
            parts.append(_marked_view(docs[comp.doc], comp))
    return "\n\n".join(parts)


def _marked_view(doc: Document, comp: Composition) -> str:
    """The document paragraph by paragraph, its own text in bold."""
    rows = []
    for n, paragraph in enumerate(doc.paragraphs, 1):
        span = paragraph.clean
        sources = sorted({s.source for s in comp.shared if s.clean.start < span.end and span.start < s.clean.end})
        repeats = sorted(
            {
                _paragraph_number(doc, r.of)
                for r in comp.repeats
                if span.start <= r.clean.start < span.end and _paragraph_number(doc, r.of) != n
            }
        )
        notes = [f"`{s}`" for s in sources] + [f"repeats ¶{k}" for k in repeats]
        rows.append((n, _marked(doc, span, comp.own), ", ".join(notes) or "—"))
    title = f"### What `{doc.id}` added\n\nOwn text in **bold**; the rest appears in the documents named."
    return title + "\n\n" + table(("¶", "text", "shared with"), rows)


def _paragraph_number(doc: Document, span: Span) -> int:
    return next((n for n, p in enumerate(doc.paragraphs, 1) if p.clean.start <= span.start < p.clean.end), 0)


def _marked(doc: Document, span: Span, own: Sequence[Span], limit: int = 90) -> str:
    """The paragraph's text with its own stretches in bold, each stretch cut to ``limit``."""
    pieces: list[str] = []
    pos = span.start
    for part in own:
        start, end = max(part.start, span.start), min(part.end, span.end)
        if start >= end:
            continue
        if start > pos:
            pieces.append(excerpt(doc.clean[pos:start], limit))
        pieces.append(f"**{excerpt(doc.clean[start:end], limit)}**")
        pos = end
    if pos < span.end:
        pieces.append(excerpt(doc.clean[pos : span.end], limit))
    return " ".join(piece for piece in pieces if piece.strip("* "))


def rejected_section(analysis: Analysis) -> str:
    rows = [(f"`{escape(r.path, None)}`", r.reason, escape(r.detail, 120)) for r in analysis.rejected]
    return "## Rejected files\n\n" + table(("path", "reason", "detail"), rows)


def appendix_section(analysis: Analysis) -> str:
    parts = ["## Appendix: per-document evidence"]
    for doc in analysis.documents:
        parts.append(f"### `{doc.id}`")
        meta = doc.metadata
        facts = []
        for label, value, evidence in (
            ("title", meta.title, meta.title_evidence),
            ("date", meta.date, meta.date_evidence),
            ("dateline", meta.dateline, meta.dateline_evidence),
        ):
            if value and evidence is not None and evidence.span is not None:
                raw = doc.raw_span(evidence.span)
                facts.append((label, escape(value, 80), escape(evidence.detail, 60), f"{raw.start}–{raw.end}"))
        for cue in meta.outlet_cues:
            raw = doc.raw_span(cue.span)
            facts.append(("outlet", cue.outlet, escape(f"{cue.kind}: “{cue.text}”", 80), f"{raw.start}–{raw.end}"))
        parts.append(table(("fact", "value", "evidence", "raw offsets"), facts))
        furniture = []
        for line in doc.furniture:
            raw = doc.raw_span(line.clean)
            furniture.append((escape(line.clean.slice(doc.clean), 70), escape(line.cue, 60), f"{raw.start}–{raw.end}"))
        parts.append("Furniture lines (excluded from matching):\n\n" + table(("line", "cue", "raw offsets"), furniture))
    return "\n\n".join(parts)


def _cue(occurrence: QuoteOccurrence) -> str:
    cue = occurrence.quote.attribution
    if not cue.cue:
        return "—"
    raw = f" ({cue.raw.start}–{cue.raw.end})" if cue.raw is not None else ""
    return escape(f"{cue.cue}: “{cue.text}”", 70) + raw


def _trail_speaker(trail: QuoteTrail) -> str:
    if trail.speaker is None:
        return "unattributed"
    if trail.conflicting_speakers:
        return escape(trail.speaker, 40) + " ⚠ conflicting: " + escape(", ".join(trail.speakers), 80)
    return escape(trail.speaker, 40)


def quotes_section(analysis: Analysis) -> str:
    """The "Quote trail" section: shared trails with every occurrence, counts per document, the rest."""
    trails = analysis.quotes
    total = sum(len(t.occurrences) for t in trails)
    shared = [t for t in trails if len(t.docs) > 1 or len(t.occurrences) > 1]
    parts = [
        "## Quote trail",
        f"{total} direct quotes in {len(trails)} trails; {sum(len(t.docs) > 1 for t in trails)} trails reach more "
        f"than one document, {sum(t.conflicting_speakers for t in trails)} name different speakers. Offsets index "
        "the raw files; forms compare each occurrence with the trail's most complete version.",
    ]
    rows = [
        (
            f"`{t.trail}`",
            t.kind,
            _trail_speaker(t),
            escape(f"“{t.text}”", 90),
            ", ".join(f"`{d}`" for d in t.docs),
            f"`{t.first}`" if t.first != "undecided" else "undecided",
            escape(t.first_basis, 60),
        )
        for t in shared
    ]
    parts.append(
        "### Quotes carried more than once\n\n"
        + table(("trail", "kind", "speaker", "text", "documents", "first", "first because"), rows)
    )
    occurrence_rows = [
        (
            f"`{t.trail}`",
            f"`{o.quote.doc}`",
            f"{o.quote.raw.start}–{o.quote.raw.end}",
            o.quote.place,
            o.form,
            escape(o.diff, 80) or "—",
            escape(o.quote.attribution.speaker or "unattributed", 40),
            _cue(o),
        )
        for t in shared
        for o in t.occurrences
    ]
    parts.append(
        "### Occurrences\n\n"
        + table(("trail", "document", "raw offsets", "place", "form", "difference", "speaker", "cue"), occurrence_rows)
    )
    count_rows = [
        (f"`{c.doc}`", c.quotes, c.statements, c.phrases, c.shared, ", ".join(f"`{d}`" for d in c.shared_with) or "—")
        for c in analysis.quote_counts
    ]
    parts.append(
        "### Quotes per document\n\n"
        + table(("document", "quotes", "statements", "phrases", "shared with others", "shared with"), count_rows)
    )
    single_rows = [
        (
            f"`{o.quote.doc}`",
            f"{o.quote.raw.start}–{o.quote.raw.end}",
            t.kind,
            escape(o.quote.attribution.speaker or "unattributed", 40),
            _cue(o),
            escape(f"“{t.text}”", 90),
        )
        for t in trails
        if not (len(t.docs) > 1 or len(t.occurrences) > 1)  # not in ``shared`` (a list test was O(n²))
        for o in t.occurrences
    ]
    parts.append(
        "### Quotes found once\n\n"
        + table(("document", "raw offsets", "kind", "speaker", "cue", "text"), single_rows)
    )
    return "\n\n".join(parts)
def related_section(analysis: Analysis) -> str:
    """Verified pairs with their exact scores, then the clusters they form."""
    stats = analysis.stats.get("candidates")
    counts = (
        f"{stats['candidates']} candidate pairs from the MinHash index, {stats['verified']} verified on the exact "
        f"shingle sets."
        if isinstance(stats, dict)
        else ""
    )
    intro = (
        "Pairs of documents that share text. Containment *a in b* is the share of *a*'s shingles (word n-grams "
        "of its article text, furniture excluded) found in *b*: an excerpt scores high in the short document "
        "and low in its source. " + counts
    )
    rows = [
        (
            f"`{p.a}`",
            f"`{p.b}`",
            f"{p.jaccard:.3f}",
            f"{p.containment_a_in_b:.3f}",
            f"{p.containment_b_in_a:.3f}",
            f"{p.shared_shingles} of {p.shingles_a} / {p.shingles_b}",
            f"`{p.cluster}`",
        )
        for p in analysis.pairs
    ]
    headers = ("a", "b", "jaccard", "containment a in b", "containment b in a", "shared shingles", "cluster")
    members: dict[str, set[str]] = {}
    for p in analysis.pairs:
        members.setdefault(p.cluster, set()).update((p.a, p.b))
    clusters = [
        (f"`{cluster}`", len(ids), ", ".join(f"`{i}`" for i in sorted(ids))) for cluster, ids in sorted(members.items())
    ]
    return "\n\n".join(
        (
            "## Related documents",
            intro.strip(),
            table(headers, rows),
            "Clusters (connected by verified pairs; the id is the smallest member):",
            table(("cluster", "documents", "members"), clusters),
        )
    )


def summary_section(analysis: Analysis) -> str:
    version = analysis.stats.get("version", "?")
    words = sum(d.words for d in analysis.documents)
    lines = [
        "# Provenance report",
        "",
        f"- Documents analysed: **{len(analysis.documents)}** ({words:,} words of article text)",
        f"- Rejected files: **{len(analysis.rejected)}**",
        f"- Related pairs: **{len(analysis.pairs)}** in **{len({p.cluster for p in analysis.pairs})}** clusters",
        f"- Made by provenance {version}; settings are listed at the end.",
    ]
    return "\n".join(lines)


def settings_section(analysis: Analysis) -> str:
    rows = [
        (f"`{stage}.{key}`", escape(str(value), 80))
        for stage, values in analysis.settings.items()
        if isinstance(values, dict)
        for key, value in values.items()
    ]
    return "## Settings\n\n" + table(("setting", "value"), rows)


_SECTIONS = (
    summary_section,
    documents_section,
    passages_section,
    composition_section,
    rejected_section,
    quotes_section,
    related_section,
    appendix_section,
    settings_section,
)


def iter_markdown(analysis: Analysis) -> Iterator[str]:
    """The text of :func:`render_markdown` one section at a time (written as made, so a
    100,000-document report holds one section in memory, not all of them)."""
    for n, section in enumerate(_SECTIONS):
        yield ("\n\n" if n else "") + section(analysis)
    yield "\n"


def render_markdown(analysis: Analysis) -> str:
    """The whole report as Markdown text with a final newline."""
    return "".join(iter_markdown(analysis))
