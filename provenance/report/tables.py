"""The analysis as named tables: one pandas DataFrame per sheet of the workbook.

Tables are flattened from the JSON records (:func:`provenance.report.as_json.to_dict`),
so the workbook, the CSV files and the JSON always say the same thing and nothing is
recomputed. Offsets index the decoded raw files. Column order is fixed by
:data:`COLUMNS` (extra keys follow, sorted), row order is the analysis's, so the same
analysis always gives the same tables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from provenance.model import Analysis
from provenance.report.as_json import to_dict

# Sheet names in workbook order, with their leading columns in display order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "Documents": (
        "id",
        "title",
        "date",
        "dateline",
        "outlets",
        "original_share",
        "republished_share",
        "republished_from",
        "quotes",
        "shared_quotes",
        "encoding",
        "repairs",
        "furniture_lines",
        "words",
        "path",
        "sha256",
    ),
    "Lineage": (
        "doc",
        "title",
        "outlets",
        "role",
        "parent",
        "relation",
        "original_share",
        "republished_share",
        "confidence",
        "undecided",
        "evidence",
    ),
    "Pairs": (
        "a",
        "b",
        "cluster",
        "relation",
        "extent",
        "form",
        "source",
        "jaccard",
        "containment_a_in_b",
        "containment_b_in_a",
        "shared_shingles",
    ),
    "Passages": ("a", "a_start", "a_end", "b", "b_start", "b_end", "similarity", "kind", "text"),
    "Quotes": (
        "trail",
        "kind",
        "speaker",
        "conflicting_speakers",
        "first",
        "doc",
        "start",
        "end",
        "form",
        "diff",
        "quote",
        "said_by",
        "cue_text",
        "cue_start",
        "cue_end",
        "trail_text",
    ),
    "Rejected": ("path", "reason", "detail"),
    "Settings": ("setting", "value"),
}

Record = dict[str, Any]
Rows = list[Record]


def _share_list(items: list[Record]) -> str:
    return ", ".join(f"{item['doc']} ({item['share']:.0%})" for item in items)


def _outlets(doc: Record) -> str:
    """The outlets a document's cues name, once each, in order."""
    return ", ".join(dict.fromkeys(cue["outlet"] for cue in doc["outlet_cues"]))


def document_rows(data: Record) -> Rows:
    """One row per analysed document."""
    rows: Rows = []
    for doc in data["documents"]:
        quotes = doc.get("quotes") or {}
        rows.append(
            {
                "id": doc["id"],
                "title": doc["title"] or "",
                "date": doc["date"] or "",
                "dateline": doc["dateline"] or "",
                "outlets": _outlets(doc),
                "original_share": doc.get("original_share"),
                "republished_share": doc.get("republished_share"),
                "republished_from": _share_list(doc.get("republished_from", [])),
                "quotes": quotes.get("total"),
                "shared_quotes": quotes.get("shared"),
                "encoding": doc["encoding"],
                "repairs": ", ".join(f"{r['fixer']} ×{r['count']}" for r in doc["repairs"]),
                "furniture_lines": len(doc["furniture"]),
                "words": doc["words"],
                "path": doc["path"],
                "sha256": doc["sha256"],
            }
        )
    return rows


def _evidence_text(evidence: list[Record]) -> str:
    parts = []
    for item in evidence:
        score = item.get("score")
        parts.append(f"{item['kind']}: {item['detail']}" + (f" ({score:+.2f})" if score is not None else ""))
    return "; ".join(parts)


def lineage_rows(data: Record) -> Rows:
    """One row per document's lineage with its title, outlets and shares (from the ``documents``
    records), its evidence joined into one cell."""
    docs = {doc["id"]: doc for doc in data["documents"]}
    rows: Rows = []
    for record in data["lineage"]:
        doc = docs.get(record["doc"], {})
        rows.append(
            {
                **{k: v for k, v in record.items() if k != "evidence"},
                "title": doc.get("title") or "",
                "outlets": _outlets(doc) if doc else "",
                "original_share": doc.get("original_share"),
                "republished_share": doc.get("republished_share"),
                "evidence": _evidence_text(record["evidence"]),
            }
        )
    return rows


