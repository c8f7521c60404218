"""Photo uploads: checked by content, re-encoded as JPEG no larger than 1600 px, EXIF removed.

Phones shrink photos before upload where they can (``static/js/activities.js``); the server
does it again whatever arrives, so a photo never carries its GPS position or camera data.
"""
from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from app.core.i18n import N_
from app.core.errors import UserError

MAX_SIDE = 1600
MAX_PHOTOS = 6
MAX_PIXELS = 50_000_000  # refuse decompression bombs long before Pillow's own limit
ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}
SUBDIR = "activities"


class PhotoError(UserError):
    """An upload that is not an acceptable photo; ``message`` is Chinese and says why."""

    def __init__(self, message: str):
        super().__init__(message)


@dataclass
class ProcessedPhoto:
    """A re-encoded photo, ready to be written."""

    data: bytes
    width: int
    height: int


def process_photo(raw: bytes) -> ProcessedPhoto:
    """Validate ``raw`` by its content and return it re-encoded (≤1600 px, no metadata).

    :raise PhotoError: when it is not a JPEG/PNG/WebP image, or is absurdly large.
    """
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            fmt = probe.format
            if fmt not in ACCEPTED_FORMATS:
                raise PhotoError(N_("只能上传 JPEG、PNG 或 WebP 格式的照片"))
            if probe.width * probe.height > MAX_PIXELS:
                raise PhotoError(N_("照片像素过多，无法处理"))
            probe.verify()
        with Image.open(io.BytesIO(raw)) as img:
            img = ImageOps.exif_transpose(img)  # keep the photo upright once EXIF is gone
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            if img.mode not in ("RGB", "L"):
                rgba = img.convert("RGBA")
                img = Image.new("RGB", rgba.size, (255, 255, 255))
                img.paste(rgba, mask=rgba.getchannel("A"))
            out = io.BytesIO()
            # a fresh save without exif=/icc_profile= writes no metadata at all
            img.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            return ProcessedPhoto(out.getvalue(), img.width, img.height)
    except PhotoError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoError(N_("文件不是有效的照片")) from None


def store_photo(upload_dir: str | Path, photo: ProcessedPhoto) -> str:
    """Write ``photo`` under ``upload_dir``/activities with a random name; return the name."""
    folder = Path(upload_dir) / SUBDIR
    folder.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + ".jpg"
    (folder / name).write_bytes(photo.data)
    return name


def photo_path(upload_dir: str | Path, filename: str) -> Path:
    """Where a stored photo lives (``filename`` comes from the database, never from a URL)."""
    return Path(upload_dir) / SUBDIR / filename
