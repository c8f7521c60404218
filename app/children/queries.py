"""Read-side queries of the registry: search and filters, always inside the user's scope."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.children import rules
from app.children.models import Child
from app.core.audit import AuditEntry
from app.core.models import Division, Organisation
from app.core.permissions import divisions_scope
from app.children.scope import children_scope
from app.extensions import db

ASCII_LETTERS = re.compile(r"^[a-zA-Z]+$")


@dataclass
class RosterFilters:
    q: str = ""
    division_id: int | None = None
    school_id: int | None = None
    tier: str = ""
    category: str = ""
    guardianship_type: str = ""
    status: str = "active"


def roster_query(user, f: RosterFilters) -> sa.Select:
    """Children visible to ``user`` matching the filters, in roster order (village, name)."""
    stmt = sa.select(Child).where(children_scope(user))
    if f.status in ("active", "closed"):
        stmt = stmt.where(Child.status == f.status)
    q = f.q.strip()
    if q:
        if q.isdigit() or q[-1:] in "Xx" and q[:-1].isdigit():
            stmt = stmt.where(Child.id_last4 == q[-4:].upper()) if len(q) <= 4 else \
                stmt.where(Child.id_number == q.upper())
        elif ASCII_LETTERS.match(q):
            low = q.lower()
            # keys hold space-separated alternatives (surname readings): match at a word start
            stmt = stmt.where(sa.or_(
                (sa.literal(" ") + Child.name_initials).contains(" " + low, autoescape=True),
                (sa.literal(" ") + Child.name_pinyin).contains(" " + low, autoescape=True)))
        else:
            stmt = stmt.where(Child.name.contains(q, autoescape=True))
    if f.division_id:
        sub = sa.select(Division.path).where(Division.id == f.division_id).scalar_subquery()
        stmt = stmt.where(Child.division_id.in_(sa.select(Division.id).where(Division.within(sub))))
    if f.school_id:
        stmt = stmt.where(Child.school_id == f.school_id)
    if f.tier in ("urgent", "key", "normal"):
        stmt = stmt.where(Child.tier == f.tier)
    if f.guardianship_type:
        stmt = stmt.where(Child.guardianship_type == f.guardianship_type)
    if f.category:
        # categories is a small JSON list; a LIKE on its text is portable across SQLite and PostgreSQL
        stmt = stmt.where(sa.cast(Child.categories, sa.String).contains(f'"{f.category}"'))
    return stmt.order_by(Child.division_id, Child.name_pinyin, Child.id)


def scope_villages(user) -> list[Division]:
    """Villages the user may file children in, by township then village code."""
    return db.session.scalars(sa.select(Division).where(divisions_scope(user), Division.level == "village")
                              .order_by(Division.code)).all()


def scope_counties(user) -> list[Division]:
    """Counties whose rosters the user works with: the county above (or at) the user's division,
    else every county inside the user's subtree (admins: all)."""
    division = user.division
    if division is not None and division.level in ("county", "township", "village"):
        county = division.ancestor("county")
        return [county] if county is not None else []
    return db.session.scalars(sa.select(Division).where(divisions_scope(user), Division.level == "county")
                              .order_by(Division.code)).all()


def schools_for(user) -> list[Organisation]:
    """Schools in the townships of the user's villages (a village director's school is in the
    township above the village) or anywhere inside the user's subtree."""
    village_towns = sa.select(Division.parent_id).where(divisions_scope(user), Division.level == "village")
    in_scope = sa.select(Division.id).where(divisions_scope(user))
    return db.session.scalars(
        sa.select(Organisation).where(Organisation.kind == "school", sa.or_(
            Organisation.division_id.in_(village_towns), Organisation.division_id.in_(in_scope)))
        .order_by(Organisation.division_id, Organisation.name)).all()


def ineligible_candidates(user, on_date: date) -> sa.Select:
    """Active children in scope that may no longer qualify: aged 16 or more on ``on_date``, or
    with neither parent condition. A prefilter in SQL; :func:`services.ineligible` decides."""
    sixteen = _years_before(on_date, rules.LEFT_BEHIND_MAX_AGE)
    return (sa.select(Child).where(children_scope(user), Child.status == "active", sa.or_(
        Child.birth_date <= sixteen,
        sa.and_(Child.both_parents_away.is_(False), Child.one_parent_away_other_incapable.is_(False))))
        .order_by(Child.division_id, Child.name_pinyin, Child.id))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


HISTORY_ACTIONS = ("child.create", "child.update", "child.close", "child.import", "child.review")


def change_history(child: Child, limit: int = 100) -> list[AuditEntry]:
    """The child's audited changes, newest first."""
    return db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == "children", AuditEntry.object_id == str(child.id),
                                    AuditEntry.action.in_(HISTORY_ACTIONS))
        .order_by(AuditEntry.id.desc()).limit(limit)).all()


@dataclass
class RosterPage:
    """One page of the roster (the attributes templates use from Flask-SQLAlchemy's pages)."""

    items: list[Child]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def roster_page(stmt: sa.Select, page: int, per_page: int = 50) -> RosterPage:
    """Page ``page`` of a :func:`roster_query`, in two steps: the ids of the page (read from the
    ``ix_children_search`` index alone), then those rows. Filtering wide rows for a name search
    would otherwise read the whole table."""
    page = max(1, page)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(
        stmt.with_only_columns(Child.id).order_by(None).subquery())) or 0
    ids = db.session.scalars(stmt.with_only_columns(Child.id).limit(per_page).offset((page - 1) * per_page)).all()
    load = sa.select(Child).where(Child.id.in_(ids)).options(so.joinedload(Child.division),
                                                             so.joinedload(Child.school))
    rows = {c.id: c for c in db.session.scalars(load)} if ids else {}
    return RosterPage([rows[i] for i in ids if i in rows], page, per_page, total)
