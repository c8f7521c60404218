"""Creating and editing organisations. Functions flush and audit, never commit."""
from __future__ import annotations

import sqlalchemy as sa

from app.core import audit
from app.core.errors import UserError
from app.core.i18n import N_
from app.core.models import ORGANISATION_KINDS, Division, Organisation
from app.core.phone import mask_phone
from app.extensions import db

#: kinds made on this page; a 儿童之家 is opened from its own page (one per village, its checklist)
EDITABLE_KINDS = tuple(k for k in ORGANISATION_KINDS if k != "children_home")
#: organisations that hold activities of their own (besides schools and 儿童之家)
ORGANISER_KINDS = ("five_elders", "womens_federation", "youth_league", "civil_affairs", "social_org", "enterprise",
                   "social_work", "disabled_federation", "health")
NAME_MAX = 128


class OrgError(UserError):
    """Bad input, with a message (Chinese source text) for the form field ``field``."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


def _clean(text: str | None, limit: int, field: str, message: str) -> str | None:
    value = " ".join((text or "").split())
    if len(value) > limit:
        raise OrgError(field, message)
    return value or None


def _check_phone(phone: str | None) -> str | None:
    value = "".join((phone or "").split())
    if value and not (value.replace("-", "").isdigit() and 7 <= len(value.replace("-", "")) <= 20):
        raise OrgError("contact_phone", N_("电话号码格式不正确，请填写手机号或座机号"))
    return value or None


def save_organisation(actor, org: Organisation | None, name: str, kind: str, division: Division,
                      contact_person: str = "", contact_phone: str = "", person_in_charge: str = "") -> Organisation:
    """Create (``org`` None) or update an organisation. An empty phone keeps the one on file.

    :raise OrgError: no name or too long, an unknown kind or one made elsewhere, a name the
        division already has.
    """
    name = _clean(name, NAME_MAX, "name", N_("名称最多128个字"))
    if not name:
        raise OrgError("name", N_("请填写机构名称"))
    if kind not in EDITABLE_KINDS or (org is not None and org.kind == "children_home"):
        raise OrgError("kind", N_("请选择机构类型（儿童之家请在儿童之家页面建立）"))
    clash = sa.select(Organisation.id).where(Organisation.division_id == division.id, Organisation.name == name)
    if org is not None:
        clash = clash.where(Organisation.id != org.id)
    if db.session.scalar(clash):
        raise OrgError("name", N_("这个地区已有同名的机构"))
    person = _clean(contact_person, 64, "contact_person", N_("联系人最多64个字"))
    chief = _clean(person_in_charge, 64, "person_in_charge", N_("负责人最多64个字"))
    phone = _check_phone(contact_phone)
    created = org is None
    before = None if created else {"name": org.name, "kind": org.kind, "division_id": org.division_id}
    if created:
        org = Organisation()
        db.session.add(org)
    org.name, org.kind, org.division_id = name, kind, division.id
    org.contact_person, org.person_in_charge = person, chief
    if phone:
        org.contact_phone = phone
    db.session.flush()
    audit.record("organisation.create" if created else "organisation.update", org, user=actor,
                 detail={"name": name, "kind": kind, "division_id": division.id, "before": before,
                         "phone": mask_phone(phone) if phone else None})
    return org
