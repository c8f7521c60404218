"""The ``home`` blueprint: the home page, the main menu on every page, the language switch and
the health check."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("home", __name__)
