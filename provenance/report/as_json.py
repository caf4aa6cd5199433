"""The whole analysis as JSON: keys sorted, stable, offsets into the raw files.

Every span in the JSON indexes the decoded raw text of its file (``start``/``end``,
half-open), so ``raw[start:end]`` shows the evidence exactly as the file has it.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import asdict, is_dataclass
from typing import Any

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
    QuoteOccurrence,
    QuoteTrail,
    Span,
)

TOP_LEVEL_KEYS = ("documents", "rejected", "pairs", "passages", "quotes", "lineage", "settings")


def _raw(doc: Document, span: Span) -> dict[str, int]:
    raw = doc.raw_span(span)
    return {"start": raw.start, "end": raw.end}


def _evidence(doc: Document, evidence: Evidence | None) -> dict[str, Any] | None:
    if evidence is None:
        return None
    out: dict[str, Any] = {"kind": evidence.kind, "detail": evidence.detail}
    if evidence.score is not None:
        out["score"] = round(evidence.score, 4)
    if evidence.span is not None:
        out.update(_raw(doc, evidence.span))
    return out


def document_record(doc: Document, quotes: DocumentQuotes | None = None) -> dict[str, Any]:
    """One ``documents`` entry."""
    meta = doc.metadata
    return {
        "id": doc.id,
        "path": doc.path,
        "sha256": doc.sha256,
        "encoding": doc.encoding,
        "title": meta.title,
        "title_evidence": _evidence(doc, meta.title_evidence),
        "date": meta.date,
        "date_evidence": _evidence(doc, meta.date_evidence),
        "dateline": meta.dateline,
        "dateline_evidence": _evidence(doc, meta.dateline_evidence),
        "outlet_cues": [
            {"outlet": c.outlet, "kind": c.kind, "text": c.text, **_raw(doc, c.span)} for c in meta.outlet_cues
        ],
        "repairs": [{"fixer": r.fixer, "count": r.count} for r in doc.repairs],
        "furniture": [
            {"cue": line.cue, "text": line.clean.slice(doc.clean).strip(), **_raw(doc, line.clean)}
            for line in doc.furniture
        ],
        "words": doc.words,
        "paragraphs": len(doc.paragraphs),
        "sentences": len(doc.sentences),
        "quotes": _quote_counts(quotes),
    }


def _quote_counts(counts: DocumentQuotes | None) -> dict[str, Any] | None:
    if counts is None:
        return None
    return {
        "total": counts.quotes,
        "statements": counts.statements,
        "phrases": counts.phrases,
        "shared": counts.shared,
        "shared_with": list(counts.shared_with),
    }


def _occurrence(occurrence: QuoteOccurrence) -> dict[str, Any]:
    quote = occurrence.quote
    cue = quote.attribution
    return {
        "doc": quote.doc,
        "start": quote.raw.start,
        "end": quote.raw.end,
        "text": quote.text,
        "kind": quote.kind,
        "place": quote.place,
        "marks": quote.marks,
        "notes": list(quote.notes),
        "form": occurrence.form,
        "diff": occurrence.diff,
        "containment": round(occurrence.containment, 4),
        "completeness": round(occurrence.completeness, 4),
        "speaker": cue.speaker,
        "cue": cue.cue or None,
        "cue_text": cue.text or None,
        "cue_start": cue.raw.start if cue.raw is not None else None,
        "cue_end": cue.raw.end if cue.raw is not None else None,
        "source": cue.source or None,
    }


def quote_record(trail: QuoteTrail) -> dict[str, Any]:
    """One ``quotes`` entry: a trail and its occurrences (offsets into the raw files)."""
    return {
        "trail": trail.trail,
        "speaker": trail.speaker,
        "speakers": list(trail.speakers),
        "conflicting_speakers": trail.conflicting_speakers,
        "text": trail.text,
        "kind": trail.kind,
        "documents": list(trail.docs),
        "first": trail.first,
        "first_basis": trail.first_basis,
        "occurrences": [_occurrence(o) for o in trail.occurrences],
    }


def composition_record(doc: Document, comp: Composition) -> dict[str, Any]:
    """The alignment's fields of a ``documents`` entry: own and republished shares."""
    return {
        "original_share": round(comp.original_share, 4),
        "republished_share": round(comp.republished_share, 4),
        "text_chars": comp.chars,
        "republished_from": [{"doc": s.doc, "chars": s.chars, "share": round(s.share, 4)} for s in comp.sources],
        "own_passages": [_raw(doc, span) for span in comp.own],
        "internal_repeats": [
            {
                **_raw(doc, r.clean),
                "of_start": (of := doc.raw_span(r.of)).start,
                "of_end": of.end,
                "containment": round(r.containment, 4),
                "mutual": r.mutual,
            }
            for r in comp.repeats
        ],
    }


def passage_record(p: Passage, docs: dict[str, Document]) -> dict[str, Any]:
    """One ``passages`` entry: raw offsets in both files; ``text`` is ``a``'s raw slice."""
    return {
        "a": p.a,
        "a_start": p.a_start,
        "a_end": p.a_end,
        "b": p.b,
        "b_start": p.b_start,
        "b_end": p.b_end,
        "similarity": round(p.similarity, 4),
        "kind": p.kind,
        "a_sentences": p.a_sentences,
        "b_sentences": p.b_sentences,
        "text": docs[p.a].raw[p.a_start : p.a_end],
    }


