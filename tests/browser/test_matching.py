"""The coordinator's matching flow in headless Chromium, on a phone and on a desktop: compute a
proposal for the county, read it (who is paired with whom, and why), confirm it through the
confirmation dialog, and the pairs are active. No page breaks the CSP."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.core.dates import today_cn
from app.core.models import Division, Organisation
from app.extensions import db
from app.matching.models import MatchProposal, Pair
from tests import factories


def add_unpaired(live_server) -> dict:
    """An urgent and a normal child without a volunteer, and two free volunteers, in region A."""
    with live_server.app.app_context():
        village = db.session.scalar(sa.select(Division).where(Division.code == "522626101201"))
        federation = db.session.scalar(sa.select(Organisation).where(Organisation.name == "a县妇联"))
        year = today_cn().year
        urgent = factories.child(village, name="急需儿童", guardianship_type="none", birth=date(year - 8, 1, 1))
        normal = factories.child(village, name="普通儿童", birth=date(year - 7, 1, 1))
        factories.volunteer(village, federation, name="志愿甲", capacity=1, max_km=10)
        factories.volunteer(village, federation, name="志愿乙", capacity=1, max_km=10)
        db.session.commit()
        ids = {"urgent": urgent.id, "normal": normal.id, "county": village.parent.parent.id}
        db.session.remove()
    return ids


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844}, {"width": 1280, "height": 800}],
                         ids=["phone", "desktop"])
def test_coordinator_computes_reads_and_confirms_a_proposal(chromium, live_server, viewport):
    from tests.browser.conftest import Phone

    ids = add_unpaired(live_server)
    context = chromium.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        device = Phone(context, live_server.url)
        page = device.page
        device.login("coord_a")
        device.go("/matching/")
        assert page.locator("h1").first.inner_text() == "结对匹配"
        page.select_option("#region", str(ids["county"]))
        page.click("text=计算方案")
        page.wait_for_url("**/matching/proposals/*")
        body = page.locator("main").inner_text()
        assert "已证明为最优方案" in body
        assert "急需儿童" in body and "普通儿童" in body and "志愿甲" in body
        proposal_id = int(page.url.rsplit("/", 1)[-1])

        page.once("dialog", lambda dialog: dialog.accept())
        page.click("button.btn-primary:has-text('确认方案')")
        page.wait_for_url("**/matching/")
        # the two children added here, and region A's unpaired pupil
        assert "已确认方案：新建结对 3 个" in page.locator(".flash").first.inner_text()
        assert device.problems == []
    finally:
        context.close()

    active = live_server.count(Pair, Pair.status == "active", Pair.child_id.in_([ids["urgent"], ids["normal"]]))
    assert active == 2
    (status,) = live_server.query(sa.select(MatchProposal.status).where(MatchProposal.id == proposal_id))[0]
    assert status == "approved"
