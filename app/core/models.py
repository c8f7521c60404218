"""Administrative divisions and organisations: the scope everything else hangs on."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.core.i18n import N_

DIVISION_LEVELS = ("province", "city", "county", "township", "village")
DIVISION_LEVEL_LABELS = {"province": N_("省"), "city": N_("市"), "county": N_("县"), "township": N_("乡镇"), "village": N_("村")}

ORGANISATION_KINDS = {
    "womens_federation": N_("妇联"),
    "youth_league": N_("团委"),
    "five_elders": N_("关工委"),
    "school": N_("学校"),
    "civil_affairs": N_("民政"),
    "children_home": N_("儿童之家"),  # a village's (or a school's) care site; see app.homes
    "social_org": N_("社会组织"),
    "enterprise": N_("企业"),
    "social_work": N_("社工机构"),
    "disabled_federation": N_("残联"),
    "health": N_("卫健"),
}


def utcnow() -> datetime:
    """Timezone-aware now in UTC (stored naive-UTC on SQLite, aware on PostgreSQL)."""
    return datetime.now(timezone.utc)


class Division(db.Model):
    """A node of province → city → county → township → village (GB/T 2260 / 12-digit codes).

    ``path`` is the materialised chain of ids (``/1/5/17/``) so that a subtree is one
    ``LIKE 'prefix%'`` on an indexed column.
    """

    __tablename__ = "divisions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(12), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(64))
    level: so.Mapped[str] = so.mapped_column(sa.String(16))
    parent_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("divisions.id"), index=True)
    path: so.Mapped[str] = so.mapped_column(sa.String(255), index=True)
    lat: so.Mapped[float | None]
    lon: so.Mapped[float | None]

    parent: so.Mapped[Division | None] = so.relationship(remote_side=[id], back_populates="children")
    children: so.Mapped[list[Division]] = so.relationship(back_populates="parent")

    __table_args__ = (sa.CheckConstraint(level.in_(DIVISION_LEVELS), name="level"),)

    def __repr__(self) -> str:
        return f"<Division {self.code} {self.name}>"

    def subtree_ids(self) -> sa.Select:
        """Select the ids of this division and of every division below it.

        The one way to ask "which divisions are under this one": scope clauses, region filters
        and reports use it as ``column.in_(division.subtree_ids())``.
        """
        return sa.select(Division.id).where(Division.within(self))

    @staticmethod
    def within(root: Division | str | sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
        """Clause: the division is ``root`` or lies below it (one indexed prefix match on ``path``).

        ``root`` is a division, its ``path``, or a SQL expression giving the path (a root chosen
        inside the query).
        """
        if isinstance(root, Division):
            root = root.path
        if isinstance(root, str):
            return Division.path.startswith(root, autoescape=True)
        return Division.path.like(root + "%")

    def contains(self, other: Division | None) -> bool:
        """True when ``other`` is this division or lies below it."""
        return other is not None and other.path.startswith(self.path)

    @property
    def full_name(self) -> str:
        """Name from the county down, e.g. 岑巩县水尾镇鱼塘村."""
        parts, node = [], self
        while node is not None and node.level not in ("province", "city"):
            parts.append(node.name)
            node = node.parent
        return "".join(reversed(parts))

    def ancestor(self, level: str) -> Division | None:
        """The ancestor (or self) at ``level``."""
        node: Division | None = self
        while node is not None and node.level != level:
            node = node.parent
        return node


class Organisation(db.Model):
    """A women's federation branch, youth league branch, five-elders committee, school or office."""

    __tablename__ = "organisations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(128))
    kind: so.Mapped[str] = so.mapped_column(sa.String(32), index=True)
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"), index=True)
    contact_person: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    contact_phone: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    person_in_charge: so.Mapped[str | None] = so.mapped_column(sa.String(64))

    division: so.Mapped[Division] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint(kind.in_(tuple(ORGANISATION_KINDS)), name="kind"),
        sa.UniqueConstraint("division_id", "name", name="uq_organisations_division_name"),
    )

    @property
    def kind_label(self) -> str:
        return ORGANISATION_KINDS[self.kind]
