"""Reading a roster workbook: every data row parsed into a record and validated whole."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from app.children import rules, vocab
from app.children.rules import Issue
from app.children.vocab import fold
from app.core import idcard

from .cells import Parser, _LostDigits, _YearMonth, _parse_seq, _parser
from .container import SheetFacts, _read_source, check_workbook_bytes
from .headers import (
    _Header,
    _build_header,
    _find_header,
    _fold_header,
    _header_area,
    _require_columns,
)
from .results import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_UNPACKED_BYTES,
    HEADER_SCAN_ROWS,
    RosterFileError,
    RosterParseResult,
    RosterRow,
    SkippedRow,
    Source,
)
from .grid import UseOpenpyxl, calamine_sheets, openpyxl_values, read_calamine_sheet
from .sheet import iter_rows


# ---------------------------------------------------------------- rows

_NOTE_PREFIXES = (
    "备注",
    "说明",
    "注:",
    "注1",
    "注2",
    "注.",
    "合计",
    "总计",
    "小计",
    "共计",
    "填表人",
    "填报人",
    "审核人",
    "制表人",
    "负责人",
    "统计人",
    "单位负责人",
    "分管领导",
    "填表说明",
    "以上",
)


def _row_kind(values: Sequence[object], header: _Header) -> str | None:
    """``blank``, ``note`` or ``header`` for rows to skip; ``None`` for data rows.

    A row holding only a 序号 (a pre-numbered template row) is blank; a row whose first text
    is 备注/说明/合计/填表人…, or with a single text cell outside 姓名 and 身份证号, is a note.
    """
    filled = [(i, v) for i, v in enumerate(values) if v is not None and (v.__class__ is not str or v.strip())]
    if not filled:
        return "blank"
    first = filled[0][1]
    if isinstance(first, str) and fold(first).startswith(_NOTE_PREFIXES):
        return "note"
    if _is_repeated_header(values, header):
        return "header"
    seq_col = header.mapping.get("seq")
    data = [(i, v) for i, v in filled if not (i == seq_col and isinstance(_parse_seq(v), int))]
    if not data:
        return "blank"
    key_cols = {header.mapping.get("name"), header.mapping.get("id_number")}
    if len(data) == 1 and data[0][0] not in key_cols and isinstance(data[0][1], str):
        return "note"
    return None


def _is_repeated_header(values: Sequence[object], header: _Header) -> bool:
    """Whether a row repeats the header: 3+ cells equal to header texts (exact, then folded)."""
    texts = [v for v in values if isinstance(v, str)]
    exact = sum(1 for v in texts if v.strip() in header.raw_texts)
    if exact >= 3:
        return True
    return exact > 0 and sum(1 for v in texts if _fold_header(v) in header.texts) >= 3


@dataclass(frozen=True)
class _RowContext:
    parsers: tuple[tuple[str, int, Parser, dict[Any, Any]], ...]
    epoch: datetime | None
    date_cols: frozenset[int]


def _row_context(header: _Header, epoch: Any, date_cols: Sequence[int]) -> _RowContext:
    return _RowContext(
        tuple((name, col, _parser(name), {}) for name, col in header.mapping.items()), epoch,
        frozenset(date_cols),
    )


@dataclass(frozen=True)
class _DataRow:
    row_number: int
    values: tuple[Any, ...]
    formats: Mapping[int, str]


def _parse_rows(rows: Sequence[_DataRow], ctx: _RowContext) -> list[tuple[dict[str, Any], list[Issue]]]:
    """Parse the data rows into records, column by column; each with its parsing issues.

    Column by column because a roster repeats the same few values (是, 男, 汉族, its townships,
    小学) in every row: each column remembers what its cells parsed to, a parser being a pure
    function of the cell's value (its type included: ``1``, ``1.0`` and ``True`` are different
    cells) and number format, so most cells cost one dictionary lookup. Lists are copied, so
    no two records share one.
    """
    names = [name for name, *_ in ctx.parsers]
    columns = [_parse_column(rows, col, parse, seen, ctx) for _, col, parse, seen in ctx.parsers]
    template = vocab.empty_record()
    fresh_lists = [name for name, value in template.items() if value == [] and name not in names]
    records = []
    for values in zip(*columns) if columns else ([] for _ in rows):
        record = template.copy()
        record.update(zip(names, values))
        for name in fresh_lists:
            record[name] = []
        records.append(record)
    issues: list[list[Issue]] = [[] for _ in rows]
    for name, column in zip(names, columns):
        _special_values(name, column, records, issues)
    return list(zip(records, issues))


def _parse_column(rows: Sequence[_DataRow], col: int, parse: Parser, seen: dict[Any, Any],
                  ctx: _RowContext) -> list[Any]:
    epoch, parsed = ctx.epoch, []
    append = parsed.append
    if col in ctx.date_cols:
        pairs = ((row.values[col], row.formats.get(col, "")) for row in rows)
    else:
        pairs = ((row.values[col], "") for row in rows)
    for cell, number_format in pairs:
        key = (cell.__class__, cell, number_format)
        try:
            append(seen[key])
        except KeyError:
            value = seen[key] = parse(cell, number_format, epoch)
            append(value)
    return parsed


_SPECIAL = frozenset({list, _YearMonth, _LostDigits})


def _special_values(name: str, column: list[Any], records: list[dict[str, Any]],
                    issues: list[list[Issue]]) -> None:
    """Copy list values, resolve year-month dates (after every column is in), report lost digits."""
    if not _SPECIAL.intersection(map(type, column)):
        return  # most columns: plain text, codes, dates
    for k, value in enumerate(column):
        if value.__class__ is list:
            records[k][name] = list(value)
        elif isinstance(value, _YearMonth):
            records[k][name] = _resolve_year_month(name, value, records[k])
        elif isinstance(value, _LostDigits):
            issues[k].append(_precision_issue(name))
            records[k][name] = str(value)


def _resolve_year_month(name: str, ym: _YearMonth, record: Mapping[str, Any]) -> date | str:
    """Year-month only: the child's takes the day from a matching ID; parents' the 1st."""
    id_field = name.replace("birth_date", "id_number")
    try:
        born = idcard.parse_id_number(record.get(id_field), check_future=False).birth_date
    except idcard.IdNumberError:
        born = None
    if born is not None and (born.year, born.month) == (ym.year, ym.month):
        return born
    if name != "birth_date":
        return date(ym.year, ym.month, 1)
    return ym.raw


_ID_CODES = frozenset(idcard.MESSAGES) | {
    "id_birth_mismatch",
    "sex_mismatch",
    "unknown_id_division",
}


def _precision_issue(field_name: str) -> Issue:
    return rules.make_issue("id_precision_lost", field_name)


def _row_issues(
    record: dict[str, Any],
    parse_issues: list[Issue],
    reference_date: date,
    places: rules.Places,
) -> list[Issue]:
    """Rules' issues plus parsing issues; an ID that lost digits hides the rules' ID issues."""
    lost = {issue.field for issue in parse_issues if issue.code == "id_precision_lost"}
    if "id_number" in lost:
        lost |= {"birth_date", "sex"}  # the mismatch checks compare with the lost digits
    found = rules.validate_record(record, reference_date, places=places)
    found = [i for i in found if not (i.code in _ID_CODES and i.field in lost)]
    return parse_issues + found


def _duplicate_issue(first_row: int) -> Issue:
    return rules.make_issue("duplicate_id", "id_number", detail=f"与第{first_row}行重复")


# ---------------------------------------------------------------- parse_roster


#: What openpyxl and the XML parsers raise on damaged parts (ParseError is a SyntaxError;
#: defusedxml's errors are ValueErrors).
_DAMAGE_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    OSError,
    SyntaxError,
)


def parse_roster(
    source: Source,
    *,
    reference_date: date | None = None,
    townships: Collection[str] | None = None,
    villages: Collection[str] | Mapping[str, Collection[str]] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int = DEFAULT_MAX_ROWS,
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES,
    sheet_name: str | None = None,
) -> RosterParseResult:
    """Read a roster workbook and validate every data row.

    ``source`` is a path, bytes or a binary stream. The 填报日期 in the rows above the header
    is the reference date for ages; ``reference_date`` (else today) is used when it is absent.
    ``townships``/``villages`` are the county's known places (see
    :func:`app.children.rules.validate_record`). The cells are read by python-calamine, or by
    openpyxl where calamine cannot give the same values (see :mod:`.grid`); the result is the
    same either way.

    :raise RosterFileError: when the file as a whole cannot be read: ``too_big``,
        ``empty_file``, ``encrypted``, ``legacy_xls``, ``csv``, ``not_xlsx``, ``corrupt``,
        ``macro``, ``zip_bomb``, ``unsafe_xml``, ``too_many_rows``, ``no_sheet``,
        ``no_header`` or ``missing_columns``.
    """
    data = _read_source(source, max_bytes)
    facts = check_workbook_bytes(data, max_unpacked_bytes=max_unpacked_bytes, max_rows=max_rows)
    options = _Options(reference_date, {"townships": townships, "villages": villages}, max_rows,
                       sheet_name, facts)
    try:
        return _parse_with_calamine(data, options)
    except UseOpenpyxl:
        return parse_with_openpyxl(data, options)


@dataclass(frozen=True)
class _Options:
    reference_date: date | None
    places: Mapping[str, Any]
    max_rows: int
    sheet_name: str | None
    facts: Mapping[str, SheetFacts]

    @property
    def raw_cap(self) -> int:
        """Rows (blank ones included) read below the header before giving up."""
        return max(2 * self.max_rows, self.max_rows + 10_000)


def _parse_with_calamine(data: bytes, options: _Options) -> RosterParseResult:
    """:raise UseOpenpyxl: when openpyxl must read this workbook instead."""
    names, workbooks = calamine_sheets(data, options.facts)
    if options.sheet_name and options.sheet_name not in names:
        raise RosterFileError("no_sheet", name=options.sheet_name)
    if options.sheet_name and options.sheet_name not in workbooks:
        raise UseOpenpyxl  # a chart sheet: openpyxl decides what that means
    wanted = [options.sheet_name] if options.sheet_name else list(workbooks)
    sheets = (_CalamineSheet(name, read_calamine_sheet(workbooks[name], name)) for name in wanted)
    return _parse_sheets(sheets, options, epoch=None)  # the 1900 system (1904 goes to openpyxl)


def parse_with_openpyxl(data: bytes, options: _Options) -> RosterParseResult:
    """The workbook read by openpyxl (read-only mode); ``data`` has passed the container check."""
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except RosterFileError:
        raise
    except Exception:  # openpyxl raises many types on damaged parts
        raise RosterFileError("corrupt") from None
    try:
        if options.sheet_name and options.sheet_name not in workbook.sheetnames:
            raise RosterFileError("no_sheet", name=options.sheet_name)
        chosen = [workbook[options.sheet_name]] if options.sheet_name else list(workbook.worksheets)
        return _parse_sheets((_OpenpyxlSheet(s) for s in chosen), options, workbook.epoch)
    except RosterFileError:
        raise
    except _DAMAGE_ERRORS as exc:
        raise RosterFileError("corrupt") from exc
    finally:
        workbook.close()


class _OpenpyxlSheet:
    """A read-only openpyxl worksheet: values, and the number formats of date cells."""

    def __init__(self, sheet: Any) -> None:
        sheet.reset_dimensions()  # a wrong <dimension> must not make us pad millions of rows
        self.sheet, self.title = sheet, sheet.title

    def head(self) -> list[tuple[Any, ...]]:
        return [tuple(c.value for c in row) for row in iter_rows(self.sheet, max_row=HEADER_SCAN_ROWS)]

    def rows(self, first_row: int, width: int, date_cols: Sequence[int]) -> Iterator[_SheetRow]:
        for cells in iter_rows(self.sheet, min_row=first_row):
            values = tuple(c.value for c in cells[:width]) + (None,) * (width - len(cells))
            formats = {
                c: cells[c].number_format
                for c in date_cols
                if c < len(cells) and isinstance(cells[c].value, (datetime, date))
            }
            yield values, formats


class _CalamineSheet:
    """A sheet read whole by calamine; no date style lacks the day (else openpyxl reads it), so
    every date cell shows the day and needs no number format."""

    def __init__(self, title: str, grid: list[list[Any]]) -> None:
        self.title, self.grid = title, grid

    def head(self) -> list[tuple[Any, ...]]:
        return [openpyxl_values(row) for row in self.grid[:HEADER_SCAN_ROWS]]

    def rows(self, first_row: int, width: int, date_cols: Sequence[int]) -> Iterator[_SheetRow]:
        no_formats: dict[int, str] = {}
        for row in self.grid[first_row - 1 :]:
            values = openpyxl_values(row[:width])
            yield values + (None,) * (width - len(values)), no_formats


_SheetRow = tuple[tuple[Any, ...], Mapping[int, str]]


def _parse_sheets(sheets: Iterable[Any], options: _Options, epoch: Any) -> RosterParseResult:
    """The first sheet with a header, parsed; ``epoch`` is the workbook's date system."""
    for sheet in sheets:
        head = sheet.head()
        found = _find_header(head)
        if found is None:
            continue
        header = _build_header(head, found[0], found[1], offset=1)
        _require_columns(header.mapping)
        title, unit, fill_date = _header_area(head[: found[0]])
        ref, source = _reference(fill_date, options.reference_date)
        result = RosterParseResult(
            sheet.title,
            title,
            unit,
            fill_date,
            ref,
            source,
            header.rows,
            header.columns,
            dict(header.mapping),
            [],
            [],
            list(header.issues),
        )
        _read_rows(sheet, header, result, options, epoch)
        return result
    raise RosterFileError("no_header", rows=HEADER_SCAN_ROWS)


