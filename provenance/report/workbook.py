"""The spreadsheet workbook (xlsx) and the CSV tables, from the frames of :mod:`.tables`.

The workbook is what an analyst opens and filters: one sheet per table, header row
frozen and bold, autofilter on, column widths fitted to the content (capped), shares
shown as percentages, scores with three decimals, long texts wrapped. Text from
documents is always written as text: a scraped line starting with ``=`` never
becomes a formula. In the workbook a text cell is an inline string, and one that starts
like a formula (:func:`~provenance.report.escape.is_formula_like`) also carries the
cell format's quote prefix, the mark a spreadsheet gives text typed after ``'``, so it
stays text when edited; in the CSV files such a cell starts with ``'`` (OWASP's advice).

Both renderers are deterministic: the workbook's document properties carry a fixed
timestamp and its zip entries are rewritten with a fixed date, so the same analysis
gives the same bytes.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from provenance.report.escape import is_formula_like, spreadsheet_text

# Excel refuses cells longer than 32,767 characters; cut well before with a mark.
_CELL_LIMIT = 32_000
_MIN_WIDTH = 8
_MAX_WIDTH = 60
_FIXED_TIME = datetime(2000, 1, 1)  # document properties: no wall-clock time in the file
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
# Deflate level: 1 compresses a 10,000-document workbook's 60 MB of sheet XML in a
# fraction of level 6's time, for a file about a quarter larger.
_ZIP_LEVEL = 1
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


def _style_id(sheet: Worksheet, number_format: str | None = None, *, wrap: bool = False, quote: bool = False) -> int:
    """The workbook's cell-format index for a format, registered with openpyxl's own style table."""
    cell = Cell(sheet)  # a free-standing cell: it styles nothing, it only registers the style
    if number_format is not None:
        cell.number_format = number_format
    if wrap:
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    if quote:
        cell.quotePrefix = True
    return int(cell.style_id)


def _xml_text(text: str) -> str:
    """Text escaped for an XML text node.

    >>> _xml_text("a < b & c")
    'a &lt; b &amp; c'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True, slots=True)
class _Column:
    letter: str
    number_style: int  # style of numbers: percent, score or the default
    wrap_style: int  # style of long text: wrapped
    quote_style: int  # style of formula-like text: quote prefix
    quote_wrap_style: int  # both


# Characters XML 1.0 forbids (control characters, lone surrogates, U+FFFE and U+FFFF):
# dropped from cell text, or the sheet would not parse.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A column's texts are joined with U+FFFF, cleaned and escaped in a few C-speed passes
# and split again; U+FFFF cannot stay in a sheet anyway, so a text holding one is
# cleaned cell by cell instead.
_SEPARATOR = "\uffff"
_XML_INVALID_KEEPING_SEPARATOR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe]")


def _clean_texts(texts: list[str]) -> list[str]:
    """Texts without the characters XML forbids, escaped for XML text nodes, in bulk.

    >>> _clean_texts(["a<b", "c\x07&d"]), _clean_texts(["x\uffffy"])
    (['a&lt;b', 'c&amp;d'], ['xy'])
    """
    if not texts:
        return []
    joined = _SEPARATOR.join(texts)
    if joined.count(_SEPARATOR) != len(texts) - 1:
        return [_xml_text(_XML_INVALID.sub("", text)) for text in texts]
    return _xml_text(_XML_INVALID_KEEPING_SEPARATOR.sub("", joined)).split(_SEPARATOR)


def _number(value: object) -> str | None:
    """A cell's number as sheet XML writes it, None for a missing value (NaN from pandas).

    >>> _number(0.25), _number(float("nan")), _number(3)
    ('0.25', None, '3')
    """
    number = value.item() if hasattr(value, "item") else value  # numpy scalars
    if isinstance(number, float) and not math.isfinite(number):
        return None
    return repr(number)


def _cells(column: _Column, values: list[object]) -> tuple[list[str], int, bool]:
    """One column's cells as XML (``""`` for an empty cell), its longest text and whether it wraps.

    Text is always an inline string, never a formula, whatever it starts with. Values
    are sorted by kind once per column and each kind is written in one comprehension
    with C-speed cleaning and escaping: a million cells take about a second.
    """
    prefix = f'<c r="{column.letter}'
    out = [""] * len(values)
    kinds = set(map(type, values))
    texts: list[tuple[int, str]] = []
    longest = 0
    if kinds <= {str, type(None)}:
        texts = [(i, v) for i, v in enumerate(values) if isinstance(v, str)]
    else:
        number_style = f' s="{column.number_style}"' if column.number_style else ""
        for index, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, str):
                texts.append((index, value))
            elif isinstance(value, bool):
                out[index] = f'{prefix}{index + 2}" t="b"><v>{int(value)}</v></c>'
                longest = max(longest, 5)
            elif isinstance(value, int | float) or hasattr(value, "item"):
                shown = _number(value)
                if shown is not None:
                    out[index] = f'{prefix}{index + 2}"{number_style}><v>{shown}</v></c>'
                    longest = max(longest, len(shown))
            else:
                texts.append((index, str(value)))
    if not texts:
        return out, longest, False
    strings = [text for _, text in texts]
    lengths = list(map(len, strings))
    longest = max(longest, *lengths)
    if longest > _CELL_LIMIT:
        strings = [text if len(text) <= _CELL_LIMIT else text[: _CELL_LIMIT - 1] + "…" for text in strings]
    wrap = f' s="{column.wrap_style}"'
    quoted = f' s="{column.quote_style}"'
    quoted_wrap = f' s="{column.quote_wrap_style}"'
    for (index, _), length, raw, text in zip(texts, lengths, strings, _clean_texts(strings), strict=True):
        styles = (quoted_wrap, quoted) if is_formula_like(raw) else (wrap, "")
        style = styles[0] if length > _MAX_WIDTH else styles[1]
        # Spaces at either end survive only with xml:space="preserve"; XML white space is
        # tab, newline, carriage return and space, all at or below " ".
        space = ' xml:space="preserve"' if text[:1] <= " " or text[-1:] <= " " else ""
        out[index] = f'{prefix}{index + 2}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'
    return out, longest, longest > _MAX_WIDTH


