"""The Markdown provenance report (GitHub-flavoured, tables by tabulate).

The report is written for a reader who opens it cold, an editor handed it by a
researcher: the summary and the findings in plain sentences come first, then the
lineage (a table and a Mermaid graph), the related documents with their shared
passages side by side and what each document has alone, the quote trail, and an
appendix of per-document evidence; the settings that produced it close it.

Rules every section keeps:

* it formats the analysis and never recomputes it: it reads the same model records
  that :mod:`provenance.report.as_json` serialises (not the JSON records themselves), so
  its figures are the JSON's, rounded for reading (percentages, three decimals);
* every figure points to its evidence: raw offsets ``start–end`` (``raw[start:end]``
  shows it as the file has it), cue phrases, or a link to the appendix entry;
* text from documents is escaped (Markdown punctuation, pipes, line breaks) and long
  text is cut with "…", so tables stay tables;
* tables are capped (:class:`~provenance.settings.ReportSettings`), the rest counted
  with a pointer to the JSON and the workbook, so a 10,000-document corpus gives a
  report a person reads and rendering stays a small fraction of the analysis;
* output is deterministic: the same analysis gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from itertools import chain, islice
from typing import TypeVar

from tabulate import tabulate

from provenance.model import (
    Analysis,
    Composition,
    Document,
    DocumentQuotes,
    Evidence,
    LineageEdge,
    Pair,
    PairRelation,
    Passage,
    Piece,
    QuoteOccurrence,
    QuoteTrail,
    Span,
)
from provenance.settings import ReportSettings, Settings

# Markdown punctuation that could start emphasis, code, links, HTML, headings, tables,
# strikethrough, entities or (on GitHub) inline maths; escaped with a backslash.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&$])")
_EXTERNAL = "external:"
_NOT_DERIVED = frozenset({"original", "independent", "undecided"})
_MORE = "see `provenance.json` or the workbook for all of them"

T = TypeVar("T")


# --- text helpers -----------------------------------------------------------------------


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


def excerpt(text: str, limit: int = 160) -> str:
    """Escaped text, long text cut in the middle with "…" so both ends show, at word boundaries
    when a word boundary is near.

    >>> excerpt("a" * 10 + "b" * 10, limit=9)
    'aaaa … bb'
    >>> excerpt("the quick brown fox jumps over the lazy dog", limit=25)
    'the quick … lazy dog'
    """
    text = " ".join(text.split())
    if len(text) > limit:
        head_len = (limit - 3) * 2 // 3
        head, tail = text[:head_len], text[len(text) - (limit - 3 - head_len) :]
        slack = max(8, limit // 8)  # give up at most this much of either end for a clean word cut
        cut = head.rfind(" ")
        if cut > 0 and len(head) - cut <= slack:
            head = head[:cut]
        cut = tail.find(" ")
        if 0 <= cut < min(slack, len(tail) // 2):
            tail = tail[cut + 1 :]
        text = head.rstrip() + " … " + tail.lstrip()
    return escape(text, limit=None)


def code(text: str) -> str:
    """Text as an inline code span that survives a table cell (pipes escaped, backticks fenced).

    >>> code("000_a"), code("a|b"), code("a`b")
    ('`000_a`', '`a\\\\|b`', '`` a`b ``')
    """
    text = " ".join(text.split()).replace("|", "\\|")
    if "`" in text:
        return f"`` {text} ``"
    return f"`{text}`"


def slug(heading: str) -> str:
    """The anchor GitHub and GitLab give a heading: lower case, punctuation dropped, spaces to ``-``.

    >>> slug("Document 000_3a0f"), slug("Cluster `a.b` (2 documents)")
    ('document-000_3a0f', 'cluster-ab-2-documents')
    """
    kept = "".join(ch for ch in heading.lower() if ch.isalnum() or ch in "_- ")
    return kept.replace(" ", "-")


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A GitHub table; an empty table is written as a sentence instead."""
    if not rows:
        return "_None._"
    return str(tabulate(rows, headers=list(headers), tablefmt="github", disable_numparse=True))


def capped(rows: Sequence[Sequence[object]], limit: int, headers: Sequence[str], noun: str) -> str:
    """A table of at most ``limit`` rows, followed by how many more there are and where they are."""
    return _capped_table(rows[:limit], len(rows), limit, headers, noun)


def capped_by(
    items: Iterable[T], row: Callable[[T], Sequence[object]], limit: int, headers: Sequence[str], noun: str
) -> str:
    """:func:`capped` of ``row(item)`` for each item, building only the rows shown (the rest are counted).

    The corpus-wide tables (lineage, documents, quote occurrences) show 50 rows; building
    all their rows to show 50 took 0.6 s of the 0.75 s the report of a 10,000-document
    corpus took.

    >>> print(capped_by(range(1, 4), lambda n: (n, n * n), 2, ("n", "square"), "number"))
    | n   | square   |
    |-----|----------|
    | 1   | 1        |
    | 2   | 4        |
    <BLANKLINE>
    … and 1 more number: see `provenance.json` or the workbook for all of them.
    """
    rest = iter(items)
    shown = [row(item) for item in islice(rest, limit)]
    return _capped_table(shown, len(shown) + sum(1 for _ in rest), limit, headers, noun)


def _capped_table(shown: Sequence[Sequence[object]], total: int, limit: int, headers: Sequence[str], noun: str) -> str:
    """The table of the ``shown`` rows, and a pointer to the others when there are more than ``limit``."""
    text = table(headers, shown)
    if total > limit:
        text += f"\n\n… and {_count(total - limit, 'more ' + noun)}: {_MORE}."
    return text


