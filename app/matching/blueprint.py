"""The ``matching`` blueprint (the proposal, steering and pair pages)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("matching", __name__, url_prefix="/matching")
