"""Households (户): siblings share one, and with it the guardian and the address.

The village roster is checked household by household ("组不漏户,户不漏留守儿童"). Functions flush
and audit where they write; the view commits.
"""
from __future__ import annotations

from typing import Any, Mapping

import sqlalchemy as sa

from app.children.models import Child, Household
from app.children.vocab import fold
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


def _key(division_id: int | None, guardian: str | None, address: str | None) -> tuple | None:
    """Children of one village with the same guardian and the same address live in one
    household (folded: spaces, full-width forms and case do not matter)."""
    if not (division_id and guardian and address):
        return None
    return division_id, fold(guardian), fold(address)


def link_by_guardian_and_address(actor, children: list[Child]) -> int:
    """Put each child without a household into the household of its village with the same
    guardian and address — an existing one, or a new one shared with its siblings in the
    list. A roster file has no 户 column, so this is how an import links siblings; a child
    without a guardian's name or an address stays without (the village check lists them).
    Returns the number of households created. Flushes and audits."""
    waiting = [c for c in children if c.household_id is None and c.household is None]
    villages = {c.division_id for c in waiting if c.division_id}
    known: dict[tuple, Household] = {}
    if villages:
        for house in db.session.scalars(sa.select(Household).where(Household.division_id.in_(villages))):
            key = _key(house.division_id, house.guardian_name, house.address)
            if key is not None:
                known.setdefault(key, house)
    created = 0
    for child in waiting:
        key = _key(child.division_id, child.guardian_name, child.current_address)
        if key is None:
            continue
        if key in known:
            child.household = known[key]
            continue
        known[key] = create_for(actor, child)
        created += 1
    db.session.flush()
    return created


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
