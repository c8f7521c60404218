"""The ``pwa`` blueprint (no URL prefix: the service worker must be served from the site root)."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("pwa", __name__)
