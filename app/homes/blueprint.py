"""The 儿童之家 blueprint."""
from flask import Blueprint

bp = Blueprint("homes", __name__, url_prefix="/homes")


@bp.context_processor
def inject_vocabulary():
    from app.activities import vocab
    from app.homes import models

    return {"av": vocab, "CHECKLIST": models.CHECKLIST, "SETTINGS": models.SETTINGS,
            "GUEST_RELATIONS": models.GUEST_RELATIONS}
