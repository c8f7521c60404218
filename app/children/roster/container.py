"""Checks of the .xlsx container before openpyxl sees it: size, signature, encrypted or
legacy OLE files, macros, zip bombs and DTDs."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from .results import (
    DEFAULT_MAX_ROWS,
    DEFAULT_MAX_UNPACKED_BYTES,
    MAX_COMPRESSION_RATIO,
    RosterFileError,
    Source,
    _RATIO_MIN_MEMBER,
)


# ---------------------------------------------------------------- container checks

_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
_MACRO_CONTENT_TYPE = b"macroEnabled"


def _read_source(source: Source, max_bytes: int) -> bytes:
    """Return the file's bytes, reading at most ``max_bytes + 1``.

    :raise RosterFileError: ``too_big`` or ``empty_file``.
    """
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        if os.path.getsize(source) > max_bytes:
            raise RosterFileError("too_big", limit=_size_text(max_bytes))
        with open(source, "rb") as fh:
            data = fh.read(max_bytes + 1)
    else:
        data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise RosterFileError("too_big", limit=_size_text(max_bytes))
    if not data:
        raise RosterFileError("empty_file")
    return data


def _size_text(n: int) -> str:
    """``20971520`` → ``'20MB'``; below 1 MB in KB."""
    return f"{n / 1024 / 1024:g}MB" if n >= 1024 * 1024 else f"{n / 1024:g}KB"


def _looks_like_text(head: bytes) -> bool:
    """Whether the start of a file decodes as text with delimiters (a CSV renamed .xlsx)."""
    for encoding in ("utf-8-sig", "gb18030", "utf-16"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        if text and printable / len(text) > 0.95:
            return True
    return False


@dataclass
class SheetFacts:
    """What the scan saw of one worksheet part, for choosing its reader (see ``grid.py``)."""

    rows: int = 0  # row tags, self-closed empty rows excepted
    far_cell: bool = False  # a cell past column ZZ, without a reference, or namespaced
    wide: bool = False  # a cell past column AZ
    far_row: bool = False  # a row numbered 100,000 or more
    many_rows: bool = False  # a row numbered 10,000 or more


def check_workbook_bytes(
    data: bytes, *, max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES, max_rows: int = DEFAULT_MAX_ROWS
) -> dict[str, SheetFacts]:
    """Check that ``data`` is a plain, sane .xlsx container (sizes from the directory; the XML
    parts are streamed once to look for DTDs, and the worksheets' rows counted on the way).

    Returns the facts seen of each worksheet part (by part name).

    :raise RosterFileError: ``encrypted``, ``legacy_xls``, ``csv``, ``not_xlsx``, ``corrupt``,
        ``macro``, ``zip_bomb``, ``unsafe_xml`` or ``too_many_rows``.
    """
    if data.startswith(_OLE_SIGNATURE):
        encrypted = "EncryptedPackage".encode("utf-16-le") in data
        raise RosterFileError("encrypted" if encrypted else "legacy_xls")
    if not data.startswith(_ZIP_SIGNATURES):
        raise RosterFileError("csv" if _looks_like_text(data[:4096]) else "not_xlsx")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names or not any(
                n.startswith("xl/workbook") for n in names
            ):
                raise RosterFileError("not_xlsx")
            _check_zip_sizes(infos, max_unpacked_bytes)
            facts = _scan_parts(archive, infos, max_rows)
            content_types = archive.read("[Content_Types].xml")
    except zipfile.BadZipFile:
        raise RosterFileError("corrupt") from None
    except (EOFError, OSError, zipfile.LargeZipFile, NotImplementedError):
        raise RosterFileError("corrupt") from None
    if (
        any(n.lower().endswith("vbaproject.bin") for n in names)
        or _MACRO_CONTENT_TYPE in content_types
    ):
        raise RosterFileError("macro")
    return facts


_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!ENTITY".encode("utf-16-le"),
              "<!DOCTYPE".encode("utf-16-be"), "<!ENTITY".encode("utf-16-be"))
_SCAN_CHUNK = 1 << 20

#: Row tags are counted with ``bytes.count`` (prefixed ``<x:row`` too), less the empty
#: self-closed ones: a regular expression without a literal start is four times slower.
_EMPTY_ROW = re.compile(rb"<row(?:\s[^<>]*)?/>")
_EMPTY_PREFIXED_ROW = re.compile(rb":row(?:\s[^<>]*)?/>")
#: Row tags allowed beyond ``max_rows`` (title and header rows, blank formatted rows).
_ROW_ALLOWANCE = 10_000
#: Cells a dense grid cannot hold cheaply: past ZZ, without a reference (Excel writes ``r``
#: first), or in a namespace prefix (``<x:c``); each pattern starts with a literal for speed.
_FAR_CELLS = (re.compile(rb"<c(?:>| (?!r=))"), re.compile(rb":c[ >]"))
_WIDE_OR_FAR_CELL = re.compile(rb'<c r="(?:[B-Z][A-Z]|[A-Z]{3})')
_FAR_COLUMN = re.compile(rb'<c r="[A-Z]{3}')
_FAR_ROW = re.compile(rb'<row r="\d{6}')
_LONG_ROW_NUMBER = re.compile(rb'<row r="\d{5}')


def _scan_parts(archive: zipfile.ZipFile, infos: Sequence[zipfile.ZipInfo], max_rows: int) -> dict[str, SheetFacts]:
    """Stream every XML part once.

    :raise RosterFileError: ``unsafe_xml`` if a part declares a DTD or an entity (entity bombs,
        external entities) anywhere in it — a long comment can push a DOCTYPE far from the
        start. The whole part is scanned (its size is bounded by :func:`_check_zip_sizes`)
        because the worksheet is then parsed by calamine or the standard library's C parser
        (see ``sheet.py``); openpyxl reads the other parts with defusedxml as well.
        ``too_many_rows`` when a worksheet holds far more rows than may be imported: counting
        the row tags takes seconds where parsing them took minutes before the reader's own
        limit was reached. Empty self-closed rows are not counted.
    """
    facts: dict[str, SheetFacts] = {}
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
        seen = facts.setdefault(info.filename, SheetFacts()) if sheet else None
        with archive.open(info) as part:
            dtd_tail = row_tail = b""
            while chunk := part.read(_SCAN_CHUNK):
                _check_dtd(dtd_tail + chunk)
                dtd_tail = (dtd_tail + chunk)[-_DTD_OVERLAP:]
                if seen is not None:
                    window = row_tail + chunk
                    cut = window.rfind(b"<")  # a tag is never split: keep the last, maybe partial one
                    cut = len(window) if cut < 0 else cut
                    _note_sheet(seen, window, 0, cut)
                    row_tail = window[cut:]
            if seen is not None:
                _note_sheet(seen, row_tail, 0, len(row_tail))
        if seen is not None and seen.rows > max_rows + _ROW_ALLOWANCE:
            raise RosterFileError("too_many_rows", limit=max_rows)
    return facts


_DTD_OVERLAP = max(len(mark) for mark in _DTD_MARKS) - 1


def _check_dtd(window: bytes) -> None:
    if b"!" not in window:  # every mark has one, in each encoding (CJK UTF-8 bytes never do)
        return
    upper = window.upper()  # ASCII case only; also catches odd-cased UTF-16
    if any(mark in upper for mark in _DTD_MARKS):
        raise RosterFileError("unsafe_xml")


def _note_sheet(seen: SheetFacts, window: bytes, start: int, end: int) -> None:
    """Count the row tags of ``window[start:end]`` and note far or wide cells."""
    part = window[start:end]
    # "<row" also counts a rare <rowBreaks>: the limit has room for it
    seen.rows += part.count(b"<row") - len(_EMPTY_ROW.findall(part))
    if b":row" in part:  # a prefixed worksheet (<x:row>)
        seen.rows += part.count(b":row") - len(_EMPTY_PREFIXED_ROW.findall(part))
    seen.far_cell = seen.far_cell or any(p.search(part) for p in _FAR_CELLS)
    if not seen.far_cell and _WIDE_OR_FAR_CELL.search(part):
        seen.far_cell = bool(_FAR_COLUMN.search(part))
        seen.wide = seen.wide or bool(re.search(rb'<c r="[B-Z][A-Z]\d', part))
    if not seen.far_row and _LONG_ROW_NUMBER.search(part):
        seen.many_rows = True
        seen.far_row = bool(_FAR_ROW.search(part))


def _check_zip_sizes(infos: Sequence[zipfile.ZipInfo], max_unpacked_bytes: int) -> None:
    """:raise RosterFileError: ``zip_bomb`` if the declared sizes are abnormal."""
    total = 0
    for info in infos:
        total += info.file_size
        big = info.file_size > _RATIO_MIN_MEMBER
        if big and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise RosterFileError("zip_bomb")
    if total > max_unpacked_bytes:
        raise RosterFileError("zip_bomb")
