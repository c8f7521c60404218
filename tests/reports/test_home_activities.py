"""儿童之家活动记录: only held sessions (the day has come and somebody came), every home listed
with its figures, which add up to the totals; re-issued for a past period, the same figures."""
import io
import re
import uuid
from datetime import datetime, time, timedelta

from openpyxl import load_workbook

from app.core.dates import CHINA, today_cn
from tests.reports.conftest import issue, pdf_text
from tests.reports.test_print import _quarter


def _session(world, org, day, *, child=True, guest=False, title="绘本共读"):
    from app.activities.models import EventAttendance, SchoolEvent
    from app.extensions import db
    from app.homes.models import EventGuest

    r = world.a
    event = SchoolEvent(kind="tutoring", title=title, organisation_id=org.id, division_id=org.division_id,
                        starts_at=datetime.combine(day, time(15), CHINA), duration_minutes=75, organiser="李主任",
                        checkin_code=uuid.uuid4().hex[:8], summary="一起读绘本", created_by_id=r.users["coordinator"].id)
    db.session.add(event)
    db.session.flush()
    if child:
        db.session.add_all([EventAttendance(event_id=event.id, child_id=r.child.id, attended=True),
                            EventAttendance(event_id=event.id, volunteer_id=r.volunteer.id, attended=True)])
    if guest:
        db.session.add(EventGuest(event_id=event.id, name="王奶奶", relation="guardian", child_id=r.child.id,
                                  created_by_id=r.users["coordinator"].id))
    return event


def _homes(world, db):
    from app.homes.services import create_home

    coordinator = world.user("coordinator")
    home = create_home(coordinator, world.a.village, "a村儿童之家")
    quiet = create_home(coordinator, world.a.village, "a村小学关爱室", setting="school_room")
    db.session.commit()
    return home.organisation, quiet.organisation


def test_only_held_sessions_every_home_and_totals_add_up(world, db, tmp_path):
    org, quiet_org = _homes(world, db)
    today = today_cn()
    _session(world, org, today, guest=True)
    _session(world, org, today, child=False, guest=True, title="家长会")  # only family came: held
    _session(world, org, today, child=False, title="无人到场")  # nobody came: not held
    _session(world, org, today + timedelta(days=3), title="下周的计划活动")  # planned
    db.session.commit()
    coordinator = world.user("coordinator")
    row, data = issue("home_activities", coordinator, division_id=world.a.county.id, period=_quarter())
    text = re.sub(r"\s+", "", pdf_text(data, tmp_path))
    assert "a村儿童之家（2场）" in text and "a村小学关爱室（0场）" in text and "本期间无已举行的活动" in text
    assert "下周的计划活动" not in text and "无人到场" not in text
    figures = dict(row.figures["items"])
    assert figures["活动场次"] == "2" and figures["儿童人次"] == "1" and figures["家长等人次"] == "2"
    assert figures["志愿者人次"] == "1" and figures["活动时长"] == "2小时30分"
    assert "不一致" not in text
    row, data = issue("home_activities", coordinator, division_id=world.a.county.id, period=_quarter(),
                      file_format="xlsx")
    ws = load_workbook(io.BytesIO(data))["活动记录"]
    days = [r[2] for r in ws.iter_rows(values_only=True) if isinstance(r[1], int)]
    assert len(days) == 2 and all(d.date() == today for d in days)  # real date cells


def test_a_scope_outside_the_users_gives_404_and_a_past_period_is_stable(world, db):
    from app.reports.common import parse_period
    from app.reports.home_activities import build
    from app.reports.scope import resolve_region

    org, _ = _homes(world, db)
    last_quarter_day = parse_period(_quarter()).start - timedelta(days=1)
    _session(world, org, last_quarter_day - timedelta(days=10))
    db.session.commit()
    past = f"{last_quarter_day.year}-Q{(last_quarter_day.month - 1) // 3 + 1}"
    region = resolve_region(None, division_id=world.a.county.id)
    before = build(region, parse_period(past))
    _session(world, org, today_cn())  # today's session does not touch the past quarter
    db.session.commit()
    after = build(region, parse_period(past))
    assert before.totals == after.totals and before.totals["sessions"] == 1
