"""Explanations: a pair's cost terms, the nearer volunteer busy with a child that needs it more,
and what would place a child left out."""

import random

from app.matching import Problem, solve
from app.matching.engine.why import cost_terms, nearer_volunteers, what_would_help

from .test_solver import random_instance
from .util import DEFAULT_U, brute_force_objective, child, cost, feasible, problem, tier, vol


def _run(d):
    p = Problem.from_dict(d)
    r = solve(p)
    return p, r


def test_the_nearer_volunteer_serves_a_more_urgent_child():
    # v is nearest for both; b is urgent (needs guardianship, which only v has)
    d = problem([child("a", 0, 1), child("b", 0, 2, categories=["no_guardian"])],
                [vol("v", 0, 0, capacity=1, skills=["guardianship"]), vol("w", 0, 5, capacity=1)])
    p, r = _run(d)
    assert {(x.child, x.volunteer) for x in r.pairs} == {("a", "w"), ("b", "v")}
    why = nearer_volunteers(p, r.graph, r)
    # giving v to a would leave b (urgent) without: 10,000,000 - 2,001 for b, a saves 3,000
    assert why["a"] == {"volunteer": "v", "cost": why["a"]["cost"], "load": 1, "places": 1,
                        "child": "b", "tier": "urgent", "why": "more_urgent", "move": "left_out",
                        "extra_cost": 9_994_999, "at_least": 9_994_999}
    assert "b" not in why  # b has the cheapest volunteer it can have


def test_the_nearer_volunteer_serves_a_child_with_fewer_options():
    # a could also take w; b reaches only v (w's range is short)
    d = problem([child("a", 0, 1), child("b", 0, -2)],
                [vol("v", 0, 0, capacity=1), vol("w", 0, 3, capacity=1, max_km=2.5)])
    p, r = _run(d)
    assert {(x.child, x.volunteer) for x in r.pairs} == {("a", "w"), ("b", "v")}
    assert nearer_volunteers(p, r.graph, r)["a"]["why"] == "fewer_options"


def test_an_excluded_nearer_volunteer_is_not_offered_as_the_reason():
    d = problem([child("a", 0, 1)], [vol("v", 0, 0), vol("w", 0, 3)])
    d["excluded"] = [{"child": "a", "volunteer": "v"}]
    p, r = _run(d)
    assert [(x.child, x.volunteer) for x in r.pairs] == [("a", "w")]
    assert nearer_volunteers(p, r.graph, r, {(0, 0)}) == {}


def test_cost_terms_add_up_to_the_pair_cost():
    d = problem([child("a", 0, 1, needs=["psych", "tutor_primary"])],
                [vol("v", 0, 0, skills=["psych"], prefer_gender="female")])
    p, r = _run(d)
    pair = r.pairs[0]
    from app.matching.engine.graph import pair_distance_km
    t = cost_terms(p, 0, 0, float(pair_distance_km(p, [0], [0])[0]))
    assert t["missing_needs"] == ["tutor_primary"] and t["preferences_unmet"] == 1
    assert t["distance"] + t["missing_needs_cost"] + t["preferences_cost"] == pair.cost


def test_what_would_place_a_child_left_out():
    d = problem([child("near", 0, 1), child("far", 0, 2),
                 child("skill", 0, 1, county="X", categories=["ill"]),
                 child("girl", 0, 1, county="Y", female=True, age=12),
                 child("alone", 0, 40, county="Z")],
                [vol("v", 0, 0, capacity=1),
                 vol("x", 0, 0, county="X", skills=["psych"]),
                 vol("y", 0, 0, county="Y", female=False),
                 vol("z", 0, 30, county="Z", max_km=5)])
    p, r = _run(d)
    help_ = what_would_help(p, r.graph, r)
    assert help_["far"] == {"change": "one_more_place", "volunteer": "v", "load": 1, "places": 1}
    assert help_["skill"]["change"] == "volunteer_with_skill" and help_["skill"]["skills"] == ["health"]
    assert help_["girl"]["change"] == "female_volunteer" and help_["girl"]["km"] == 1.0
    assert help_["alone"] == {"change": "volunteer_within_km", "km": 10.0, "volunteer": "z", "max_km": 5.0}


def objective(d, assign: dict) -> int:
    """The objective of an assignment (child id -> volunteer id), independently of the solver."""
    prm = d.get("params", {})
    U = {**DEFAULT_U, **prm.get("unmatched_cost", {})}
    kids = {c["id"]: c for c in d["children"]}
    vols = {v["id"]: v for v in d["volunteers"]}
    total = sum(cost(d, kids[c], vols[v]) if v else U[tier(kids[c])] for c, v in assign.items())
    for e in d.get("existing_pairs", []):
        c, v = kids[e["child"]], vols[e["volunteer"]]
        if feasible(d, c, v) and assign.get(c["id"]) != v["id"]:
            total += prm.get("churn_cost", 50000)
    return total


def test_the_displaced_child_and_its_cost_against_brute_force():
    """For every pair with a nearer volunteer: the exchange named (the nearer volunteer's child
    takes this child's place, or goes without) costs exactly ``extra_cost`` more than the
    optimum, and the duals' ``at_least`` is a lower bound of the best assignment that gives the
    nearer volunteer to this child (brute force with that pair pinned), which is itself at most
    the exchange's cost."""
    rng = random.Random(20261207)
    checked = {"swap": 0, "left_out": 0}
    for k in range(400):
        d = random_instance(rng, rng.randint(4, 12), rng.randint(2, 6))
        p, r = _run(d)
        assign = {c["id"]: None for c in d["children"]} | {x.child: x.volunteer for x in r.pairs}
        assert objective(d, assign) == r.objective
        for i, n in nearer_volunteers(p, r.graph, r).items():
            if "move" not in n:
                continue
            changed = {**assign, i: n["volunteer"], n["child"]: n.get("to")}
            assert objective(d, changed) == r.objective + n["extra_cost"], (k, i, n)
            pinned = {**d, "pinned": [{"child": i, "volunteer": n["volunteer"]}]}
            best = brute_force_objective(pinned) - r.objective
            assert 0 <= n["at_least"] <= best <= n["extra_cost"], (k, i, n, best)
            checked[n["move"]] += 1
    assert min(checked.values()) >= 8, checked