def _prepare(sheet: Worksheet, table: pd.DataFrame) -> str:
    """Header, freeze, filter, widths and styles through openpyxl; the body rows as sheet XML."""
    columns = [str(c) for c in table.columns]
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    rows = len(table)
    if columns:
        sheet.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{rows + 1}"
    wrap_style = _style_id(sheet, wrap=True)
    quote_styles = (_style_id(sheet, quote=True), _style_id(sheet, wrap=True, quote=True))
    cells: list[list[str]] = []
    for index, name in enumerate(columns, start=1):
        number_format = PERCENT_FORMAT if is_share(name) else SCORE_FORMAT if is_score(name) else None
        number_style = _style_id(sheet, number_format) if number_format else 0
        column = _Column(get_column_letter(index), number_style, wrap_style, *quote_styles)
        xml, longest, wrapped = _cells(column, table.iloc[:, index - 1].tolist())
        cells.append(xml)
        width = _MAX_WIDTH if wrapped else max(_MIN_WIDTH, min(_MAX_WIDTH, max(longest, len(name)) + 2))
        sheet.column_dimensions[column.letter].width = width
    body = [f'<row r="{row}">' + "".join(parts) + "</row>" for row, parts in enumerate(zip(*cells, strict=True), 2)]
    return "".join(body)


_SHEET_DATA = re.compile(rb"<sheetData\s*/>|</sheetData>")
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')


def _with_rows(sheet_xml: bytes, rows: str, ref: str) -> bytes:
    """Put the body rows after the header row openpyxl wrote, and the dimension to the full range."""
    body = rows.encode("utf-8")
    sheet_xml = _DIMENSION.sub(f'<dimension ref="{ref}"/>'.encode(), sheet_xml, count=1)
    return _SHEET_DATA.sub(
        lambda m: b"<sheetData>" + body + b"</sheetData>" if m.group(0) != b"</sheetData>" else body + m.group(0),
        sheet_xml,
        count=1,
    )


def _package(data: bytes, bodies: dict[str, tuple[str, str]]) -> bytes:
    """Rewrite the xlsx zip: body rows spliced into their sheets, fixed entry times, fixed modification time."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=_ZIP_LEVEL) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = _MODIFIED.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            elif info.filename in bodies:
                rows, ref = bodies[info.filename]
                content = _with_rows(content, rows, ref)
            target.writestr(fixed, content, compresslevel=_ZIP_LEVEL)
    return out.getvalue()


def render_workbook(tables: dict[str, pd.DataFrame]) -> bytes:
    """An xlsx workbook with one formatted sheet per table, as bytes.

    openpyxl writes the workbook (sheets, styles, header, frozen panes, filters, widths)
    and registers every cell format; the body rows are written as sheet XML directly,
    because openpyxl spends about 12 µs per cell even in write-only mode: 39 s for the
    million cells of a 10,000-document analysis (80% of the analysis time), against
    about 1 s this way. The tests read the result back with openpyxl, pandas and
    LibreOffice.
    """
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)  # before naming sheets: a table may be called "Sheet"
    bodies: dict[str, tuple[str, str]] = {}
    for number, (name, table) in enumerate(tables.items(), start=1):
        sheet = book.create_sheet(title=name[:31])
        rows = _prepare(sheet, table)
        last = get_column_letter(max(1, len(table.columns)))
        # openpyxl names sheet parts by position once the default sheet is gone.
        bodies[f"xl/worksheets/sheet{number}.xml"] = (rows, f"A1:{last}{len(table) + 1}")
    book.properties.creator = "provenance"
    book.properties.created = _FIXED_TIME
    buffer = io.BytesIO()
    book.save(buffer)
    return _package(buffer.getvalue(), bodies)


def csv_name(sheet: str) -> str:
    """File name of a table's CSV.

    >>> csv_name("Passages")
    'passages.csv'
    """
    return f"{sheet.lower()}.csv"


def render_csv(table: pd.DataFrame) -> str:
    """One table as CSV text (UTF-8, ``\\n`` line ends, header row, no index), formula-like text neutralised.

    Only text cells change (:func:`~provenance.report.escape.spreadsheet_text`): a number,
    negative or not, stays a number.

    >>> print(render_csv(pd.DataFrame({"title": ["=1+1", "-x", "ok"], "share": [-0.5, 0.25, None]})), end="")
    title,share
    '=1+1,-0.5
    '-x,0.25
    ok,
    """
    text_columns = {
        str(name): [spreadsheet_text(v) if isinstance(v, str) else v for v in table[name].tolist()]
        for name in table.columns
        if not pd.api.types.is_numeric_dtype(table[name])
    }
    safe = table.assign(**text_columns) if text_columns else table
    return str(safe.to_csv(index=False, lineterminator="\n"))
