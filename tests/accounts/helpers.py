"""Objects the route walk needs for the account pages."""
from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db


def account_objects(world, region: str) -> dict:
    """``user_id``: a spare account of ``region`` (the walk may deactivate or reset it, so it is
    never one of the accounts the walk logs in with)."""
    username = f"spare_{region}"
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        from tests.factories import user as make_user

        user = make_user(username, "coordinator", getattr(world, region).county)
        db.session.commit()
    return {"user_id": user.id}

