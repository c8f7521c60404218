"""志愿者花名册: every volunteer in service in a region on the period's last day (today while it
runs), village by village (every village listed, zeros included), with the children each one
was paired with on that day and the service they gave in the period.

True for its period: a volunteer's status is read from the dated status history, pairs from
their start and end, service from the dated records; no ID or phone numbers are printed.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.activities.models import CareLog, EventAttendance, SchoolEvent
from app.core.dates import CHINA
from app.core.models import Organisation
from app.extensions import db
from app.matching.models import Pair
from app.reports.common import Checks, Period, cn_date, duration_text
from app.reports.history import status_on
from app.reports.ledger import held_events
from app.reports.models import VolunteerStatusEvent
from app.reports.roster_stats import as_of_day
from app.reports.scope import Region, places, subtree_ids, villages
from app.volunteers.models import VOLUNTEER_KINDS, VOLUNTEER_STATUSES, Volunteer

COLUMNS = ("序号", "姓名", "性别", "志愿者类型", "所属单位", "状态", "结对儿童", "服务次数", "服务时长")
#: in service (在册): approved, or paused for a while without leaving
IN_SERVICE = ("approved", "paused")


@dataclass
class VolunteerRow:
    number: int
    name: str
    sex: str
    kind: str
    organisation: str
    status: str
    pairs: int
    services: int
    minutes: int

    def cells(self) -> list[object]:
        return [self.number, self.name, self.sex, self.kind, self.organisation, self.status, self.pairs,
                self.services, duration_text(self.minutes) if self.minutes else "0"]


@dataclass
class VolunteerVillage:
    label: str
    rows: list[VolunteerRow]

    @property
    def pairs(self) -> int:
        return sum(r.pairs for r in self.rows)

    @property
    def services(self) -> int:
        return sum(r.services for r in self.rows)

    @property
    def minutes(self) -> int:
        return sum(r.minutes for r in self.rows)


@dataclass
class VolunteerRoster:
    region: str
    period: str
    as_of: str
    villages: list[VolunteerVillage]
    by_kind: list[dict] = field(default_factory=list)
    total: int = 0
    pairs: int = 0
    services: int = 0
    minutes: int = 0
    checks: Checks = field(default_factory=Checks)


def in_service_on(region: Region, day: date) -> list:
    """(id, kind, status, name, sex, organisation, division) of the volunteers of ``region`` in
    service on ``day``: by their dated status history; one with no dated change counts from its
    approval (or record) date."""
    rows = db.session.execute(
        sa.select(Volunteer.id, Volunteer.kind, Volunteer.status, Volunteer.name, Volunteer.sex,
                  Volunteer.organisation_id, Volunteer.division_id, Volunteer.decided_at, Volunteer.created_at)
        .where(Volunteer.division_id.in_(subtree_ids(region))).order_by(Volunteer.division_id, Volunteer.id)).all()
    statuses, dated = status_on(day, {r.id: r.status for r in rows}, VolunteerStatusEvent)
    return [(r, statuses[r.id]) for r in rows if statuses[r.id] in IN_SERVICE
            and (r.id in dated or (r.decided_at or r.created_at).astimezone(CHINA).date() <= day)]


def _pairs_on(ids: list[int], day: date) -> dict[int, int]:
    """Children paired with each volunteer on ``day`` (a pair started by then and not yet ended)."""
    _, end_utc = Period(day, day, "").utc_bounds()
    out: dict[int, int] = {}
    for start in range(0, len(ids), 5000):
        out.update(db.session.execute(
            sa.select(Pair.volunteer_id, sa.func.count()).where(
                Pair.volunteer_id.in_(ids[start:start + 5000]), Pair.status != "proposed",
                sa.func.coalesce(Pair.started_at, Pair.created_at) < end_utc,
                sa.or_(Pair.ended_at.is_(None), Pair.ended_at >= end_utc)).group_by(Pair.volunteer_id)).all())
    return out


def _service(ids: list[int], period: Period) -> dict[int, list[int]]:
    """volunteer → [services, minutes] in ``period``: their care records and the held school
    events they attended (the same service a certificate counts)."""
    out: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for vid, n, minutes in db.session.execute(
                sa.select(CareLog.volunteer_id, sa.func.count(), sa.func.coalesce(sa.func.sum(CareLog.duration_minutes), 0))
                .where(CareLog.volunteer_id.in_(chunk), CareLog.occurred_on >= period.start,
                       CareLog.occurred_on <= period.end).group_by(CareLog.volunteer_id)):
            out[vid][0] += n
            out[vid][1] += int(minutes)
        for vid, n, minutes in db.session.execute(
                sa.select(EventAttendance.volunteer_id, sa.func.count(), sa.func.sum(SchoolEvent.duration_minutes))
                .join(SchoolEvent, SchoolEvent.id == EventAttendance.event_id)
                .where(EventAttendance.volunteer_id.in_(chunk), EventAttendance.attended.is_(True),
                       *held_events(period)).group_by(EventAttendance.volunteer_id)):
            out[vid][0] += n
            out[vid][1] += int(minutes or 0)
    return out


def build(region: Region, period: Period) -> VolunteerRoster:
    """The volunteer roster of ``region`` for ``period`` (the caller has checked scope)."""
    day = as_of_day(period)
    listed = in_service_on(region, day)
    ids = [r.id for r, _ in listed]
    pairs, service = _pairs_on(ids, day), _service(ids, period)
    orgs = dict(db.session.execute(sa.select(Organisation.id, Organisation.name)).all())
    by_village: dict[int, list] = defaultdict(list)
    for r, status in listed:
        by_village[r.division_id].append((r, status))
    labels = {p.id: p.label for p in places(region).values()}
    order = [(v.id, v.label) for v in villages(region)]
    order += [(d, labels.get(d, "")) for d in by_village if d not in {v for v, _ in order}]
    number, out, kinds = 0, [], defaultdict(lambda: [0, 0, 0, 0])
    for division_id, label in order:
        rows = []
        for r, status in by_village.get(division_id, []):
            number += 1
            services, minutes = service.get(r.id, (0, 0))
            rows.append(VolunteerRow(number, r.name, "男" if r.sex == "male" else "女", VOLUNTEER_KINDS[r.kind],
                                     orgs.get(r.organisation_id, ""), VOLUNTEER_STATUSES[status],
                                     pairs.get(r.id, 0), services, minutes))
            for k, v in enumerate((1, pairs.get(r.id, 0), services, minutes)):
                kinds[r.kind][k] += v
        out.append(VolunteerVillage(label, rows))
    roster = VolunteerRoster(region.name, period.label, cn_date(day), out, total=number,
                             by_kind=[{"kind": label, "count": kinds[k][0], "pairs": kinds[k][1],
                                       "services": kinds[k][2], "minutes": kinds[k][3]}
                                      for k, label in VOLUNTEER_KINDS.items()])
    roster.pairs, roster.services, roster.minutes = (sum(v.pairs for v in out), sum(v.services for v in out),
                                                     sum(v.minutes for v in out))
    check(roster)
    return roster


def check(roster: VolunteerRoster) -> Checks:
    """The villages and the kinds must each add up to the totals."""
    checks = Checks()
    checks.add("志愿者：各村人数之和 = 合计", roster.total, sum(len(v.rows) for v in roster.villages))
    checks.add("志愿者：各类型之和 = 合计", roster.total, sum(k["count"] for k in roster.by_kind))
    checks.add("结对儿童：各类型之和 = 合计", roster.pairs, sum(k["pairs"] for k in roster.by_kind))
    checks.add("服务时长（分钟）：各类型之和 = 合计", roster.minutes, sum(k["minutes"] for k in roster.by_kind))
    roster.checks = checks
    return checks


def figures(r: VolunteerRoster) -> list[tuple[str, object]]:
    return [("村(社区)", len(r.villages)), ("在册志愿者", r.total), ("结对儿童", r.pairs), ("服务次数", r.services),
            ("服务时长", duration_text(r.minutes)), ("名单截至", r.as_of)]
