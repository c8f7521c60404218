"""儿童之家: scope, creation, the checklist and its evidence, service counts and coverage.

Functions that change data flush and audit, never commit (the view commits).
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa

from app.activities.models import EventAttendance, SchoolEvent
from app.activities.periods import Period
from app.activities.photos import PhotoError, ProcessedPhoto, photo_path, process_photo, store_photo
from app.core import audit
from app.core.dates import CHINA
from app.core.i18n import N_
from app.core.models import Division, Organisation
from app.extensions import db
from app.homes.models import CHECKLIST, GUEST_RELATIONS, SETTINGS, ChildrenHome, EventGuest, HomeEvidence
from app.core.errors import UserError

MAX_EVIDENCE_PER_ITEM = 6
NAME_MAX = 128


class HomeError(UserError):
    """Bad input, with a message (Chinese source text) for the form field ``field``."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


def homes_scope(user):
    """Clause on :class:`ChildrenHome` rows (joined with their organisation) ``user`` may see."""
    from app.core.permissions import REGION_ROLES, user_subtree_ids

    if user.role == "admin":
        return sa.true()
    if user.role in REGION_ROLES:
        return Organisation.division_id.in_(user_subtree_ids(user))
    return sa.false()


def homes_query(user) -> sa.Select:
    return (sa.select(ChildrenHome).join(Organisation, ChildrenHome.organisation_id == Organisation.id)
            .join(Division, Organisation.division_id == Division.id)
            .where(homes_scope(user)).order_by(Division.path, Organisation.name))


def create_home(actor, village: Division, name: str, setting: str = "village", school: Organisation | None = None,
                opened_on: date | None = None) -> ChildrenHome:
    """Open a 儿童之家 in ``village``: one village home per village (a school may add its care room).

    :raise HomeError: no name, an unknown setting, a village that already has its home.
    """
    name = " ".join((name or "").split())
    if not name:
        raise HomeError("name", N_("请填写儿童之家的名称"))
    if len(name) > NAME_MAX:
        raise HomeError("name", N_("名称最多128个字"))
    if setting not in SETTINGS:
        raise HomeError("setting", N_("类型无效"))
    if village.level != "village":
        raise HomeError("division_id", N_("请选择村（社区）"))
    if setting == "village" and db.session.scalar(
            sa.select(ChildrenHome.id).join(Organisation, ChildrenHome.organisation_id == Organisation.id)
            .where(Organisation.division_id == village.id, ChildrenHome.setting == "village")):
        raise HomeError("division_id", N_("这个村已经有儿童之家了"))
    if db.session.scalar(sa.select(Organisation.id).where(Organisation.division_id == village.id,
                                                          Organisation.name == name)):
        raise HomeError("name", N_("这个村已有同名的机构"))
    org = Organisation(name=name, kind="children_home", division_id=village.id)
    db.session.add(org)
    db.session.flush()
    home = ChildrenHome(organisation_id=org.id, setting=setting, school_id=school.id if school else None,
                        opened_on=opened_on, checklist={}, checklist_notes={}, updated_by_id=actor.id)
    db.session.add(home)
    db.session.flush()
    audit.record("home.create", home, user=actor, detail={"name": name, "village": village.id, "setting": setting})
    return home


def prepare_evidence(uploads: Mapping[str, Iterable[bytes]]) -> dict[str, list[ProcessedPhoto]]:
    """Check and re-encode the uploaded photos of each checklist item before anything is written.

    :raise HomeError: an unknown item, too many photos, or a file that is not a photo.
    """
    out = {}
    for item, raws in uploads.items():
        raws = [r for r in raws if r]
        if item not in CHECKLIST:
            raise HomeError("checklist", N_("核查项无效"))
        if len(raws) > MAX_EVIDENCE_PER_ITEM:
            raise HomeError(item, N_("每项最多上传6张照片"))
        try:
            out[item] = [process_photo(r) for r in raws]
        except PhotoError as exc:
            raise HomeError(item, exc.message) from None
    return out


