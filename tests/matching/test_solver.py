"""Solver: optimum, hard constraints, reasons, churn, locks, forbids, brute-force cross-check."""

import json
import random
from pathlib import Path

import pytest

from app.matching import MatchingError, Problem, check_pair, explain, solve

from .util import brute_force_objective, child, problem, vol

SHARED = Path(__file__).resolve().parents[1] / "data"  # copies of the shared matching samples


def run(d, **kw):
    p = Problem.from_dict(d)
    r = solve(p, **kw)
    assert r.optimal
    return p, r


def pairs_of(r):
    return {(x.child, x.volunteer) for x in r.pairs}


def reasons_of(r):
    return {u.child: u.reason for u in r.unmatched}


def test_sample_optimum():
    p = Problem.from_json((SHARED / "sample-problem.json").read_bytes())
    want = json.loads((SHARED / "sample-problem.optimum.json").read_text())
    for method in ("full", "county", "pruned", "auto"):
        r = solve(p, method=method)
        assert r.optimal
        assert r.objective == want["objective"] == 12851103
        assert len(r.pairs) == want["matched"] == 30


# ---- hard constraints ---------------------------------------------------------------------

def test_distance_limit():
    d = problem([child("in", north=4.99), child("out", north=5.01)],
                [vol("v", capacity=2, max_km=5.0)])
    _, r = run(d)
    assert pairs_of(r) == {("in", "v")}
    assert reasons_of(r) == {"out": "no_volunteer_in_range"}


def test_county_and_cross_county():
    d = problem([child("a", county="A"), child("b", county="B")],
                [vol("va", county="A", capacity=2)])
    _, r = run(d)
    assert pairs_of(r) == {("a", "va")} and reasons_of(r) == {"b": "no_volunteer_in_range"}
    d["volunteers"][0]["cross_county"] = True
    _, r = run(d)
    assert pairs_of(r) == {("a", "va"), ("b", "va")}


@pytest.mark.parametrize("age, girl_age, rule, paired", [
    (9, 10, True, True), (10, 10, True, False), (11, 10, True, False),
    (11, 12, True, True), (12, 12, True, False), (15, 10, False, True)])
def test_safeguarding(age, girl_age, rule, paired):
    d = problem([child("g", female=True, age=age)], [vol("m", female=False)],
                gender_rule=rule, girl_age=girl_age)
    _, r = run(d)
    assert (("g", "m") in pairs_of(r)) == paired
    if not paired:
        assert reasons_of(r) == {"g": "safeguarding"}
    d["volunteers"][0]["female"] = True
    _, r = run(d)
    assert pairs_of(r) == {("g", "m")}


@pytest.mark.parametrize("cat, skill", [
    ("no_guardian", "guardianship"), ("one_parent_incapable", "guardianship"),
    ("disabled", "disability_care"), ("ill", "health"), ("dropout", "dropout_return")])
def test_required_skill(cat, skill):
    d = problem([child("c", categories=[cat])], [vol("v", skills=["psych"])])
    p, r = run(d)
    assert not r.pairs
    assert reasons_of(r) == {"c": "no_volunteer_with_skill"}
    assert explain(p, r)["unmatched"][0]["detail"]["missing_skills"] == [skill]
    assert [v.code for v in check_pair(p, "c", "v")] == ["skill"]
    d["volunteers"][0]["skills"].append(skill)
    _, r = run(d)
    assert pairs_of(r) == {("c", "v")}


def test_no_hukou_needs_no_skill_but_counts_need():
    d = problem([child("c", categories=["no_hukou"], needs=["legal_hukou"])], [vol("v")])
    _, r = run(d)
    assert len(r.pairs) == 1 and r.pairs[0].cost == 1 + 3000


def test_capacity_including_zero():
    kids = [child(f"c{i}", north=i * 0.1) for i in range(4)]
    d = problem(kids, [vol("v0", capacity=0), vol("v2", capacity=2, north=0.05)])
    p, r = run(d)
    assert len(r.pairs) == 2 and all(x.volunteer == "v2" for x in r.pairs)
    assert set(reasons_of(r).values()) == {"all_at_capacity"}
    assert [v.code for v in check_pair(p, "c0", "v0")] == ["capacity"]
    assert [v.code for v in check_pair(p, "c0", "v2", current_load=2)] == ["capacity_full"]
    d2 = problem([child("c")], [vol("v0", capacity=0)])
    _, r = run(d2)
    assert reasons_of(r) == {"c": "no_volunteer_in_range"}