def _reference(fill_date: date | None, parameter: date | None) -> tuple[date, str]:
    if fill_date is not None:
        return fill_date, "sheet"
    if parameter is not None:
        return parameter, "parameter"
    return date.today(), "today"


def _read_rows(sheet: Any, header: _Header, result: RosterParseResult, options: _Options, epoch: Any) -> None:
    """Parse every row below the header into ``result``.

    :raise RosterFileError: ``too_many_rows``.
    """
    width = len(header.columns)
    date_cols = [header.mapping[f] for f in vocab.DATE_FIELDS if f in header.mapping]
    data: list[_DataRow] = []
    counted = 0
    first_row = header.rows[-1] + 1
    for offset, (values, formats) in enumerate(sheet.rows(first_row, width, date_cols)):
        if offset >= options.raw_cap:
            raise RosterFileError("too_many_rows", limit=options.max_rows)
        row_number = first_row + offset
        kind = _row_kind(values, header)
        if kind == "blank":
            continue
        counted += 1
        if counted > options.max_rows:
            raise RosterFileError("too_many_rows", limit=options.max_rows)
        if kind is not None:
            result.skipped.append(SkippedRow(row_number, kind, _row_text(values)))
            continue
        data.append(_DataRow(row_number, values, formats))
    parsed = _parse_rows(data, _row_context(header, epoch, date_cols))
    places = _folded_places(options.places)
    seen_ids: dict[str, int] = {}
    for row, (record, parse_issues) in zip(data, parsed):
        result.rows.append(_make_row(row, record, parse_issues, result.reference_date, places, seen_ids))


def _folded_places(places: Mapping[str, Any]) -> rules.Places:
    """The county's places folded once for the whole file, not once per row."""
    return rules.fold_places(**places)


def _make_row(
    row: _DataRow,
    record: dict[str, Any],
    parse_issues: list[Issue],
    reference_date: date,
    places: rules.Places,
    seen_ids: dict[str, int],
) -> RosterRow:
    issues = _row_issues(record, parse_issues, reference_date, places)
    number = record.get("id_number")
    if isinstance(number, str) and idcard.is_valid_id_number(number, check_future=False):
        if number in seen_ids:
            issues.append(_duplicate_issue(seen_ids[number]))
        else:
            seen_ids[number] = row.row_number
    return RosterRow(row.row_number, record.get("seq"), row.values, record, issues)


def _row_text(values: Sequence[object]) -> str:
    return " ".join(str(v).strip() for v in values if v is not None and str(v).strip())[:200]
