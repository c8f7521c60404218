"""The issue's scenario on a phone-sized headless Chromium: a home visit logged without signal
reaches the server exactly once, with its photo, after a reload and a new login; and the same
outbox sent twice creates nothing twice. No page breaks the CSP."""
from __future__ import annotations

import io

import sqlalchemy as sa
from PIL import Image

from app.activities.models import ActivityPhoto, CareLog

CACHE_WAIT = "path => caches.open('xiangban-pages').then(c => c.match(path, {ignoreVary: true})).then(r => !!r)"


def png(size=(640, 480), color=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def online_and_ready(phone, form_path: str) -> None:
    """Log in as the volunteer and wait until the form can open without signal."""
    phone.login("vol_a")
    assert phone.page.url.endswith("/activities/today")
    phone.wait_for_worker()
    phone.wait_until(CACHE_WAIT, form_path)


def bar_text(phone) -> str:
    return phone.page.locator("#outbox-bar .outbox-state").inner_text()


def test_a_visit_logged_offline_arrives_once_with_its_photo(phone, live_server):
    child_id = live_server.ids["child_a"]
    form = f"/activities/children/{child_id}/visits/new"
    online_and_ready(phone, form)
    page = phone.page

    phone.context.set_offline(True)
    phone.go(form)  # from the phone's cache
    assert "记录入户看望" in page.locator("h1").first.inner_text()
    page.fill("#living_conditions", "房子漏雨，已联系村委会")
    page.fill("#emotions", "见到我们很开心")
    draft_key = f"'{live_server.ids['volunteer_a']}|visit|{child_id}'"
    phone.wait_until(f"() => XB.drafts.get({draft_key}).then(d => d && d.fields.emotions === '见到我们很开心')")
    page.reload()  # the draft survives a reload without signal
    page.locator(".draft-note").wait_for()
    assert page.input_value("#living_conditions") == "房子漏雨，已联系村委会"
    page.set_input_files("#photos", files=[{"name": "家里.png", "mimeType": "image/png", "buffer": png((2400, 1800))}])
    page.click("button[type=submit]")
    page.wait_for_url("**/activities/today")
    page.wait_for_function("() => /待上传 1 条/.test(document.querySelector('#outbox-bar .outbox-state').textContent)")
    assert "没有网络" in page.locator(".flash").first.inner_text()

    page.reload()  # still offline: the outbox is still there
    page.wait_for_function("() => /待上传 1 条/.test(document.querySelector('#outbox-bar .outbox-state').textContent)")
    (item,) = phone.outbox()
    assert item["status"] == "pending" and item["body"]["kind"] == "visit"
    assert item["photos"][0]["type"] == "image/jpeg" and 0 < item["photos"][0]["size"] < 600_000  # shrunk
    assert "id_number" not in str(item)

    # the session expires while the phone is offline; when the network returns the outbox waits
    # for the login instead of losing anything
    phone.context.clear_cookies()
    phone.context.set_offline(False)
    page.wait_for_function("() => !document.querySelector('[data-outbox-login]').hidden")
    assert live_server.count(CareLog) == 0

    page.click("[data-outbox-login]")
    phone.login("vol_a")
    phone.wait_until("() => XB.outbox.list(XB.user()).then(items => items.length === 0)")
    logs = live_server.query(sa.select(CareLog.id, CareLog.kind, CareLog.living_conditions, CareLog.client_uuid))
    assert [(kind, text) for _, kind, text, _ in logs] == [("visit", "房子漏雨，已联系村委会")]
    assert logs[0][3] == item["id"]
    assert live_server.count(ActivityPhoto, ActivityPhoto.log_id == logs[0][0]) == 1
    assert phone.problems == []


def queue_offline_talk(phone, form: str, content: str, photo: bool = True, day: str | None = None) -> None:
    """Without signal: open the cached talk form, fill it in and submit it into the outbox."""
    page = phone.page
    phone.context.set_offline(True)
    phone.go(form)
    page.fill("#content", content)
    if day:
        page.fill("#occurred_on", day)
    if photo:
        page.set_input_files("#photos", files=[{"name": "谈心.png", "mimeType": "image/png", "buffer": png()}])
    page.click("button[type=submit]")
    page.wait_for_url("**/activities/today")
    page.wait_for_function("() => /待上传 1 条/.test(document.querySelector('#outbox-bar .outbox-state').textContent)")


def test_the_same_outbox_sent_twice_creates_nothing_twice(phone, live_server):
    form = f"/activities/children/{live_server.ids['child_a']}/talks/new"
    online_and_ready(phone, form)
    queue_offline_talk(phone, form, "聊了期中考试")
    answers = []
    phone.page.on("response", lambda r: answers.append(r) if r.url.endswith(("/api/v1/sync", "/api/v1/logs")) else None)
    # copies of the stored record, as a second tab or a restored backup would hold them
    phone.js("() => XB.outbox.list(XB.user())"
             ".then(items => { window.copies = [0, 1, 2].map(() => structuredClone(items[0])); })")

    phone.context.set_offline(False)
    # the sender started by the network's return and two more deliveries of the same record, all at once
    phone.js("() => Promise.all([XB.send(), XB.outbox._deliver(copies[0]), XB.outbox._deliver(copies[1])])")
    phone.wait_until("() => XB.outbox.list(XB.user()).then(items => items.length === 0)")
    # and the same record replayed later from the stored copy
    phone.js("() => XB.outboxStore.put(copies[2]).then(() => XB.send())")
    phone.wait_until("() => XB.outbox.list(XB.user()).then(items => items.length === 0)")

    statuses = []  # what the server answered for the record, each time it arrived
    for answer in answers:
        body = answer.json()
        statuses += [r["status"] for r in body["results"]] if "results" in body else [answer.status]
    assert sorted(statuses) == [200, 200, 200, 201]
    assert live_server.count(CareLog) == 1
    assert live_server.count(ActivityPhoto) == 1
    assert phone.problems == []


def test_a_refused_record_stays_visible_and_logout_asks_first(phone, live_server):
    from datetime import timedelta

    from app.core.dates import today_cn

    form = f"/activities/children/{live_server.ids['child_a']}/talks/new"
    page = phone.page
    online_and_ready(phone, form)
    queue_offline_talk(phone, form, "说想妈妈了", photo=False, day=(today_cn() + timedelta(days=3)).isoformat())

    phone.context.set_offline(False)  # sent in the background and refused: 需处理, kept with the reason
    page.wait_for_function("() => /需处理 1 条/.test(document.querySelector('#outbox-bar .outbox-state').textContent)")
    phone.go("/outbox")
    card = page.locator(".outbox-item")
    card.wait_for()
    assert "需处理" in card.inner_text() and "日期不能晚于今天" in card.inner_text()

    page.click("footer [data-logout] button")  # records wait: logging out asks first
    page.wait_for_url("**/outbox?leaving=1")
    page.locator("#leaving").wait_for()
    assert "手机上还有 1 条记录没有上传" in page.locator("#leaving").inner_text()
    page.click("[data-logout-keep]")
    page.wait_for_url("**/login")
    page.wait_for_function("() => /有 1 条记录还没有上传/.test(document.querySelector('#outbox-bar').textContent)")

    phone.login("vol_a")  # the same user: the record is still there; fix it and send it
    phone.go("/outbox")
    page.click(".outbox-item button.btn-primary")  # 修改
    page.wait_for_url(f"**{form}")
    page.locator("form[data-outbox] .error").wait_for()
    assert "日期不能晚于今天" in page.locator("form[data-outbox]").inner_text()
    assert page.input_value("#content") == "说想妈妈了"
    page.fill("#occurred_on", today_cn().isoformat())
    page.click("button[type=submit]")
    page.wait_for_url("**/activities/today")
    assert "已保存" in page.locator(".flash").first.inner_text()
    assert live_server.query(sa.select(CareLog.content)) == [("说想妈妈了",)]
    assert phone.outbox() == []
    assert phone.problems == []
