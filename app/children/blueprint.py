"""The children's registry blueprint (routes live in ``views*.py``); its pages get ``cv``, the
display helpers of :mod:`app.children.display`."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("children", __name__, url_prefix="/children")


@bp.context_processor
def inject_child_display():
    from app.children import display

    return {"cv": display}
