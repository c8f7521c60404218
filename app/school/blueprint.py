"""The school workspace blueprint."""
from flask import Blueprint

bp = Blueprint("school", __name__, url_prefix="/school")


@bp.context_processor
def inject_vocabulary():
    """The activity vocabulary, for the shared activity macros (status and item names)."""
    from app.activities import vocab

    return {"av": vocab}