def save_checklist(actor, home: ChildrenHome, ticked: Iterable[str], notes: Mapping[str, str],
                   photos: Mapping[str, list[ProcessedPhoto]], upload_dir: str) -> list[HomeEvidence]:
    """Record which of the "8有" the home meets, a note per item and the new evidence photos."""
    ticked = set(ticked)
    if not ticked <= set(CHECKLIST):
        raise HomeError("checklist", N_("核查项无效"))
    before = dict(home.checklist or {})
    home.checklist = {k: k in ticked for k in CHECKLIST}
    home.checklist_notes = {k: (notes.get(k) or "").strip()[:255] for k in CHECKLIST if (notes.get(k) or "").strip()}
    home.updated_by_id = actor.id
    rows = []
    for item, processed in photos.items():
        for photo in processed:
            rows.append(HomeEvidence(home_id=home.id, item=item, filename=store_photo(upload_dir, photo),
                                     width=photo.width, height=photo.height, size_bytes=len(photo.data),
                                     uploaded_by_id=actor.id))
    db.session.add_all(rows)
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        for row in rows:
            photo_path(upload_dir, row.filename).unlink(missing_ok=True)
        raise
    audit.record("home.checklist", home, user=actor,
                 detail={"met": sorted(ticked), "before": sorted(k for k, v in before.items() if v),
                         "photos": len(rows)})
    return rows


def delete_evidence(actor, row: HomeEvidence, upload_dir: str):
    """Remove one evidence photo (a wrong or outdated picture); audited with who uploaded it and when.

    Returns the photo's file path: the caller removes the file only after committing, so a failed
    commit never leaves a row whose photo is gone.
    """
    path = photo_path(upload_dir, row.filename)
    audit.record("home.evidence_delete", row.home, user=actor,
                 detail={"evidence_id": row.id, "item": row.item, "filename": row.filename,
                         "uploaded_by_id": row.uploaded_by_id, "uploaded_at": row.uploaded_at.isoformat()})
    db.session.delete(row)
    db.session.flush()
    return path


@dataclass
class ServiceCounts:
    """What a home did in a period (only held sessions count: their day has come and somebody came)."""

    sessions: int = 0
    hours: float = 0.0
    children: int = 0  # distinct children served
    child_visits: int = 0  # child attendances
    priority_children: int = 0  # distinct 紧急/重点 children served
    volunteers: int = 0  # distinct volunteers
    guests: int = 0  # parents, guardians and family members who came


def _bounds(period: Period) -> tuple[datetime, datetime]:
    return (datetime.combine(period.start, time(0), CHINA),
            datetime.combine(period.end, time(23, 59, 59), CHINA))


def service_counts(org_ids: Iterable[int], period: Period, today: date) -> dict[int, ServiceCounts]:
    """Service counts per home organisation over ``period`` (days after ``today`` are left out)."""
    from app.children.models import Child

    org_ids = list(org_ids)
    out = {o: ServiceCounts() for o in org_ids}
    if not org_ids:
        return out
    start, end = _bounds(Period(period.start, min(period.end, today)))
    events = {e.id: e for e in db.session.scalars(sa.select(SchoolEvent).where(
        SchoolEvent.organisation_id.in_(org_ids), SchoolEvent.starts_at >= start, SchoolEvent.starts_at <= end))}
    if not events:
        return out
    present = db.session.execute(
        sa.select(EventAttendance.event_id, EventAttendance.child_id, EventAttendance.volunteer_id, Child.tier)
        .outerjoin(Child, EventAttendance.child_id == Child.id)
        .where(EventAttendance.event_id.in_(list(events)), EventAttendance.attended.is_(True))).all()
    guests = db.session.execute(sa.select(EventGuest.event_id, sa.func.count())
                                .where(EventGuest.event_id.in_(list(events))).group_by(EventGuest.event_id)).all()
    held: set[int] = {r[0] for r in present} | {g[0] for g in guests}
    kids: dict[int, set[int]] = {o: set() for o in org_ids}
    priority: dict[int, set[int]] = {o: set() for o in org_ids}
    vols: dict[int, set[int]] = {o: set() for o in org_ids}
    for event_id, child_id, volunteer_id, tier in present:
        org = events[event_id].organisation_id
        if child_id:
            kids[org].add(child_id)
            out[org].child_visits += 1
            if tier in ("urgent", "key"):
                priority[org].add(child_id)
        if volunteer_id:
            vols[org].add(volunteer_id)
    for event_id, n in guests:
        out[events[event_id].organisation_id].guests += n
    for event_id in held:
        event = events[event_id]
        out[event.organisation_id].sessions += 1
        out[event.organisation_id].hours += event.duration_minutes / 60
    for org in org_ids:
        out[org].children, out[org].priority_children, out[org].volunteers = (len(kids[org]), len(priority[org]),
                                                                              len(vols[org]))
        out[org].hours = round(out[org].hours, 1)
    return out


