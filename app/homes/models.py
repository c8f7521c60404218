"""The 儿童之家 profile, its checklist evidence, and guests (parents, guardians) at events."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.i18n import N_
from app.core.models import Organisation, utcnow
from app.core.types import UTCDateTime
from app.extensions import db

#: the "8有" standard (seed 003 篇二): "有統一標牌、有固定場所、有完善設備、有人員管理、有兒童檔案、
#: 有活動計劃、有活動臺賬、有經費保障"
CHECKLIST = {
    "sign": N_("有统一标牌"),
    "premises": N_("有固定场所"),
    "equipment": N_("有完善设备"),
    "staff": N_("有人员管理"),
    "files": N_("有儿童档案"),
    "plan": N_("有活动计划"),
    "ledger": N_("有活动台账"),
    "funds": N_("有经费保障"),
}
SETTINGS = {"village": N_("村（社区）儿童之家"), "school_room": N_("学校关爱室")}
GUEST_RELATIONS = {"father": N_("父亲"), "mother": N_("母亲"), "guardian": N_("监护人"), "other": N_("其他家属")}


class ChildrenHome(db.Model):
    """A 儿童之家: an organisation of kind ``children_home`` (so that events are held "at" it)
    with its setting and the state of its checklist."""

    __tablename__ = "children_homes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), unique=True)
    setting: so.Mapped[str] = so.mapped_column(sa.String(16), default="village")
    school_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organisations.id"))
    opened_on: so.Mapped[date | None]
    checklist: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)  # item → True/False
    checklist_notes: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)  # item → note
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))

    organisation: so.Mapped[Organisation] = so.relationship(foreign_keys=[organisation_id])
    school: so.Mapped[Organisation | None] = so.relationship(foreign_keys=[school_id])
    evidence: so.Mapped[list[HomeEvidence]] = so.relationship(back_populates="home", order_by="HomeEvidence.id")

    __table_args__ = (sa.CheckConstraint(setting.in_(tuple(SETTINGS)), name="setting"),)

    @property
    def met(self) -> list[str]:
        return [k for k in CHECKLIST if (self.checklist or {}).get(k)]


class HomeEvidence(db.Model):
    """A photo proving one checklist item (stored like activity photos: re-encoded, no EXIF)."""

    __tablename__ = "home_evidence"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    home_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children_homes.id"), index=True)
    item: so.Mapped[str] = so.mapped_column(sa.String(16))
    filename: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    width: so.Mapped[int]
    height: so.Mapped[int]
    size_bytes: so.Mapped[int]
    uploaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    uploaded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))

    home: so.Mapped[ChildrenHome] = so.relationship(back_populates="evidence")

    __table_args__ = (sa.CheckConstraint(item.in_(tuple(CHECKLIST)), name="item"),)


class EventGuest(db.Model):
    """A parent, guardian or other family member who came to an event (返乡家长会, 家庭教育讲座,
    an activity at the 儿童之家), optionally as the family of one child."""

    __tablename__ = "event_guests"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("school_events.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(64))
    relation: so.Mapped[str] = so.mapped_column(sa.String(16))
    child_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    child = so.relationship("Child")

    __table_args__ = (sa.CheckConstraint(relation.in_(tuple(GUEST_RELATIONS)), name="relation"),)

    @property
    def relation_label(self) -> str:
        return GUEST_RELATIONS[self.relation]
