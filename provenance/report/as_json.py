"""The whole analysis as JSON: keys sorted, stable, offsets into the raw files.

Every span in the JSON indexes the decoded raw text of its file (``start``/``end``,
half-open), so ``raw[start:end]`` shows the evidence exactly as the file has it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson

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

TOP_LEVEL_KEYS = (
    "documents",
    "rejected",
    "pairs",
    "duplicates",
    "pieces",
    "passages",
    "passage_texts",
    "quotes",
    "lineage",
    "settings",
)


def _r4(value: float) -> float:
    """A score rounded to four decimals, as a plain float.

    Scores computed with numpy are ``numpy.float64``, whose ``__round__`` takes 7 µs
    against 0.7 µs for a float: 1.3 s of a 10,000-document report. A whole number is
    its own rounding, and 83% of that report's 125,000 scores are 1.0 or 0.0: checking
    takes 0.05 µs where ``round`` (a decimal conversion) takes 0.8, 0.09 s of its JSON.

    >>> _r4(0.123456), type(_r4(1)), _r4(-0.0)
    (0.1235, <class 'float'>, -0.0)
    """
    value = float(value)
    return value if value.is_integer() else round(value, 4)


def _raw(doc: Document, span: Span) -> dict[str, int]:
    raw = doc.raw_span(span)
    return {"start": raw.start, "end": raw.end}


def _evidence(doc: Document, evidence: Evidence | None) -> dict[str, Any] | None:
    if evidence is None:
        return None
    out: dict[str, Any] = {"kind": evidence.kind, "detail": evidence.detail}
    if evidence.score is not None:
        out["score"] = _r4(evidence.score)
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
        "partners": counts.partners,
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
        "containment": _r4(occurrence.containment),
        "completeness": _r4(occurrence.completeness),
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
        "original_share": _r4(comp.original_share),
        "republished_share": _r4(comp.republished_share),
        "text_chars": comp.chars,
        "republished_from": [{"doc": s.doc, "chars": s.chars, "share": _r4(s.share)} for s in comp.sources],
        "own_passages": [_raw(doc, span) for span in comp.own],
        "internal_repeats": [
            {
                **_raw(doc, r.clean),
                "of_start": (of := doc.raw_span(r.of)).start,
                "of_end": of.end,
                "containment": _r4(r.containment),
                "mutual": r.mutual,
            }
            for r in comp.repeats
        ],
    }


def passage_text_id(p: Passage) -> str:
    """The id of a passage's text (``a``'s raw slice) in ``passage_texts``: ``a#start-end``."""
    return f"{p.a}#{p.a_start}-{p.a_end}"


def _passage_texts(passages: Sequence[Passage], docs: dict[str, Document]) -> Iterator[dict[str, Any]]:
    """Each passage text once (``a``'s raw slice), in order of first use: a document paired with
    many others (copies of one wire story) shares the same stretch with each of them."""
    seen: set[str] = set()
    for p in passages:
        key = passage_text_id(p)
        if key not in seen:
            seen.add(key)
            yield {
                "id": key,
                "doc": p.a,
                "start": p.a_start,
                "end": p.a_end,
                "text": docs[p.a].raw[p.a_start : p.a_end],
            }


