"""Reading one workbook with both readers (python-calamine and openpyxl) and comparing all."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from app.children.roster import reader
from app.children.roster.grid import UseOpenpyxl
from app.children.roster.results import RosterParseResult


def _value(v: Any) -> Any:
    """A blank text cell is a blank cell; a date cell is its day (both readers agree on it)."""
    if v == "":
        return None
    if isinstance(v, datetime) and v.time() == datetime.min.time():
        return v.date()
    return v


def dump(result: RosterParseResult) -> dict[str, Any]:
    """Everything a parse gives, in comparable form."""
    return {
        "sheet": result.sheet_name, "title": result.title, "unit": result.unit, "fill_date": result.fill_date,
        "reference": (result.reference_date, result.reference_date_source), "header_rows": result.header_rows,
        "columns": result.columns, "mapping": result.mapping, "file_issues": result.file_issues,
        "skipped": result.skipped,
        "rows": [(r.row_number, r.seq, tuple(_value(v) for v in r.values), r.record, r.issues)
                 for r in result.rows],
    }


def read_both(data: bytes, **kw: Any) -> tuple[RosterParseResult | None, RosterParseResult]:
    """(calamine's result or None where it hands over to openpyxl, openpyxl's result)."""
    facts = reader.check_workbook_bytes(data)
    options = reader._Options(kw.get("reference_date") or date(2026, 9, 30),
                              {"townships": kw.get("townships"), "villages": kw.get("villages")},
                              kw.get("max_rows", reader.DEFAULT_MAX_ROWS), kw.get("sheet_name"), facts)
    try:
        fast = reader._parse_with_calamine(data, options)
    except UseOpenpyxl:
        fast = None
    return fast, reader.parse_with_openpyxl(data, options)
