"""Notifications: a case reaches its people through a real SMTP server and the SMS adapter;
failures are recorded, retried and shown; channels, rate limit, the centre and the header."""
from datetime import timedelta
from email import message_from_bytes, policy

import sqlalchemy as sa

from app.activities import cases as case_service
from app.core.models import utcnow
from app.notify import jobs, services
from app.notify.models import Delivery, Notification, NotifySettings


def reach(db, user, email=None, phone=None, channels=None):
    if email is not None or channels is not None:
        db.session.add(NotifySettings(user_id=user.id, email=email, channels=channels))
    if phone is not None:
        user.phone = phone
    db.session.commit()


def open_case(world, db, region="a"):
    r = getattr(world, region)
    case = case_service.open_case(r.users["volunteer"], r.child, None, ["violence"], "手臂有淤青")
    db.session.commit()
    return case


def deliveries(db, user=None):
    db.session.expire_all()
    stmt = sa.select(Delivery).order_by(Delivery.id)
    if user is not None:
        stmt = stmt.where(Delivery.user_id == user.id)
    return db.session.scalars(stmt).all()


def test_a_new_case_reaches_the_director_by_email_and_sms(world, db, smtp_server, sms_endpoint):
    director = world.user("village_director")
    reach(db, director, email="director@example.cn", phone="13800001111")
    case = open_case(world, db)

    # e-mail: through the real SMTP server, no child's name or concern in it
    assert len(smtp_server.messages) == 1
    envelope = smtp_server.messages[0]
    assert envelope.rcpt_tos == ["director@example.cn"]
    mail = message_from_bytes(envelope.content, policy=policy.default)
    assert f"#{case.id}" in mail["Subject"] and "强制报告" in mail["Subject"]
    text = mail.get_content()
    assert f"/activities/cases/{case.id}" in text
    assert world.a.child.name not in text + mail["Subject"] and "淤青" not in text

    # SMS: a signed SendSms request the provider accepts
    assert len(sms_endpoint.requests) == 1
    sms = sms_endpoint.requests[0]
    assert sms["PhoneNumbers"] == "13800001111" and sms["TemplateCode"] == "SMS_123456789"
    assert f"#{case.id}" in sms["TemplateParam"] and world.a.child.name not in sms["TemplateParam"]

    rows = deliveries(db, director)
    assert {(d.channel, d.status) for d in rows} == {("email", "sent"), ("sms", "sent")}
    assert all(d.attempts == 1 and d.sent_at for d in rows)
    # the coordinator was told in the app too (no address of hers is known)
    coordinator_notes = db.session.scalars(sa.select(Notification).where(
        Notification.user_id == world.user("coordinator").id)).all()
    assert len(coordinator_notes) == 1 and coordinator_notes[0].mandatory
    # nobody in region B heard of it
    assert not db.session.scalars(sa.select(Notification).where(
        Notification.user_id == world.user("village_director", "b").id)).all()


def test_nothing_is_sent_when_the_case_is_rolled_back(world, db, smtp_server):
    reach(db, world.user("village_director"), email="director@example.cn")
    r = world.a
    case_service.open_case(r.users["volunteer"], r.child, None, ["alone"])
    db.session.rollback()
    db.session.commit()
    assert smtp_server.messages == [] and deliveries(db) == []


def test_a_failed_sms_is_retried_and_the_reason_kept(app, world, db, sms_endpoint):
    director = world.user("village_director")
    reach(db, director, phone="13800001111")
    sms_endpoint.fail_next = [{"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发分钟级流控Permits:1"}]
    open_case(world, db)
    (row,) = deliveries(db, director)
    assert row.status == "queued" and row.attempts == 1 and "isv.BUSINESS_LIMIT_CONTROL" in row.last_error
    first_retry = row.next_attempt_at

    assert jobs.retry_due(now=first_retry - timedelta(seconds=1)) == 0  # not yet
    assert jobs.retry_due(now=first_retry) == 1
    (row,) = deliveries(db, director)
    assert row.status == "sent" and row.attempts == 2 and row.last_error is None
    assert len(sms_endpoint.requests) == 1


