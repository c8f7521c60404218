"""Teachers as proxy parents: a volunteer with a ``school`` serves only children of that school.
Brute force on small random instances and the independent checker; its own unmatched reason;
files without the field solve exactly as before."""

import json
import random

import pytest

from app.matching import Problem, ProblemError, check_pair, solve
from app.matching.__main__ import check

from .test_solver import random_instance
from .util import brute_force_objective, child, problem, vol


def with_schools(rng, d):
    schools = ["s1", "s2", "s3"]
    for c in d["children"]:
        if rng.random() < 0.6:
            c["school"] = rng.choice(schools)
    for v in d["volunteers"]:
        if rng.random() < 0.4:
            v["school"] = rng.choice(schools)
    return d


def test_random_instances_with_schools_match_brute_force_and_the_checker():
    rng = random.Random(20261205)
    for k in range(150):
        d = with_schools(rng, random_instance(rng, rng.randint(0, 12), rng.randint(0, 6)))
        want = brute_force_objective(d)
        p = Problem.from_dict(json.loads(json.dumps(d)))
        for method in ("full", "county", "pruned", "classes"):
            r = solve(p, method=method)
            assert r.optimal and r.objective == want, (k, method, r.objective, want)
            assert check(d, r.to_dict()) == [], (k, method)
            schools = {c["id"]: c.get("school") for c in d["children"]}
            for x in r.pairs:
                vs = next(v.get("school") for v in d["volunteers"] if v["id"] == x.volunteer)
                assert vs is None or vs == schools[x.child]


def test_a_pupil_of_another_school_gets_its_own_reason():
    d = problem([child("a", 0, 1), child("b", 0, 1)], [vol("t", 0, 0, capacity=2)])
    d["children"][0]["school"] = "s1"
    d["volunteers"][0]["school"] = "s2"
    r = solve(Problem.from_dict(d))
    assert r.pairs == [] and {u.reason for u in r.unmatched} == {"school"}
    assert check(d, r.to_dict()) == []
    d["children"][0]["school"] = "s2"
    r = solve(Problem.from_dict(d))
    assert [(x.child, x.volunteer) for x in r.pairs] == [("a", "t")]
    assert [u.reason for u in r.unmatched] == ["school"]  # b attends no school of this teacher
    assert check(d, r.to_dict()) == []
    assert [v.code for v in check_pair(Problem.from_dict(d), "b", "t")] == ["school"]


def test_files_without_schools_round_trip_unchanged_and_bad_schools_are_rejected():
    d = random_instance(random.Random(5), 8, 4)
    p = Problem.from_dict(d)
    assert [c.keys() for c in p.to_dict()["children"]] == [c.keys() for c in d["children"]]
    assert [v.keys() for v in p.to_dict()["volunteers"]] == [v.keys() for v in d["volunteers"]]
    s = with_schools(random.Random(1), json.loads(json.dumps(d)))
    again = Problem.from_dict(s).to_dict()
    assert [v.get("school") for v in again["volunteers"]] == [v.get("school") for v in s["volunteers"]]
    assert [c.get("school") for c in again["children"]] == [c.get("school") for c in s["children"]]
    d["children"][0]["school"] = ""
    with pytest.raises(ProblemError, match='children\\[0\\] \\(id "c0"\\): field "school" must be a non-empty string'):
        Problem.from_dict(d)
