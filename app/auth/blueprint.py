"""The ``auth`` blueprint: login, logout, the account pages and the administrators' pages."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("auth", __name__)