def test_a_permanent_sms_error_is_not_retried(world, db, sms_endpoint):
    director = world.user("village_director")
    reach(db, director, phone="13800001111")
    sms_endpoint.fail_next = [{"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}]
    open_case(world, db)
    (row,) = deliveries(db, director)
    assert row.status == "failed" and row.next_attempt_at is None and "MOBILE_NUMBER_ILLEGAL" in row.last_error


def test_mail_server_down_then_up_gives_up_after_the_configured_attempts(app, world, db):
    from tests.notify.conftest import free_port

    director = world.user("village_director")
    reach(db, director, email="director@example.cn")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2, NOTIFY_MAX_ATTEMPTS=3,
                      NOTIFY_RETRY_MINUTES=(1, 5))
    open_case(world, db)
    now = utcnow()
    (row,) = deliveries(db, director)
    assert row.status == "queued" and "SMTP" in row.last_error and row.attempts == 1
    now = row.next_attempt_at
    jobs.retry_due(now=now)
    (row,) = deliveries(db, director)
    assert row.attempts == 2 and row.status == "queued" and row.next_attempt_at == now + timedelta(minutes=5)
    jobs.retry_due(now=row.next_attempt_at)
    (row,) = deliveries(db, director)
    assert row.attempts == 3 and row.status == "failed" and row.next_attempt_at is None


def test_failures_are_shown_to_the_person_and_to_the_administrator(app, world, db, login, sms_endpoint):
    director = world.user("village_director")
    reach(db, director, phone="13800001111")
    sms_endpoint.fail_next = [{"Code": "isv.MOBILE_NUMBER_ILLEGAL", "Message": "非法手机号"}]
    open_case(world, db)
    page = login("village_director").get("/notifications/").get_data(as_text=True)
    assert "短信 · 发送失败" in page
    admin = login("admin").get("/notifications/deliveries?status=failed").get_data(as_text=True)
    assert "isv.MOBILE_NUMBER_ILLEGAL" in admin and world.user("village_director").display_name in admin
    assert login("coordinator").get("/notifications/deliveries").status_code == 403


def test_ordinary_notifications_follow_the_chosen_channels_cases_use_all(app, world, db, smtp_server, sms_endpoint):
    volunteer = world.user("volunteer")
    reach(db, volunteer, email="v@example.cn", channels=["email"])  # phone comes from her volunteer record
    services.notify([volunteer], "digest", "本周关爱待办 2 项", "/activities/today")
    db.session.commit()
    assert [d.channel for d in deliveries(db, volunteer)] == ["email"]
    services.notify([volunteer], "case.escalate", "强制报告 #1", "/activities/cases/1", mandatory=True)
    db.session.commit()
    assert sorted(d.channel for d in deliveries(db, volunteer)[1:]) == ["email", "sms"]


def test_rate_limit_per_person_spares_cases(app, world, db, smtp_server):
    volunteer = world.user("volunteer")
    reach(db, volunteer, email="v@example.cn")
    app.config["NOTIFY_RATE_PER_HOUR"] = 3
    for i in range(5):
        services.notify([volunteer], "test", f"消息 {i}", "/")
    services.notify([volunteer], "case.escalate", "强制报告 #1", "/", mandatory=True)
    db.session.commit()
    statuses = [d.status for d in deliveries(db, volunteer)]
    assert statuses == ["sent", "sent", "sent", "skipped", "skipped", "sent"]
    assert deliveries(db, volunteer)[3].last_error == "rate limited"
    assert len(smtp_server.messages) == 4
    # every notification is still in the centre
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.user_id == volunteer.id)) == 6


