"""Where issued reports live: their files on disk (``REPORTS_DIR``) and the public address they
are verified at (``SITE_URL``). Read by the service that issues reports and by the renderer
(thumbnails sit beside the files), so it imports neither.
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.core.i18n import N_
from app.reports.common import ParameterError

VERIFY_PREFIX = "/reports/verify/"


def reports_root() -> Path:
    """``REPORTS_DIR``, by default ``instance/reports`` (issued files, thumbnails, the ledger font's widths)."""
    return Path(current_app.config.get("REPORTS_DIR") or Path(current_app.instance_path) / "reports")


def reports_dir() -> Path:
    folder = reports_root() / "files"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def stored_file(row) -> Path | None:
    """The stored file of an issued report, or None when it has none (a void number) or it is gone."""
    if not row.filename:
        return None
    path = reports_dir() / row.filename
    return path if path.is_file() else None


def site_url() -> str:
    """The site's public address for verification URLs (``SITE_URL``), without a trailing slash.

    Outside production an unset ``SITE_URL`` falls back to the local development address.

    :raise ParameterError: in production when ``SITE_URL`` is not set — a report that names
        no reachable address cannot be checked by whoever holds the paper.
    """
    configured = current_app.config.get("SITE_URL")
    if configured:
        return configured.rstrip("/")
    if current_app.config.get("NAME") == "production":
        raise ParameterError(N_("系统未配置网站地址（SITE_URL），不能出具报表；请联系管理员"))
    return "http://127.0.0.1:5000"
