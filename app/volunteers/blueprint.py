"""The ``volunteers`` blueprint: registration, screening, the roster and the volunteer's own pages."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("volunteers", __name__, url_prefix="/volunteers")
