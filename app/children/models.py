"""The child record (一人一档) with the fields of the official 农村留守儿童基本情况登记表."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.models import Division, Organisation, utcnow
from app.core.types import UTCDateTime
from app.extensions import db

class Household(db.Model):
    """A household (户): siblings registered together share it, and with it the guardian and address.

    The village roster is checked household by household ("组不漏户,户不漏留守儿童"), so a household
    belongs to a village and a village group (村民小组). Other features (matching) query
    ``Child.household_id`` to treat siblings together.
    """

    __tablename__ = "households"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"), index=True)
    village_group: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    head_name: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    guardian_name: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    guardian_relation: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    guardian_phone: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    address: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    division: so.Mapped[Division] = so.relationship()
    children: so.Mapped[list["Child"]] = so.relationship(back_populates="household", order_by="Child.birth_date")

    def __repr__(self) -> str:
        return f"<Household {self.id}>"


class HouseholdCheck(db.Model):
    """One household checked in the village's household-by-household check (逐户核查): who
    checked it, on which day. Never edited or deleted: the page counts a household as checked
    in a quarter when it has a check dated in it."""

    __tablename__ = "household_checks"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    household_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("households.id", ondelete="CASCADE"), index=True)
    checked_on: so.Mapped[date] = so.mapped_column(index=True)
    checked_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)


class ChildAssistance(db.Model):
    """One assistance programme a child receives (低保, 孤儿基本生活费, ...), with amount and dates."""

    __tablename__ = "child_assistance"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    child_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children.id", ondelete="CASCADE"), index=True)
    programme: so.Mapped[str] = so.mapped_column(sa.String(32))
    amount: so.Mapped[Decimal | None] = so.mapped_column(sa.Numeric(10, 2))  # yuan per month
    start_date: so.Mapped[date | None]
    end_date: so.Mapped[date | None]
    note: so.Mapped[str | None] = so.mapped_column(sa.String(128))

    def __repr__(self) -> str:
        return f"<ChildAssistance {self.child_id} {self.programme}>"


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
    village_group: so.Mapped[str | None] = so.mapped_column(sa.String(32))  # 村民小组
    household_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("households.id", ondelete="SET NULL"), index=True)
    rural_hukou: so.Mapped[bool] = so.mapped_column(default=True)
    # health
    health: so.Mapped[str] = so.mapped_column(sa.String(16), default="healthy")
    disability: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    illness: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    has_disability_certificate: so.Mapped[bool | None]
    disability_category: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    disability_grade: so.Mapped[str | None] = so.mapped_column(sa.String(4))
    chronic_illness: so.Mapped[bool | None]
    immunisation_up_to_date: so.Mapped[bool | None]
    immunisation_checked_on: so.Mapped[date | None]
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
    incapacity_reason: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    # each parent's situation (vocab.PARENT_STATUS): with both known, the guardianship-difficulty
    # type (监护困境 ①-④) is derived from them instead of being chosen
    father_status: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    mother_status: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    parents_away_since: so.Mapped[date | None]  # the month the parent(s) left (first of the month)
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
    orphan_care: so.Mapped[str | None] = so.mapped_column(sa.String(16))  # centralised / dispersed
    # what the registering person declares (儿童类别); the rules check it against the facts
    child_category: so.Mapped[str] = so.mapped_column(sa.String(16), default="left_behind")
    difficulty_types: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)  # chosen 困境 types
    is_in_difficulty: so.Mapped[bool] = so.mapped_column(default=False, index=True)
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
    household: so.Mapped[Household | None] = so.relationship(back_populates="children")
    assistance_records: so.Mapped[list[ChildAssistance]] = so.relationship(
        cascade="all, delete-orphan", order_by="ChildAssistance.id")

    __table_args__ = (
        sa.CheckConstraint(sex.in_(("male", "female")), name="sex"),
        sa.CheckConstraint(status.in_(("active", "closed")), name="status"),
        sa.CheckConstraint(tier.in_(("urgent", "key", "normal")), name="tier"),
        sa.CheckConstraint(child_category.in_(("left_behind", "difficulty", "both")), name="child_category"),
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
