"""Guardian consent scans (children under 14): checked by content, stored under a random name.

The file's bytes decide what it is (PDF, JPEG or PNG), never its name or the browser's content
type. Images must also decode. Files live in ``UPLOAD_DIR/consent/`` and are only ever served
through the scoped, audited ``children.consent_scan`` view.
"""
from __future__ import annotations

import io
import re
import secrets
from pathlib import Path

from app.core.i18n import N_
from app.core.errors import UserError

SUBDIR = "consent"
MAX_BYTES = 8 * 1024 * 1024
CONSENT_AGE = 14
MIMETYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png"}
_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png)$")


class ScanError(UserError):
    """An upload that is not an acceptable scan; ``message`` is Chinese (a catalogue msgid)."""

    def __init__(self, message: str):
        super().__init__(message)


def kind_of(data: bytes) -> str | None:
    """``pdf``, ``jpg`` or ``png`` judged by the file's first bytes; ``None`` otherwise."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    return None


def check_scan(data: bytes) -> str:
    """Return the scan's kind.

    :raise ScanError: when it is empty, too large, not a PDF/JPEG/PNG, or an image that does
        not decode.
    """
    if not data:
        raise ScanError(N_("上传的文件是空的"))
    if len(data) > MAX_BYTES:
        raise ScanError(N_("同意书扫描件不能超过 8 MB"))
    kind = kind_of(data)
    if kind is None:
        raise ScanError(N_("同意书扫描件只能是 PDF、JPEG 或 PNG 文件"))
    if kind == "pdf":
        if b"%%EOF" not in data[-2048:]:
            raise ScanError(N_("PDF 文件不完整或已损坏"))
        return kind
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > 60_000_000:
                raise ScanError(N_("图片像素过多，无法处理"))
            img.verify()
    except ScanError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ScanError(N_("图片文件已损坏，无法打开")) from None
    return kind


def store_scan(upload_dir: str | Path, data: bytes) -> str:
    """Check ``data`` and write it under ``upload_dir``/consent with a random name; return the name.

    :raise ScanError: see :func:`check_scan`.
    """
    kind = check_scan(data)
    folder = Path(upload_dir) / SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.{kind}"
    (folder / name).write_bytes(data)
    return name


def scan_path(upload_dir: str | Path, name: str) -> Path | None:
    """The stored file of ``name``, or ``None`` for a name we did not make or a missing file."""
    if not name or not _NAME.match(name):
        return None
    path = Path(upload_dir) / SUBDIR / name
    return path if path.is_file() else None


def mimetype(name: str) -> str:
    return MIMETYPES[name.rsplit(".", 1)[-1]]
