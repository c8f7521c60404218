"""On a 390-px phone a village director opens the household-by-household check (逐户核查), sees the
household of two siblings under its 村民小组, ticks it, and the page counts it as checked;
nothing is wider than the screen."""
from __future__ import annotations

import os

import sqlalchemy as sa

from app.children.models import Child, Household, HouseholdCheck
from app.extensions import db
from tests.browser.test_registry_phone import _no_horizontal_scroll


def _household(live_server) -> int:
    with live_server.app.app_context():
        elder = db.session.get(Child, live_server.ids["child_a"])
        house = Household(division_id=elder.division_id, village_group="3组", head_name="杨秀英", guardian_name="杨秀英",
                          guardian_relation="祖母", address="岑巩县a镇a村3组8号（老屋基，靠近村小学后门的那一栋）")
        db.session.add(house)
        elder.household = house
        db.session.get(Child, live_server.ids["pupil_a"]).household = house
        db.session.commit()
        house_id = house.id
        db.session.remove()
    return house_id


def test_director_ticks_a_household_on_a_phone(phone, live_server):
    house_id = _household(live_server)
    page = phone.page
    phone.login("director_a")
    phone.go("/children/")
    page.click("text=逐户核查")
    page.wait_for_load_state()
    assert "/children/households/village/" in page.url
    main = page.inner_text("main")
    assert "3组" in main and "杨秀英" in main and "1 户，已核查 0 户" in main
    _no_horizontal_scroll(phone)
    page.click(f"#h{house_id} button")
    page.wait_for_load_state()
    assert "本季度核查无误" in page.inner_text("main")
    assert "1 户，已核查 1 户" in page.inner_text("main")
    assert "✓ 已核查" in page.inner_text(f"#h{house_id}")
    _no_horizontal_scroll(phone)
    if os.environ.get("SCREENSHOT_DIR"):  # for a person to look at the page
        page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], "households-390.png"), full_page=True)
    assert live_server.count(HouseholdCheck, HouseholdCheck.household_id == house_id) == 1
    checker = live_server.query(sa.select(HouseholdCheck.checked_by_id))[0][0]
    assert checker is not None
