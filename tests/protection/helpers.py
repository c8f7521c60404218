"""Builders of duty items, shared with the route-policy matrix (tests/core/test_policies.py)."""
from __future__ import annotations

from app.extensions import db
from app.protection import services


def protection_objects(world, region: str) -> dict:
    """One open guardianship gap about the region's paired child, made once per world."""
    cache = world.__dict__.setdefault("_protection_objects", {})
    if region not in cache:
        r = getattr(world, region)
        item = services.open_item(r.users["village_director"], r.child, "gap", "none")
        db.session.commit()
        cache[region] = {"item_id": item.id}
    return cache[region]
