"""The coordinator's steering in the exchange format: pinned pairs (must be in the result),
excluded pairs (never) and a volunteer's held places (not offered). Checked against the
brute-force optimum on small random instances and by the independent checker; files without
them solve exactly as before."""

import json
import random

import pytest

from app.matching import MatchingError, Problem, ProblemError, solve
from app.matching.__main__ import check, main

from .test_solver import random_instance
from .util import brute_force_objective, child, feasible, problem, vol


def steer(rng, d):
    """Random steering: a few excluded pairs, a few feasible pins (distinct children, within
    places), some held places."""
    kids, vols = d["children"], d["volunteers"]
    for v in vols:
        if rng.random() < 0.25:
            v["held"] = rng.randint(0, 2)
    pairs = [(c, v) for c in kids for v in vols]
    rng.shuffle(pairs)
    excluded = {(c["id"], v["id"]) for c, v in pairs[:rng.randint(0, 4)]}
    pinned, pinned_kids, load = [], set(), {}
    for c, v in pairs[4:]:
        if len(pinned) >= rng.randint(0, 3):
            break
        key = (c["id"], v["id"])
        free = v["capacity"] - v.get("held", 0) - load.get(v["id"], 0)
        if key in excluded or c["id"] in pinned_kids or free <= 0 or not feasible(d, c, v):
            continue
        pinned.append(key)
        pinned_kids.add(c["id"])
        load[v["id"]] = load.get(v["id"], 0) + 1
    if excluded:
        d["excluded"] = [{"child": c, "volunteer": v} for c, v in sorted(excluded)]
    if pinned:
        d["pinned"] = [{"child": c, "volunteer": v} for c, v in pinned]
    return d


def test_random_steered_instances_match_brute_force_and_the_checker():
    rng = random.Random(20261204)
    steered = 0
    for k in range(150):
        d = steer(rng, random_instance(rng, rng.randint(0, 12), rng.randint(0, 6)))
        steered += bool(d.get("pinned") or d.get("excluded"))
        want = brute_force_objective(d)
        p = Problem.from_dict(json.loads(json.dumps(d)))
        for method in ("full", "county", "pruned", "classes"):
            r = solve(p, method=method)
            assert r.optimal, (k, method)
            assert r.objective == want, (k, method, r.objective, want)
            got = {(x.child, x.volunteer) for x in r.pairs}
            assert {(x["child"], x["volunteer"]) for x in d.get("pinned", [])} <= got
            assert not {(x["child"], x["volunteer"]) for x in d.get("excluded", [])} & got
            assert check(d, r.to_dict()) == [], (k, method)
    assert steered > 100


def test_held_places_are_not_offered_and_the_rest_are():
    d = problem([child("a", 0, 1), child("b", 0, 2), child("c", 0, 3)],
                [vol("v", 0, 0, capacity=3, max_km=10)])
    d["volunteers"][0]["held"] = 2
    r = solve(Problem.from_dict(d))
    assert [(x.child, x.volunteer) for x in r.pairs] == [("a", "v")]
    assert {u.reason for u in r.unmatched} == {"all_at_capacity"}
    assert check(d, r.to_dict()) == []
    # every place held: the volunteer takes nobody (as with capacity 0)
    d["volunteers"][0]["held"] = 3
    r = solve(Problem.from_dict(d))
    assert not r.pairs and {u.reason for u in r.unmatched} == {"no_volunteer_in_range"}
    assert check(d, r.to_dict()) == []