def test_check_pair_messages():
    d = problem([child("g", female=True, age=12, county="A", categories=["ill"])],
                [vol("m", female=False, county="B", max_km=8, north=12.3, capacity=1)])
    p = Problem.from_dict(d)
    v = check_pair(p, "g", "m")
    assert [x.code for x in v] == ["distance", "county", "safeguarding", "skill"]
    assert v[0].message == "超出志愿者服务距离 (12.3 公里 > 8 公里)"
    assert "健康照护" in v[3].message
    assert check_pair(Problem.from_dict(problem([child("c")], [vol("v")])), "c", "v") == []


# ---- objective, reasons, ties, empties -----------------------------------------------------

def test_priority_most_urgent_first_and_reason():
    d = problem([child("n", north=0.1), child("u", north=3, categories=["no_guardian"])],
                [vol("v", skills=["guardianship"])])
    p, r = run(d)
    assert pairs_of(r) == {("u", "v")}
    assert reasons_of(r) == {"n": "all_at_capacity"}
    e = explain(p, r)
    lst = e["unmatched"][0]["detail"]["volunteers"]
    assert lst[0]["volunteer"] == "v" and lst[0]["serving"][0] == {
        "child": "u", "tier": "urgent", "cost": r.pairs[0].cost}


def test_ties():
    d = problem([child("a"), child("b")], [vol("v", north=1)])
    _, r = run(d)
    assert len(r.pairs) == 1 and len(r.unmatched) == 1
    assert r.objective == r.pairs[0].cost + 100000


def test_empty_inputs():
    _, r = run(problem([], [vol("v")]))
    assert r.pairs == [] and r.unmatched == [] and r.objective == 0
    _, r = run(problem([child("a"), child("b", categories=["ill"])], []))
    assert r.objective == 1_100_000
    assert set(reasons_of(r).values()) == {"no_volunteer_in_range"}
    _, r = run({"children": [], "volunteers": []})
    assert r.to_dict() == {"pairs": [], "unmatched": [], "objective": 0, "optimal": True,
                           "seconds": r.to_dict()["seconds"]}


def test_cost_components():
    d = problem([child("c", female=True, age=4, needs=["psych", "tutor_primary"])],
                [vol("v", north=1.0, skills=["psych"], prefer_gender="male",
                     prefer_age_band="6-13")])
    _, r = run(d)
    assert r.pairs[0].cost == 1 + 1000 + 3000 + 2 * 2000


@pytest.mark.parametrize("age, band, unmet", [
    (16, "14-16", 0), (17, "14-16", 1), (17, "17+", 0), (18, "17+", 0), (16, "17+", 1)])
def test_seventeen_year_olds_have_an_age_band(age, band, unmet):
    # children in difficulty stay to 18: a 17-year-old is not in the 14-16 band but in 17+
    d = problem([child("c", age=age)], [vol("v", north=1.0, prefer_age_band=band)])
    p, r = run(d)
    assert r.pairs[0].cost == 1 + 1000 + unmet * 2000
    assert p.child(0).age_band == ("17+" if age >= 17 else "14-16")


# ---- churn ------------------------------------------------------------------------------------

def test_churn_keeps_existing_pair():
    # v_near would save 2 km but the existing pair with v_far is kept
    d = problem([child("c")], [vol("v_far", north=3), vol("v_near", north=1)],
                existing=[("c", "v_far")])
    _, r = run(d)
    assert pairs_of(r) == {("c", "v_far")} and r.pairs[0].kept
    d["params"] = {"churn_cost": 0}
    _, r = run(d)
    assert pairs_of(r) == {("c", "v_near")}


def test_churn_broken_when_objective_requires():
    d = problem([child("n"), child("u", categories=["no_guardian"])],
                [vol("v", skills=["guardianship"])], existing=[("n", "v")])
    _, r = run(d)
    assert pairs_of(r) == {("u", "v")}
    assert r.objective == r.pairs[0].cost + 100000 + 50000


def test_infeasible_existing_pair_costs_no_churn():
    d = problem([child("c", north=20)], [vol("v", max_km=5)], existing=[("c", "v")])
    _, r = run(d)
    assert r.objective == 100000


# ---- locks and forbids ---------------------------------------------------------------------

def test_locked_pair_forced():
    d = problem([child("a"), child("b", north=0.2)], [vol("v1"), vol("v2", north=5)])
    _, free = run(d)
    p, r = run(d, locked=[("a", "v2")])
    assert ("a", "v2") in pairs_of(r) and r.objective >= free.objective
    assert any(x.locked for x in r.pairs)
    with pytest.raises(MatchingError, match="not feasible: distance"):
        solve(p, locked=[("a", "v1"), ("b", "v2")]) if False else solve(
            Problem.from_dict(problem([child("a", north=30)], [vol("v1")])), locked=[("a", "v1")])
    with pytest.raises(MatchingError, match="capacity"):
        solve(p, locked=[("a", "v1"), ("b", "v1")])
    with pytest.raises(MatchingError, match="more than once"):
        solve(p, locked=[("a", "v1"), ("a", "v2")])
    with pytest.raises(MatchingError, match="unknown child"):
        solve(p, locked=[("zz", "v1")])


