"""The sheets of a roster workbook as rows of plain values, read by python-calamine, or by
openpyxl where calamine cannot give the same values.

python-calamine (Rust) reads a sheet ten times faster than openpyxl, but it gives less: every
number as a float, blank cells as ``""``, date cells as ``date`` (``datetime`` with a time), and
no number formats. :class:`CalamineSheet` turns its values back into what openpyxl gives
(``None``, ``int`` for whole numbers, ``datetime``), so the rest of the reader cannot tell them
apart. Where that is impossible, :class:`UseOpenpyxl` is raised and the caller reads the file
with openpyxl instead (same checks, same results, only slower):

* a date or time style without a day (``yyyy-mm``, ``h:mm``): a 出生年月 cell is then a
  year-month, which only the cell's number format tells (calamine does not give formats);
* the 1904 date system (old Mac workbooks): serial numbers in date columns need the epoch;
* a number of 16+ digits (an ID typed as a number): openpyxl keeps an exact integer written by
  a program, a float loses the last digits;
* cells far apart (a column past ZZ, a cell without a reference, a row past the limit):
  calamine holds a sheet as a dense grid, so one far cell would cost gigabytes;
* anything calamine itself refuses (it is stricter than openpyxl on some damaged parts).

The container has been checked before either reader sees it (``container.py``).
"""
from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime
from typing import Any
from xml.etree.ElementTree import fromstring  # nosec B405 - DTDs refused by the container check

from .cells import _is_date_format
from .container import SheetFacts

#: A whole float below this converts to the exact integer openpyxl reads (2**53).
_EXACT_FLOAT = 9_007_199_254_740_992
_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
#: Built-in format ids whose meaning depends on the locale (East Asian dates): openpyxl reads
#: them as numbers, calamine as dates.
_LOCALE_FORMAT_IDS = frozenset(range(27, 37)) | frozenset(range(50, 59))


class UseOpenpyxl(Exception):
    """calamine cannot give exactly what openpyxl gives for this workbook."""


def calamine_sheets(data: bytes, facts: Mapping[str, SheetFacts]) -> tuple[list[str], dict[str, Any]]:
    """(every sheet's name, worksheet name → calamine workbook) of ``data``; ``facts`` are the
    container check's findings on the worksheet parts.

    :raise UseOpenpyxl: see the module's documentation.
    """
    if not all(_small_grid(seen) for seen in facts.values()):
        raise UseOpenpyxl
    _check_parts(data)
    try:
        from python_calamine import CalamineWorkbook, SheetTypeEnum
    except ImportError:  # not installed: openpyxl reads everything, as before
        raise UseOpenpyxl from None
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metadata = workbook.sheets_metadata
    except Exception as exc:  # calamine raises its own and OS errors on damaged parts
        raise UseOpenpyxl from exc
    names = [m.name for m in metadata]
    sheets = {m.name: workbook for m in metadata if m.typ == SheetTypeEnum.WorkSheet}
    return names, sheets


def read_calamine_sheet(workbook: Any, name: str) -> list[list[Any]]:
    """Every row of a sheet from A1 on, as calamine gives it.

    :raise UseOpenpyxl: if calamine fails on the sheet.
    """
    try:
        return workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception as exc:
        raise UseOpenpyxl from exc


def openpyxl_values(row: Sequence[Any]) -> tuple[Any, ...]:
    """calamine's values of one row as openpyxl gives them.

    :raise UseOpenpyxl: on a number of 16+ digits.
    """
    return tuple([v if type(v) is str and v else _convert(v) for v in row])


def _convert(value: Any) -> Any:
    kind = type(value)
    if kind is str:  # "" only: a blank cell
        return None
    if kind is float:
        if value.is_integer():
            if -_EXACT_FLOAT < value < _EXACT_FLOAT:
                return int(value)
            raise UseOpenpyxl  # the exact digits may be in the file
        return value
    if kind is date:
        return datetime(value.year, value.month, value.day)
    return value


def _small_grid(seen: SheetFacts) -> bool:
    """Whether a worksheet's dense grid stays under about 7 million cells. Excel writes a
    reference on every cell, so the columns are bounded by the letters of the references
    (past ZZ, or a cell without one, is refused) and the rows by the row numbers, or without
    them by the number of rows (which the container check bounds): up to AZ, rows under
    100,000; up to ZZ, rows under 10,000."""
    if seen.far_cell or seen.far_row:
        return False
    return not (seen.wide and (seen.many_rows or seen.rows >= 10_000))


def _check_parts(data: bytes) -> None:
    """:raise UseOpenpyxl: on a day-less date style or the 1904 system."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        workbook = next((n for n in names if n.startswith("xl/workbook")), None)
        if workbook and re.search(rb'date1904="(?:1|true)"', archive.read(workbook)):
            raise UseOpenpyxl
        for name in names:
            if name.startswith("xl/") and name.endswith("styles.xml") and _dayless_style(archive.read(name)):
                raise UseOpenpyxl


def _dayless_style(styles_xml: bytes) -> bool:
    """Whether a cell style shows a date or time without the day (``yyyy-mm``, ``h:mm``), or
    uses a locale-dependent built-in format."""
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    root = fromstring(styles_xml)  # nosec B314 - DTDs refused by the container check
    custom = {int(f.get("numFmtId", -1)): f.get("formatCode", "") for f in root.iter(f"{_NS}numFmt")}
    xfs = root.find(f"{_NS}cellXfs")
    for xf in xfs if xfs is not None else ():
        number = int(xf.get("numFmtId") or 0)
        if number in _LOCALE_FORMAT_IDS and number not in custom:
            return True
        code = custom.get(number) or BUILTIN_FORMATS.get(number) or ""
        if code and is_date_format(code) and not _is_date_format(code):
            return True
    return False


def iter_values(rows: Sequence[Sequence[Any]], start: int) -> Iterator[tuple[Any, ...]]:
    """openpyxl-like values of ``rows[start:]``."""
    for row in rows[start:]:
        yield openpyxl_values(row)
