"""Steering in the app: pins, exclusions and held places are kept across rounds until removed,
enter every solve, are shown on the proposal; what changed between proposals is listed."""
from datetime import date

import sqlalchemy as sa

from app.core.dates import today_cn
from app.extensions import db
from app.matching import services
from app.matching.models import MatchProposal, MatchSteering
from tests import factories


def _setup(world):
    """An urgent and a normal child, two volunteers with one place each, in region A."""
    a = world.a
    year = today_cn().year
    urgent = factories.child(a.village, name="急需", guardianship_type="none", birth=date(year - 8, 1, 1))
    normal = factories.child(a.village, name="普通", birth=date(year - 7, 1, 1))
    v1 = factories.volunteer(a.village, a.federation, name="志愿甲", capacity=1, max_km=10)
    v2 = factories.volunteer(a.village, a.federation, name="志愿乙", capacity=1, max_km=10)
    db.session.commit()
    return urgent, normal, v1, v2


def _new_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.headers["Location"].rsplit("/", 1)[-1].split("#")[0])


def _solve(browser, world) -> int:
    return _new_id(browser.post("/matching/solve", {"region": world.a.county.id, "mode": "queue"},
                                token_from="/matching/"))


def _pairs(proposal_id) -> dict:
    return db.session.get(MatchProposal, proposal_id).result_pairs


def test_pin_and_exclusion_persist_across_rounds_until_removed(browser, world):
    urgent, normal, v1, v2 = _setup(world)
    browser.login("coord_a")
    first = _solve(browser, world)
    pairs = _pairs(first)
    cu, cn = f"c{urgent.id}", f"c{normal.id}"
    # pin the normal child to the urgent child's volunteer: the urgent child gets another one
    pin_to = pairs[cu]
    second = _new_id(browser.post(f"/matching/proposals/{first}/resolve",
                                  {"lock": f"{cn}:{pin_to}"}, token_from=f"/matching/proposals/{first}"))
    assert _pairs(second)[cn] == pin_to and _pairs(second)[cu] not in (None, pin_to)
    html = browser.get(f"/matching/proposals/{second}").get_data(as_text=True)
    assert "已固定" in html and "固定结对" in html  # on the pair and in the list of steering
    # what changed since the first proposal: both children moved, with the reason
    changes = browser.get(f"/matching/proposals/{second}/changes").get_data(as_text=True)
    assert "更换志愿者" in changes and "协调员固定了新结对" in changes
    # a new round (not a re-solve of this proposal) keeps the pin
    third = _solve(browser, world)
    assert _pairs(third)[cn] == pin_to
    # removing it: the next solve is free again
    pin = db.session.scalar(sa.select(MatchSteering).where(MatchSteering.kind == "pin"))
    fourth = _new_id(browser.post(f"/matching/proposals/{third}/unsteer", {"steering": pin.id},
                                  token_from=f"/matching/proposals/{third}"))
    db.session.expire_all()
    assert db.session.get(MatchSteering, pin.id).removed_at is not None
    assert _pairs(fourth) == pairs


def test_exclusion_is_never_proposed_and_a_pin_replaces_it(browser, world):
    urgent, normal, v1, v2 = _setup(world)
    browser.login("coord_a")
    first = _solve(browser, world)
    cu = f"c{urgent.id}"
    banned = _pairs(first)[cu]
    second = _new_id(browser.post(f"/matching/proposals/{first}/resolve", {"forbid": f"{cu}:{banned}"},
                                  token_from=f"/matching/proposals/{first}"))
    assert _pairs(second)[cu] != banned
    assert _pairs(_solve(browser, world))[cu] != banned  # the next round too
    third = _new_id(browser.post(f"/matching/proposals/{second}/resolve", {"lock": f"{cu}:{banned}"},
                                 token_from=f"/matching/proposals/{second}"))
    assert _pairs(third)[cu] == banned
    kinds = db.session.scalars(sa.select(MatchSteering.kind).where(MatchSteering.removed_at.is_(None))).all()
    assert kinds == ["pin"]


