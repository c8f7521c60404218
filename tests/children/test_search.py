"""Roster search: name, pinyin and initials (surnames with several readings), last ID digits,
school, category and guardianship type."""
from __future__ import annotations

from datetime import date

import pytest

from app.core.idcard import make_id_number
from tests import factories


@pytest.fixture
def kids(world, db):
    born = date(date.today().year - 7, 1, 9)
    made = {
        "shan": factories.child(world.a.village, name="单小明", birth=born,
                                id_number=make_id_number("522626", born, 901)),
        "zeng": factories.child(world.a.village, name="曾可馨", sex="female", birth=born, health="ill",
                                illness="哮喘", guardianship_type="none", guardian_name=None,
                                id_number=make_id_number("522626", born, 902)),
    }
    db.session.commit()
    return made


def _names(web, query: str) -> str:
    return web.get(f"/children/?{query}").get_data(as_text=True)


@pytest.mark.parametrize("q, who", [
    ("单小", "shan"), ("shanxiaoming", "shan"), ("danxiaoming", "shan"), ("sxm", "shan"), ("dxm", "shan"),
    ("ZENG", "zeng"), ("ceng", "zeng"), ("zkx", "zeng"),
])
def test_name_pinyin_and_initials(web, kids, q, who):
    web.login("coordinator")
    html = _names(web, f"q={q}")
    assert kids[who].name in html
    other = "zeng" if who == "shan" else "shan"
    assert kids[other].name not in html


def test_last_digits_of_the_id(web, kids):
    web.login("coordinator")
    assert kids["shan"].name in _names(web, f"q={kids['shan'].id_number[-4:]}")
    assert kids["zeng"].name not in _names(web, f"q={kids['shan'].id_number[-4:]}")


def test_filters_school_category_guardianship_village(web, world, kids):
    web.login("coordinator")
    html = _names(web, f"school={world.a.school.id}")
    assert world.a.pupil.name in html and kids["shan"].name not in html
    html = _names(web, "category=no_guardian")
    assert kids["zeng"].name in html and kids["shan"].name not in html
    html = _names(web, "guardianship=none")
    assert kids["zeng"].name in html and world.a.child.name not in html
    html = _names(web, "category=ill&tier=urgent")
    assert kids["zeng"].name in html and "共 1 人" in html
    html = _names(web, f"division={world.a.village.id}&q=单")
    assert kids["shan"].name in html and "共 1 人" in html


def test_renaming_keeps_the_search_keys_in_sync(web, world, kids, db):
    from app.children import services
    from app.core.dates import today_cn

    services.save_child(world.user("coordinator"), kids["shan"], {"name": "解小明"}, on_date=today_cn())
    db.session.commit()
    web.login("coordinator")
    assert "解小明" in _names(web, "q=xxm") and "解小明" in _names(web, "q=jiexiaoming")
    assert "解小明" not in _names(web, "q=sxm")
