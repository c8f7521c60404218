"""Registry objects for the role × route × scope matrix (tests/core/test_policies.py)."""
from __future__ import annotations

from app.children.models import Household
from app.extensions import db


def registry_objects(world, region: str) -> dict:
    """URL values of ``region``'s village and of a household there holding its child (made once)."""
    cache = world.__dict__.setdefault("_registry_objects", {})
    if region not in cache:
        r = getattr(world, region)
        house = Household(division_id=r.village.id, village_group="1组", head_name=f"户主{region}",
                          guardian_name=f"户主{region}", address=f"{r.village.name}1组")
        db.session.add(house)
        r.child.household = house
        db.session.commit()
        cache[region] = {"village_id": r.village.id, "household_id": house.id}
    return cache[region]
