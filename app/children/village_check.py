"""The village's household-by-household check (逐户核查: "村不漏组,组不漏户,户不漏留守儿童").

A village's households are shown by 村民小组, each with its children, guardian and address; the
village director ticks each household once a quarter after visiting it. Children on the roster
without a household are listed apart, so that none is missed. Functions flush and audit where
they write; the view commits.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.auth.models import User
from app.children.models import Child, Household, HouseholdCheck
from app.core import audit
from app.core.models import Division
from app.extensions import db

NO_GROUP = ""  # the group of households without a 村民小组


def quarter_start(day: date) -> date:
    """The first day of the quarter of ``day``: a household is checked once a quarter."""
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


@dataclass
class HouseholdRow:
    household: Household
    children: list[Child]
    last_check: HouseholdCheck | None
    checked_by: str | None

    def checked_since(self, since: date) -> bool:
        return self.last_check is not None and self.last_check.checked_on >= since


@dataclass
class VillageCheck:
    """A village's households by group, the children without a household, and the counts."""

    village: Division
    since: date
    groups: list[tuple[str, list[HouseholdRow]]] = field(default_factory=list)
    unhoused: list[Child] = field(default_factory=list)

    @property
    def rows(self) -> list[HouseholdRow]:
        return [row for _, rows in self.groups for row in rows]

    def checked_in(self, rows: list[HouseholdRow]) -> int:
        return sum(1 for row in rows if row.checked_since(self.since))

    def counts(self) -> dict[str, int]:
        rows = self.rows
        checked = sum(1 for row in rows if row.checked_since(self.since))
        return {"households": len(rows), "checked": checked, "unchecked": len(rows) - checked,
                "children": sum(len(row.children) for row in rows) + len(self.unhoused),
                "unhoused": len(self.unhoused)}


def _group_key(name: str | None) -> tuple[int, int, str]:
    """Groups in their natural order (2组 before 10组), those without a group last."""
    text = (name or "").strip()
    digits = "".join(ch for ch in text if ch.isdigit())
    return (0 if text else 1, int(digits) if digits else 10**6, text)


def village_check(village: Division, since: date) -> VillageCheck:
    """The check of ``village``'s households with at least one child on the roster."""
    children = db.session.scalars(sa.select(Child).where(
        Child.division_id == village.id, Child.status == "active").order_by(Child.birth_date, Child.id)).all()
    by_household: dict[int, list[Child]] = {}
    found = VillageCheck(village, since)
    for child in children:
        if child.household_id is None:
            found.unhoused.append(child)
        else:
            by_household.setdefault(child.household_id, []).append(child)
    houses = db.session.scalars(sa.select(Household).where(Household.id.in_(list(by_household)))).all() \
        if by_household else []
    last = _last_checks([h.id for h in houses])
    grouped: dict[str, list[HouseholdRow]] = {}
    for house in houses:
        check = last.get(house.id)
        row = HouseholdRow(house, by_household[house.id], check[0] if check else None, check[1] if check else None)
        grouped.setdefault((house.village_group or "").strip(), []).append(row)
    for name in sorted(grouped, key=_group_key):
        rows = sorted(grouped[name], key=lambda r: (r.household.head_name or r.household.guardian_name or "",
                                                    r.household.id))
        found.groups.append((name, rows))
    return found


def _last_checks(household_ids: list[int]) -> dict[int, tuple[HouseholdCheck, str | None]]:
    """Household id → (its latest check, the checker's display name)."""
    if not household_ids:
        return {}
    latest = sa.select(HouseholdCheck.household_id, sa.func.max(HouseholdCheck.id).label("id")) \
        .where(HouseholdCheck.household_id.in_(household_ids)).group_by(HouseholdCheck.household_id).subquery()
    checker = so.aliased(User)
    rows = db.session.execute(sa.select(HouseholdCheck, checker.display_name)
                              .join(latest, HouseholdCheck.id == latest.c.id)
                              .outerjoin(checker, checker.id == HouseholdCheck.checked_by_id)).all()
    return {check.household_id: (check, name) for check, name in rows}


class NothingToCheck(ValueError):
    """The household has no child on the roster."""