def _evidence_list(evidence: tuple[Evidence, ...], doc: Document | None) -> list[dict[str, Any]]:
    """Evidence as ``kind``, ``detail``, ``score`` (and raw offsets when it points into ``doc``)."""
    out = []
    for item in evidence:
        record: dict[str, Any] = {"kind": item.kind, "detail": item.detail, "score": _round(item.score)}
        if item.span is not None and doc is not None:
            record.update(_raw(doc, item.span))
        out.append(record)
    return out


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _relation_fields(relation: PairRelation | None) -> dict[str, Any]:
    if relation is None:
        return {"relation": None, "derived": None, "source": None, "direction_confidence": None, "evidence": []}
    return {
        "relation": relation.relation,
        "derived": relation.derived,
        "source": relation.source,
        "direction_confidence": round(relation.confidence, 4),
        "evidence": _evidence_list(relation.evidence, None),
    }


def pair_record(pair: Pair, relation: PairRelation | None) -> dict[str, Any]:
    """One ``pairs`` entry: exact scores, cluster, and the relation seen from the derived side."""
    return {
        "a": pair.a,
        "b": pair.b,
        "jaccard": round(pair.jaccard, 4),
        "containment_a_in_b": round(pair.containment_a_in_b, 4),
        "containment_b_in_a": round(pair.containment_b_in_a, 4),
        "shared_shingles": pair.shared_shingles,
        "shingles_a": pair.shingles_a,
        "shingles_b": pair.shingles_b,
        "cluster": pair.cluster,
        **_relation_fields(relation),
    }


def relation_record(relation: PairRelation) -> dict[str, Any]:
    """A related pair without shared text (same statements only): no scores, a relation."""
    return {
        "a": relation.a,
        "b": relation.b,
        "jaccard": None,
        "containment_a_in_b": None,
        "containment_b_in_a": None,
        "shared_shingles": 0,
        "shingles_a": None,
        "shingles_b": None,
        "cluster": None,
        **_relation_fields(relation),
    }


def lineage_record(edge: LineageEdge, doc: Document | None) -> dict[str, Any]:
    """One ``lineage`` entry: role, parent, relation, confidence and the evidence behind them."""
    return {
        "doc": edge.doc,
        "role": edge.role,
        "parent": edge.parent,
        "relation": edge.relation,
        "confidence": round(edge.confidence, 4),
        "undecided": list(edge.undecided),
        "evidence": _evidence_list(edge.evidence, doc),
    }


def _plain(value: object) -> object:
    """Dataclasses of later stages to plain JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return {k: _plain(v) for k, v in asdict(value).items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, 4)
    return value


def _sections(analysis: Analysis) -> dict[str, Any]:
    """The top-level values, long lists as iterators (so they can be written one record at a time)."""
    docs = {d.id: d for d in analysis.documents}
    comps = {c.doc: c for c in analysis.compositions}
    quote_counts = {c.doc: c for c in analysis.quote_counts}
    relations = {(r.a, r.b): r for r in analysis.relations}
    pair_keys = {(p.a, p.b) for p in analysis.pairs}
    return {
        "version": analysis.stats.get("version"),
        "documents": (
            {
                **document_record(d, quote_counts.get(d.id)),
                **(composition_record(d, comps[d.id]) if d.id in comps else {}),
            }
            for d in analysis.documents
        ),
        "rejected": [{"path": r.path, "reason": r.reason, "detail": r.detail} for r in analysis.rejected],
        "pairs": itertools.chain(
            (pair_record(p, relations.get((p.a, p.b))) for p in analysis.pairs),
            (relation_record(r) for r in analysis.relations if (r.a, r.b) not in pair_keys),
        ),
        "passages": (passage_record(p, docs) for p in analysis.passages),
        "quotes": (quote_record(t) for t in analysis.quotes),
        "lineage": (lineage_record(edge, docs.get(edge.doc)) for edge in analysis.lineage),
        "settings": analysis.settings,
    }


def to_dict(analysis: Analysis) -> dict[str, Any]:
    """The JSON-ready dict; deterministic (no timings, no absolute paths added)."""
    return {k: list(v) if isinstance(v, Iterator) else v for k, v in _sections(analysis).items()}


def render_json(analysis: Analysis) -> str:
    """JSON text, keys sorted, two-space indent, UTF-8 characters kept, final newline."""
    return json.dumps(to_dict(analysis), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _dumps(value: object, level: int) -> str:
    """``value`` as :func:`render_json` writes it at nesting ``level`` (strings never hold a raw newline)."""
    text = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    return text.replace("\n", "\n" + "  " * level) if level else text


def iter_json(analysis: Analysis) -> Iterator[str]:
    """The text of :func:`render_json` in pieces, one record at a time: a 100,000-document
    report never exists whole in memory (its dict and string took ~4x the analysis)."""
    sections = _sections(analysis)
    yield "{"
    for n, key in enumerate(sorted(sections)):
        yield ("," if n else "") + "\n  " + json.dumps(key, ensure_ascii=False) + ": "
        value = sections[key]
        if not isinstance(value, Iterator | list):
            yield _dumps(value, 1)
            continue
        first = True
        for item in value:
            yield ("[\n    " if first else ",\n    ") + _dumps(item, 2)
            first = False
        yield "[]" if first else "\n  ]"
    yield "\n}\n"
