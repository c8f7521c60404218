"""Small pre-made thumbnails of activity photos for the ledgers (decoding full photos for every
row of a 1,000-page PDF would dominate its rendering time). Made once, cached on disk."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from app.activities.photos import photo_path
from app.reports.pdf import ORIGIN, THUMB_NAME

THUMB_SIDE = 96  # the ledger's 24 × 18 pt thumbnails: ~290 ppi
#: visit records print photos 22 mm high (up to ~30 mm wide): 320 px keeps them above 150 ppi
PRINT_SIDE = 320


@lru_cache(maxsize=8)
def thumbs_dir(root: str) -> Path:
    """The thumbnail cache under the reports folder ``root`` (see :func:`app.reports.storage.reports_root`)."""
    folder = Path(root) / "thumbs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@lru_cache(maxsize=16)
def _size_dir(root: str, side: int) -> Path:
    folder = thumbs_dir(root) if side == THUMB_SIDE else thumbs_dir(root) / str(side)
    folder.mkdir(exist_ok=True)
    return folder


def thumbnail_url(upload_dir: str, root: str, filename: str, side: int = THUMB_SIDE) -> str | None:
    """The renderer URL of ``filename``'s thumbnail (at most ``side`` pixels), making it on first
    use; None when the photo is missing or unreadable (the report then simply shows no picture)."""
    if not THUMB_NAME.match(filename or ""):
        return None
    target = os.path.join(_size_dir(root, side), filename)  # str paths: called for every photo of a ledger
    if not os.path.exists(target):
        source = photo_path(upload_dir, filename)
        try:
            from PIL import Image

            with Image.open(source) as img:
                # a JPEG decodes straight at 1/2, 1/4 or 1/8 scale: most of the cost of a cold cache
                img.draft("RGB", (side, side))
                img.thumbnail((side, side))
                img.convert("RGB").save(target, "JPEG", quality=70 if side == THUMB_SIDE else 80)
        except (OSError, ValueError):
            return None
    return f"{ORIGIN}/_thumbs/{filename}" if side == THUMB_SIDE else f"{ORIGIN}/_thumbs/{side}/{filename}"
