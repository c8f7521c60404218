"""Parsing, strict validation and derived rules of the exchange format."""

import json

import pytest

from app.matching import Child, Params, Problem, ProblemError, Volunteer
from app.matching.engine.rules import age_band_of, required_skills_of, tier_of

from .util import child, problem, vol


def ok_problem():
    return problem([child("c1", categories=["no_guardian"], needs=["psych"]), child("c2")],
                   [vol("v1", skills=["guardianship"]), vol("v2")], existing=[("c1", "v1")])


def test_parses_and_round_trips():
    d = ok_problem()
    p = Problem.from_dict(d)
    assert p.n_children == 2 and p.n_volunteers == 2
    assert p.ex_child.tolist() == [0] and p.ex_vol.tolist() == [0]
    again = Problem.from_dict(json.loads(json.dumps(p.to_dict())))
    assert again.to_dict() == p.to_dict()
    assert p.params == Params()


def test_params_partial_defaults():
    d = ok_problem()
    d["params"] = {"girl_age": 12, "unmatched_cost": {"key": 5}}
    p = Problem.from_dict(d)
    assert p.params.girl_age == 12 and p.params.gender_rule is True
    assert p.params.unmatched_cost == {"normal": 100000, "key": 5, "urgent": 10000000}


def test_derived_rules():
    assert tier_of(["one_parent_incapable", "ill"]) == "urgent"
    assert tier_of(["no_hukou"]) == "key"
    assert tier_of([]) == "normal"
    assert sorted(required_skills_of(["no_guardian", "disabled", "ill", "dropout"])) == sorted(
        ["guardianship", "disability_care", "health", "dropout_return"])
    assert required_skills_of(["no_hukou"]) == []
    assert [age_band_of(a) for a in (0, 5, 6, 13, 14, 16, 17, 18)] == [
        "0-5", "0-5", "6-13", "6-13", "14-16", "14-16", "17+", "17+"]
    p = Problem.from_dict(ok_problem())
    assert p.c_tier.tolist() == [2, 0]


def test_from_objects_same_validation():
    p = Problem.from_objects(
        [Child("a", 27.0, 107.0, "x", True, 11, categories={"ill"}, needs=("health",))],
        [Volunteer("b", 27.0, 107.01, "x", True, 2, 5.0, skills=["health"])],
        existing_pairs=[("a", "b")], params=Params(churn_cost=7))
    assert p.params.churn_cost == 7 and p.child(0).tier == "key"
    with pytest.raises(ProblemError, match=r'children\[0\] \(id "a"\): unknown category "sick"'):
        Problem.from_objects([Child("a", 27.0, 107.0, "x", True, 11, categories=["sick"])], [])


def mutate(fn):
    d = ok_problem()
    fn(d)
    return d


@pytest.mark.parametrize("fn, message", [
    (lambda d: d["children"][1]["categories"].append("foo"),
     r'children\[1\] \(id "c2"\): unknown category "foo"'),
    (lambda d: d["children"][0].pop("age"), r'children\[0\] \(id "c1"\): missing field "age"'),
    (lambda d: d["children"][0].update(extra=1), r'children\[0\] \(id "c1"\): unknown field "extra"'),
    (lambda d: d["children"][0].update(age="ten"), r'children\[0\] \(id "c1"\): field "age" must be an integer'),
    (lambda d: d["children"][0].update(female=1), r'field "female" must be true or false'),
    (lambda d: d["children"][0].update(lat=91), r'children\[0\] \(id "c1"\): field "lat" = 91 is out of range'),
    (lambda d: d["children"][0].update(lon=-181.5), r'field "lon" = -181.5 is out of range'),
    (lambda d: d["children"][0].update(needs=["psych", "psych"]), r'duplicate need "psych"'),
    (lambda d: d["children"][1].update(id="c1"), r'children\[1\] \(id "c1"\): duplicate id \(also children\[0\]\)'),
    (lambda d: d["volunteers"][1].update(capacity=-1), r'volunteers\[1\] \(id "v2"\): negative capacity -1'),
    (lambda d: d["volunteers"][1].update(skills=["cooking"]), r'volunteers\[1\] \(id "v2"\): unknown skill "cooking"'),
    (lambda d: d["volunteers"][0].update(prefer_gender="girl"), r'field "prefer_gender" must be'),
    (lambda d: d["volunteers"][0].update(prefer_age_band="5-9"), r'field "prefer_age_band" must be'),
    (lambda d: d["volunteers"][0].update(max_km="far"), r'field "max_km" must be a number'),
    (lambda d: d["volunteers"][0].pop("cross_county"), r'missing field "cross_county"'),
    (lambda d: d["volunteers"][1].update(id="v1"), r'duplicate id'),
    (lambda d: d["existing_pairs"].append({"child": "c9", "volunteer": "v1"}),
     r'existing_pairs\[1\]: unknown child id "c9"'),
    (lambda d: d["existing_pairs"].append({"child": "c1", "volunteer": "v9"}),
     r'existing_pairs\[1\]: unknown volunteer id "v9"'),
    (lambda d: d["existing_pairs"].append({"child": "c1", "volunteer": "v1"}), r'duplicate pair'),
    (lambda d: d["existing_pairs"].append({"child": "c1"}), r'missing field "volunteer"'),
    (lambda d: d.update(foo=1), r'problem: unknown field "foo"'),
    (lambda d: d.pop("volunteers"), r'problem: missing field "volunteers"'),
    (lambda d: d.update(params={"girl_age": 10, "speed": 3}), r'params: unknown field "speed"'),
    (lambda d: d.update(params={"unmatched_cost": {"vip": 1}}), r'params.unmatched_cost: unknown field "vip"'),
    (lambda d: d.update(params={"churn_cost": -5}), r'field "churn_cost" = -5 is out of range'),
    (lambda d: d.update(children={}), r'children: must be an array'),
    (lambda d: d["children"].append(7), r'children\[2\]: must be an object'),
])
def test_rejects_malformed(fn, message):
    with pytest.raises(ProblemError, match=message):
        Problem.from_dict(mutate(fn))


def test_bad_json():
    with pytest.raises(ProblemError, match="invalid JSON"):
        Problem.from_json('{"children": [}')


def test_separate_id_namespaces_and_empty():
    p = Problem.from_dict(problem([child("1")], [vol("1")]))
    assert p.child_ids == ["1"] and p.volunteer_ids == ["1"]
    e = Problem.from_dict({"children": [], "volunteers": []})
    assert e.n_children == 0 and e.n_volunteers == 0
