"""Read side of the school workspace; every query is limited to one school's active pupils."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.children.models import Child
from app.children.scope import children_scope
from app.extensions import db

NO_CLASS = "-"  # the filter value for pupils whose class is not set yet


@dataclass
class PupilFilters:
    class_name: str | None = None  # None: all; NO_CLASS: without a class
    boarding: bool = False
    left_behind: bool = False
    no_proxy: bool = False


def _teacher_pairs(school_id: int) -> sa.Select:
    """Active pairs of a child with a teacher proxy parent who works at ``school_id``."""
    from app.matching.models import Pair
    from app.volunteers.models import Volunteer

    return (sa.select(Pair.child_id, Volunteer.id, Volunteer.name)
            .join(Volunteer, Pair.volunteer_id == Volunteer.id)
            .where(Pair.status == "active", Volunteer.kind == "teacher", Volunteer.organisation_id == school_id))


def pupils_query(user, school_id: int, filters: PupilFilters | None = None) -> sa.Select:
    """The school's active pupils (inside ``user``'s scope), by class then name."""
    filters = filters or PupilFilters()
    stmt = sa.select(Child).where(Child.school_id == school_id, Child.status == "active", children_scope(user))
    if filters.class_name == NO_CLASS:
        stmt = stmt.where(sa.or_(Child.class_name.is_(None), Child.class_name == ""))
    elif filters.class_name:
        stmt = stmt.where(Child.class_name == filters.class_name)
    if filters.boarding:
        stmt = stmt.where(Child.boarding.is_(True))
    if filters.left_behind or filters.no_proxy:
        stmt = stmt.where(Child.is_left_behind.is_(True))
    if filters.no_proxy:
        proxied = sa.select(_teacher_pairs(school_id).subquery().c.child_id)
        stmt = stmt.where(Child.id.not_in(proxied))
    return stmt.order_by(Child.class_name, Child.grade, Child.name_pinyin)


def proxies(school_id: int, child_ids) -> dict[int, list[tuple[int, str]]]:
    """child id → [(volunteer id, name)] of the child's teacher proxy parents from this school."""
    from app.matching.models import Pair

    out: dict[int, list[tuple[int, str]]] = {}
    ids = list(child_ids)
    if ids:
        for child_id, vol_id, name in db.session.execute(_teacher_pairs(school_id).where(Pair.child_id.in_(ids))):
            out.setdefault(child_id, []).append((vol_id, name))
    return out


def classes(user, school_id: int) -> list[tuple[str, int]]:
    """(class, active pupils) of the school, classes in order; pupils without a class as ``NO_CLASS``."""
    rows = db.session.execute(sa.select(Child.class_name, sa.func.count())
                              .where(Child.school_id == school_id, Child.status == "active", children_scope(user))
                              .group_by(Child.class_name)).all()
    counts: Counter[str] = Counter()
    for name, n in rows:
        counts[name or NO_CLASS] += n
    return sorted(counts.items(), key=lambda kv: (kv[0] == NO_CLASS, kv[0]))


def figures(user, school_id: int) -> dict[str, int]:
    """Head counts for the workspace's first page."""
    base = [Child.school_id == school_id, Child.status == "active", children_scope(user)]
    row = db.session.execute(sa.select(
        sa.func.count(),
        sa.func.count().filter(Child.is_left_behind.is_(True)),
        sa.func.count().filter(Child.boarding.is_(True)),
    ).where(*base)).one()
    no_proxy = db.session.scalar(sa.select(sa.func.count()).select_from(
        pupils_query(user, school_id, PupilFilters(no_proxy=True)).order_by(None).subquery())) or 0
    return {"pupils": row[0], "left_behind": row[1], "boarding": row[2], "no_proxy": no_proxy}


@dataclass
class TeacherRow:
    """A teacher proxy parent of the school with their pairs' due and overdue items."""

    volunteer_id: int
    name: str
    statuses: list = field(default_factory=list)  # app.activities.queries.PairStatus

    def count(self, kind: str, status: str) -> int:
        kinds = ("visit", "first_visit") if kind == "visit" else (kind,)
        return sum(1 for s in self.statuses for i in s.items if i.kind in kinds and i.status == status)

    @property
    def overdue(self) -> int:
        return sum(len(s.overdue) for s in self.statuses)


def teacher_rows(user, school_id: int, today: date) -> list[TeacherRow]:
    """Each teacher of the school who is a proxy parent of one of its pupils, most overdue first.

    The weekly talk and the visit each term are the teacher cadence of the region's rules
    (:mod:`app.activities.cadence`), computed by the same engine as the volunteers' lists.
    """
    from app.activities.queries import pair_statuses
    from app.volunteers.models import Volunteer

    rows: dict[int, TeacherRow] = {}
    from app.matching.models import Pair

    teachers = sa.select(Volunteer.id).where(Volunteer.kind == "teacher", Volunteer.organisation_id == school_id)
    for status in pair_statuses(user, today, (Pair.volunteer_id.in_(teachers), Child.school_id == school_id)):
        row = rows.setdefault(status.volunteer_id, TeacherRow(status.volunteer_id, status.volunteer_name))
        row.statuses.append(status)
    for row in rows.values():
        row.statuses.sort(key=lambda s: (-len(s.overdue), s.child_name))
    return sorted(rows.values(), key=lambda r: (-r.overdue, r.name))


def open_dropouts(child_ids: Iterable[int]) -> dict[int, int]:
    """child id → its open 控辍保学 item (issue 21's tracker), so a pupil already being persuaded
    back to school links to that item instead of opening a second one."""
    from app.protection.models import DutyItem

    ids = list(child_ids)
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(DutyItem.child_id, sa.func.min(DutyItem.id)).where(
        DutyItem.child_id.in_(ids), DutyItem.kind == "dropout", DutyItem.status == "open")
        .group_by(DutyItem.child_id)).all())
