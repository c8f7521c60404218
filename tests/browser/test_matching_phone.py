"""The proposal on a 390-px phone, in headless Chromium: summary first, then the children left
out by tier, then the pairs by township (collapsed when many); approve at the end and in a sticky
footer; nothing wider than the screen; no serious axe-core finding. A coordinator pins a pair,
re-solves, reads what changed and approves from the footer."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe

from app.core.dates import today_cn
from app.core.models import Division, Organisation
from app.extensions import db
from app.matching.models import MatchProposal, MatchSteering, Pair
from tests import factories


def _many_unpaired(live_server) -> int:
    """40 children (a few urgent) and 18 volunteers with two places each in region A's village:
    more pairs than the page shows open, and some children left out."""
    with live_server.app.app_context():
        village = db.session.scalar(sa.select(Division).where(Division.code == "522626101201"))
        federation = db.session.scalar(sa.select(Organisation).where(Organisation.name == "a县妇联"))
        year = today_cn().year
        for k in range(40):
            extra = {"guardianship_type": "none"} if k % 8 == 0 else {}
            factories.child(village, name=f"儿童{k:02d}", birth=date(year - 6 - k % 8, 1, 1), **extra)
        for k in range(18):
            factories.volunteer(village, federation, name=f"志愿{k:02d}", capacity=2, max_km=10)
        db.session.commit()
        county = village.parent.parent.id
        db.session.remove()
    return county


def _no_horizontal_scroll(device) -> None:
    assert device.js("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), \
        device.js("() => [document.documentElement.scrollWidth, window.innerWidth]")


def test_coordinator_steers_and_approves_a_proposal_on_a_phone(phone, live_server):
    county = _many_unpaired(live_server)
    device, page = phone, phone.page
    device.login("coord_a")
    device.go("/matching/")
    page.select_option("#region", str(county))
    page.click("text=计算方案")
    page.wait_for_url("**/matching/proposals/*")
    first = int(page.url.rsplit("/", 1)[-1])

    # summary, then the children left out, then the pairs
    tops = device.js("""() => ['#m-summary', '#m-unmatched', '#m-pairs', '#steering']
        .map(s => document.querySelector(s).getBoundingClientRect().top)""")
    assert tops == sorted(tops)
    assert "已证明为最优方案" in page.locator("main").inner_text()
    # many pairs: the township groups start collapsed; the approve button is on screen at once
    assert device.js("() => [...document.querySelectorAll('#m-pairs ~ details')].every(d => !d.open)")
    footer = page.locator(".m-sticky button")
    box = footer.bounding_box()
    assert box and 0 <= box["y"] and box["y"] + box["height"] <= 844
    _no_horizontal_scroll(device)
    serious = [v for v in Axe().run(page).response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["nodes"][0]["target"]) for v in serious]

    # pin the first pair shown, re-solve: the pin is kept and shown, and what changed is listed
    page.locator("#m-pairs ~ details > summary").first.click()
    pin = page.locator("input[name=lock]").first
    pinned = pin.get_attribute("value")
    pin.check()
    page.click("text=按固定/排除重新计算")
    page.wait_for_url(lambda url: not url.endswith(f"/{first}"))
    assert "已固定" in page.content()
    _no_horizontal_scroll(device)
    page.click("text=查看变化")
    page.wait_for_url("**/changes")
    assert "对比：方案 #" in page.locator("main").inner_text()
    _no_horizontal_scroll(device)
    page.go_back()

    # approve from the sticky footer
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(".m-sticky button").click()
    page.wait_for_url("**/matching/")
    assert "已确认方案" in page.locator(".flash").first.inner_text()
    assert device.problems == []

    child_id, vol_id = (int(x[1:]) for x in pinned.split(":"))
    assert live_server.count(Pair, Pair.status == "active", Pair.child_id == child_id, Pair.volunteer_id == vol_id) == 1
    assert live_server.count(MatchSteering, MatchSteering.kind == "pin", MatchSteering.removed_at.is_(None)) == 1
    assert live_server.count(MatchProposal, MatchProposal.status == "approved") >= 1
