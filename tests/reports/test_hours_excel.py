"""Exact hours (minutes summed, rounding only for display), held events only, staff visits not
volunteer time; Excel with date cells, numeric percentages, autofilter, the report number on every
sheet and totals equal to the sum of their rows."""
import io
import re
import uuid
from datetime import datetime, time, timedelta

from openpyxl import load_workbook

from app.core.dates import CHINA, today_cn
from tests.reports.conftest import issue, pdf_text


def _quarter():
    d = today_cn()
    return f"{d.year}-Q{(d.month - 1) // 3 + 1}"


def _talks(world, minutes=(20, 20, 20), volunteer=True, kind="talk"):
    from app.activities.models import CareLog
    from app.extensions import db

    r = world.a
    for m in minutes:
        db.session.add(CareLog(client_uuid=str(uuid.uuid4()), kind=kind, mode="phone" if kind == "talk" else None,
                               child_id=r.child.id, pair_id=r.pair.id if volunteer else None,
                               volunteer_id=r.volunteer.id if volunteer else None,
                               author_id=(r.users["volunteer"] if volunteer else r.users["village_director"]).id,
                               occurred_on=today_cn(), duration_minutes=m, content="谈心", participants=["child"],
                               concerns=[]))
    db.session.commit()


def _minutes(text: str) -> int:
    match = re.fullmatch(r"(?:(\d+)小时)?(?:(\d+)分)?", text)
    assert match and text, text
    return int(match[1] or 0) * 60 + int(match[2] or 0)


def test_certificate_rows_add_up_to_its_total(world, tmp_path):
    from app.reports import certificate
    from app.reports.common import quarter_period

    _talks(world, (20, 20, 20, 25))
    cert = certificate.build(world.a.volunteer, quarter_period(_quarter()), handler="测试")
    assert cert.total_minutes == 85
    assert sum(_minutes(r["hours"]) for r in cert.rows) == _minutes(cert.total_duration) == 85
    assert sum(_minutes(c["hours"]) for c in cert.content) == 85
    row, data = issue("certificate", world.user("volunteer"), volunteer_id=world.a.volunteer.id)
    text = re.sub(r"\s+", "", pdf_text(data, tmp_path))
    assert "1小时25分" in text and "1.4小时" in text


def test_ledger_hours_are_exact_and_excel_sums_to_the_printed_total(world, tmp_path):
    _talks(world, (20, 20, 20))  # 3 × 0.33 h: rounded rows would add up to 0.9 against 1.0
    coordinator = world.user("coordinator")
    row, data = issue("ledger", coordinator, division_id=world.a.county.id, period=_quarter())
    text = re.sub(r"\s+", "", pdf_text(data, tmp_path))
    assert "1小时（1.0小时）" in text
    row, data = issue("ledger", coordinator, division_id=world.a.county.id, period=_quarter(), file_format="xlsx")
    ws = load_workbook(io.BytesIO(data)).active
    values = list(ws.iter_rows(values_only=True))
    header = next(i for i, r in enumerate(values) if r[0] == "序号")
    body = [r for r in values[header + 1:] if isinstance(r[0], int)]
    total = next(r for r in values[header + 1:] if r[1] == "合计")
    assert len(body) == 3 and abs(sum(r[9] for r in body) - total[9]) < 1e-9 and f"{total[9]:.1f}" == "1.0"
    assert sum(r[6] for r in body) == total[6]
    assert isinstance(body[0][1], datetime) and body[0][1].date() == today_cn()  # a real date cell
    cell = ws.cell(row=header + 2, column=2)
    assert cell.is_date and cell.number_format == "yyyy-mm-dd"
    assert ws.cell(row=header + 2, column=10).number_format == "0.0"
    assert ws.auto_filter.ref == f"A{header + 1}:J{header + 1 + len(body)}"


def test_a_directors_visit_is_not_volunteer_service_time(world, tmp_path):
    from app.reports import assessment, ledger
    from app.reports.common import quarter_period
    from app.reports.scope import resolve_region

    _talks(world, (30,))
    _talks(world, (120,), volunteer=False, kind="visit")
    region, period = resolve_region(None, division_id=world.a.county.id), quarter_period(_quarter())
    led = ledger.build(region, period)
    assert len(led.rows) == 2 and led.total_minutes == 30
    staff = next(r for r in led.rows if r.kind == "入户看望")
    assert staff.minutes == 0 and staff.organiser == "工作人员"
    a = assessment.build(region, period)
    assert a.volunteers_total["minutes"] == 30 and a.checks.ok