def pair_rows(data: Record) -> Rows:
    """One row per related pair; evidence lists are joined into one cell."""
    return [{k: (_evidence_text(v) if k == "evidence" else v) for k, v in record.items()} for record in data["pairs"]]


def passage_rows(data: Record) -> Rows:
    """One row per shared passage, with its text (stored once in ``passage_texts``)."""
    texts = {t["id"]: t["text"] for t in data.get("passage_texts", ())}
    return [
        {**{k: v for k, v in record.items() if k != "text_id"}, "text": texts.get(record.get("text_id"), "")}
        for record in data["passages"]
    ]


def quote_rows(data: Record) -> Rows:
    """One row per occurrence of every quote trail."""
    rows: Rows = []
    for record in data["quotes"]:
        for occurrence in record["occurrences"]:
            rows.append(
                {
                    "trail": record["trail"],
                    "kind": record["kind"],
                    "speaker": record["speaker"] or "",
                    "conflicting_speakers": record["conflicting_speakers"],
                    "first": record["first"],
                    "doc": occurrence["doc"],
                    "start": occurrence["start"],
                    "end": occurrence["end"],
                    "form": occurrence["form"],
                    "diff": occurrence["diff"],
                    "quote": occurrence["text"],
                    "said_by": occurrence["speaker"] or "",
                    "cue_text": occurrence["cue_text"] or "",
                    "cue_start": occurrence["cue_start"],
                    "cue_end": occurrence["cue_end"],
                    "trail_text": record["text"],
                }
            )
    return rows


def rejected_rows(data: Record) -> Rows:
    """One row per rejected input file."""
    return [dict(record) for record in data["rejected"]]


def settings_rows(data: Record) -> Rows:
    """One row per setting, as ``stage.name`` and its value."""
    return [
        {"setting": f"{stage}.{key}", "value": ", ".join(map(str, value)) if isinstance(value, list) else str(value)}
        for stage, values in data["settings"].items()
        if isinstance(values, dict)
        for key, value in values.items()
    ]


BUILDERS: dict[str, Callable[[Record], Rows]] = {
    "Documents": document_rows,
    "Lineage": lineage_rows,
    "Pairs": pair_rows,
    "Passages": passage_rows,
    "Quotes": quote_rows,
    "Rejected": rejected_rows,
    "Settings": settings_rows,
}


def _cell(value: object) -> object:
    """Lists and dicts that remain in a record become readable text in one cell."""
    if isinstance(value, list):
        return "; ".join(str(_cell(v)) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_cell(v)}" for k, v in value.items())
    return value


def frame(rows: Rows, columns: tuple[str, ...]) -> pd.DataFrame:
    """A DataFrame with the given columns first (extra keys follow, sorted); empty keeps its header.

    >>> list(frame([{"b": 1, "a": 2, "z": 3}], ("a", "b")).columns)
    ['a', 'b', 'z']
    >>> frame([], ("a", "b")).shape
    (0, 2)
    """
    extra = sorted({key for row in rows for key in row} - set(columns))
    ordered = [*columns, *extra]
    # Column by column: a 10,000-document analysis has a million cells, and one list per
    # column costs a third of a dict per row.
    data: dict[str, list[object]] = {}
    for key in ordered:
        values = [row.get(key) for row in rows]
        if {list, dict} & set(map(type, values)):
            values = [_cell(v) for v in values]
        data[key] = values
    return pd.DataFrame(data, columns=ordered)


def frames_from(data: Record) -> dict[str, pd.DataFrame]:
    """Every table of the JSON records (:func:`~provenance.report.as_json.to_dict`), keyed by sheet name."""
    return {name: frame(BUILDERS[name](data), columns) for name, columns in COLUMNS.items()}


def frames(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """Every table of the analysis, keyed by sheet name, in workbook order."""
    return frames_from(to_dict(analysis))
