"""The duties-by-role blueprint (包保与检查)."""
from flask import Blueprint

bp = Blueprint("rounds", __name__, url_prefix="/rounds")


@bp.context_processor
def inject_vocabulary():
    from app.rounds import vocab

    return {"rv": vocab}
