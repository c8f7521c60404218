"""Excel versions of the reports (openpyxl, write-only so that 40,000-row ledgers stay fast).

Cells that hold ID or phone numbers are written as text (format ``@``) so that Excel neither
rounds them nor drops leading zeros. Any text that Excel could take for a formula (starting
with ``= + - @``, a tab or a carriage return) is stored as a string with the *quote prefix*
flag — the file-format equivalent of typing a leading apostrophe — so it is shown, never run.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TITLE_FONT = Font(name="Noto Sans CJK SC", size=14, bold=True)
HEAD_FONT = Font(name="Noto Sans CJK SC", size=10, bold=True)
BODY_FONT = Font(name="Noto Sans CJK SC", size=10)
THIN = Side(style="thin", color="888888")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="EEEEEE")
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class Percent:
    """A percentage (``12.5`` for 12.5 %) written as the number 0.125 formatted ``0.0%`` — a
    number Excel can sum and sort, not text; None is written as an empty cell."""

    value: float | None


@dataclass
class ExcelColumn:
    label: str
    width: float = 12
    text: bool = False  # ID numbers, phone numbers, codes: always text


@dataclass
class Sheet:
    """One worksheet: title lines above a header row and the data rows."""

    name: str
    columns: list[ExcelColumn]
    rows: list[list[object]]
    title_lines: list[str] = field(default_factory=list)
    footer_lines: list[str] = field(default_factory=list)
    total_rows: list[list[object]] = field(default_factory=list)  # below the data, outside the filter


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def _cell(ws, value, *, font=BODY_FONT, text=False, border=True, fill=None):
    number_format = None
    if isinstance(value, Percent):
        value, number_format = (None if value.value is None else value.value / 100), "0.0%"
    elif isinstance(value, datetime):
        value, number_format = value.replace(tzinfo=None), "yyyy-mm-dd hh:mm"
    elif isinstance(value, date):
        number_format = "yyyy-mm-dd"
    elif isinstance(value, float):
        number_format = "0.0"  # hours: exact values, shown to one decimal
    if value is None:
        value = ""
    if text and not isinstance(value, str):
        value = str(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if looks_like_formula(value):
            cell.quotePrefix = True
    if text:
        cell.number_format = "@"
    elif number_format:
        cell.number_format = number_format
    cell.font = font
    cell.alignment = WRAP
    if border:
        cell.border = BORDER
    if fill is not None:
        cell.fill = fill
    return cell


def build_workbook(sheets: list[Sheet], *, title: str = "", creator: str = "相伴") -> bytes:
    """An .xlsx file with ``sheets``; A4 landscape, header row repeated when printed."""
    wb = Workbook(write_only=True)
    wb.properties.title = title
    wb.properties.creator = creator
    for spec in sheets:
        ws = wb.create_sheet(spec.name[:31])
        for i, column in enumerate(spec.columns, start=1):
            ws.column_dimensions[get_column_letter(i)].width = column.width
        header_row = len(spec.title_lines) + 1
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.freeze_panes = f"A{header_row + 1}"
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        for k, line in enumerate(spec.title_lines):
            ws.append([_cell(ws, line, font=TITLE_FONT if k == 0 else BODY_FONT, border=False)])
        ws.append([_cell(ws, c.label, font=HEAD_FONT, fill=HEAD_FILL) for c in spec.columns])
        for row in spec.rows:
            ws.append([_cell(ws, value, text=column.text) for value, column in zip(row, spec.columns)])
        last = header_row + len(spec.rows)
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(spec.columns))}{last}"
        for row in spec.total_rows:
            ws.append([_cell(ws, value, font=HEAD_FONT) for value in row])
        for line in spec.footer_lines:
            ws.append([_cell(ws, line, border=False)])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
