"""The ``families`` blueprint; its pages get ``fv``, the families vocabulary of :mod:`app.families.models`."""
from __future__ import annotations

from flask import Blueprint

from app.families import models

bp = Blueprint("families", __name__, url_prefix="/families")


@bp.context_processor
def inject_vocabulary():
    return {"fv": models}
