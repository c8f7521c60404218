"""The reports blueprint (``/reports``): its pages live in :mod:`app.reports.views` and
:mod:`app.reports.views_samples`, which both register on it."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")