def _event(world, day, attended: bool):
    from app.activities.models import EventAttendance, SchoolEvent
    from app.extensions import db

    r = world.a
    event = SchoolEvent(kind="tutoring", title=f"四点半课堂{day}", organisation_id=r.school.id,
                        division_id=r.school.division_id, starts_at=datetime.combine(day, time(16, 30), CHINA),
                        duration_minutes=90, checkin_code=uuid.uuid4().hex[:8], created_by_id=r.users["school_staff"].id)
    db.session.add(event)
    db.session.flush()
    db.session.add_all([EventAttendance(event_id=event.id, child_id=r.pupil.id, attended=attended),
                        EventAttendance(event_id=event.id, volunteer_id=r.volunteer.id, attended=attended)])
    db.session.commit()
    return event


def test_only_held_events_count(world, tmp_path):
    from app.reports import assessment, certificate, child_file, ledger
    from app.reports.common import Period
    from app.reports.scope import resolve_region

    today = today_cn()
    held = _event(world, today - timedelta(days=1), attended=True)
    _event(world, today - timedelta(days=2), attended=False)  # no attendance taken: not held
    planned = _event(world, today + timedelta(days=3), attended=False)
    # legacy data: attendance saved for a session still to come
    legacy = _event(world, today + timedelta(days=4), attended=True)
    period = Period(today - timedelta(days=10), today + timedelta(days=10), "")
    region = resolve_region(None, division_id=world.a.county.id)
    led = ledger.build(region, period)
    assert [r.content for r in led.rows] == [held.title]
    a = assessment.build(region, period)
    assert a.events_total["sessions"] == 1 and a.events_total["children"] == 1
    cert = certificate.build(world.a.volunteer, period, handler="测试")
    assert cert.total_minutes == 90
    file = child_file.build(world.a.pupil, revealed=False)
    titles = [e["title"] for e in file.events]
    assert held.title in titles and planned.title not in titles and legacy.title not in titles
    assert all(e["attended"] == "出席" for e in file.events)


def test_excel_of_every_kind_numbers_every_sheet_and_totals_add_up(world, activity):
    coordinator = world.user("coordinator")
    cases = [("ledger", {"division_id": world.a.county.id}), ("visits", {"division_id": world.a.village.id}),
             ("roster_stats", {"division_id": world.a.county.id}), ("assessment", {"division_id": world.a.county.id})]
    for kind, params in cases:
        row, data = issue(kind, coordinator, period=_quarter(), file_format="xlsx", **params)
        wb = load_workbook(io.BytesIO(data))
        for ws in wb.worksheets:
            values = list(ws.iter_rows(values_only=True))
            assert any(row.number in str(r[0] or "") for r in values[:6]), (kind, ws.title)
            assert ws.auto_filter.ref, (kind, ws.title)
            first, last = ws.auto_filter.ref.split(":")
            header_at = int(re.sub(r"\D", "", first))
            end = int(re.sub(r"\D", "", last))
            body = values[header_at:end]
            totals = [r for r in values[end:] if r and r[0] in ("合计", "") and "合计" in (r[0], r[1])]
            for total in totals:  # each numeric column of a total row is the sum of the rows above
                for k, value in enumerate(total):
                    if isinstance(value, (int, float)) and not isinstance(value, bool) and k > 0:
                        column = [r[k] for r in body if isinstance(r[k], (int, float))]
                        assert abs(sum(column) - value) < 1e-9, (kind, ws.title, k)
    row, data = issue("assessment", coordinator, division_id=world.a.county.id, period=_quarter(),
                      file_format="xlsx")
    ws = load_workbook(io.BytesIO(data))["覆盖情况"]
    rate = next(r for r in ws.iter_rows() if r[0].value == "结对覆盖率")[1]
    assert isinstance(rate.value, float) and rate.number_format == "0.0%" and 0 <= rate.value <= 1
    ws = load_workbook(io.BytesIO(data))["关爱频次"]
    rates = [r[3] for r in ws.iter_rows() if r[0].value and "入户看望" in str(r[0].value)]
    assert rates and all(c.number_format == "0.0%" for c in rates)
