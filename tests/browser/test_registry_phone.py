"""On a 390-px phone a village director registers a 17-year-old 困境儿童 who is not left-behind
and a pair of siblings in one household; the roster, the child files and the statistics show
them in the right columns; nothing is wider than the screen."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.children.models import Child
from app.core.dates import today_cn
from app.core.idcard import make_id_number


def _no_horizontal_scroll(device) -> None:
    assert device.js("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), \
        device.js("() => [document.documentElement.scrollWidth, window.innerWidth]")


def _register(device, *, name: str, sex: str, born: date, seq: int, **extra) -> None:
    page = device.page
    device.go("/children/new")
    _no_horizontal_scroll(device)
    page.fill("#name", name)
    page.select_option("#sex", sex)
    page.fill("#birth_date", born.isoformat())
    page.fill("#id_number", make_id_number("522626", born, seq))
    page.select_option("#schooling", extra.pop("schooling", "primary"))
    page.select_option("#guardianship_type", "fair")
    page.fill("#guardian_name", extra.pop("guardian_name", "杨秀英"))
    for selector, value in extra.items():
        if selector.startswith("check:"):
            page.check(selector[6:])
        elif selector.startswith("select:"):
            page.select_option(selector[7:], value)
        else:
            page.fill(selector, value)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/children/new" not in page.url, page.inner_text(".child-form")[:2000]


def test_director_registers_a_17_year_old_in_difficulty_and_two_siblings(phone, live_server):
    page = phone.page
    phone.login("director_a")
    today = today_cn()
    born_17 = date(today.year - 17, 1, 1) if today.month > 1 else date(today.year - 18, 2, 1)
    _register(phone, name="龙建华", sex="male", born=born_17, seq=811, schooling="vocational",
              **{"select:#child_category": "difficulty", "check:input[name=difficulty_types][value=guardianship_2]": "",
                 "select:#incapacity_reason": "prison"})
    assert "困境" in page.inner_text("main") and "16-17岁" in page.inner_text("main")
    _no_horizontal_scroll(phone)

    consent = {"#consent_guardian_name": "杨秀英", "#consent_date": today.isoformat(),
               "check:#both_parents_away": "", "#parents_away_since": f"{today.year - 2}-02"}
    _register(phone, name="杨思远", sex="male", born=date(today.year - 11, 3, 5), seq=813,
              **consent, **{"select:#household_id": "new", "#village_group": "3组", "#current_address": "a村3组"})
    elder_url = page.url
    household = live_server.query(sa.select(Child.household_id).where(Child.name == "杨思远"))[0][0]
    assert household is not None
    _register(phone, name="杨思琪", sex="female", born=date(today.year - 7, 6, 1), seq=814,
              **consent, **{"select:#household_id": str(household)})
    assert "同户的兄弟姐妹" in page.inner_text("main") and "杨思远" in page.inner_text("#siblings")
    _no_horizontal_scroll(phone)
    page.click("#siblings a")
    page.wait_for_load_state()
    assert page.url == elder_url and "杨思琪" in page.inner_text("#siblings")

    rows = {name: tuple(rest) for name, *rest in live_server.query(
        sa.select(Child.name, Child.is_left_behind, Child.is_in_difficulty, Child.household_id)
        .where(Child.name.in_(("龙建华", "杨思远", "杨思琪"))))}
    assert rows["龙建华"][:2] == (False, True)
    assert rows["杨思远"] == rows["杨思琪"] == (True, False, household)

    phone.go("/children/?q=龙建华")
    assert "困境" in page.inner_text("table")
    _no_horizontal_scroll(phone)