def check_household(actor, household: Household, on_date: date) -> tuple[HouseholdCheck, bool]:
    """Tick ``household`` as checked on ``on_date`` by ``actor``; returns (the check, whether it
    is new). A household already checked this quarter keeps that check (a second tap on a slow
    connection changes nothing). Flushes and audits ``household.check``.

    :raise NothingToCheck: when no child of the household is on the roster.
    """
    active = [c.id for c in household.children if c.status == "active"]
    if not active:
        raise NothingToCheck(household.id)
    since = quarter_start(on_date)
    existing = db.session.scalar(sa.select(HouseholdCheck).where(
        HouseholdCheck.household_id == household.id, HouseholdCheck.checked_on >= since)
        .order_by(HouseholdCheck.id.desc()).limit(1))
    if existing is not None:
        return existing, False
    check = HouseholdCheck(household_id=household.id, checked_on=on_date,
                           checked_by_id=getattr(actor, "id", None))
    db.session.add(check)
    db.session.flush()
    audit.record("household.check", household, user=actor,
                 detail={"checked_on": on_date.isoformat(), "children": active, "village_id": household.division_id})
    return check, True


def villages_in(scope_clause: Any) -> list[Division]:
    """The villages a user may check (``scope_clause`` on :class:`Division`), by code."""
    return list(db.session.scalars(sa.select(Division).where(scope_clause, Division.level == "village")
                                   .order_by(Division.code)))


def village_counts(villages: Iterable[Division], since: date) -> dict[int, tuple[int, int]]:
    """Village id → (households with a child on the roster, of those checked since ``since``)."""
    ids = [v.id for v in villages]
    if not ids:
        return {}
    housed = sa.select(Household.id, Household.division_id).join(Child, Child.household_id == Household.id) \
        .where(Household.division_id.in_(ids), Child.status == "active").distinct().subquery()
    checked = sa.select(HouseholdCheck.household_id).where(HouseholdCheck.checked_on >= since).distinct().subquery()
    rows = db.session.execute(
        sa.select(housed.c.division_id, sa.func.count(housed.c.id), sa.func.count(checked.c.household_id))
        .outerjoin(checked, checked.c.household_id == housed.c.id).group_by(housed.c.division_id)).all()
    return {division_id: (total, done) for division_id, total, done in rows}


def write_xlsx(found: VillageCheck, stream: IO[bytes], labels: dict[str, str]) -> None:
    """The check as a workbook: one row per child, household by household (no ID or phone
    numbers). ``labels`` holds the translated column headers and texts."""
    from openpyxl import Workbook

    from app.children.roster import neutralize

    wb = Workbook()
    ws = wb.active
    ws.title = labels["sheet"]
    ws.append([labels["title"].format(village=found.village.full_name, since=found.since.isoformat())])
    ws.append([labels[k] for k in ("group", "household", "guardian", "address", "child", "sex", "born",
                                    "status", "checked_on", "checked_by")])
    for group, rows in found.groups:
        for row in rows:
            house = row.household
            checked = row.last_check.checked_on if row.checked_since(found.since) else None
            for child in row.children:
                ws.append([neutralize(v) for v in (
                    group or labels["no_group"], house.head_name or house.guardian_name, _guardian(house),
                    house.address, child.name, labels.get(child.sex, child.sex), child.birth_date,
                    _statuses(child, labels), checked, row.checked_by if checked else None)])
    for child in found.unhoused:
        ws.append([neutralize(v) for v in (labels["no_household"], None, child.guardian_name, child.current_address,
                                           child.name, labels.get(child.sex, child.sex), child.birth_date,
                                           _statuses(child, labels), None, None)])
    for col, width in zip("ABCDEFGHIJ", (8, 12, 16, 28, 10, 6, 12, 16, 12, 12)):
        ws.column_dimensions[col].width = width
    wb.save(stream)


def _guardian(house: Household) -> str:
    return " ".join(part for part in (house.guardian_name, house.guardian_relation) if part)


def _statuses(child: Child, labels: dict[str, str]) -> str:
    return "、".join(labels[name] for name, on in (("left_behind", child.is_left_behind),
                                                   ("difficulty", child.is_in_difficulty)) if on)