def _count(n: int, noun: str) -> str:
    """``1 pair``, ``2 pairs`` (the last word takes the plural).

    >>> _count(1, "pair"), _count(0, "passage"), _count(3, "more document")
    ('1 pair', '0 passages', '3 more documents')
    """
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _are(n: int) -> str:
    """The verb for ``n`` things.

    >>> _are(1), _are(2)
    ('is', 'are')
    """
    return "is" if n == 1 else "are"


def _percent(share: float | None) -> str:
    """A share as a percentage with one decimal, ``—`` when unknown.

    >>> _percent(0.7667), _percent(None)
    ('76.7%', '—')
    """
    return "—" if share is None else f"{share:.1%}"


def _offsets(span: Span) -> str:
    """Raw offsets as the report writes them.

    >>> _offsets(Span(3, 10))
    '3–10'
    """
    return f"{span.start}–{span.end}"


def _outlet(parent: str) -> str:
    """The outlet of an ``external:`` parent.

    >>> _outlet("external:CNBC")
    'CNBC'
    """
    return parent.removeprefix(_EXTERNAL)


def report_settings(analysis: Analysis) -> ReportSettings:
    """The report slice of the analysis's settings (defaults for anything missing or malformed)."""
    given = analysis.settings.get("report") or {}
    defaults = ReportSettings()
    values = {}
    for f in fields(ReportSettings):
        value = given.get(f.name, getattr(defaults, f.name))
        values[f.name] = value if isinstance(value, int) and value >= 1 else getattr(defaults, f.name)
    return ReportSettings(**values)


# --- one index of the analysis, built once ------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Index:
    """Lookups every section needs, built in one pass over the analysis (linear in its size)."""

    analysis: Analysis
    settings: ReportSettings
    docs: dict[str, Document]
    comps: dict[str, Composition]
    edges: dict[str, LineageEdge]
    relations: dict[tuple[str, str], PairRelation]
    clusters: dict[str, list[str]]  # cluster id -> members, sorted
    cluster_pairs: dict[str, list[Pair]]
    passages: dict[tuple[str, str], list[Passage]]
    related: set[str]  # documents in a relation: a parent, a pair, an undecided direction
    appendix: set[str]  # documents that have an appendix entry (links go there)

    @classmethod
    def build(cls, analysis: Analysis, settings: ReportSettings) -> _Index:
        clusters: dict[str, set[str]] = {}
        cluster_pairs: dict[str, list[Pair]] = {}
        for p in analysis.pairs:
            clusters.setdefault(p.cluster, set()).update((p.a, p.b))
            cluster_pairs.setdefault(p.cluster, []).append(p)
        # Identical copies join their head's cluster (or make one with it): they carry its text.
        cluster_of = {p.a: p.cluster for p in analysis.pairs} | {p.b: p.cluster for p in analysis.pairs}
        for group in analysis.duplicates:
            clusters.setdefault(cluster_of.get(group.head, group.head), set()).update((group.head, *group.copies))
        passages: dict[tuple[str, str], list[Passage]] = {}
        for passage in analysis.passages:
            passages.setdefault((passage.a, passage.b), []).append(passage)
        related = {d for members in clusters.values() for d in members}
        related.update(d for r in analysis.relations for d in (r.a, r.b))
        related.update(e.doc for e in analysis.lineage if e.parent is not None or e.undecided)
        # Appendix entries go first to the clusters the findings describe (largest first),
        # then to other documents in a relation, then to the rest, in corpus order.
        shown = _largest_first({c: sorted(m) for c, m in clusters.items()})[: settings.cluster_sections]
        ordered = [m for _, members in shown for m in members]
        ordered += [d.id for d in analysis.documents if d.id in related]
        ordered += [d.id for d in analysis.documents if d.id not in related]
        ordered = list(dict.fromkeys(ordered))
        return cls(
            analysis=analysis,
            settings=settings,
            docs={d.id: d for d in analysis.documents},
            comps={c.doc: c for c in analysis.compositions},
            edges={e.doc: e for e in analysis.lineage},
            relations={(r.a, r.b): r for r in analysis.relations},
            clusters={c: sorted(m) for c, m in clusters.items()},
            cluster_pairs=cluster_pairs,
            passages=passages,
            related=related,
            appendix=set(ordered[: settings.appendix_documents]),
        )

    def shared_pieces(self) -> list[Piece]:
        """Pieces more than one document of the corpus carries, most members first."""
        return [p for p in self.analysis.pieces if len(p.members) > 1]

    def ordered_clusters(self) -> list[tuple[str, list[str]]]:
        """Clusters, largest first, then by id."""
        return _largest_first(self.clusters)

    def documents_related_first(self) -> list[Document]:
        """Documents in a relation first (in corpus order), then the others."""
        docs = self.analysis.documents
        return [d for d in docs if d.id in self.related] + [d for d in docs if d.id not in self.related]

    def ref(self, doc_id: str) -> str:
        """A document id as code, linked to its appendix entry when it has one."""
        if doc_id in self.appendix:
            return f"[{code(doc_id)}](#{slug(_appendix_heading(doc_id))})"
        return code(doc_id)

    def parent(self, parent: str | None) -> str:
        """A parent as the reader should see it: a linked document or an outlet outside the corpus."""
        if parent is None:
            return "—"
        if parent.startswith(_EXTERNAL):
            return f"**{escape(_outlet(parent), 60)}** (not in the corpus)"
        return self.ref(parent)

    def source_of(self, parent: str | None) -> str:
        """``parent`` in a sentence: "a **CNBC** piece that is not in the corpus" or the linked document."""
        if parent is not None and parent.startswith(_EXTERNAL):
            return f"a **{escape(_outlet(parent), 60)}** piece that is not in the corpus"
        return self.parent(parent)