def test_held_places_are_kept_free_and_bad_input_is_explained(browser, world):
    urgent, normal, v1, v2 = _setup(world)
    browser.login("coord_a")
    first = _solve(browser, world)
    page = f"/matching/proposals/{first}"
    response = browser.post(f"{page}/hold", {"volunteer": v1.id, "places": 5}, token_from=page,
                            follow_redirects=True)
    assert "保留名额须为 1 到 1 之间的整数" in response.get_data(as_text=True)
    second = _new_id(browser.post(f"{page}/hold", {"volunteer": v1.id, "places": 1}, token_from=page))
    assert f"v{v1.id}" not in _pairs(second).values()
    assert "志愿甲 保留 1 个名额" in browser.get(f"/matching/proposals/{second}").get_data(as_text=True)


def test_steering_out_of_scope_is_404(browser, world):
    urgent, normal, v1, v2 = _setup(world)
    browser.login("coord_a")
    first = _solve(browser, world)
    browser.post(f"/matching/proposals/{first}/resolve", {"forbid": f"c{urgent.id}:v{v1.id}"},
                 token_from=f"/matching/proposals/{first}")
    row = db.session.scalar(sa.select(MatchSteering))
    browser.logout()
    browser.login("coord_b")
    other = world.b.proposal.id
    assert browser.post(f"/matching/proposals/{other}/unsteer", {"steering": row.id},
                        token_from="/matching/").status_code == 404
    assert browser.post(f"/matching/proposals/{other}/resolve", {"lock": f"c{urgent.id}:v{v1.id}"},
                        token_from="/matching/").status_code == 404


def test_diff_new_kept_moved_and_ended_with_reasons():
    after = {"pairs": [{"child": "c1", "volunteer": "v1"}, {"child": "c2", "volunteer": "v3"},
                       {"child": "c3", "volunteer": "v2"}, {"child": "c5", "volunteer": "v4"}],
             "unmatched": {"村": [{"child": "c4", "reason": "all_at_capacity"}]},
             "steering": {"pinned": [["c2", "v3"]], "excluded": [], "held": {"v9": 1}},
             "names": {"c1": "甲", "v1": "志愿一"}}
    before = {"c1": "v1", "c2": "v2", "c3": "v9", "c4": "v4", "c6": "v6"}
    d = services.diff(before, after)
    assert [r["child"] for r in d["kept"]] == ["c1"] and d["kept"][0]["child_name"] == "甲"
    assert [(r["child"], r["old_volunteer"], r["volunteer"], r["reason"]) for r in d["moved"]] == [
        ("c2", "v2", "v3", "pinned"), ("c3", "v9", "v2", "held")]
    assert [(r["child"], r["reason"]) for r in d["ended"]] == [("c4", "all_at_capacity"), ("c6", "not_in_round")]
    assert [r["child"] for r in d["new"]] == ["c5"]


def test_a_teacher_is_proposed_only_for_pupils_of_their_school(browser, world):
    """The web problem gives a school staff volunteer (a teacher of a school) the school, and
    each child its school: the teacher takes the school's pupil, not the nearer other child."""
    a = world.a
    other_school = factories.organisation("另一小学", "school", a.township)
    outsider = factories.child(a.village, name="外校生", school=other_school)
    teacher = factories.volunteer(a.village, a.school, name="王老师", kind="teacher", capacity=2, max_km=10)
    world.a.volunteer.capacity = world.a.volunteer.active_pairs  # no other free place in region A
    db.session.commit()
    browser.login("coord_a")
    result = db.session.get(MatchProposal, _solve(browser, world)).result
    assert result["pairs"] and all(p["volunteer"] == f"v{teacher.id}" for p in result["pairs"])
    assert {p["child"] for p in result["pairs"]} == {f"c{a.pupil.id}"}
    left = {u["child"]: u["reason"] for rows in result["unmatched"].values() for u in rows}
    assert left[f"c{outsider.id}"] == "school"
    html = browser.get(f"/matching/proposals/{db.session.scalar(sa.select(sa.func.max(MatchProposal.id)))}")
    assert "教师只与本校学生结对" in html.get_data(as_text=True)
