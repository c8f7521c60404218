"""Matching in the app: solve a region, look at the proposal, lock/forbid, approve, manual pairs."""
from datetime import date

import sqlalchemy as sa

from app.core.dates import today_cn
from app.extensions import db
from app.matching.models import MatchProposal, Pair
from app.matching.pairs import activate_pair
from app.volunteers.models import Volunteer
from tests import factories


def _setup(world):
    """Two unpaired children and two free volunteers in region A."""
    a = world.a
    today = today_cn()
    urgent = factories.child(a.village, name="急需", guardianship_type="none", birth=date(today.year - 8, 1, 1))
    normal = factories.child(a.village, name="普通", birth=date(today.year - 7, 1, 1))
    v1 = factories.volunteer(a.village, a.federation, name="志愿甲", capacity=1, max_km=10)
    v2 = factories.volunteer(a.village, a.federation, name="志愿乙", capacity=1, max_km=10)
    db.session.commit()
    return urgent, normal, v1, v2


def _solve(browser, world, mode="queue"):
    response = browser.post("/matching/solve", {"region": world.a.county.id, "mode": mode}, token_from="/matching/")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rsplit("/", 1)[-1])


def test_solve_propose_and_approve(browser, world):
    urgent, normal, v1, v2 = _setup(world)
    browser.login("coord_a")
    proposal_id = _solve(browser, world)
    html = browser.get(f"/matching/proposals/{proposal_id}").get_data(as_text=True)
    assert "急需" in html and "普通" in html and "已证明为最优方案" in html
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Pair).where(Pair.child_id == urgent.id)) == 0
    response = browser.post(f"/matching/proposals/{proposal_id}/approve", {}, token_from="/matching/")
    assert response.status_code == 302
    active = db.session.scalars(sa.select(Pair).where(Pair.status == "active", Pair.child_id.in_([urgent.id, normal.id]))).all()
    assert len(active) == 2
    db.session.expire_all()
    assert db.session.get(MatchProposal, proposal_id).status == "approved"
    # the volunteer sees the new child
    vol_user = factories.user("vol_new", "volunteer", world.a.village, world.a.federation)
    paired_vol = db.session.get(Volunteer, active[0].volunteer_id)
    paired_vol.user_id = vol_user.id
    db.session.commit()
    browser.logout()
    browser.login("vol_new")
    assert db.session.get(type(urgent), active[0].child_id).name in browser.get("/children/").get_data(as_text=True)


def test_forbidden_pair_is_left_out_on_resolve(browser, world):
    urgent, normal, v1, v2 = _setup(world)
    browser.login("coord_a")
    proposal_id = _solve(browser, world)
    result = db.session.get(MatchProposal, proposal_id).result
    first = result["pairs"][0]
    response = browser.post(f"/matching/proposals/{proposal_id}/resolve",
                            {"forbid": f"{first['child']}:{first['volunteer']}"}, token_from="/matching/")
    new_id = int(response.headers["Location"].rsplit("/", 1)[-1])
    new = db.session.get(MatchProposal, new_id).result
    assert all((p["child"], p["volunteer"]) != (first["child"], first["volunteer"]) for p in new["pairs"])
    db.session.expire_all()
    assert db.session.get(MatchProposal, proposal_id).status == "discarded"


def test_stale_proposal_is_refused_whole(browser, world):
    urgent, normal, v1, v2 = _setup(world)
    browser.login("coord_a")
    proposal_id = _solve(browser, world)
    result = db.session.get(MatchProposal, proposal_id).result
    # meanwhile another coordinator fills one of the proposed volunteers
    taken = int(result["pairs"][0]["volunteer"][1:])
    other = factories.child(world.a.village, name="插队")
    db.session.commit()
    activate_pair(other.id, taken)
    db.session.commit()
    response = browser.post(f"/matching/proposals/{proposal_id}/approve", {}, token_from="/matching/", follow_redirects=True)
    assert "方案已过期" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Pair).where(
        Pair.child_id.in_([urgent.id, normal.id]))) == 0  # nothing half-applied


def test_manual_pair_checks_hard_constraints(browser, world):
    today = today_cn()
    girl = factories.child(world.a.village, name="女孩", sex="female", birth=date(today.year - 12, 1, 1))
    man = factories.volunteer(world.a.village, world.a.federation, name="男志愿者", sex="male", capacity=2)
    woman = factories.volunteer(world.a.village, world.a.federation, name="女志愿者", sex="female", capacity=2)
    db.session.commit()
    browser.login("coord_a")
    response = browser.post("/matching/manual", {"child": girl.id, "volunteer": man.id}, token_from="/matching/manual")
    assert "不能结对" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Pair).where(Pair.child_id == girl.id)) is None
    response = browser.post("/matching/manual", {"child": girl.id, "volunteer": woman.id}, token_from="/matching/manual")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(Pair).where(Pair.child_id == girl.id, Pair.status == "active")) is not None


def test_close_pair_returns_child_to_queue(browser, world):
    browser.login("coord_a")
    pair = world.a.pair
    response = browser.post(f"/matching/pairs/{pair.id}/close", {"reason": "家长返乡"}, token_from="/matching/")
    assert response.status_code == 302
    db.session.expire_all()
    closed = db.session.get(Pair, pair.id)
    assert closed.status == "closed" and closed.end_reason == "家长返乡"
    assert db.session.get(Volunteer, world.a.volunteer.id).active_pairs == 0


def test_other_regions_proposal_is_404(browser, world):
    browser.login("coord_b")
    assert browser.get(f"/matching/proposals/{world.a.proposal.id}").status_code == 404


def test_summary_counts_the_whole_region(browser, world):
    """In queue mode, children paired today are still counted as covered before and after."""
    urgent, normal, v1, v2 = _setup(world)
    browser.login("coord_a")
    summary = db.session.get(MatchProposal, _solve(browser, world)).result["summary"]
    # region A: child a (paired), pupil a (not), plus the two new ones (urgent + normal)
    assert summary["urgent"] == {"children": 1, "before": 0, "after": 1}
    assert summary["normal"]["children"] == 3 and summary["normal"]["before"] == 1
    assert summary["normal"]["after"] == 3  # three free slots (v1, v2, one left with vol_a) for the rest