def _largest_first(clusters: dict[str, list[str]]) -> list[tuple[str, list[str]]]:
    """Clusters, largest first, then by id.

    >>> _largest_first({"a": ["a", "b"], "c": ["c", "d", "e"], "b": ["b", "x"]})
    [('c', ['c', 'd', 'e']), ('a', ['a', 'b']), ('b', ['b', 'x'])]
    """
    return sorted(clusters.items(), key=lambda item: (-len(item[1]), item[0]))


def _appendix_heading(doc_id: str) -> str:
    return f"Document {doc_id}"


def _evidence_text(doc: Document | None, item: Evidence, limit: int = 140) -> str:
    """One piece of evidence in words, with its raw offsets when it points into ``doc``."""
    text = escape(item.detail, limit)
    if item.span is not None and doc is not None:
        text += f" ({_offsets(doc.raw_span(item.span))})"
    return text


def key_evidence(edge: LineageEdge, doc: Document | None, limit: int = 2, chars: int = 150) -> str:
    """The first ``limit`` kinds of evidence, in the lineage stage's own order of importance."""
    seen: set[str] = set()
    parts: list[str] = []
    for item in edge.evidence:
        if item.kind in seen:
            continue
        seen.add(item.kind)
        parts.append(_evidence_text(doc, item, chars))
        if len(parts) == limit:
            break
    return "; ".join(parts) or "—"


def _outlets(doc: Document) -> str:
    """Outlets the document's cues name, once each, in order."""
    return ", ".join(dict.fromkeys(cue.outlet for cue in doc.metadata.outlet_cues))


def _own_spans(doc: Document, comp: Composition, limit: int) -> list[Span]:
    """The ``limit`` longest own stretches, in document order (clean spans)."""
    longest = sorted(comp.own, key=lambda s: (-len(s), s.start))[:limit]
    return sorted(longest, key=lambda s: s.start)


def _quoted(doc: Document, span: Span, limit: int) -> str:
    return f"“{excerpt(span.slice(doc.clean), limit)}” ({_offsets(doc.raw_span(span))})"


# --- summary and findings -----------------------------------------------------------------


def _changed_settings(analysis: Analysis) -> list[str]:
    defaults = Settings().as_dict()
    changed = []
    for stage, values in sorted(analysis.settings.items()):
        if not isinstance(values, dict):
            continue
        for key, value in sorted(values.items()):
            if defaults.get(stage, {}).get(key) != value:
                changed.append(f"{code(stage + '.' + key)} = {code(str(value))}")
    return changed


