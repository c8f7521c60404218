"""Which region a report covers, checked against what the user may see.

A report's region is a division (county, township or village) inside the user's subtree, or —
for school staff — their own school. Anything else is answered as "not found" (404), like every
other object out of scope.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.core.models import Division, Organisation
from app.core.permissions import divisions_scope
from app.extensions import db

SCHOOL_ROLES = frozenset({"school_staff"})


class OutOfScope(LookupError):
    """The object does not exist or the user may not see it (shown as 404)."""


@dataclass
class Region:
    kind: str  # division | school
    id: int
    name: str
    level: str  # county | township | village | school
    division_id: int
    path: str  # division path of the region (for a school: its division's)

    @property
    def is_school(self) -> bool:
        return self.kind == "school"


def _in_scope_division(user, division_id: int) -> Division:
    if user is None:  # command line: everything
        division = db.session.get(Division, division_id)
    else:
        division = db.session.scalar(sa.select(Division).where(Division.id == division_id, divisions_scope(user)))
    if division is None:
        raise OutOfScope(division_id)
    return division


def resolve_region(user, *, division_id: int | None = None, organisation_id: int | None = None,
                   levels: tuple[str, ...] = ("county", "township", "village"),
                   schools: bool = False) -> Region:
    """The region ``user`` asked for.

    :raise OutOfScope: not found, out of the user's scope, or of a level this report does not take.
    """
    if organisation_id is not None:
        org = db.session.get(Organisation, organisation_id)
        if not schools or org is None or org.kind != "school":
            raise OutOfScope(organisation_id)
        if user is not None and user.role != "admin":
            if user.role in SCHOOL_ROLES:
                if user.organisation_id != org.id:
                    raise OutOfScope(organisation_id)
            else:
                _in_scope_division(user, org.division_id)
        return Region("school", org.id, org.name, "school", org.division_id, org.division.path)
    if division_id is None:
        if user is not None and user.role in SCHOOL_ROLES and schools and user.organisation_id:
            return resolve_region(user, organisation_id=user.organisation_id, levels=levels, schools=schools)
        if user is None or user.division_id is None:
            raise OutOfScope(None)
        division_id = user.division_id
    if user is not None and user.role in SCHOOL_ROLES | {"volunteer"}:
        raise OutOfScope(division_id)  # their scope is a school or their own pairs, not a region
    division = _in_scope_division(user, division_id)
    if division.level not in levels:
        raise OutOfScope(division_id)
    return Region("division", division.id, division.full_name, division.level, division.id, division.path)


def subtree_ids(region: Region):
    """Select of the division ids inside ``region`` (a school: its own division only)."""
    return sa.select(Division.id).where(Division.within(region.path))


def issuer_name(user) -> str:
    """填报单位: the user's organisation, else their division, else the platform."""
    if user is None:
        return "相伴关爱服务平台"
    if user.organisation is not None:
        return user.organisation.name
    if user.division is not None:
        return user.division.full_name
    return "相伴关爱服务平台"


@dataclass(frozen=True)
class Place:
    """A division of a region as reports print it."""

    id: int
    name: str
    level: str
    label: str  # 水尾镇鱼塘村 when the region holds several townships, else 鱼塘村
    township_id: int | None
    township: str


def places(region: Region) -> dict[int, Place]:
    """Every division of ``region`` (a school: its own division) with its printed label.

    Several villages of a county share a name (six are called 鱼塘村), so wherever the region
    holds more than one township a village is printed with its township.
    """
    rows = db.session.execute(sa.select(Division.id, Division.name, Division.path, Division.level)
                              .where(Division.within(region.path))).all()
    by_id = {r.id: r for r in rows}
    multi = sum(r.level == "township" for r in rows) > 1
    out: dict[int, Place] = {}
    for r in rows:
        chain = [int(x) for x in r.path.strip("/").split("/") if x]
        town = next((by_id[c] for c in chain if c in by_id and by_id[c].level == "township"), None)
        label = r.name
        if multi and town is not None and town.id != r.id:
            label = f"{town.name}{r.name}"
        out[r.id] = Place(r.id, r.name, r.level, label, town.id if town else None, town.name if town else "")
    return out


def villages(region: Region) -> list[Place]:
    """The villages (communities) of ``region``, in township then village order: a report that
    lists villages lists every one of them, those with no children too (村不漏组)."""
    found = [p for p in places(region).values() if p.level == "village"]
    if not found and region.level == "village":
        found = [p for p in places(region).values()]
    return sorted(found, key=lambda p: (p.township, p.name, p.id))
