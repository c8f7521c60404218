"""Explanations: a pair's cost terms, the nearer volunteer busy with a child that needs it more,
and what would place a child left out."""

from app.matching import Problem, solve
from app.matching.engine.why import cost_terms, nearer_volunteers, what_would_help

from .util import child, problem, vol


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
    assert why["a"] == {"volunteer": "v", "cost": why["a"]["cost"], "load": 1, "places": 1,
                        "child": "b", "tier": "urgent", "why": "more_urgent"}
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