def _role_counts(edges: Iterable[LineageEdge]) -> str:
    counts: dict[str, int] = {}
    for edge in edges:
        counts[edge.role] = counts.get(edge.role, 0) + 1
    return ", ".join(f"{role}: {n:,}" for role, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def summary_section(index: _Index) -> str:
    analysis = index.analysis
    words = sum(d.words for d in analysis.documents)
    derived = [e for e in analysis.lineage if e.role not in _NOT_DERIVED]
    others = [e for e in analysis.lineage if e.role in _NOT_DERIVED]
    travelled = [t for t in analysis.quotes if len(t.docs) > 1]
    clustered = sum(len(m) for m in index.clusters.values())
    pieces = index.shared_pieces()
    carriers = len({m.doc for p in pieces for m in p.members})
    changed = _changed_settings(analysis)
    version = analysis.stats.get("version", "?")
    lines = [
        "# Provenance report",
        "",
        "Which documents of this corpus carry the same piece, where each came from, what each added, and which "
        "quotes travelled, with the evidence for every finding. Offsets `start–end` index the raw files "
        "(`raw[start:end]` shows the evidence as the file has it); every record is in `provenance.json` and "
        "the workbook.",
        "",
        "## Summary",
        "",
        f"- **{len(analysis.documents):,}** documents analysed ({words:,} words of article text); "
        f"**{len(analysis.rejected):,}** files rejected.",
        f"- **{len(pieces):,}** {'piece' if len(pieces) == 1 else 'pieces'} carried by more than one document "
        f"({carriers:,} documents); a piece is one source text and the documents that carry it, whole or in part.",
        f"- **{len(index.clusters):,}** {'cluster' if len(index.clusters) == 1 else 'clusters'} of documents "
        f"that share text ({clustered:,} documents, {_count(len(analysis.pairs), 'related pair')}).",
        f"- **{len(derived):,}** republished documents"
        + (f" ({_role_counts(derived)})" if derived else "")
        + (f"; {_role_counts(others)}." if others else "."),
        *(
            [
                f"- **{len(analysis.duplicates):,}** {'group' if len(analysis.duplicates) == 1 else 'groups'} of "
                f"identical texts ({_count(sum(len(g.copies) for g in analysis.duplicates), 'duplicate')} analysed "
                "as their group's head: listed once, never paired)."
            ]
            if analysis.duplicates
            else []
        ),
        f"- **{len(analysis.quotes):,}** quote trails, **{len(travelled):,}** carried by more than one document.",
        f"- Made by provenance {version} with "
        + (
            f"{_count(len(changed), 'setting')} changed from the defaults: {', '.join(changed)}"
            if changed
            else "the default settings"
        )
        + " (all settings are listed at the end).",
    ]
    return "\n".join(lines)


def findings_section(index: _Index) -> str:
    """The findings in plain sentences: clusters and their source, what each member has alone,
    quotes that travelled, where the other documents came from."""
    limit = index.settings.cluster_sections
    parts = ["## Findings"]
    pieces = index.shared_pieces()
    for piece in pieces[:limit]:
        parts.append(_piece_finding(index, piece))
    if len(pieces) > limit:
        parts.append(f"… and {_count(len(pieces) - limit, 'more piece')}: {_MORE}.")
    parts.append(_quotes_finding(index))
    in_pieces = {m.doc for piece in pieces for m in piece.members}
    alone = [e for e in index.analysis.lineage if e.doc not in in_pieces]
    derived = [e for e in alone if e.role not in _NOT_DERIVED]
    rest = [e for e in alone if e.role in _NOT_DERIVED]
    rows = index.settings.table_rows
    if derived:
        lines = [f"- {_edge_sentence(index, e)}" for e in derived[:rows]]
        if len(derived) > rows:
            lines.append(f"- … and {_count(len(derived) - rows, 'more document')}: {_MORE}.")
        parts.append("**Documents that share no text with any other document in the corpus:**\n\n" + "\n".join(lines))
    if rest:
        lines = [f"- {_edge_sentence(index, e)}" for e in rest[:rows]]
        if len(rest) > rows:
            lines.append(f"- … and {_count(len(rest) - rows, 'more document')}: {_MORE}.")
        parts.append("**Documents with no known source:**\n\n" + "\n".join(lines))
    return "\n\n".join(parts)


def _piece_finding(index: _Index, piece: Piece) -> str:
    """A piece in words: its carriers, where it comes from, then one line each."""
    members = [m.doc for m in piece.members]
    edges = [index.edges[m] for m in members if m in index.edges]
    rows = index.settings.table_rows
    if len(members) > rows:
        names = ", ".join(index.ref(m) for m in members[:rows]) + f" and {len(members) - rows:,} more"
    else:
        names = ", ".join(index.ref(m) for m in members[:-1]) + f" and {index.ref(members[-1])}"
    if piece.source.startswith(_EXTERNAL):
        source = f", credited to **{escape(_outlet(piece.source), 60)}**, whose own page is not in the corpus"
    else:
        source = f"; it comes from {index.ref(piece.source)}"
    titles = [title for m in members if (title := index.docs[m].metadata.title)]
    title = f" (“{escape(titles[0], 90)}”)" if titles else ""
    head = f"**Same piece in {_count(len(members), 'document')}.** {names} carry the same piece{title}{source}."
    how = {m.doc: f" It carries the piece {m.extent}, {m.form}." for m in piece.members if m.role != "source"}
    lines = [f"- {_edge_sentence(index, e, own=True)}{how.get(e.doc, '')}" for e in edges[:rows]]
    if len(edges) > rows:
        lines.append(f"- … and {_count(len(edges) - rows, 'more document')}: {_MORE}.")
    return head + "\n\n" + "\n".join(lines)


def _edge_sentence(index: _Index, edge: LineageEdge, *, own: bool = False) -> str:
    """One document's role, parent, confidence, key evidence and (``own``) what it has alone."""
    doc = index.docs.get(edge.doc)
    ref = index.ref(edge.doc)
    if edge.role in ("original", "independent"):
        text = f"{ref} is {edge.role}"
    elif edge.role == "undecided":
        others = ", ".join(index.ref(o) for o in edge.undecided) or "another document"
        text = f"{ref} shares text with {others}, but which came first is undecided"
    else:
        text = f"{ref} is {'an' if edge.role[0] in 'aeiou' else 'a'} {edge.role} of {index.source_of(edge.parent)}"
    text += f" (confidence {edge.confidence:.0%}). Evidence: {key_evidence(edge, doc, limit=5, chars=220)}."
    comp = index.comps.get(edge.doc)
    if own and doc is not None and comp is not None:
        text += " " + _own_sentence(index, doc, comp)
    return text


def _own_sentence(index: _Index, doc: Document, comp: Composition) -> str:
    """How much of the document is shared and with whom, and excerpts of the text only it has."""
    if len(comp.sources) == 1:
        sources = index.ref(comp.sources[0].doc)
    else:
        sources = ", ".join(f"{index.ref(s.doc)} ({_percent(s.share)})" for s in comp.sources)
    shared = f"{_percent(comp.republished_share)} of its text is also in {sources}" if sources else "It shares no text"
    spans = _own_spans(doc, comp, 3)
    if not spans:
        return f"{shared}; it has no text of its own."
    quoted = ", ".join(_quoted(doc, s, 110) for s in spans)
    more = f" and {_count(len(comp.own) - len(spans), 'more passage')}" if len(comp.own) > len(spans) else ""
    return f"{shared}; text only it has ({_percent(comp.original_share)}): {quoted}{more}."


def _trail_label(trail: QuoteTrail, limit: int) -> str:
    speaker = escape(trail.speaker, 40) if trail.speaker else "unattributed"
    return f"“{escape(trail.text, limit)}” ({speaker})"


def _travelled(index: _Index) -> list[QuoteTrail]:
    """Trails carried by more than one document: most documents first, statements before phrases."""
    trails = [t for t in index.analysis.quotes if len(t.docs) > 1]
    return sorted(trails, key=lambda t: (-len(t.docs), t.kind != "statement", t.trail))


def _quotes_finding(index: _Index) -> str:
    travelled = _travelled(index)
    if not travelled:
        return "No quote travelled: every quote appears in one document only."
    limit = 5
    lines = [
        f"- {_trail_label(t, 100)} in {', '.join(index.ref(d) for d in t.docs)}; first: {_first(index, t)}"
        for t in travelled[:limit]
    ]
    if len(travelled) > limit:
        lines.append(f"- … and {_count(len(travelled) - limit, 'more quote')}: see [Quote trail](#quote-trail).")
    return f"**{_count(len(travelled), 'quote')} travelled between documents:**\n\n" + "\n".join(lines)


def _first(index: _Index, trail: QuoteTrail) -> str:
    first = index.ref(trail.first) if trail.first != "undecided" else "undecided"
    return f"{first} ({escape(trail.first_basis, 80)})"


# --- lineage: table and graph ----------------------------------------------------------------


def _lineage_row(index: _Index, doc: Document) -> tuple[str, ...]:
    edge = index.edges.get(doc.id)
    comp = index.comps.get(doc.id)
    return (
        index.ref(doc.id),
        escape(doc.metadata.title or "—", 60),
        escape(_outlets(doc), 40) or "—",
        edge.role if edge else "—",
        index.parent(edge.parent) if edge else "—",
        _percent(comp.original_share if comp else None),
        _percent(comp.republished_share if comp else None),
        f"{edge.confidence:.0%}" if edge else "—",
        key_evidence(edge, doc) if edge else "—",
    )


def lineage_section(index: _Index) -> str:
    headers = (
        "document",
        "title",
        "outlets named",
        "role",
        "parent",
        "original %",
        "republished %",
        "confidence",
        "key evidence (raw offsets)",
    )
    intro = (
        "Each document's role and where it came from. *Original %* is the share of its article text (furniture "
        "excluded, by characters) found in no other document of this corpus, *republished %* the rest: a copy of a "
        "piece whose source is not in the corpus can be mostly “original” here, which is why the *role* and "
        "*parent* come from the credits and the direction evidence. *Confidence* is how sure the role and parent "
        "are. Documents in a relation come first; each links to its evidence in the appendix."
    )
    rows = capped_by(
        index.documents_related_first(),
        lambda doc: _lineage_row(index, doc),
        index.settings.table_rows,
        headers,
        "document",
    )
    return "\n\n".join(("## Lineage", intro, rows, lineage_graph(index)))


_MERMAID_SAFE = frozenset(" .,:'’‘“”-–—/?!")


def mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label: letters, digits and plain punctuation kept, the rest as ``#code;``.

    Mermaid reads ``#quot;`` and ``#60;`` as characters; GitHub renders Markdown inside
    labels, so ``*``, ``_`` and backticks are encoded too.

    >>> mermaid_text('say "hi" <b>*now*</b> 100%')
    'say #34;hi#34; #60;b#62;#42;now#42;#60;/b#62; 100#37;'
    """
    return "".join(ch if ch.isalnum() or ch in _MERMAID_SAFE else f"#{ord(ch)};" for ch in " ".join(text.split()))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def lineage_graph(index: _Index) -> str:
    """A Mermaid flowchart: parents point to the documents they gave text to; outlets outside the
    corpus are rounded, dashed nodes; pairs that share text without being parent and child are
    joined by dotted lines. Only documents in a relation are drawn, at most ``graph_nodes``."""
    limit = index.settings.graph_nodes
    related = [d for d in index.analysis.documents if d.id in index.related]
    if not related:
        return "No document is in a relation, so there is no lineage graph."
    drawn = related[:limit]
    ids = {d.id: f"d{n}" for n, d in enumerate(drawn, 1)}
    outlets: dict[str, str] = {}
    lines = ["```mermaid", "flowchart LR", "  classDef external fill:#f6f6f6,stroke:#777,stroke-dasharray: 5 5"]
    edges: list[str] = []
    for doc in drawn:
        title = doc.metadata.title
        label = mermaid_text(doc.id) + (f"<br/>{mermaid_text(_cut(title, 40))}" if title else "")
        lines.append(f'  {ids[doc.id]}["{label}"]')
        edge = index.edges.get(doc.id)
        if edge is None or edge.parent is None:
            continue
        caption = mermaid_text(f"{edge.relation or edge.role}, {edge.confidence:.0%}")
        if edge.parent.startswith(_EXTERNAL):
            if edge.parent not in outlets:
                outlets[edge.parent] = f"x{len(outlets) + 1}"
                name = mermaid_text(_cut(_outlet(edge.parent), 40))
                lines.append(f'  {outlets[edge.parent]}(["{name}<br/>outside the corpus"]):::external')
            edges.append(f'  {outlets[edge.parent]} -->|"{caption}"| {ids[doc.id]}')
        elif edge.parent in ids:
            edges.append(f'  {ids[edge.parent]} -->|"{caption}"| {ids[doc.id]}')
    parents = {(e.parent, e.doc) for e in index.analysis.lineage}
    for pair in index.analysis.pairs:
        if pair.a in ids and pair.b in ids and (pair.a, pair.b) not in parents and (pair.b, pair.a) not in parents:
            relation = index.relations.get((pair.a, pair.b))
            caption = mermaid_text(f"share text{', ' + relation.relation if relation else ''}")
            edges.append(f'  {ids[pair.a]} -.-|"{caption}"| {ids[pair.b]}')
    lines.extend(edges)
    lines.append("```")
    unrelated = len(index.analysis.documents) - len(related)
    notes = []
    if len(related) > limit:
        more = len(related) - limit
        notes.append(f"{_count(more, 'more document')} in a relation {_are(more)} not drawn (the graph is capped)")
    if unrelated:
        notes.append(f"{_count(unrelated, 'document')} with no relation {_are(unrelated)} not drawn")
    note = (
        "\n\nArrows go from the source to the document that republished it; dotted lines join documents that "
        "share text without one being the other's parent."
    )
    if notes:
        note += f" {'; '.join(notes).capitalize()}."
    return "\n".join(lines) + note


# --- related documents, shared passages, own text ----------------------------------------------


def related_section(index: _Index) -> str:
    """Related pairs with their scores and relation, then each cluster's passages side by side."""
    analysis = index.analysis
    stats = analysis.stats.get("candidates")
    counts = (
        f" Candidate pairs from the MinHash index: {stats['candidates']:,}; verified on the exact shingle sets: "
        f"{stats['verified']:,}."
        if isinstance(stats, dict)
        else ""
    )
    intro = (
        "Pairs of documents that share text. Containment *a in b* is the share of *a*'s shingles (word n-grams of "
        "its article text, furniture excluded) found in *b*: an excerpt scores high in the short document and low "
        "in its source. The relation is seen from the derived document; its evidence is listed in the JSON." + counts
    )
    pair_keys = {(p.a, p.b) for p in analysis.pairs}
    unpaired = (r for r in analysis.relations if (r.a, r.b) not in pair_keys)
    related: Iterable[Pair | PairRelation] = chain(analysis.pairs, unpaired)
    headers = (
        "a",
        "b",
        "relation",
        "jaccard",
        "containment a in b",
        "containment b in a",
        "shared shingles",
        "cluster",
    )
    rows = capped_by(related, lambda item: _related_row(index, item), index.settings.table_rows, headers, "pair")
    parts = ["## Related documents", intro, rows]
    clusters = index.ordered_clusters()
    limit = index.settings.cluster_sections
    for cluster, members in clusters[:limit]:
        parts.append(_cluster_section(index, cluster, members))
    if len(clusters) > limit:
        parts.append(f"… and {_count(len(clusters) - limit, 'more cluster')} not shown here: {_MORE}.")
    return "\n\n".join(parts)


def _related_row(index: _Index, item: Pair | PairRelation) -> tuple[str, ...]:
    """A pair with its scores and relation, or a relation without shared text (no scores)."""
    if isinstance(item, PairRelation):
        return (index.ref(item.a), index.ref(item.b), _relation_cell(index, item), "—", "—", "—", "0", "—")
    return (
        index.ref(item.a),
        index.ref(item.b),
        _relation_cell(index, index.relations.get((item.a, item.b))),
        f"{item.jaccard:.3f}",
        f"{item.containment_a_in_b:.3f}",
        f"{item.containment_b_in_a:.3f}",
        f"{item.shared_shingles:,} of {item.shingles_a:,} / {item.shingles_b:,}",
        code(item.cluster),
    )


def _relation_cell(index: _Index, relation: PairRelation | None) -> str:
    if relation is None:
        return "—"
    how = f"{relation.relation} ({_extent_words(relation)})"
    if relation.derived is None:
        return f"{how}, direction undecided"
    source = f"; source: {index.parent(relation.source)}" if relation.source else ""
    return f"{how}: {code(relation.derived)} is the copy{source} ({relation.confidence:.0%})"


def _extent_words(relation: PairRelation) -> str:
    """Extent and form in words: "part, edited"; "too little to call reuse" for extent none."""
    if relation.extent == "none":
        return f"{relation.form}, too little to call reuse"
    return f"{relation.extent}, {relation.form}"


def _cluster_section(index: _Index, cluster: str, members: list[str]) -> str:
    limit = index.settings.table_rows
    chars = index.settings.excerpt_chars
    parts = [f"### Cluster {code(cluster)} ({_count(len(members), 'document')})"]
    parts.append("Shared passages side by side (text shown repaired, escapes decoded; offsets index the raw files):")
    for pair in index.cluster_pairs.get(cluster, [])[:limit]:
        a, b = index.docs[pair.a], index.docs[pair.b]
        rows = [
            (
                n,
                _offsets(Span(p.a_start, p.a_end)),
                excerpt(p.a_clean.slice(a.clean), chars),
                _offsets(Span(p.b_start, p.b_end)),
                excerpt(p.b_clean.slice(b.clean), chars),
                f"{p.similarity:.3f}",
                p.kind,
            )
            for n, p in enumerate(index.passages.get((pair.a, pair.b), []), 1)
        ]
        headers = ("#", code(pair.a), "text", code(pair.b), "text", "similarity", "kind")
        parts.append(f"{code(pair.a)} ↔ {code(pair.b)}:\n\n" + capped(rows, limit, headers, "passage"))
    pairs = len(index.cluster_pairs.get(cluster, []))
    if pairs > limit:
        parts.append(f"… and {_count(pairs - limit, 'more pair')} in this cluster: {_MORE}.")
    parts.append("What each document has that no other document in the corpus has (its own passages):")
    for member in members[:limit]:
        parts.append(_own_table(index, member))
    if len(members) > limit:
        parts.append(f"… and {_count(len(members) - limit, 'more member')}: {_MORE}.")
    return "\n\n".join(parts)


def _own_table(index: _Index, doc_id: str) -> str:
    doc, comp = index.docs[doc_id], index.comps.get(doc_id)
    if comp is None:
        return f"{index.ref(doc_id)}: no composition."
    edge = index.edges.get(doc_id)
    role = f" ({edge.role})" if edge else ""
    head = (
        f"{index.ref(doc_id)}{role}: {_percent(comp.original_share)} of {comp.chars:,} characters in "
        f"{_count(len(comp.own), 'own passage')}"
    )
    rows = [
        (
            n,
            _offsets(doc.raw_span(span)),
            f"{len(span):,}",
            excerpt(span.slice(doc.clean), index.settings.excerpt_chars),
        )
        for n, span in enumerate(comp.own, 1)
    ]
    return head + "\n\n" + capped(rows, index.settings.table_rows, ("#", "raw offsets", "chars", "text"), "passage")


# --- quotes ---------------------------------------------------------------------------------


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


def _trail_row(index: _Index, trail: QuoteTrail, chars: int) -> tuple[str, ...]:
    return (
        code(trail.trail),
        trail.kind,
        _trail_speaker(trail),
        f"“{escape(trail.text, chars)}”",
        ", ".join(index.ref(d) for d in trail.docs[: index.settings.cell_items])
        + (
            f" and {len(trail.docs) - index.settings.cell_items:,} more"
            if len(trail.docs) > index.settings.cell_items
            else ""
        ),
        ", ".join(sorted({o.form for o in trail.occurrences})),
        index.ref(trail.first) if trail.first != "undecided" else "undecided",
        escape(trail.first_basis, 60),
    )


def _occurrence_row(index: _Index, trail: QuoteTrail, occurrence: QuoteOccurrence) -> tuple[str, ...]:
    quote = occurrence.quote
    return (
        code(trail.trail),
        index.ref(quote.doc),
        _offsets(quote.raw),
        quote.place,
        occurrence.form,
        escape(occurrence.diff, 80) or "—",
        escape(quote.attribution.speaker or "unattributed", 40),
        _cue(occurrence),
    )


def _quote_count_row(index: _Index, counts: DocumentQuotes) -> tuple[object, ...]:
    shared_with = ", ".join(index.ref(d) for d in counts.shared_with) + _more(counts)
    return (index.ref(counts.doc), counts.quotes, counts.statements, counts.phrases, counts.shared, shared_with)


def _more(counts: DocumentQuotes) -> str:
    """How many sharing documents the list leaves out (a count at the cap is a lower bound)."""
    rest = counts.partners - len(counts.shared_with)
    return f" and {rest} more" if rest > 0 else ""


def quotes_section(index: _Index) -> str:
    """Quotes carried by more than one document with every occurrence, and quotes per document."""
    analysis = index.analysis
    trails = analysis.quotes
    total = sum(len(t.occurrences) for t in trails)
    travelled = _travelled(index)
    limit = index.settings.table_rows
    chars = index.settings.excerpt_chars
    parts = [
        "## Quote trail",
        f"{_count(total, 'direct quote')} in {_count(len(trails), 'trail')}; {len(travelled):,} reach more than one "
        f"document, {sum(t.conflicting_speakers for t in trails):,} name different speakers. Forms compare each "
        "occurrence with the trail's most complete version; offsets index the raw files. Quotes found in one "
        "document only are in the JSON and the workbook's Quotes sheet.",
    ]
    headers = ("trail", "kind", "speaker", "text", "documents", "forms", "first", "first because")
    rows = capped_by(travelled, lambda t: _trail_row(index, t, chars), limit, headers, "trail")
    parts.append("### Quotes carried by more than one document\n\n" + rows)
    occurrences = ((t, o) for t in travelled for o in t.occurrences)
    occurrence_headers = (
        "trail",
        "document",
        "raw offsets",
        "place",
        "form",
        "difference",
        "speaker",
        "cue (raw offsets)",
    )
    occurrence_rows = capped_by(
        occurrences, lambda item: _occurrence_row(index, *item), limit, occurrence_headers, "occurrence"
    )
    parts.append("### Occurrences\n\n" + occurrence_rows)
    counts = sorted((c for c in analysis.quote_counts if c.shared), key=lambda c: (-c.shared, c.doc))
    count_headers = ("document", "quotes", "statements", "phrases", "shared with others", "shared with")
    count_rows = capped_by(counts, lambda c: _quote_count_row(index, c), limit, count_headers, "document")
    parts.append("### Documents sharing quotes\n\n" + count_rows)
    return "\n\n".join(parts)


# --- documents, rejected files, appendix, settings -------------------------------------------


def _cues(doc: Document) -> str:
    seen: list[str] = []
    for cue in doc.metadata.outlet_cues:
        label = f"{cue.outlet} ({cue.kind})"
        if label not in seen:
            seen.append(label)
    return escape("; ".join(seen), limit=None) if seen else "—"


def _repairs(doc: Document) -> str:
    return ", ".join(f"{r.fixer} ×{r.count}" for r in doc.repairs) or "—"


def _document_row(index: _Index, doc: Document) -> tuple[object, ...]:
    return (
        index.ref(doc.id),
        escape(doc.metadata.title or "—", 70),
        doc.metadata.date or "—",
        escape(doc.metadata.dateline or "—", 30),
        _cues(doc),
        doc.encoding,
        _repairs(doc),
        len(doc.furniture),
        f"{doc.words:,}",
    )


def documents_section(index: _Index) -> str:
    headers = ("id", "title", "date", "dateline", "outlet cues", "encoding", "repairs", "furniture lines", "words")
    rows = capped_by(
        index.analysis.documents, lambda doc: _document_row(index, doc), index.settings.table_rows, headers, "document"
    )
    return "## Documents\n\n" + rows


def rejected_section(index: _Index) -> str:
    intro = "Files that could not be analysed; the rest of the corpus was analysed without them."
    rows = capped_by(
        index.analysis.rejected,
        lambda r: (code(r.path), r.reason, escape(r.detail, 120)),
        index.settings.table_rows,
        ("path", "reason", "detail"),
        "file",
    )
    return "## Rejected files\n\n" + intro + "\n\n" + rows


def appendix_section(index: _Index) -> str:
    in_appendix = [d for d in index.documents_related_first() if d.id in index.appendix]
    left = len(index.analysis.documents) - len(in_appendix)
    intro = (
        "Per-document evidence, documents in a relation first: metadata and outlet cues, the lineage evidence, "
        "repairs, furniture lines (excluded from matching) and the passages no other document has."
    )
    if left > 0:
        intro += f" {_count(left, 'more document')} are not listed here: {_MORE}."
    parts = ["## Appendix: per-document evidence", intro]
    parts.extend(_appendix_entry(index, doc) for doc in in_appendix)
    return "\n\n".join(parts)


def _appendix_entry(index: _Index, doc: Document) -> str:
    limit = index.settings.table_rows
    meta = doc.metadata
    edge = index.edges.get(doc.id)
    comp = index.comps.get(doc.id)
    parts = [f"### {escape(_appendix_heading(doc.id), None)}"]
    summary = [
        f"- File: {code(doc.path)} ({doc.encoding}, {doc.words:,} words); repairs: {_repairs(doc)}.",
    ]
    if edge is not None:
        summary.append(f"- Role: {edge.role}; parent: {index.parent(edge.parent)}; confidence {edge.confidence:.0%}.")
    if comp is not None:
        summary.append(
            f"- Text: {comp.chars:,} characters, {_percent(comp.original_share)} original, "
            f"{_percent(comp.republished_share)} republished, {_count(len(comp.repeats), 'internal repeat')}."
        )
    parts.append("\n".join(summary))
    facts = []
    for label, value, evidence in (
        ("title", meta.title, meta.title_evidence),
        ("date", meta.date, meta.date_evidence),
        ("dateline", meta.dateline, meta.dateline_evidence),
    ):
        if value and evidence is not None and evidence.span is not None:
            facts.append((label, escape(value, 80), escape(evidence.detail, 60), _offsets(doc.raw_span(evidence.span))))
    for cue in meta.outlet_cues:
        facts.append(
            (
                "outlet",
                escape(cue.outlet, 40),
                escape(f"{cue.kind}: “{cue.text}”", 80),
                _offsets(doc.raw_span(cue.span)),
            )
        )
    parts.append(
        "Metadata and outlet cues:\n\n" + capped(facts, limit, ("fact", "value", "evidence", "raw offsets"), "fact")
    )
    if edge is not None:
        rows = [
            (
                item.kind,
                escape(item.detail, 200),
                "—" if item.score is None else f"{item.score:+.2f}",
                _offsets(doc.raw_span(item.span)) if item.span is not None else "—",
            )
            for item in edge.evidence
        ]
        parts.append(
            "Lineage evidence (credits, cues and direction signals):\n\n"
            + capped(rows, limit, ("kind", "detail", "weight", "raw offsets"), "item")
        )
    furniture = [
        (escape(line.clean.slice(doc.clean), 70), escape(line.cue, 60), _offsets(doc.raw_span(line.clean)))
        for line in doc.furniture
    ]
    parts.append(
        "Furniture lines (excluded from matching):\n\n"
        + capped(furniture, limit, ("line", "cue", "raw offsets"), "line")
    )
    if comp is not None and comp.own:
        own = [
            (n, _offsets(doc.raw_span(s)), f"{len(s):,}", excerpt(s.slice(doc.clean), 100))
            for n, s in enumerate(comp.own, 1)
        ]
        parts.append("Own passages:\n\n" + capped(own, limit, ("#", "raw offsets", "chars", "text"), "passage"))
    return "\n\n".join(parts)


def settings_section(index: _Index) -> str:
    rows = [
        (code(f"{stage}.{key}"), escape(str(value), 80))
        for stage, values in index.analysis.settings.items()
        if isinstance(values, dict)
        for key, value in values.items()
    ]
    version = index.analysis.stats.get("version", "?")
    return f"## Settings\n\nEvery setting of this run (provenance {version}).\n\n" + table(("setting", "value"), rows)


def render_markdown(analysis: Analysis, settings: ReportSettings | None = None) -> str:
    """The whole report as Markdown text with a final newline.

    ``settings`` defaults to the report slice recorded in the analysis (``--set report.…``).
    """
    index = _Index.build(analysis, settings or report_settings(analysis))
    sections = [
        summary_section(index),
        findings_section(index),
        lineage_section(index),
        related_section(index),
        quotes_section(index),
        documents_section(index),
        rejected_section(index),
        appendix_section(index),
        settings_section(index),
    ]
    return "\n\n".join(sections) + "\n"
