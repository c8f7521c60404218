"""儿童之家运营评估 as an issued report (PDF and Excel): true for its period, totals the sums of rows."""
import io
import re
from datetime import datetime, time, timedelta

import pytest
import sqlalchemy as sa
from flask import current_app
from openpyxl import load_workbook

from app.activities import events as event_service
from app.core.audit import AuditEntry
from app.core.dates import CHINA, today_cn
from app.homes import report, services
from app.homes.models import ChildrenHome, HomeEvidence
from app.reports.common import Period
from app.reports.scope import resolve_region
from tests import factories
from tests.activities.helpers import jpeg_bytes
from tests.conftest import Browser
from tests.reports.conftest import issue, pdf_text
from tests.workspaces.helpers import make_home


@pytest.fixture(autouse=True)
def reports_dir(app, tmp_path):
    app.config["REPORTS_DIR"] = str(tmp_path / "reports")
    app.config["REPORTS_PDF_WORKERS"] = 1


def _session(actor, home, day, kids, guests=0, minutes=90):
    data = event_service.EventInput(kind="other", title=f"活动{day.isoformat()}", day=day, start=time(15),
                                    duration_minutes=minutes, child_ids=[k.id for k in kids])
    event = event_service.create_event(actor, home.organisation, data, [k.id for k in kids], [])[0]
    if kids:
        event_service.set_attendance(actor, event, [k.id for k in kids], [], today=day)
    for n in range(guests):
        services.add_guest(actor, event, f"家长{n}", "mother", kids[0] if kids else None, today=day)
    return event


def _past_world(world, db):
    """Two homes in village A; last month: the village home met 1 of the 8有 with one photo, and
    held two sessions (one nobody came to); today it meets all 8 and one photo has been deleted."""
    r = world.a
    actor = r.users["coordinator"]
    today = today_cn()
    month_end = today.replace(day=1) - timedelta(days=1)
    month = Period(month_end.replace(day=1), month_end, "上月")
    kids = [factories.child(r.village, name=f"孩子{n}") for n in range(3)]
    kids[0].tier = "urgent"
    home = make_home(actor, r.village)
    home.opened_on = month.start
    room = services.create_home(actor, r.village, "a小学关爱室", "school_room", r.school, opened_on=month.start)
    # the state recorded last month, as the audit log holds it
    then = datetime.combine(month.start + timedelta(days=2), time(10), CHINA)
    db.session.add(AuditEntry(action="home.checklist", object_type="children_homes", object_id=str(home.id),
                              at=then, detail={"met": ["sign"], "before": [], "photos": 1}))
    processed = services.prepare_evidence({"sign": [jpeg_bytes()], "premises": [jpeg_bytes()]})
    rows = services.save_checklist(actor, home, list(services.CHECKLIST), {}, processed, current_app.config["UPLOAD_DIR"])
    rows[0].uploaded_at = then
    db.session.flush()
    services.delete_evidence(actor, rows[0], current_app.config["UPLOAD_DIR"])  # deleted today: it was there last month
    _session(actor, home, month.start + timedelta(days=5), kids[:2], guests=1, minutes=90)
    _session(actor, home, month.start + timedelta(days=6), kids[:1], guests=0, minutes=45)
    _session(actor, home, month.start + timedelta(days=7), [], guests=0)  # nobody came: not held
    _session(actor, room, month.start + timedelta(days=8), kids[1:], guests=2, minutes=60)
    if today.day > 1:
        _session(actor, home, today.replace(day=1), kids, guests=0)  # after the period: not counted
    db.session.commit()
    return home, room, month


def test_report_is_true_for_its_period_and_adds_up(app, world, db, tmp_path):
    home, room, month = _past_world(world, db)
    region = resolve_region(None, division_id=world.a.village.id)
    r = report.assess(region, month)
    assert r.checks.ok, r.checks.failed
    by_name = {row.name: row for row in r.rows}
    village = by_name[home.organisation.name]
    assert village.met == ["sign"] and village.photos == 1  # last month's state, not today's 8/8 and 1 photo
    assert (village.sessions, village.children, village.priority, village.child_visits, village.guests) == (2, 2, 1, 3, 1)
    assert village.minutes == 135  # 90 + 45, exact
    care_room = by_name["a小学关爱室"]
    assert (care_room.sessions, care_room.children, care_room.guests, care_room.met) == (1, 2, 2, [])
    for key in report.SUMMED:
        assert r.total[key] == pytest.approx(sum(getattr(row, key) for row in r.rows))
    assert r.villages == 1 and r.villages_with_home == 1
    # today (this year so far) the village home meets all of the 8有 and holds one photo
    now = report.assess(region, Period(today_cn().replace(month=1, day=1), today_cn().replace(month=12, day=31), "今年"))
    assert {row.name: (len(row.met), row.photos) for row in now.rows}[home.organisation.name] == (8, 1)
    # a home opened after the period is not listed
    db.session.get(ChildrenHome, room.id).opened_on = month.end + timedelta(days=1)
    db.session.commit()
    assert [row.name for row in report.assess(region, month).rows] == [home.organisation.name]


def test_pdf_and_excel_issued_and_consistent(app, world, db, tmp_path):
    home, room, month = _past_world(world, db)
    coordinator = world.user("coordinator")
    period = f"{month.start.isoformat()}..{month.end.isoformat()}"
    row, data = issue("home_assessment", coordinator, division_id=world.a.county.id, period=period)
    assert data[:4] == b"%PDF" and row.page_count >= 1
    text = re.sub(r"\s+", "", pdf_text(data, tmp_path))
    assert "儿童之家运营评估表" in text and home.organisation.name in text and "a小学关爱室" in text
    assert "各项合计与分项之和一致" in text
    assert "合计2家" in text and "2小时15分" in text and "3小时15分" in text  # 135 + 60 minutes
    _row, xdata = issue("home_assessment", coordinator, file_format="xlsx", division_id=world.a.county.id,
                        period=period)
    wb = load_workbook(io.BytesIO(xdata))
    sheet = list(wb["儿童之家"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(sheet) if r and r[0] == "序号")
    body = [r for r in sheet[head + 1:] if r and isinstance(r[0], int)]
    total = next(r for r in sheet[head + 1:] if r and r[1] == "合计")
    assert len(body) == 2
    for col in range(5, 13):
        assert total[col] == pytest.approx(sum(r[col] for r in body)), report.COLUMNS[col]
    assert total[8] == 3  # sessions: 2 + 1
    ledger = list(wb["活动台账"].iter_rows(values_only=True))
    assert sum(1 for r in ledger if r and r[0] in (home.organisation.name, "a小学关爱室")) == 3
    checks = list(wb["数据核对"].iter_rows(values_only=True))
    assert all(r[3] == "一致" for r in checks if r and r[3] in ("一致", "不一致")) and any(
        r and r[3] == "一致" for r in checks)


def test_report_access(app, world, db):
    _past_world(world, db)
    b = Browser(app.test_client())
    assert b.login("director_a").status_code == 302
    page = "/reports/home-assessment"
    assert b.get(page).status_code == 200
    response = b.post(page, {"division": str(world.a.village.id), "period": str(today_cn().year), "format": "pdf"},
                      token_from=page)
    assert response.status_code == 200 and response.data[:4] == b"%PDF"
    other = Browser(app.test_client())
    assert other.login("coord_b").status_code == 302
    assert other.post(page, {"division": str(world.a.village.id), "period": str(today_cn().year)},
                      token_from=page).status_code == 404
    school = Browser(app.test_client())
    assert school.login("school_a").status_code == 302
    assert school.get(page).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(HomeEvidence)) == 1
