"""The analysis as named tables: one pandas DataFrame per sheet of the workbook.

This is the one place where an :class:`~provenance.model.Analysis` becomes tables;
the workbook, the CSV files and any other tabular view read these frames and never
recompute. Offsets in the tables index the decoded raw files, like the JSON.
Column order is fixed by :data:`COLUMNS`, row order by the analysis (which is
sorted deliberately), so the same analysis always gives the same tables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from typing import Any

import pandas as pd

from provenance.model import Analysis, Document
from provenance.report.as_json import quote_record

# Sheet names in workbook order, with their columns in display order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "Documents": (
        "id",
        "title",
        "date",
        "dateline",
        "outlets",
        "encoding",
        "repairs",
        "furniture_lines",
        "words",
        "path",
        "sha256",
    ),
    "Lineage": ("doc",),
    "Pairs": ("a", "b"),
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

Rows = list[dict[str, Any]]


def _outlets(doc: Document) -> str:
    return ", ".join(dict.fromkeys(cue.outlet for cue in doc.metadata.outlet_cues))


def document_rows(analysis: Analysis) -> Rows:
    """One row per analysed document."""
    return [
        {
            "id": doc.id,
            "title": doc.metadata.title or "",
            "date": doc.metadata.date or "",
            "dateline": doc.metadata.dateline or "",
            "outlets": _outlets(doc),
            "encoding": doc.encoding,
            "repairs": ", ".join(f"{r.fixer} ×{r.count}" for r in doc.repairs),
            "furniture_lines": len(doc.furniture),
            "words": doc.words,
            "path": doc.path,
            "sha256": doc.sha256,
        }
        for doc in analysis.documents
    ]


def rejected_rows(analysis: Analysis) -> Rows:
    """One row per rejected input file."""
    return [{"path": r.path, "reason": r.reason, "detail": r.detail} for r in analysis.rejected]


def settings_rows(analysis: Analysis) -> Rows:
    """One row per setting, as ``stage.name`` and its value."""
    return [
        {"setting": f"{stage}.{key}", "value": ", ".join(map(str, value)) if isinstance(value, list) else str(value)}
        for stage, values in analysis.settings.items()
        if isinstance(values, dict)
        for key, value in values.items()
    ]


def quote_rows(analysis: Analysis) -> Rows:
    """One row per occurrence of every quote trail, from the JSON records (never recomputed)."""
    rows: Rows = []
    for trail in analysis.quotes:
        record = quote_record(trail)
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


def _generic_rows(items: tuple[object, ...]) -> Rows:
    """Rows for stage values that have no dedicated table builder yet."""
    return [asdict(item) for item in items if is_dataclass(item) and not isinstance(item, type)]


BUILDERS: dict[str, Callable[[Analysis], Rows]] = {
    "Documents": document_rows,
    "Lineage": lambda analysis: _generic_rows(analysis.lineage),
    "Pairs": lambda analysis: _generic_rows(analysis.pairs),
    "Passages": lambda analysis: _generic_rows(analysis.passages),
    "Quotes": quote_rows,
    "Rejected": rejected_rows,
    "Settings": settings_rows,
}


def frame(rows: Rows, columns: tuple[str, ...]) -> pd.DataFrame:
    """A DataFrame with the given columns first (extra keys follow, sorted); empty keeps its header.

    >>> list(frame([{"b": 1, "a": 2, "z": 3}], ("a", "b")).columns)
    ['a', 'b', 'z']
    >>> frame([], ("a", "b")).shape
    (0, 2)
    """
    extra = sorted({key for row in rows for key in row} - set(columns))
    ordered = [*columns, *extra]
    return pd.DataFrame([{key: row.get(key) for key in ordered} for row in rows], columns=ordered)


def frames(analysis: Analysis) -> dict[str, pd.DataFrame]:
    """Every table of the analysis, keyed by sheet name, in workbook order."""
    return {name: frame(BUILDERS[name](analysis), columns) for name, columns in COLUMNS.items()}
