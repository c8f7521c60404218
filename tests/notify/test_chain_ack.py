"""The township supervisor takes an escalated case on at his level: the chain stops there (the
county is not told), his notifications are read, his home line goes; the case still waits for
the director, and he gains no other right on it."""
from datetime import timedelta

import sqlalchemy as sa

from app.activities import cases as case_service
from app.core.audit import AuditEntry
from app.core.dates import today_cn
from app.home import todo
from app.notify.escalation import chain_of
from app.notify.models import Notification
from tests.notify.test_chain import open_case, told


def escalate_to_supervisor(app, world, db):
    app.config.update(CASE_ESCALATE_HOURS=4, CASE_ESCALATE_COUNTY_HOURS=8)
    case = open_case(world, db)
    case_service.escalate_cases(now=case.reported_at + timedelta(hours=4), hours=4)
    db.session.commit()
    return case


def home_keys(app, user):
    with app.test_request_context("/"):
        return [i.key for i in todo.todo_for(user, today_cn())]


def test_supervisor_acknowledges_and_the_chain_stops_at_his_level(app, world, db, login):
    case = escalate_to_supervisor(app, world, db)
    sup, coordinator, director = (world.user(r) for r in ("township_supervisor", "coordinator", "village_director"))
    assert "cases.escalated" in home_keys(app, sup)
    browser = login("township_supervisor")
    page = browser.get(f"/activities/cases/{case.id}").get_data(as_text=True)
    assert "确认收到，本级跟进督办" in page
    response = browser.post(f"/notifications/cases/{case.id}/acknowledge", token_from=f"/activities/cases/{case.id}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/activities/cases/{case.id}")
    db.session.expire_all()
    step = next(s for s in chain_of(case) if s.step == 1)
    assert step.acknowledged_by_id == sup.id and step.acknowledged_at is not None
    assert all(n.read_at is not None for n in told(db, sup))
    # past the county's time: the coordinator is not told, the chain has no step 2
    case_service.escalate_cases(now=case.reported_at + timedelta(hours=9), hours=4)
    db.session.commit()
    assert [n.kind for n in told(db, coordinator)] == ["case.open"]
    assert [s.step for s in chain_of(case)] == [0, 1]
    # the case itself still waits for its handler: on the director's home, not on his
    db.session.expire_all()
    assert case.acknowledged_at is None and case.status == "reported"
    assert "cases.escalated" in home_keys(app, director) and "cases.escalated" not in home_keys(app, sup)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "case.escalate.acknowledge")) == 1
    # no second acknowledgement, and the button is gone
    again = browser.post(f"/notifications/cases/{case.id}/acknowledge", token_from="/", follow_redirects=True)
    assert "只有收到逐级上报通知" in again.get_data(as_text=True)
    assert "确认收到，本级跟进督办" not in browser.get(f"/activities/cases/{case.id}").get_data(as_text=True)


def test_the_acknowledgement_gives_no_other_right(app, world, db, login):
    case = escalate_to_supervisor(app, world, db)
    browser = login("township_supervisor")
    token_from = f"/activities/cases/{case.id}"
    assert browser.post(f"/activities/cases/{case.id}/acknowledge", token_from=token_from).status_code == 403
    assert browser.post(f"/activities/cases/{case.id}/steps", {"status": "emergency", "person": "田",
                                                               "on_date": today_cn().isoformat()},
                        token_from=token_from).status_code == 403
    assert browser.post(f"/duties/cases/{case.id}/measures", {"kind": "criticism"},
                        token_from=token_from).status_code == 403
    db.session.expire_all()
    assert case.acknowledged_at is None and case.status == "reported"


def test_only_someone_the_chain_told_may_acknowledge_at_a_level(app, world, db, login):
    app.config.update(CASE_ESCALATE_HOURS=4, CASE_ESCALATE_COUNTY_HOURS=8)
    case = open_case(world, db)
    path = f"/notifications/cases/{case.id}/acknowledge"

    def refused(browser):  # back to the case with the reason, and the refusal audited
        response = browser.post(path, token_from="/")
        return response.status_code == 302 and response.headers["Location"].endswith(f"/activities/cases/{case.id}")

    assert refused(login("township_supervisor"))  # not told yet
    case_service.escalate_cases(now=case.reported_at + timedelta(hours=4), hours=4)
    db.session.commit()
    assert login("township_supervisor", "b").post(path, token_from="/").status_code == 404  # not his township
    assert refused(login("village_director"))  # she acknowledges the case itself
    assert refused(login("auditor"))
    assert login("volunteer").post(path, token_from="/").status_code == 403  # no cases.read
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "access.denied")) >= 3
    db.session.expire_all()
    assert all(s.acknowledged_at is None for s in chain_of(case))
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.read_at.is_not(None))) == 0
