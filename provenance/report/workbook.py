"""The spreadsheet workbook (xlsx) and the CSV tables, from the frames of :mod:`.tables`.

The workbook is what an analyst opens and filters: one sheet per table, header row
frozen and bold, autofilter on, column widths fitted to the content (capped), shares
shown as percentages, scores with three decimals, long texts wrapped. Text from
documents is always written as text: a scraped line starting with ``=`` never
becomes a formula.

Both renderers are deterministic: the workbook's document properties carry a fixed
timestamp and its zip entries are rewritten with a fixed date, so the same analysis
gives the same bytes.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# Excel refuses cells longer than 32,767 characters; cut well before with a mark.
_CELL_LIMIT = 32_000
_MIN_WIDTH = 8
_MAX_WIDTH = 60
_FIXED_TIME = datetime(2000, 1, 1)  # document properties: no wall-clock time in the file
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# openpyxl stamps the save time into docProps/core.xml whatever the properties say.
_MODIFIED = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
PERCENT_FORMAT = "0.0%"
SCORE_FORMAT = "0.000"


def is_share(column: str) -> bool:
    """Columns shown as percentages: shares of a document and confidences.

    >>> is_share("original_share"), is_share("confidence"), is_share("jaccard")
    (True, True, False)
    """
    return column.endswith("_share") or column == "confidence"


def is_score(column: str) -> bool:
    """Columns shown with three decimals: similarity measures in [0, 1].

    >>> is_score("containment_a_in_b"), is_score("words")
    (True, False)
    """
    return column in {"jaccard", "similarity", "ratio"} or column.startswith("containment")


def cell_value(value: object) -> object:
    """A value openpyxl can store as-is: text cleaned of control characters and cut.

    >>> cell_value("a\\x07b"), cell_value(None), cell_value(3)
    ('ab', None, 3)
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):  # NaN from pandas
        return None
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", value)
        return text if len(text) <= _CELL_LIMIT else text[: _CELL_LIMIT - 1] + "…"
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def _fill(sheet: Worksheet, table: pd.DataFrame) -> None:
    columns = [str(c) for c in table.columns]
    sheet.append(columns)
    for record in table.itertuples(index=False, name=None):
        sheet.append([cell_value(v) for v in record])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, sheet.max_row)}"
    for index, name in enumerate(columns, start=1):
        _format_column(sheet, index, name)


def _format_column(sheet: Worksheet, index: int, name: str) -> None:
    letter = get_column_letter(index)
    longest = len(name)
    wrap = False
    for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
        if is_share(name) and isinstance(cell.value, int | float):
            cell.number_format = PERCENT_FORMAT
        elif is_score(name) and isinstance(cell.value, int | float):
            cell.number_format = SCORE_FORMAT
        length = len(str(cell.value)) if cell.value is not None else 0
        longest = max(longest, length)
        if length > _MAX_WIDTH:
            wrap = True
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions[letter].width = _MAX_WIDTH if wrap else max(_MIN_WIDTH, min(_MAX_WIDTH, longest + 2))


def _deterministic_zip(data: bytes) -> bytes:
    """Rewrite the xlsx zip with fixed entry timestamps and a fixed modification time."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            target.writestr(fixed, content)
    return out.getvalue()


def render_workbook(tables: dict[str, pd.DataFrame]) -> bytes:
    """An xlsx workbook with one formatted sheet per table, as bytes."""
    book = Workbook()
    default = book.active
    for name, table in tables.items():
        _fill(book.create_sheet(title=name[:31]), table)
    if default is not None:
        book.remove(default)
    book.properties.creator = "provenance"
    book.properties.created = _FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return _deterministic_zip(buffer.getvalue())


def csv_name(sheet: str) -> str:
    """File name of a table's CSV.

    >>> csv_name("Passages")
    'passages.csv'
    """
    return f"{sheet.lower()}.csv"


def render_csv(table: pd.DataFrame) -> str:
    """One table as CSV text (UTF-8, ``\\n`` line ends, header row, no index)."""
    return str(table.to_csv(index=False, lineterminator="\n"))
