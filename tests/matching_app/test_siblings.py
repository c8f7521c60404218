"""Siblings in the app: children of one household that a proposal gives different carers are
flagged on the proposal with a one-tap fix (pin them all to one volunteer, re-solve)."""
from datetime import date

import sqlalchemy as sa

from app.children.models import Household
from app.core.dates import today_cn
from app.extensions import db
from app.matching.models import MatchProposal, MatchSteering
from tests import factories


def _household(world):
    h = Household(division_id=world.a.village.id, head_name="王大山")
    db.session.add(h)
    db.session.flush()
    return h


def _new_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rsplit("/", 1)[-1].split("#")[0])


def _pairs(proposal_id) -> dict:
    return db.session.get(MatchProposal, proposal_id).result_pairs


def _fix(browser, proposal_id, household) -> int:
    return _new_id(browser.post(f"/matching/proposals/{proposal_id}/siblings", {"household": f"h{household.id}"},
                                token_from=f"/matching/proposals/{proposal_id}"))


def test_split_siblings_are_flagged_and_the_one_tap_fix_keeps_them_together(browser, world):
    a, year = world.a, today_cn().year
    h = _household(world)
    elder = factories.child(a.village, name="王大妹", birth=date(year - 9, 1, 1), household_id=h.id)
    younger = factories.child(a.village, name="王小弟", birth=date(year - 7, 1, 1), household_id=h.id)
    # two volunteers with one place each, and one with two places who would rather have girls:
    # the optimum splits the brothers (each costs 2,000 more with the third)
    factories.volunteer(a.village, a.federation, name="志愿甲", capacity=1, max_km=10)
    factories.volunteer(a.village, a.federation, name="志愿乙", capacity=1, max_km=10)
    both = factories.volunteer(a.village, a.federation, name="志愿丙", capacity=2, max_km=10,
                               prefer_gender="female")
    db.session.commit()
    browser.login("coord_a")
    first = _new_id(browser.post("/matching/solve", {"region": a.county.id, "mode": "queue"},
                                 token_from="/matching/"))
    ce, cy = f"c{elder.id}", f"c{younger.id}"
    assert _pairs(first)[ce] != _pairs(first)[cy]
    [split] = db.session.get(MatchProposal, first).result["siblings"]
    assert split["household"] == f"h{h.id}" and split["fix"] == f"v{both.id}"
    html = browser.get(f"/matching/proposals/{first}").get_data(as_text=True)
    assert "兄弟姐妹未安排同一志愿者" in html and "都安排给 志愿丙 并重新计算" in html
    # one tap: both pinned to 志愿丙 (standing pins) and re-solved
    second = _fix(browser, first, h)
    assert _pairs(second)[ce] == _pairs(second)[cy] == f"v{both.id}"
    pins = db.session.scalars(sa.select(MatchSteering).where(MatchSteering.kind == "pin",
                                                             MatchSteering.removed_at.is_(None))).all()
    assert sorted((p.child_id, p.volunteer_id) for p in pins) == sorted(
        [(elder.id, both.id), (younger.id, both.id)])
    assert db.session.get(MatchProposal, second).result["siblings"] == []
    assert "兄弟姐妹未安排同一志愿者" not in browser.get(f"/matching/proposals/{second}").get_data(as_text=True)


def test_a_sibling_paired_today_brings_its_carer_as_the_fix(browser, world):
    a, year = world.a, today_cn().year
    h = _household(world)
    paired = factories.child(a.village, name="王大妹", birth=date(year - 9, 1, 1), household_id=h.id)
    waiting = factories.child(a.village, name="王小弟", birth=date(year - 7, 1, 1), household_id=h.id)
    factories.volunteer(a.village, a.federation, name="志愿甲", capacity=1, max_km=10)
    carer = factories.volunteer(a.village, a.federation, name="志愿丙", capacity=2, max_km=10,
                                prefer_gender="female")
    factories.pair(paired, carer)
    db.session.commit()
    browser.login("coord_a")
    first = _new_id(browser.post("/matching/solve", {"region": a.county.id, "mode": "queue"},
                                 token_from="/matching/"))
    cw = f"c{waiting.id}"
    assert _pairs(first)[cw] != f"v{carer.id}"  # the cheaper 志愿甲 in the optimum
    [split] = db.session.get(MatchProposal, first).result["siblings"]
    assert split["carers"] == [f"v{carer.id}"] and split["fix"] == f"v{carer.id}" and split["pin"] == [cw]
    html = browser.get(f"/matching/proposals/{first}").get_data(as_text=True)
    assert "家中其他孩子的结对志愿者：志愿丙" in html
    second = _fix(browser, first, h)
    assert _pairs(second)[cw] == f"v{carer.id}"


def test_the_fix_of_a_household_that_is_not_split_is_refused(browser, world):
    a = world.a
    factories.child(a.village, name="王小弟")
    factories.volunteer(a.village, a.federation, name="志愿甲", capacity=1, max_km=10)
    db.session.commit()
    browser.login("coord_a")
    first = _new_id(browser.post("/matching/solve", {"region": a.county.id, "mode": "queue"},
                                 token_from="/matching/"))
    response = browser.post(f"/matching/proposals/{first}/siblings", {"household": "h999"},
                            token_from=f"/matching/proposals/{first}")
    assert response.status_code == 302 and response.headers["Location"].endswith("#m-siblings")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MatchSteering)) == 0
