"""The child record (一人一档) with the fields of the official 农村留守儿童基本情况登记表."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.models import Division, Organisation, utcnow
from app.core.types import UTCDateTime
from app.extensions import db

child_difficulty_tags = sa.Table(
    "child_difficulty_tags",
    db.metadata,
    sa.Column("child_id", sa.ForeignKey("children.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("difficulty_tags.id", ondelete="CASCADE"), primary_key=True),
)


class DifficultyTag(db.Model):
    """A configurable 困境儿童 tag (e.g. the four guardianship-difficulty types)."""

    __tablename__ = "difficulty_tags"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    code: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    label: so.Mapped[str] = so.mapped_column(sa.String(64))
    active: so.Mapped[bool] = so.mapped_column(default=True)


class Child(db.Model):
    """One child on the dynamic roster. Derived values (age, band, tier) are computed, never typed;
    ``categories`` and ``tier`` are cached on save by :func:`app.children.services.save_child`
    so that lists can filter on them."""

    __tablename__ = "children"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # identity
    name: so.Mapped[str] = so.mapped_column(sa.String(64))
    name_pinyin: so.Mapped[str] = so.mapped_column(sa.String(255), default="", index=True)
    name_initials: so.Mapped[str] = so.mapped_column(sa.String(64), default="", index=True)
    sex: so.Mapped[str] = so.mapped_column(sa.String(8))
    ethnicity: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    birth_date: so.Mapped[date]
    id_number: so.Mapped[str | None] = so.mapped_column(sa.String(18), unique=True)
    id_last4: so.Mapped[str | None] = so.mapped_column(sa.String(4), index=True)
    has_hukou: so.Mapped[bool] = so.mapped_column(default=True)
    no_id_reason: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    registered_address: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    current_address: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"), index=True)
    # health
    health: so.Mapped[str] = so.mapped_column(sa.String(16), default="healthy")
    disability: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    illness: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # schooling
    schooling: so.Mapped[str] = so.mapped_column(sa.String(32))
    school_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    school_name: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    grade: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    boarding: so.Mapped[bool] = so.mapped_column(default=False)
    class_name: so.Mapped[str | None] = so.mapped_column(sa.String(32))  # 班级, kept by the school
    # family
    grandparents: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    father_name: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    father_birth_date: so.Mapped[date | None]
    father_id_number: so.Mapped[str | None] = so.mapped_column(sa.String(18))
    father_work_place: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    father_phone: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    mother_name: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    mother_birth_date: so.Mapped[date | None]
    mother_id_number: so.Mapped[str | None] = so.mapped_column(sa.String(18))
    mother_work_place: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    mother_phone: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    # actual guardianship
    both_parents_away: so.Mapped[bool] = so.mapped_column(default=False)
    one_parent_away_other_incapable: so.Mapped[bool] = so.mapped_column(default=False)
    incapable_parent: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    guardian_name: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    guardian_relation: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    guardian_phone: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    guardian_id_number: so.Mapped[str | None] = so.mapped_column(sa.String(18))
    guardian_address: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    guardianship_type: so.Mapped[str] = so.mapped_column(sa.String(32))
    income_sources: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    assistance: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    # categories
    is_left_behind: so.Mapped[bool] = so.mapped_column(default=True)
    is_orphan: so.Mapped[bool] = so.mapped_column(default=False)
    categories: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    tier: so.Mapped[str] = so.mapped_column(sa.String(8), default="normal", index=True)
    needs: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    village_contact_name: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    village_contact_phone: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    # consent (children under 14)
    consent_guardian_name: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    consent_date: so.Mapped[date | None]
    consent_scan: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    # case status
    #: 登记日期: the day the child entered the roster (reports count a child in a period from
    #: it, not from when the record was typed in); imports and the demo set it, new records default to today
    registered_on: so.Mapped[date | None] = so.mapped_column(default=lambda: _today_cn(), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="active", index=True)
    closed_at: so.Mapped[date | None]
    closed_reason: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    division: so.Mapped[Division] = so.relationship()
    school: so.Mapped[Organisation | None] = so.relationship()
    difficulty_tags: so.Mapped[list[DifficultyTag]] = so.relationship(secondary=child_difficulty_tags)

    __table_args__ = (
        sa.CheckConstraint(sex.in_(("male", "female")), name="sex"),
        sa.CheckConstraint(status.in_(("active", "closed")), name="status"),
        sa.CheckConstraint(tier.in_(("urgent", "key", "normal")), name="tier"),
        sa.Index("ix_children_division_status", "division_id", "status"),
        # covers the roster's scope, status and name/pinyin/initials filters, and the id for
        # PostgreSQL's index-only scans: a name search reads this narrow index instead of the
        # wide rows (see queries.roster_page)
        sa.Index("ix_children_search", "division_id", "status", "name", "name_initials", "name_pinyin", "id"),
    )

    def __repr__(self) -> str:
        return f"<Child {self.id} {self.name}>"


class ChildReview(db.Model):
    """A quarterly check (本季度核实) of a child's record by the village director."""

    __tablename__ = "child_reviews"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    child_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    quarter: so.Mapped[str] = so.mapped_column(sa.String(7))  # e.g. 2026-Q4
    outcome: so.Mapped[str] = so.mapped_column(sa.String(16))  # confirmed / updated / closed
    note: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    reviewed_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    reviewed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    __table_args__ = (sa.UniqueConstraint("child_id", "quarter", name="uq_child_reviews_child_quarter"),)


def _today_cn() -> date:
    from app.core.dates import today_cn

    return today_cn()
