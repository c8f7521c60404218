"""Volunteer registration, screening, pause and exit — plain functions the views call."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from app.auth.models import User
from app.auth.passwords import hash_password
from app.core import audit
from app.core.i18n import N_
from app.core.models import Division, Organisation, utcnow
from app.extensions import db
from app.volunteers.models import Volunteer
from app.core.errors import UserError
from app.core.dates import CHINA
from app.matching.pairs import close_pairs_of_volunteer

#: which organisations a volunteer of each kind joins
KIND_ORGANISATIONS = {
    "loving_mother": ("womens_federation",),
    "five_elder": ("five_elders",),
    "teacher": ("school",),
    "youth": ("youth_league",),
}


class VolunteerError(UserError):
    """A refused volunteer action; ``field`` names the form field it concerns, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message, field=field)


class AlreadyRegistered(VolunteerError):
    """The ID number has an application already. The public page must not say so (anyone could
    learn who volunteers); the view answers as for a new application and audits the attempt."""


@dataclass
class Registration:
    kind: str
    organisation_id: int
    name: str
    id_number: str
    sex: str
    birth_date: date
    phone: str
    password: str
    division_id: int
    capacity: int
    max_km: float
    skills: list[str]
    prefer_gender: str | None
    prefer_age_band: str | None
    availability: str | None


def register(reg: Registration) -> Volunteer:
    """Create an application and its (volunteer) login; screening comes next.

    :raise VolunteerError: the ID number or phone is already registered, the organisation does
        not take this kind of volunteer, the sex disagrees with the ID number.
    """
    if db.session.scalar(sa.select(User.id).where(User.username == reg.phone)):
        raise VolunteerError(N_("该手机号码已注册，请直接登录"), "phone")
    if db.session.scalar(sa.select(Volunteer.id).where(Volunteer.id_number == reg.id_number)):
        raise AlreadyRegistered(N_("该证件号码已注册"), "id_number")
    org = db.session.get(Organisation, reg.organisation_id)
    if org is None or org.kind not in KIND_ORGANISATIONS[reg.kind]:
        raise VolunteerError(N_("所选组织不招募这一类志愿者"), "organisation_id")
    village = db.session.get(Division, reg.division_id)
    if village is None or village.level != "village":
        raise VolunteerError(N_("请选择居住的村（社区）"), "division_id")
    volunteer = create_application(
        reg, org, village, conduct_accepted=True,
        prefer_gender=reg.prefer_gender or None, prefer_age_band=reg.prefer_age_band or None,
        availability=reg.availability or None)
    audit.record("volunteer.register", volunteer, user=db.session.get(User, volunteer.user_id))
    return volunteer


def create_application(reg: Registration, org: Organisation, village: Division, *, conduct_accepted: bool,
                       **preferences) -> Volunteer:
    """The volunteer row (status ``applied``) and its login (username: the mobile number), for
    a registration already checked; the caller audits and commits."""
    user = User(username=reg.phone, display_name=reg.name, role="volunteer", division=village,
                organisation=org, phone=reg.phone, password_hash=hash_password(reg.password))
    db.session.add(user)
    db.session.flush()
    volunteer = Volunteer(
        user_id=user.id, kind=reg.kind, organisation=org, name=reg.name, id_number=reg.id_number, sex=reg.sex,
        birth_date=reg.birth_date, phone=reg.phone, division=village, capacity=reg.capacity,
        max_km=reg.max_km, skills=reg.skills, status="applied",
        code_of_conduct_accepted_at=utcnow() if conduct_accepted else None, **preferences,
    )
    db.session.add(volunteer)
    db.session.flush()
    return volunteer


