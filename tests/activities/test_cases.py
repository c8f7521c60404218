"""The mandatory report: 110 alert, the case in the same transaction, the workflow, escalation."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.activities import cases as case_service
from app.activities.models import CareLog, CaseReport, CaseStep, ProtectionCase
from app.activities.errors import ActivityError
from app.core.audit import AuditEntry
from app.core.dates import today_cn
from app.core.models import utcnow
from tests.activities.helpers import make_log
from tests.activities.test_logs import post, visit_form


def audit_actions(db, action):
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def test_a_visit_with_a_danger_ticked_creates_the_case_the_director_sees(login, world, db):
    vol = login("volunteer")
    response = post(vol, f"/activities/children/{world.a.child.id}/visits/new",
                    visit_form(concerns=["violence", "injury"], concern_note="手臂有淤青，说是爷爷打的"))
    assert response.status_code == 302 and "/alert" in response.headers["Location"]
    case = db.session.scalar(sa.select(ProtectionCase))
    log = db.session.scalar(sa.select(CareLog))
    assert case.log_id == log.id and case.status == "reported" and case.concerns == ["violence", "injury"]
    assert case.division_id == world.a.village.id and case.reporter_id == world.user("volunteer").id
    assert [s.status for s in case.steps] == ["reported"]

    alert = vol.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="tel:110"' in alert and "立即报警 110" in alert and "疑似遭受家庭暴力" in alert
    assert "<script>" not in alert  # the server-rendered page needs no JavaScript

    director = login("village_director")
    listing = director.get("/activities/cases").get_data(as_text=True)
    assert world.a.child.name in listing and "未确认" in listing
    page = director.get(f"/activities/cases/{case.id}").get_data(as_text=True)
    assert "手臂有淤青" in page and world.user("volunteer").display_name in page
    overview = director.get("/activities/overdue").get_data(as_text=True)
    assert "处置中的强制报告" in overview and "未确认 1" in overview
    assert login("coordinator").get(f"/activities/cases/{case.id}").status_code == 200
    assert login("village_director", "b").get(f"/activities/cases/{case.id}").status_code == 404
    assert len(audit_actions(db, "case.open")) == 1 and len(audit_actions(db, "case.view")) >= 3


def test_the_visit_and_the_case_are_saved_together_or_not_at_all(login, world, db, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("case storage failed")

    monkeypatch.setattr(case_service, "open_case", broken)
    vol = login("volunteer")
    response = post(vol, f"/activities/children/{world.a.child.id}/visits/new", visit_form(concerns=["alone"]))
    assert response.status_code == 500
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CareLog)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ProtectionCase)) == 0


def test_recording_when_and_to_whom_it_was_reported(login, world, db):
    case = make_log(world.user("volunteer"), world.a.child, "talk", concerns=["missing"]).case
    db.session.commit()
    vol = login("volunteer")
    path = f"/activities/cases/{case.id}/reports"
    response = vol.post(path, {"agencies": ["police", "civil_affairs"], "reported_at": "2026-01-05T10:20",
                               "reference": "JJ2026010500123"}, token_from=f"/activities/cases/{case.id}/alert")
    assert response.status_code == 302
    rows = db.session.scalars(sa.select(CaseReport).order_by(CaseReport.id)).all()
    assert [r.agency for r in rows] == ["police", "civil_affairs"] and rows[0].reference == "JJ2026010500123"
    assert rows[0].reported_at.hour == 2  # 10:20 China time is 02:20 UTC
    future = (utcnow() + timedelta(hours=8, days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = vol.post(path, {"agencies": ["police"], "reported_at": future}, token_from="/")
    assert refused.status_code == 400 and "报告时间不能晚于现在" in refused.get_data(as_text=True)
    assert audit_actions(db, "case.report")


def test_case_workflow_moves_forward_with_date_person_and_notes(world, db):
    director = world.user("village_director")
    case = make_log(world.user("volunteer"), world.a.child, "visit", concerns=["alone"]).case
    today = today_cn()
    case_service.advance_case(director, case, "emergency", today, "派出所张警官", "孩子暂由姑姑照顾")
    assert case.acknowledged_at is not None  # handling it acknowledges it
    case_service.advance_case(director, case, "emergency", today, "杨秀兰", "已联系父母返乡")  # a further note
    case_service.advance_case(director, case, "intervention", today, "镇民政办", "对监护人训诫")  # may skip a stage
    with pytest.raises(ActivityError, match="不能退回"):
        case_service.advance_case(director, case, "assessment", today, "x")
    with pytest.raises(ActivityError, match="经办人"):
        case_service.advance_case(director, case, "closed", today, "  ")
    with pytest.raises(ActivityError, match="晚于今天"):
        case_service.advance_case(director, case, "closed", today + timedelta(days=1), "x")
    case_service.advance_case(director, case, "closed", today, "杨秀兰", "父亲返乡照顾")
    assert case.status == "closed" and case.closed_at is not None
    with pytest.raises(ActivityError, match="已结案"):
        case_service.advance_case(director, case, "closed", today, "x")
    db.session.commit()
    steps = db.session.scalars(sa.select(CaseStep).where(CaseStep.case_id == case.id).order_by(CaseStep.id)).all()
    assert [s.status for s in steps] == ["reported", "emergency", "emergency", "intervention", "closed"]
    assert all(s.on_date and s.person for s in steps)
    assert len(audit_actions(db, "case.step")) == 4


def test_case_steps_through_the_pages(login, world, db):
    case = make_log(world.user("volunteer"), world.a.child, "visit", concerns=["alone"]).case
    db.session.commit()
    coord = login("coordinator")
    page = f"/activities/cases/{case.id}"
    assert coord.post(f"{page}/acknowledge", {}, token_from=page).status_code == 302
    response = coord.post(f"{page}/steps", {"status": "assessment", "on_date": today_cn().isoformat(),
                                            "person": "吴晓燕", "notes": "评估监护能力"}, token_from=page)
    assert response.status_code == 302
    back = coord.post(f"{page}/steps", {"status": "reported", "on_date": today_cn().isoformat(), "person": "x"},
                      token_from=page)
    assert back.status_code == 400 and "不能退回" in back.get_data(as_text=True)
    html = coord.get(page).get_data(as_text=True)
    assert "评估监护能力" in html and "吴晓燕" in html
    assert login("volunteer").post(f"{page}/steps", {"status": "closed"}, token_from="/").status_code == 403


def test_nobody_can_delete_a_case(app, world, db):
    case = make_log(world.user("volunteer"), world.a.child, "visit", concerns=["alone"]).case
    db.session.commit()
    assert not [r for r in app.url_map.iter_rules() if r.endpoint.startswith("activities.")
                and ("DELETE" in r.methods or "delete" in r.endpoint)]
    for table in (ProtectionCase, CaseStep):
        with pytest.raises(sa.exc.DatabaseError):
            db.session.execute(sa.delete(table))
            db.session.commit()
        db.session.rollback()
    assert db.session.get(ProtectionCase, case.id) is not None


def test_reporter_is_hidden_from_roles_that_do_not_need_it(login, world, db):
    reporter = world.user("village_director")
    case = make_log(reporter, world.a.pupil, "visit", concerns=["bullying"]).case
    db.session.commit()
    name = reporter.display_name
    for role in ("school_staff", "auditor"):
        html = login(role).get(f"/activities/cases/{case.id}").get_data(as_text=True)
        assert "报告人已隐去" in html and name not in html, role
        listing = login(role).get("/activities/cases").get_data(as_text=True)
        assert "报告人已隐去" in listing and name not in listing
        log_page = login(role).get(f"/activities/logs/{case.log_id}").get_data(as_text=True)
        assert "报告人已隐去" in log_page and name not in log_page
    for role in ("coordinator", "village_director"):
        assert name in login(role).get(f"/activities/cases/{case.id}").get_data(as_text=True)
    assert login("school_staff", "b").get(f"/activities/cases/{case.id}").status_code == 404


def test_unacknowledged_cases_are_escalated_after_the_configured_hours(app, world, db):
    vol = world.user("volunteer")
    old = make_log(vol, world.a.child, "visit", concerns=["alone"]).case
    seen = make_log(vol, world.a.child, "visit", concerns=["missing"]).case
    fresh = make_log(vol, world.a.child, "visit", concerns=["injury"]).case
    old.reported_at = seen.reported_at = utcnow() - timedelta(hours=5)
    case_service.acknowledge_case(world.user("coordinator"), seen)
    db.session.commit()

    escalated = case_service.escalate_cases(hours=4)
    assert [c.id for c in escalated] == [old.id]
    assert case_service.escalate_cases(hours=4) == []  # once only
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "case.escalate"))
    assert entry.object_id == str(old.id) and entry.detail["hours"] == 4
    db.session.commit()
    assert fresh.escalated_at is None and seen.escalated_at is None

    order = db.session.scalars(sa.select(ProtectionCase).order_by(*case_service.case_list_order())).all()
    assert order[0].id == old.id and order[-1].id == seen.id


def test_escalation_command_is_cron_able(app, world, db):
    case = make_log(world.user("volunteer"), world.a.child, "visit", concerns=["alone"]).case
    case.reported_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    app.config["CASE_ESCALATE_HOURS"] = 2
    result = app.test_cli_runner().invoke(args=["cases", "escalate"])
    assert result.exit_code == 0 and "已升级 1 个" in result.output
    db.session.expire_all()
    assert db.session.get(ProtectionCase, case.id).escalated_at is not None
    html = result.output
    assert f"#{case.id}" in html


def test_js_alert_and_no_js_alert_both_present(login, world):
    html = login("volunteer").get(f"/activities/children/{world.a.child.id}/talks/new").get_data(as_text=True)
    assert html.count('data-concern="1"') == 11 and "继续填写并保存" in html
