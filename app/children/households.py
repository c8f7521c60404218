"""Households (户): siblings share one, and with it the guardian and the address.

The village roster is checked household by household ("组不漏户,户不漏留守儿童"). Functions flush
and audit where they write; the view commits.
"""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa

from app.children.models import Child, Household
from app.core import audit
from app.extensions import db

#: Child fields a household shares: household field → child field.
SHARED = {"guardian_name": "guardian_name", "guardian_relation": "guardian_relation",
          "guardian_phone": "guardian_phone", "address": "current_address", "village_group": "village_group"}


def fill_from_household(values: dict[str, Any], household: Household) -> list[str]:
    """Fill the blank shared fields of a child's ``values`` from ``household``; returns the filled
    field names. What was typed is never overwritten."""
    filled = []
    for house_field, child_field in SHARED.items():
        shared = getattr(household, house_field)
        if shared and not values.get(child_field):
            values[child_field] = shared
            filled.append(child_field)
    return filled


def household_values(child: Child | Mapping[str, Any]) -> dict[str, Any]:
    """The household fields a child brings to a new household."""
    get = child.get if isinstance(child, Mapping) else (lambda name: getattr(child, name))
    values = {house_field: get(child_field) for house_field, child_field in SHARED.items()}
    values["head_name"] = get("guardian_name")
    return values


def create_for(actor, child: Child) -> Household:
    """A new household in the child's village with the child's guardian and address; the child
    joins it. Flushes and audits."""
    household = Household(division_id=child.division_id, **household_values(child))
    db.session.add(household)
    child.household = household
    db.session.flush()
    audit.record("household.create", household, user=actor, detail={"child_id": child.id})
    return household


def siblings(child: Child) -> list[Child]:
    """The other active children of the child's household, eldest first."""
    if child.household_id is None:
        return []
    return list(db.session.scalars(sa.select(Child).where(
        Child.household_id == child.household_id, Child.id != child.id, Child.status == "active")
        .order_by(Child.birth_date, Child.id)))


def in_villages(village_ids) -> list[Household]:
    """The households of the given villages, by village group then guardian."""
    ids = list(village_ids)
    if not ids:
        return []
    return list(db.session.scalars(sa.select(Household).where(Household.division_id.in_(ids))
                                   .order_by(Household.division_id, Household.village_group, Household.id)))