@dataclass
class Coverage:
    """A township's villages and how many have a 儿童之家 (and one meeting all of the 8有)."""

    township: Division
    villages: int = 0
    with_home: int = 0
    full_standard: int = 0

    @property
    def percent(self) -> float:
        return round(100 * self.with_home / self.villages, 1) if self.villages else 0.0


def coverage(user) -> list[Coverage]:
    """Coverage per township in ``user``'s scope (village homes only; a school care room does not
    stand for the village's own home)."""
    from app.core.permissions import divisions_scope

    villages = db.session.execute(sa.select(Division.id, Division.parent_id).where(
        divisions_scope(user), Division.level == "village")).all()
    parents = {p for _v, p in villages if p}
    townships = {d.id: Coverage(d) for d in db.session.scalars(sa.select(Division).where(Division.id.in_(parents)))}
    homes = db.session.execute(
        sa.select(Organisation.division_id, ChildrenHome.checklist)
        .join(ChildrenHome, ChildrenHome.organisation_id == Organisation.id)
        .where(ChildrenHome.setting == "village", Organisation.division_id.in_([v for v, _p in villages]))).all()
    by_village: dict[int, bool] = {}
    for village_id, checklist in homes:
        full = all((checklist or {}).get(k) for k in CHECKLIST)
        by_village[village_id] = by_village.get(village_id, False) or full
    for village_id, parent_id in villages:
        row = townships.get(parent_id)
        if row is None:
            continue
        row.villages += 1
        if village_id in by_village:
            row.with_home += 1
            row.full_standard += by_village[village_id]
    return sorted(townships.values(), key=lambda c: c.township.code)


def held_sessions(org_id: int, period: Period, today: date) -> list[tuple[SchoolEvent, int, int, int]]:
    """(event, children present, volunteers present, guests) of each held session of a home."""
    start, end = _bounds(Period(period.start, min(period.end, today)))
    events = db.session.scalars(sa.select(SchoolEvent).where(
        SchoolEvent.organisation_id == org_id, SchoolEvent.starts_at >= start, SchoolEvent.starts_at <= end)
        .order_by(SchoolEvent.starts_at)).all()
    ids = [e.id for e in events]
    kids = dict(db.session.execute(sa.select(EventAttendance.event_id, sa.func.count()).where(
        EventAttendance.event_id.in_(ids), EventAttendance.attended.is_(True), EventAttendance.child_id.is_not(None))
        .group_by(EventAttendance.event_id)).all())
    vols = dict(db.session.execute(sa.select(EventAttendance.event_id, sa.func.count()).where(
        EventAttendance.event_id.in_(ids), EventAttendance.attended.is_(True),
        EventAttendance.volunteer_id.is_not(None)).group_by(EventAttendance.event_id)).all())
    guests = dict(db.session.execute(sa.select(EventGuest.event_id, sa.func.count()).where(
        EventGuest.event_id.in_(ids)).group_by(EventGuest.event_id)).all())
    return [(e, kids.get(e.id, 0), vols.get(e.id, 0), guests.get(e.id, 0)) for e in events
            if kids.get(e.id) or vols.get(e.id) or guests.get(e.id)]


def add_guest(actor, event: SchoolEvent, name: str, relation: str, child=None,
              today: date | None = None) -> EventGuest:
    """Record a parent, guardian or family member who came to ``event``.

    :raise HomeError: no name, an unknown relation, or an event whose day has not come.
    """
    from app.core.dates import today_cn

    name = " ".join((name or "").split())
    if event.starts_at.astimezone(CHINA).date() > (today or today_cn()):
        raise HomeError("name", N_("活动尚未举行，不能提前登记到场人员"))
    if not name:
        raise HomeError("name", N_("请填写到场家长或监护人的姓名"))
    if len(name) > 64:
        raise HomeError("name", N_("姓名最多64个字"))
    if relation not in GUEST_RELATIONS:
        raise HomeError("relation", N_("请选择与儿童的关系"))
    guest = EventGuest(event_id=event.id, name=name, relation=relation, child_id=child.id if child else None,
                       created_by_id=actor.id)
    db.session.add(guest)
    db.session.flush()
    audit.record("event.guest", event, user=actor,
                 detail={"guest_id": guest.id, "relation": relation, "child_id": guest.child_id})
    return guest
