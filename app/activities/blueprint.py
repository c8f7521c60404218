"""The ``activities`` blueprint; its pages get ``av``, the activity vocabulary."""
from __future__ import annotations

from flask import Blueprint

from app.activities import vocab

bp = Blueprint("activities", __name__, url_prefix="/activities")


@bp.context_processor
def inject_vocabulary():
    return {"av": vocab}