def test_forbidden_pair():
    d = problem([child("a")], [vol("v1"), vol("v2", north=4)], existing=[("a", "v1")])
    p, r = run(d, forbidden=[("a", "v1")])
    assert pairs_of(r) == {("a", "v2")}
    assert r.objective == r.pairs[0].cost  # a forbidden existing pair is not churn
    p, r = run(problem([child("a")], [vol("v1")]), forbidden=[("a", "v1")])
    assert reasons_of(r) == {"a": "forbidden"}
    with pytest.raises(MatchingError, match="forbidden"):
        solve(p, locked=[("a", "v1")], forbidden=[("a", "v1")])


# ---- independent exact cross-check -----------------------------------------------------------

def random_instance(rng, n_children, n_vols):
    cats = ["no_guardian", "one_parent_incapable", "dropout", "no_hukou", "ill", "disabled"]
    skills = ["tutor_primary", "tutor_secondary", "psych", "disability_care", "health",
              "legal_hukou", "guardianship", "dropout_return"]
    kids = []
    for i in range(n_children):
        kids.append(child(f"c{i}", north=rng.uniform(-6, 6), east=rng.uniform(-6, 6),
                          county=rng.choice(["A", "B"]), female=rng.random() < 0.5,
                          age=rng.randint(0, 18),
                          categories=rng.sample(cats, rng.choice([0, 0, 1, 1, 2])),
                          needs=rng.sample(skills, rng.randint(0, 3))))
    vols = []
    for j in range(n_vols):
        vols.append(vol(f"v{j}", north=rng.uniform(-6, 6), east=rng.uniform(-6, 6),
                        county=rng.choice(["A", "B"]), female=rng.random() < 0.6,
                        capacity=rng.choice([0, 1, 1, 2, 3]), max_km=rng.choice([3, 5, 8, 12]),
                        cross_county=rng.random() < 0.3,
                        skills=rng.sample(skills, rng.randint(0, 5)),
                        prefer_gender=rng.choice([None, None, "female", "male"]),
                        prefer_age_band=rng.choice([None, None, "0-5", "6-13", "14-16", "17+"])))
    ex = []
    for c in kids:
        if vols and rng.random() < 0.5:
            ex.append((c["id"], rng.choice(vols)["id"]))
    params = {}
    if rng.random() < 0.3:
        params = {"churn_cost": rng.choice([0, 5000, 50000]), "gender_rule": rng.random() < 0.7,
                  "girl_age": rng.choice([8, 10, 12])}
    return problem(kids, vols, existing=ex, **params)


def test_random_instances_match_brute_force():
    rng = random.Random(20261123)
    for k in range(150):
        d = random_instance(rng, rng.randint(0, 14), rng.randint(0, 7))
        want = brute_force_objective(d)
        p = Problem.from_dict(d)
        for method in ("full", "county", "pruned", "classes"):
            r = solve(p, method=method)
            assert r.optimal, (k, method)
            assert r.objective == want, (k, method, r.objective, want)


@pytest.mark.parametrize("pipeline", [False, True])
def test_county_reached_only_across_its_border(monkeypatch, pipeline):
    """The county method solves each county alone first: a county whose children only a
    cross-county volunteer can reach (and one with no volunteer at all) is an empty part, and the
    cross-county step still finds the optimum — also when the counties are solved in worker
    processes while the graph is being built (forced on for this tiny instance)."""
    from app.matching.engine import tuning

    if pipeline:
        monkeypatch.setattr(tuning, "PIPELINE_MIN_CHILDREN", 0)
        monkeypatch.setattr("os.cpu_count", lambda: 2)
    d = problem([child("a1", 0, 0, county="522601"), child("b1", 0, 3, county="522622"),
                 child("b2", 0, 4, county="522622"), child("c1", 50, 50, county="522623")],
                [vol("va", 0, 1, county="522601", capacity=2, cross_county=True)])
    p = Problem.from_dict(d)
    want = brute_force_objective(d)
    for method in ("county", "auto"):
        r = solve(p, method=method)
        assert r.stats["method"] == "county"
        assert r.stats["county_pipeline"] is pipeline
        assert r.optimal and r.objective == want
        assert {(x.child, x.volunteer) for x in r.pairs} == {("a1", "va"), ("b1", "va")}