def passage_record(p: Passage, docs: dict[str, Document]) -> dict[str, Any]:
    """One ``passages`` entry: raw offsets in both files; ``text_id`` names ``a``'s raw slice in
    ``passage_texts`` (stored once however many passages share it)."""
    del docs  # the text is in passage_texts
    return {
        "a": p.a,
        "a_start": p.a_start,
        "a_end": p.a_end,
        "b": p.b,
        "b_start": p.b_start,
        "b_end": p.b_end,
        "similarity": _r4(p.similarity),
        "kind": p.kind,
        "a_sentences": p.a_sentences,
        "b_sentences": p.b_sentences,
        "text_id": passage_text_id(p),
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
    return None if value is None else _r4(value)


def _relation_fields(relation: PairRelation | None) -> dict[str, Any]:
    if relation is None:
        return {
            "relation": None,
            "extent": None,
            "form": None,
            "derived": None,
            "source": None,
            "direction_confidence": None,
            "evidence": [],
        }
    return {
        "relation": relation.relation,
        "extent": relation.extent,
        "form": relation.form,
        "derived": relation.derived,
        "source": relation.source,
        "direction_confidence": _r4(relation.confidence),
        "evidence": _evidence_list(relation.evidence, None),
    }


def pair_record(pair: Pair, relation: PairRelation | None) -> dict[str, Any]:
    """One ``pairs`` entry: exact scores, cluster, and the relation seen from the derived side."""
    return {
        "a": pair.a,
        "b": pair.b,
        "jaccard": _r4(pair.jaccard),
        "containment_a_in_b": _r4(pair.containment_a_in_b),
        "containment_b_in_a": _r4(pair.containment_b_in_a),
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
        "confidence": _r4(edge.confidence),
        "undecided": list(edge.undecided),
        "evidence": _evidence_list(edge.evidence, doc),
    }


def _sections(analysis: Analysis) -> dict[str, Any]:
    """The top-level values, long lists as iterators (so they can be written one record at a time).

    Generator functions and ``map``, not generator expressions: compiled (setup.py), a
    generator expression that is not a call's argument is built as a whole list, which
    held every record of a 100k-document report at once (+700 MB).
    """
    docs = {d.id: d for d in analysis.documents}
    return {
        "version": analysis.stats.get("version"),
        "documents": _document_records(analysis),
        "rejected": [{"path": r.path, "reason": r.reason, "detail": r.detail} for r in analysis.rejected],
        "pairs": _pair_records(analysis),
        "duplicates": [
            {
                "head": g.head,
                "copies": list(g.copies),
                "same_bytes": g.same_bytes,
                "reason": g.reason,
                "confidence": g.confidence,
            }
            for g in analysis.duplicates
        ],
        "pieces": map(piece_record, analysis.pieces),
        "passages": map(passage_record, analysis.passages, itertools.repeat(docs)),
        "passage_texts": _passage_texts(analysis.passages, docs),
        "quotes": map(quote_record, analysis.quotes),
        "lineage": _lineage_records(analysis, docs),
        "settings": analysis.settings,
    }


def piece_record(piece: Piece) -> dict[str, Any]:
    """One ``pieces`` entry: its source and each member with extent, form, role and where it took the text from."""
    return {
        "id": piece.id,
        "source": piece.source,
        "members": [
            {"doc": m.doc, "extent": m.extent, "form": m.form, "role": m.role, "via": m.via} for m in piece.members
        ],
    }


def _document_records(analysis: Analysis) -> Iterator[dict[str, Any]]:
    comps = {c.doc: c for c in analysis.compositions}
    quote_counts = {c.doc: c for c in analysis.quote_counts}
    for d in analysis.documents:
        record = document_record(d, quote_counts.get(d.id))
        yield {**record, **composition_record(d, comps[d.id])} if d.id in comps else record


def _pair_records(analysis: Analysis) -> Iterator[dict[str, Any]]:
    """Each related pair, then each relation between documents that are not a pair."""
    relations = {(r.a, r.b): r for r in analysis.relations}
    for p in analysis.pairs:
        yield pair_record(p, relations.get((p.a, p.b)))
    pair_keys = {(p.a, p.b) for p in analysis.pairs}
    for r in analysis.relations:
        if (r.a, r.b) not in pair_keys:
            yield relation_record(r)


def _lineage_records(analysis: Analysis, docs: dict[str, Document]) -> Iterator[dict[str, Any]]:
    for edge in analysis.lineage:
        yield lineage_record(edge, docs.get(edge.doc))


def dumps(data: dict[str, Any]) -> str:
    """JSON text of :func:`to_dict`'s result: keys sorted, two-space indent, UTF-8 kept, final newline.

    orjson writes the same text as ``json.dumps(data, indent=2, sort_keys=True,
    ensure_ascii=False)`` for these records, about twenty times faster: the standard
    library's encoder falls back to pure Python whenever it indents, which took 5.6 s
    of a 10,000-document report (11% of the analysis) against 0.3 s.

    >>> dumps({"b": [1, 0.25], "a": "é"}).splitlines()
    ['{', '  "a": "é",', '  "b": [', '    1,', '    0.25', '  ]', '}']
    """
    options = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_APPEND_NEWLINE
    return orjson.dumps(data, option=options).decode("utf-8")


def to_dict(analysis: Analysis) -> dict[str, Any]:
    """The JSON-ready dict; deterministic (no timings, no absolute paths added)."""
    return {k: list(v) if isinstance(v, Iterator) else v for k, v in _sections(analysis).items()}


def render_json(analysis: Analysis) -> str:
    """JSON text, keys sorted, two-space indent, UTF-8 characters kept, final newline."""
    return dumps(to_dict(analysis))


_OPTIONS = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS
# Records of a top-level list dumped 32 at a time (~50 KB of JSON) by one orjson call: one
# call, re-indent and piece per record made the 10,000-document corpus's JSON take 1.13 s
# against 0.90 s. Batches of 200 were slower than none: records built long before they
# are dumped have left the CPU caches.
_BATCH = 32
# A batch is dumped as ``{"": batch}``: orjson then indents its records as deep as the
# items of a top-level list, and they are cut out of it between these two.
_BATCH_OPEN = b'{\n  "": ['
_BATCH_CLOSE = b"\n  ]\n}"


def _dumps(value: object, level: int) -> bytes:
    """``value`` as :func:`render_json` writes it at nesting ``level``, UTF-8 (strings never hold a raw newline)."""
    data = orjson.dumps(value, option=_OPTIONS)
    return data.replace(b"\n", b"\n" + b"  " * level) if level else data


def iter_json(analysis: Analysis) -> Iterator[bytes]:
    """The UTF-8 bytes of :func:`render_json` in pieces, a batch of records at a time: a
    100,000-document report never exists whole in memory (its dict and string took ~4x the
    analysis). Bytes, as orjson writes them: decoding every record to text and encoding it
    again to write it cost ~15% of the JSON report."""
    sections = _sections(analysis)
    yield b"{"
    for n, key in enumerate(sorted(sections)):
        yield (b"," if n else b"") + b"\n  " + orjson.dumps(key) + b": "
        value = sections[key]
        if not isinstance(value, Iterator | list):
            yield _dumps(value, 1)
            continue
        yield from _list_items(value)
    yield b"\n}\n"


def _list_items(items: Iterable[Any]) -> Iterator[bytes]:
    """A top-level list as :func:`render_json` writes it, in pieces of :data:`_BATCH` records.

    >>> b"".join(_list_items([{"a": 1}, {"b": [2]}])).decode()
    '[\\n    {\\n      "a": 1\\n    },\\n    {\\n      "b": [\\n        2\\n      ]\\n    }\\n  ]'
    >>> b"".join(_list_items([]))
    b'[]'
    """
    rest = iter(items)
    first = True
    while batch := list(itertools.islice(rest, _BATCH)):
        body = orjson.dumps({"": batch}, option=_OPTIONS)
        yield (b"[" if first else b",") + body[len(_BATCH_OPEN) : -len(_BATCH_CLOSE)]
        first = False
    yield b"[]" if first else b"\n  ]"
