"""Objects of the notification routes for the route-policy matrix (tests/core/test_policies.py)."""
from __future__ import annotations

from app.extensions import db


def notify_objects(world, region: str) -> dict:
    """A notification of the region's village director (a notification is its recipient's only:
    everybody else, administrators included, gets 404)."""
    from app.notify.services import notify

    cache = world.__dict__.setdefault("_notify_objects", {})
    if region not in cache:
        note = notify([world.user("village_director", region)], "test", "测试通知", "/")[0]
        db.session.commit()
        cache[region] = {"notification_id": note.id}
    return cache[region]


def notify_who_sees(arg: str, role: str):
    if arg != "notification_id":
        return None
    return role == "village_director"