def test_a_pin_displaces_the_cheaper_choice_and_an_exclusion_is_explained():
    d = problem([child("a", 0, 1), child("b", 0, 2)], [vol("v", 0, 0, capacity=1)])
    assert [x.child for x in solve(Problem.from_dict(d)).pairs] == ["a"]
    d["pinned"] = [{"child": "b", "volunteer": "v"}]
    r = solve(Problem.from_dict(d))
    assert [(x.child, x.volunteer, x.locked) for x in r.pairs] == [("b", "v", True)]
    assert check(d, r.to_dict()) == []
    d.pop("pinned")
    d["excluded"] = [{"child": "a", "volunteer": "v"}, {"child": "b", "volunteer": "v"}]
    r = solve(Problem.from_dict(d))
    assert not r.pairs and {u.reason for u in r.unmatched} == {"forbidden"}
    assert check(d, r.to_dict()) == []
    # the checker notices a result that ignores the steering
    bad = {"pairs": [{"child": "a", "volunteer": "v", "cost": r.objective}], "unmatched": [],
           "objective": 0, "optimal": True, "seconds": 0.0}
    assert any("excluded pair (a, v)" in e for e in check(d, bad))


def test_an_excluded_existing_pair_costs_no_churn():
    d = problem([child("a", 0, 1)], [vol("v", 0, 0), vol("w", 0, 2)], existing=[("a", "v")])
    d["excluded"] = [{"child": "a", "volunteer": "v"}]
    r = solve(Problem.from_dict(d))
    assert [(x.child, x.volunteer) for x in r.pairs] == [("a", "w")]
    assert r.objective == brute_force_objective(d) == r.pairs[0].cost
    assert check(d, r.to_dict()) == []


@pytest.mark.parametrize("change, message", [
    (lambda d: d.update(pinned=[{"child": "x", "volunteer": "v"}]), 'pinned[0]: unknown child id "x"'),
    (lambda d: d.update(excluded=[{"child": "a", "volunteer": "w"}]), 'excluded[0]: unknown volunteer id "w"'),
    (lambda d: d.update(pinned=[{"child": "a", "volunteer": "v"}],
                        excluded=[{"child": "a", "volunteer": "v"}]), "is also pinned[0]"),
    (lambda d: d.update(pinned={"child": "a"}), "pinned: must be an array"),
    (lambda d: d["volunteers"][0].update(held=-1), 'field "held" = -1 is out of range'),
    (lambda d: d["volunteers"][0].update(hold=1), 'unknown field "hold"'),
])
def test_malformed_steering_is_rejected_naming_the_record(change, message):
    d = problem([child("a")], [vol("v")])
    change(d)
    with pytest.raises(ProblemError, match=message.replace("[", r"\[").replace("]", r"\]")):
        Problem.from_dict(d)


def test_an_infeasible_pin_fails_the_command_with_a_message(tmp_path, capsys):
    d = problem([child("a", 0, 20)], [vol("v", 0, 0, max_km=5)])
    d["pinned"] = [{"child": "a", "volunteer": "v"}]
    with pytest.raises(MatchingError, match="distance"):
        solve(Problem.from_dict(d))
    path = tmp_path / "p.json"
    path.write_text(json.dumps(d))
    assert main(["solve", str(path), "-o", str(tmp_path / "r.json")]) == 2
    assert "not feasible: distance" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


def test_files_without_steering_round_trip_unchanged():
    rng = random.Random(7)
    d = random_instance(rng, 10, 5)
    p = Problem.from_dict(d)
    assert p.to_dict()["volunteers"][0].keys() == d["volunteers"][0].keys()
    assert "pinned" not in p.to_dict() and "excluded" not in p.to_dict()
    steered = steer(random.Random(3), d)
    assert Problem.from_dict(steered).to_dict()["excluded"] == steered.get("excluded")


def test_a_pin_that_fills_a_volunteer_leaves_an_existing_pair_certified():
    """Regression: a child whose existing pair's volunteer is filled by a pin is left out; the
    churn-discounted arc into that full volunteer has a negative cost, so its least price is
    above every unmatched cost — the certificate must still hold (it used to give up)."""
    d = problem([child("a", 0, 1), child("b", 0, 2, categories=["disabled"])],
                [vol("v", 0, 0, capacity=1, skills=["disability_care"])], existing=[("a", "v")])
    d["pinned"] = [{"child": "b", "volunteer": "v"}]
    for method in ("full", "county", "pruned", "classes"):
        r = solve(Problem.from_dict(d), method=method)
        assert r.optimal and r.objective == brute_force_objective(d)
        assert check(d, r.to_dict()) == []
