"""Import and export of the official roster (农村留守儿童基本情况登记表) as .xlsx.

Import (:func:`parse_roster`) is defensive: the file is checked as a container before any
reader sees it (size, signature, encrypted/legacy OLE files, macros, zip bombs, DTDs), then
read by python-calamine, or by openpyxl in read-only mode where calamine cannot give the same
values (see :mod:`.grid`). The header is found anywhere in the first rows by matching known column
names (one or two header levels, merged or repeated group cells, combined names such as
``父亲姓名``, columns in any order). Every data row is parsed into a *record* (see
:data:`app.children.vocab.RECORD_FIELDS`) and validated with :mod:`app.children.rules`;
a row is accepted or rejected as a whole.

Export: :func:`write_roster` (the 花名册 in the official layout), :func:`write_rejections`
(rejected rows with their reasons) and :func:`write_registration_form` (one child's 登记表).
All writers neutralise formula-like text (OWASP CSV/Excel injection), and import undoes it,
so export → import round-trips.

The package's modules, in reading order: :mod:`.results` (limits, errors, result types),
:mod:`.container` (checks before reading), :mod:`.grid` (the two readers), :mod:`.headers`,
:mod:`.cells`, :mod:`.reader`
and :mod:`.writer`. Everything public is importable from here.
"""

from app.children.vocab import FIELD_LABELS

from .cells import neutralize, unneutralize
from .container import check_workbook_bytes
from .headers import REQUIRED_FIELDS
from .reader import parse_roster
from .results import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_UNPACKED_BYTES,
    FILE_MESSAGES,
    HEADER_SCAN_ROWS,
    INSTRUCTIONS_SHEET,
    MAX_COMPRESSION_RATIO,
    TITLE,
    RosterColumn,
    RosterFileError,
    RosterParseResult,
    RosterRow,
    SkippedRow,
    Source,
)
from .writer import (
    FIELD_HELP,
    ExportColumn,
    export_value,
    roster_columns,
    write_registration_form,
    write_rejections,
    write_roster,
)

__all__ = [
    "DEFAULT_MAX_BYTES", "DEFAULT_MAX_ROWS", "DEFAULT_MAX_UNPACKED_BYTES", "FIELD_HELP", "FIELD_LABELS",
    "FILE_MESSAGES", "HEADER_SCAN_ROWS", "INSTRUCTIONS_SHEET", "MAX_COMPRESSION_RATIO", "REQUIRED_FIELDS",
    "TITLE", "ExportColumn", "RosterColumn", "RosterFileError", "RosterParseResult", "RosterRow",
    "SkippedRow", "Source", "check_workbook_bytes", "export_value", "neutralize", "parse_roster",
    "roster_columns", "unneutralize", "write_registration_form", "write_rejections", "write_roster",
]