def screen(volunteer: Volunteer, *, user, check_date, check_result, training_date, notes, decision, reason) -> None:
    """Record screening facts and, optionally, decide.

    :raise VolunteerError: approving without a clear record check, training and the code of
        conduct; rejecting without a reason; deciding an application that is not pending.
    """
    volunteer.background_check_date = check_date
    volunteer.background_check_result = check_result or None
    volunteer.training_completed_at = training_date
    volunteer.interview_notes = notes or None
    changes = {"check_result": check_result, "check_date": str(check_date or ""), "training": str(training_date or "")}
    if decision in ("approve", "reject") and volunteer.status not in ("applied", "rejected"):
        raise VolunteerError(N_("该志愿者已审核，不能重复审核"))
    if decision == "approve":
        missing = []
        if not check_date or check_result != "clear":
            missing.append("入职查询（需无违法犯罪记录）")
        if not training_date:
            missing.append("培训")
        if not volunteer.code_of_conduct_accepted_at:
            missing.append("行为守则确认")
        if missing:
            raise VolunteerError(N_("尚不能通过审核，缺少：") + "、".join(missing), "decision")
        volunteer.status = "approved"
        if not volunteer.volunteer_number:
            volunteer.volunteer_number = f"XB{volunteer.division.code[:6]}{volunteer.id:06d}"
    elif decision == "reject":
        if not (reason or "").strip():
            raise VolunteerError(N_("不通过时请填写理由"), "reason")
        volunteer.status = "rejected"
    if decision in ("approve", "reject"):
        volunteer.decided_by_id = user.id
        volunteer.decided_at = utcnow()
        volunteer.decision_reason = (reason or "").strip() or None
    audit.record(f"volunteer.screen.{decision}", volunteer, detail=changes | {"reason": reason or ""})


def record_paper_conduct(volunteer: Volunteer, signed_on: date, scan_name: str, *, user) -> None:
    """Record a code of conduct signed on paper on ``signed_on`` (noon, China time) with its scan."""
    from datetime import datetime, time

    volunteer.code_of_conduct_accepted_at = datetime.combine(signed_on, time(12), CHINA)
    volunteer.code_of_conduct_scan = scan_name
    audit.record("volunteer.conduct_paper", volunteer, user=user, detail={"signed_on": signed_on.isoformat()})
    db.session.flush()


def change_status(volunteer: Volunteer, action: str, reason: str | None, *, user) -> int:
    """Pause, resume or end a volunteer's service. Ending closes the active pairs (the children
    go back to the matching queue); pausing keeps them but makes the volunteer unmatchable.
    Returns the number of pairs closed.

    :raise VolunteerError: an action that does not fit the current status, or no reason to end.
    """

    reason = (reason or "").strip()
    closed = 0
    if action == "pause":
        if volunteer.status != "approved":
            raise VolunteerError(N_("只有在岗的志愿者可以暂停服务"))
        volunteer.status = "paused"
    elif action == "resume":
        if volunteer.status != "paused":
            raise VolunteerError(N_("只有暂停中的志愿者可以恢复服务"))
        volunteer.status = "approved"
    elif action == "exit":
        if volunteer.status == "exited":
            raise VolunteerError(N_("该志愿者已退出"))
        if not reason:
            raise VolunteerError(N_("请填写退出或结束服务的原因"), "reason")
        closed = close_pairs_of_volunteer(volunteer, f"志愿者退出：{reason}")
        volunteer.status = "exited"
    else:
        raise VolunteerError(N_("未知操作"))
    volunteer.status_reason = reason or None
    audit.record(f"volunteer.{action}", volunteer, detail={"reason": reason, "pairs_closed": closed})
    return closed


def set_capacity(volunteer: Volunteer, capacity: int) -> None:
    """Change how many children a volunteer can take; never below their active pairs.

    :raise VolunteerError: when the new capacity is below the current number of pairs.
    """
    if capacity < volunteer.active_pairs:
        raise VolunteerError(f"当前已结对 {volunteer.active_pairs} 名儿童，名额不能少于此数", "capacity")
    audit.record("volunteer.capacity", volunteer, detail={"from": volunteer.capacity, "to": capacity})
    volunteer.capacity = capacity


def organisation_choices() -> list[tuple[int, str]]:
    rows = db.session.scalars(sa.select(Organisation).where(
        Organisation.kind.in_(("womens_federation", "five_elders", "school", "youth_league")))
        .order_by(Organisation.kind, Organisation.name))
    return [(o.id, f"{o.name}") for o in rows]


def village_choices() -> dict[str, list[tuple[int, str]]]:
    """Villages grouped by township (optgroups for the select)."""
    villages = db.session.scalars(sa.select(Division).where(Division.level == "village").order_by(Division.code))
    groups: dict[str, list[tuple[int, str]]] = {}
    for v in villages:
        groups.setdefault(v.parent.full_name if v.parent else "", []).append((v.id, v.name))
    return groups
