"""The escalation chain with names, driven by a controllable clock: director at once, township
supervisor after CASE_ESCALATE_HOURS, county coordinator after CASE_ESCALATE_COUNTY_HOURS; an
empty post is skipped; the acknowledgement stops it; the cron command drives it."""
from datetime import timedelta

import sqlalchemy as sa

from app.activities import cases as case_service
from app.core.audit import AuditEntry
from app.notify.escalation import chain_of
from app.notify.models import Notification, NotifySettings


def told(db, user):
    db.session.expire_all()
    return db.session.scalars(sa.select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def supervisor(world, db):
    return world.user("township_supervisor")


def open_case(world, db):
    r = world.a
    case = case_service.open_case(r.users["volunteer"], r.child, None, ["missing"], "两天没回家")
    db.session.commit()
    return case


def test_the_chain_reaches_each_post_at_its_time(app, world, db, smtp_server):
    app.config.update(CASE_ESCALATE_HOURS=4, CASE_ESCALATE_COUNTY_HOURS=8)
    sup = supervisor(world, db)
    db.session.add(NotifySettings(user_id=sup.id, email="sup@example.cn", channels=[]))  # chose no channel
    coordinator, director = world.user("coordinator"), world.user("village_director")
    case = open_case(world, db)
    t0 = case.reported_at
    assert [n.kind for n in told(db, director)] == ["case.open"]
    assert [n.kind for n in told(db, coordinator)] == ["case.open"]  # the form's promise
    assert told(db, sup) == []

    assert case_service.escalate_cases(now=t0 + timedelta(hours=3, minutes=59), hours=4) == []
    db.session.commit()
    assert told(db, sup) == []

    assert [c.id for c in case_service.escalate_cases(now=t0 + timedelta(hours=4), hours=4)] == [case.id]
    db.session.commit()
    (note,) = told(db, sup)
    assert note.kind == "case.escalate" and note.mandatory and "4小时无人确认" in note.title
    # a case's notification uses every channel the person has, whatever she chose
    assert [m.rcpt_tos for m in smtp_server.messages] == [["sup@example.cn"]]
    assert len(told(db, coordinator)) == 1  # not yet

    case_service.escalate_cases(now=t0 + timedelta(hours=7), hours=4)
    db.session.commit()
    assert len(told(db, coordinator)) == 1 and len(told(db, sup)) == 1  # nothing new, nothing twice
    case_service.escalate_cases(now=t0 + timedelta(hours=8), hours=4)
    db.session.commit()
    assert [n.kind for n in told(db, coordinator)] == ["case.open", "case.escalate"]
    assert "8小时" in told(db, coordinator)[-1].title

    chain = chain_of(case)
    assert [(s.step, s.role, s.user_ids, s.skipped) for s in chain] == [
        (0, "village_director", [director.id], False), (1, "township_supervisor", [sup.id], False),
        (2, "coordinator", [coordinator.id], False)]
    assert chain[1].division_id == world.a.township.id and chain[2].division_id == world.a.county.id
    steps = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "case.escalate.step")).all()
    assert [e.detail["step"] for e in steps] == [0, 1, 2]
    # region B's people were never told
    assert told(db, world.user("coordinator", "b")) == []


def test_acknowledgement_stops_the_chain(app, world, db):
    sup = supervisor(world, db)
    case = open_case(world, db)
    t0 = case.reported_at
    case_service.escalate_cases(now=t0 + timedelta(hours=4), hours=4)
    db.session.commit()
    assert len(told(db, sup)) == 1
    case_service.acknowledge_case(world.user("village_director"), case)
    db.session.commit()
    case_service.escalate_cases(now=t0 + timedelta(hours=24), hours=4)
    db.session.commit()
    assert [s.step for s in chain_of(case)] == [0, 1]
    assert [n.kind for n in told(db, world.user("coordinator"))] == ["case.open"]


def test_an_empty_post_is_skipped_and_logged(app, world, db):
    app.config["CASE_ESCALATE_COUNTY_HOURS"] = 6
    world.user("township_supervisor").active = False  # the post is empty
    db.session.commit()
    case = open_case(world, db)
    case_service.escalate_cases(now=case.reported_at + timedelta(hours=6), hours=4)  # cron was down: catch up
    db.session.commit()
    chain = chain_of(case)
    assert [(s.step, s.skipped) for s in chain] == [(0, False), (1, True), (2, False)]
    assert [n.kind for n in told(db, world.user("coordinator"))] == ["case.open", "case.escalate"]
    skipped = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "case.escalate.step")).all()
    assert skipped[1].detail == {"step": 1, "role": "township_supervisor", "users": [], "skipped": True,
                                 "division_id": world.a.township.id}


def test_the_cron_command_drives_the_chain(app, world, db):
    from app.activities.models import ProtectionCase
    from app.core.models import utcnow

    sup = supervisor(world, db)
    case = open_case(world, db)
    db.session.get(ProtectionCase, case.id).reported_at = utcnow() - timedelta(hours=5)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["cases", "escalate"])
    assert result.exit_code == 0 and f"#{case.id}" in result.output
    assert [n.kind for n in told(db, sup)] == ["case.escalate"]
    assert (f"/activities/cases/{case.id}" == told(db, sup)[0].url)


def test_the_case_page_shows_who_was_told_and_when(app, world, db, login):
    world.user("township_supervisor").active = False
    db.session.commit()
    case = open_case(world, db)
    case_service.escalate_cases(now=case.reported_at + timedelta(hours=4), hours=4)
    db.session.commit()
    html = login("coordinator").get(f"/activities/cases/{case.id}").get_data(as_text=True)
    assert "通知与逐级上报" in html and f"已通知：{world.user('village_director').display_name}" in html
    assert 'data-chain-step="1"' in html and "无人在岗，已跳过" in html
    # those who may not know the reporter do not see who was told (the reporter may be among them)
    assert "通知与逐级上报" not in login("auditor").get(f"/activities/cases/{case.id}").get_data(as_text=True)
