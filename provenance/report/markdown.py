"""The Markdown provenance report (GitHub-flavoured, tables by tabulate).

Text coming from documents is escaped (pipes, Markdown punctuation, line breaks)
and long texts are cut with "…", so tables stay tables and stay readable.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tabulate import tabulate

from provenance.model import Analysis, Document, QuoteOccurrence, QuoteTrail

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
        if t not in shared
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


def render_markdown(analysis: Analysis) -> str:
    """The whole report as Markdown text with a final newline."""
    sections = [
        summary_section(analysis),
        documents_section(analysis),
        rejected_section(analysis),
        quotes_section(analysis),
        related_section(analysis),
        appendix_section(analysis),
        settings_section(analysis),
    ]
    return "\n\n".join(sections) + "\n"
