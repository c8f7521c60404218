"""活动台账: every care activity and school event of a school, village or township (or county)
for a period — date, place, organiser, participants and count, content, photos and volunteer
hours — with a summary by type whose parts must add up to the totals.

Built with plain column queries (no ORM objects): a county quarter has ~40,000 rows.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.activities import vocab as av
from app.activities.models import ActivityPhoto, CareLog, EventAttendance, SchoolEvent
from app.children.models import Child
from app.core.dates import CHINA
from app.core.models import Division, Organisation
from app.extensions import db
from app.core.dates import today_cn
from app.reports.common import Checks, Period, duration_text, exact_hours, table_date
from app.reports.scope import Region, places, subtree_ids
from app.volunteers.models import Volunteer

TITLE = "关爱服务活动台账"
#: the official column order (PDF and Excel)
#: talk modes, short enough for the ledger's type column (谈心·电话)
SHORT_MODES = {"in_person": "当面", "phone": "电话", "video": "视频"}
COLUMNS = ("序号", "日期", "活动类型", "地点", "组织者", "参与人", "人数", "活动内容", "照片", "志愿服务时长（小时）")
#: logs without a volunteer (a village director's or staff member's own visit) are work, not
#: volunteer service: they are listed with their length but count no service time
STAFF_NOTE = "工作人员"


@dataclass
class LedgerRow:
    day: date
    kind: str
    place: str
    organiser: str
    participants: str
    count: int
    content: str
    photos: list[str]  # photo file names
    minutes: int


@dataclass
class Ledger:
    region: str
    period: str
    rows: list[LedgerRow]
    period_obj: Period | None = None
    summary: list[dict] = field(default_factory=list)
    total_count: int = 0
    total_minutes: int = 0
    checks: Checks = field(default_factory=Checks)


def _log_rows(region: Region, period: Period) -> list[LedgerRow]:
    village = sa.orm.aliased(Division)
    labels_of = places(region)
    stmt = (sa.select(CareLog.id, CareLog.kind, CareLog.mode, CareLog.occurred_on, CareLog.place, CareLog.content,
                      CareLog.living_conditions, CareLog.help_given, CareLog.participants, CareLog.duration_minutes,
                      Child.name, village.id, Volunteer.name)
            .join(Child, Child.id == CareLog.child_id).join(village, village.id == Child.division_id)
            .outerjoin(Volunteer, Volunteer.id == CareLog.volunteer_id)
            .where(CareLog.occurred_on >= period.start, CareLog.occurred_on <= period.end))
    if region.is_school:
        stmt = stmt.where(Child.school_id == region.id)
    else:
        stmt = stmt.where(Child.division_id.in_(subtree_ids(region)))
    rows = db.session.execute(stmt.order_by(CareLog.occurred_on, CareLog.id)).all()
    photos = _photos(ActivityPhoto.log_id, [r[0] for r in rows])
    out = []
    for (log_id, kind, mode, day, place, content, living, help_given, participants, minutes, child, village_id,
         volunteer) in rows:
        village_name = labels_of[village_id].label if village_id in labels_of else ""
        labels = SHORT_MODES if kind == "talk" else av.OCCASIONS
        kind_label = av.LOG_KINDS[kind] + (f"·{labels[mode]}" if mode in labels else "")
        text = content or "；".join(x for x in (living, help_given) if x) or ""
        people = [child] + ([volunteer] if volunteer else [])
        extra = [av.PARTICIPANTS[p] for p in participants or [] if p in ("guardian", "parents")]
        place_text = f"{village_name}·{place}" if place and village_name and village_name not in place else (
            place or village_name)
        out.append(LedgerRow(day, kind_label, place_text, volunteer or STAFF_NOTE, "、".join(people + extra),
                             len(people) + len(extra), text, photos.get(log_id, []),
                             (minutes or 0) if volunteer else 0))
    return out


def _photos(column, ids: list[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for owner, name in db.session.execute(sa.select(column, ActivityPhoto.filename)
                                              .where(column.in_(chunk)).order_by(ActivityPhoto.id)):
            found[owner].append(name)
    return found


def held_events(period: Period, today: date | None = None):
    """Clauses selecting the school events of ``period`` that were held: their day has come and
    attendance was recorded (a planned session is neither an activity nor anyone's absence)."""
    start, end = period.utc_bounds()
    _, until = Period(period.start, min(period.end, today or today_cn()), "").utc_bounds()
    present = sa.orm.aliased(EventAttendance)  # the outer query may join attendance itself
    recorded = (sa.select(present.event_id).where(present.event_id == SchoolEvent.id, present.attended.is_(True))
                .correlate(SchoolEvent).exists())
    return (SchoolEvent.starts_at >= start, SchoolEvent.starts_at < min(end, until), recorded)


def _event_rows(region: Region, period: Period) -> list[LedgerRow]:
    stmt = (sa.select(SchoolEvent.id, SchoolEvent.kind, SchoolEvent.title, SchoolEvent.starts_at, SchoolEvent.place,
                      SchoolEvent.organiser, SchoolEvent.summary, SchoolEvent.duration_minutes, Organisation.name)
            .join(Organisation, Organisation.id == SchoolEvent.organisation_id)
            .where(*held_events(period)))
    if region.is_school:
        stmt = stmt.where(SchoolEvent.organisation_id == region.id)
    else:
        stmt = stmt.where(SchoolEvent.division_id.in_(subtree_ids(region)))
    events = db.session.execute(stmt.order_by(SchoolEvent.starts_at, SchoolEvent.id)).all()
    ids = [e[0] for e in events]
    present: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for start_i in range(0, len(ids), 5000):
        chunk = ids[start_i:start_i + 5000]
        for event_id, is_child, n in db.session.execute(
                sa.select(EventAttendance.event_id, EventAttendance.child_id.is_not(None), sa.func.count())
                .where(EventAttendance.event_id.in_(chunk), EventAttendance.attended.is_(True))
                .group_by(EventAttendance.event_id, EventAttendance.child_id.is_not(None))):
            present[event_id][0 if is_child else 1] += n
    photos = _photos(ActivityPhoto.event_id, ids)
    out = []
    for event_id, kind, title, starts_at, place, organiser, summary, minutes, org_name in events:
        children, volunteers = present[event_id]
        out.append(LedgerRow(starts_at.astimezone(CHINA).date(), av.EVENT_KINDS.get(kind, kind), place or org_name,
                             organiser or org_name, f"儿童{children}人、志愿者{volunteers}人", children + volunteers,
                             f"{title}：{summary}" if summary else title, photos.get(event_id, []),
                             minutes * volunteers))
    return out


def build(region: Region, period: Period) -> Ledger:
    """The ledger of ``region`` for ``period`` (the caller has checked scope)."""
    rows = sorted(_log_rows(region, period) + _event_rows(region, period), key=lambda r: r.day)
    ledger = Ledger(region.name, period.label, rows, period)
    by_kind: dict[str, list[int]] = {}
    for row in rows:
        counts = by_kind.setdefault(row.kind, [0, 0, 0])
        counts[0] += 1
        counts[1] += row.count
        counts[2] += row.minutes
    ledger.summary = [{"kind": k, "activities": v[0], "participants": v[1], "hours": duration_text(v[2]),
                       "minutes": v[2]} for k, v in sorted(by_kind.items())]
    ledger.total_count = sum(r.count for r in rows)
    ledger.total_minutes = sum(r.minutes for r in rows)
    check(ledger)
    return ledger


def check(ledger: Ledger) -> Checks:
    """The summary's parts must add up to the ledger's rows and totals."""
    checks = Checks()
    checks.add("活动次数：分类合计 = 台账行数", len(ledger.rows), sum(s["activities"] for s in ledger.summary))
    checks.add("参与人次：分类合计 = 总计", ledger.total_count, sum(s["participants"] for s in ledger.summary))
    checks.add("服务时长（分钟）：分类合计 = 总计", ledger.total_minutes, sum(s["minutes"] for s in ledger.summary))
    ledger.checks = checks
    return checks


def table_rows(ledger: Ledger):
    """Rows in the official column order (photos as a count), for Excel."""
    for i, r in enumerate(ledger.rows, start=1):
        yield [i, r.day, r.kind, r.place, r.organiser, r.participants, r.count, r.content,
               len(r.photos), exact_hours(r.minutes)]


def grid_cells(i: int, r: LedgerRow, period: Period | None = None) -> list[object]:
    """One row's cells for the PDF grid (the photo column holds the thumbnails, no text)."""
    return [i, table_date(r.day, period), r.kind, r.place, r.organiser, r.participants, r.count, r.content, "",
            duration_text(r.minutes) if r.minutes else ""]
