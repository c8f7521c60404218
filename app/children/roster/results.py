"""Roster files: limits, file-level errors and the result types of a parse."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any, Union

from app.children.rules import Issue
from app.core.errors import UserError


Source = Union[str, "os.PathLike[str]", bytes, IO[bytes]]

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 50_000
DEFAULT_MAX_UNPACKED_BYTES = 512 * 1024 * 1024
#: Larger zip members must not expand more than this many times (zip-bomb guard).
MAX_COMPRESSION_RATIO = 200
_RATIO_MIN_MEMBER = 1024 * 1024
HEADER_SCAN_ROWS = 15

TITLE = "农村留守儿童基本情况登记表"
INSTRUCTIONS_SHEET = "填写说明"

# ---------------------------------------------------------------- file-level errors

FILE_MESSAGES: dict[str, tuple[str, str]] = {
    "too_big": ("文件过大(超过{limit}),请拆分后分批导入", "File larger than {limit}"),
    "empty_file": ("文件为空", "The file is empty"),
    "encrypted": (
        "文件已加密(设置了打开密码),请在Excel中取消密码保护后另存为.xlsx再导入",
        "The workbook is encrypted; remove the password and save as .xlsx",
    ),
    "legacy_xls": (
        "文件是旧版Excel(.xls)格式,请在Excel中另存为.xlsx后再导入",
        "Legacy .xls workbook; save it as .xlsx",
    ),
    "csv": (
        "文件是CSV或文本文件,不是Excel(.xlsx)文件,请在Excel中另存为.xlsx后再导入",
        "A CSV/text file, not an .xlsx workbook",
    ),
    "not_xlsx": ("文件不是有效的Excel(.xlsx)文件", "Not an .xlsx workbook"),
    "corrupt": (
        "文件已损坏或不完整(可能上传中断),请重新保存后再导入",
        "The workbook is damaged or truncated",
    ),
    "macro": (
        "不接受启用宏的工作簿(.xlsm),请另存为不含宏的.xlsx后再导入",
        "Macro-enabled workbooks (.xlsm) are refused; save as .xlsx",
    ),
    "zip_bomb": (
        "文件解压后体积异常(疑似压缩炸弹),已拒绝导入",
        "The workbook expands to an abnormal size (zip bomb suspected)",
    ),
    "unsafe_xml": (
        "文件包含不安全的XML内容(DTD或实体声明),已拒绝导入",
        "The workbook contains unsafe XML (DTD or entity declarations)",
    ),
    "too_many_rows": (
        "数据行数超过上限({limit}行),请拆分后分批导入",
        "More than {limit} rows; split the file",
    ),
    "no_header": (
        "未找到表头:前{rows}行中没有“姓名”“公民身份证号码”等列名",
        "No header row found in the first {rows} rows",
    ),
    "missing_columns": ("缺少必需的列:{names}", "Required columns missing: {names_en}"),
    "no_sheet": ("找不到工作表“{name}”", "No worksheet named '{name}'"),
}


class RosterFileError(UserError):
    """The file as a whole cannot be imported; ``code`` is stable, ``message`` is Chinese (its
    English from the same table)."""

    def __init__(self, code: str, **values: Any) -> None:
        zh, en = FILE_MESSAGES[code]
        super().__init__(zh.format(**values), field="file", code=code, message_en=en.format(**values))


# ---------------------------------------------------------------- result types


@dataclass(frozen=True)
class RosterColumn:
    """One column of the sheet: 0-based index, letter, header text and mapped field (or None)."""

    index: int
    letter: str
    header: str
    field: str | None


@dataclass
class RosterRow:
    """One data row: Excel row number, 序号, original values, parsed record and issues."""

    row_number: int
    seq: Any
    values: tuple[Any, ...]
    record: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the row has no error (it is imported whole, or not at all)."""
        return not any(issue.is_error for issue in self.issues)

    @property
    def errors(self) -> list[Issue]:
        """The row's errors."""
        return [issue for issue in self.issues if issue.is_error]

    @property
    def warnings(self) -> list[Issue]:
        """The row's warnings."""
        return [issue for issue in self.issues if not issue.is_error]

    def reason(self) -> str:
        """Every error's display text joined by ；."""
        return "；".join(issue.display() for issue in self.errors)


@dataclass(frozen=True)
class SkippedRow:
    """A non-data row that was skipped: ``kind`` is ``note`` or ``header``."""

    row_number: int
    kind: str
    text: str


@dataclass
class RosterParseResult:
    """Everything read from a roster file."""

    sheet_name: str
    title: str | None
    unit: str | None
    fill_date: date | None
    reference_date: date
    reference_date_source: str  # "sheet" | "parameter" | "today"
    header_rows: tuple[int, ...]
    columns: list[RosterColumn]
    mapping: dict[str, int]
    rows: list[RosterRow]
    skipped: list[SkippedRow]
    file_issues: list[Issue]

    @property
    def good_rows(self) -> list[RosterRow]:
        """Rows without errors."""
        return [row for row in self.rows if row.ok]

    @property
    def bad_rows(self) -> list[RosterRow]:
        """Rows with at least one error."""
        return [row for row in self.rows if not row.ok]

    def records(self) -> list[dict[str, Any]]:
        """Records of the rows without errors."""
        return [row.record for row in self.rows if row.ok]
