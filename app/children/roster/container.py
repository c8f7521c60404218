"""Checks of the .xlsx container before openpyxl sees it: size, signature, encrypted or
legacy OLE files, macros, zip bombs and DTDs."""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Sequence

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


def check_workbook_bytes(
    data: bytes, *, max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES, max_rows: int = DEFAULT_MAX_ROWS
) -> None:
    """Check that ``data`` is a plain, sane .xlsx container (sizes from the directory; the XML
    parts are streamed once to look for DTDs).

    :raise RosterFileError: ``encrypted``, ``legacy_xls``, ``csv``, ``not_xlsx``, ``corrupt``,
        ``macro``, ``zip_bomb`` or ``unsafe_xml``.
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
            _check_no_dtd(archive, infos)
            _check_row_count(archive, infos, max_rows)
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


_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY", "<!DOCTYPE".encode("utf-16-le"), "<!ENTITY".encode("utf-16-le"),
              "<!DOCTYPE".encode("utf-16-be"), "<!ENTITY".encode("utf-16-be"))
_SCAN_CHUNK = 1 << 20


def _check_no_dtd(archive: zipfile.ZipFile, infos: Sequence[zipfile.ZipInfo]) -> None:
    """:raise RosterFileError: ``unsafe_xml`` if an XML part declares a DTD or an entity (entity
    bombs, external entities) anywhere in it — a long comment can push a DOCTYPE far from the
    start. The whole part is scanned (its size is bounded by :func:`_check_zip_sizes`) because
    the worksheet is then parsed with the standard library's C parser (see ``sheet.py``); the
    other parts go through openpyxl, which uses defusedxml as well.
    """
    overlap = max(len(mark) for mark in _DTD_MARKS) - 1
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        with archive.open(info) as part:
            tail = b""
            while chunk := part.read(_SCAN_CHUNK):
                window = tail + chunk
                upper = window.upper()  # ASCII case only; also catches odd-cased UTF-16
                if any(mark in upper for mark in _DTD_MARKS):
                    raise RosterFileError("unsafe_xml")
                tail = window[-overlap:]


_ROW_TAG = re.compile(rb"<(?:\w+:)?row(?:\s[^<>]*)?(/?)>")
#: Row tags allowed beyond ``max_rows`` (title and header rows, blank formatted rows).
_ROW_ALLOWANCE = 10_000


def _check_row_count(archive: zipfile.ZipFile, infos: Sequence[zipfile.ZipInfo], max_rows: int) -> None:
    """:raise RosterFileError: ``too_many_rows`` when a worksheet holds far more rows than may be
    imported. Counting the row tags in the XML takes seconds where parsing them took minutes
    before the reader's own limit was reached. Empty self-closed rows are not counted."""
    limit = max_rows + _ROW_ALLOWANCE
    for info in infos:
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        rows = 0
        with archive.open(info) as part:
            tail = b""
            while chunk := part.read(_SCAN_CHUNK):
                window = tail + chunk
                cut = window.rfind(b"<")  # a tag is never split: keep the last, maybe partial one
                cut = len(window) if cut < 0 else cut
                rows += sum(1 for m in _ROW_TAG.finditer(window, 0, cut) if not m.group(1))
                tail = window[cut:]
            rows += sum(1 for m in _ROW_TAG.finditer(tail) if not m.group(1))
        if rows > limit:
            raise RosterFileError("too_many_rows", limit=max_rows)


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