def test_the_in_process_pool_sends_after_commit(app, world, db, smtp_server):
    import time

    app.config["NOTIFY_INLINE"] = False
    director = world.user("village_director")
    reach(db, director, email="director@example.cn")
    open_case(world, db)
    for _ in range(100):
        if smtp_server.messages:
            break
        time.sleep(0.05)
    time.sleep(0.2)
    assert len(smtp_server.messages) == 1
    assert [d.status for d in deliveries(db, director)] == ["sent"]


def test_centre_header_count_and_mark_read(world, db, login):
    case = open_case(world, db)
    director = login("village_director")
    home = director.get("/").get_data(as_text=True)
    assert 'data-unread="1"' in home and "通知，1 条未读" in home
    page = director.get("/notifications/").get_data(as_text=True)
    assert f"新的强制报告 #{case.id}" in page and world.a.child.name in page  # the body, in the app only
    note = db.session.scalar(sa.select(Notification).where(Notification.user_id == world.user("village_director").id))
    response = director.post(f"/notifications/{note.id}/open", token_from="/notifications/")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/activities/cases/{case.id}")
    assert 'data-unread="0"' in director.get("/").get_data(as_text=True)
    # another person's notification is not found
    assert login("coordinator").post(f"/notifications/{note.id}/open", token_from="/notifications/").status_code == 404


def test_acknowledging_the_case_reads_its_notifications(world, db, login):
    case = open_case(world, db)
    director = world.user("village_director")
    assert services.unread_count(director) == 1
    case_service.acknowledge_case(director, case)
    db.session.commit()
    assert services.unread_count(director) == 0


def test_settings_form_keeps_what_was_typed_and_says_what_is_wrong(world, db, login):
    browser = login("volunteer")
    response = browser.post("/notifications/settings", {"email": "not-an-address", "channels": ["email"],
                                                        "weekly_digest": "y"}, token_from="/notifications/settings")
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "邮箱地址格式不正确" in html and 'value="not-an-address"' in html
    response = browser.post("/notifications/settings", {"email": "v@example.cn", "channels": ["sms"],
                                                        "weekly_digest": "y"}, token_from="/notifications/settings")
    assert response.status_code == 302
    row = db.session.get(NotifySettings, world.user("volunteer").id)
    assert row.email == "v@example.cn" and row.channels == ["sms"] and row.weekly_digest


def test_push_subscription_requires_csrf_and_a_complete_subscription(world, db, login):
    browser = login("volunteer")
    token = browser.token("/notifications/settings")
    bad = browser.client.post("/notifications/push/subscribe", json={"endpoint": "https://push.example/x"},
                              headers={"X-CSRFToken": token})
    assert bad.status_code == 400
    no_csrf = browser.client.post("/notifications/push/subscribe",
                                  json={"endpoint": "https://push.example/x", "keys": {"p256dh": "a", "auth": "b"}})
    assert no_csrf.status_code in (400, 403)
    ok = browser.client.post("/notifications/push/subscribe", headers={"X-CSRFToken": token},
                             json={"endpoint": "https://push.example/x", "keys": {"p256dh": "a", "auth": "b"}})
    assert ok.status_code == 200


def test_with_redis_the_deliveries_go_through_rq(app, world, db, smtp_server):
    from rq import Queue, SimpleWorker

    from tests.reports.test_views_jobs import _redis_url

    url = _redis_url()
    app.config.update(REDIS_URL=url, NOTIFY_INLINE=False)
    queue = Queue(jobs.QUEUE, connection=__import__("redis").Redis.from_url(url))
    queue.empty()
    director = world.user("village_director")
    reach(db, director, email="director@example.cn")
    open_case(world, db)
    assert len(queue) == 1 and smtp_server.messages == []  # queued after the commit, not sent yet
    SimpleWorker([queue], connection=queue.connection).work(burst=True)
    assert len(smtp_server.messages) == 1
    assert [d.status for d in deliveries(db, director)] == ["sent"]
    queue.empty()
