"""The classes method (engine/classes.py): interchangeable children solved as one node. Checked
against the brute-force optimum on random instances whose children come from a few templates
(as a village's children share its point), with existing pairs, exclusions, pins and held
places, and by the certificate."""

import json
import random

import numpy as np

from app.matching import Problem, solve
from app.matching.engine.classes import child_classes

from .test_solver import random_instance
from .test_steering import steer
from .util import brute_force_objective


def cloned(rng, d):
    """Most children copied from a few templates (same point and attributes, new ids)."""
    kids = d["children"]
    if not kids:
        return d
    templates = kids[:max(1, len(kids) // 4)]
    for i, c in enumerate(kids):
        if i >= len(templates) and rng.random() < 0.8:
            kids[i] = {**json.loads(json.dumps(rng.choice(templates))), "id": c["id"]}
    return d


def test_random_clustered_instances_match_brute_force():
    rng = random.Random(20261207)
    grouped = 0
    for k in range(150):
        d = cloned(rng, random_instance(rng, rng.randint(0, 14), rng.randint(0, 6)))
        if rng.random() < 0.5:
            d = steer(rng, d)
        want = brute_force_objective(d)
        p = Problem.from_dict(d)
        r = solve(p, method="classes")
        assert r.optimal and r.objective == want, (k, r.objective, want)
        got = {(x.child, x.volunteer) for x in r.pairs}
        assert {(x["child"], x["volunteer"]) for x in d.get("pinned", [])} <= got
        assert not {(x["child"], x["volunteer"]) for x in d.get("excluded", [])} & got
        classes = [s for s in r.stats.get("solves", []) if s["part"] == "classes"]
        grouped += bool(classes and classes[0]["classes"] < classes[0]["children"])
    assert grouped >= 50  # the instances do merge children


def test_auto_takes_classes_when_children_share_points_and_not_otherwise():
    rng = random.Random(7)
    d = random_instance(rng, 12, 5)
    d["existing_pairs"] = []
    for x in d["children"] + d["volunteers"]:
        x["county"] = "A"  # (one county: several would take the county method)
    assert solve(Problem.from_dict(d)).stats["method"] == "pruned"  # every child its own class
    for c in d["children"][1:]:
        c.update({k: v for k, v in d["children"][0].items() if k != "id"})
    r = solve(Problem.from_dict(d))
    assert r.stats["method"] == "classes" and r.optimal
    assert r.objective == brute_force_objective(d)


def test_existing_pairs_and_forbidden_arcs_make_a_class_of_their_own():
    rng = random.Random(3)
    d = random_instance(rng, 6, 3)
    for c in d["children"][1:]:
        c.update({k: v for k, v in d["children"][0].items() if k != "id"})
    p = Problem.from_dict(d)
    own = np.zeros(p.n_children, dtype=bool)
    cls, n = child_classes(p, np.ones(p.n_children, dtype=bool), own)
    assert n == 1
    own[[2, 4]] = True
    cls, n = child_classes(p, np.ones(p.n_children, dtype=bool), own)
    assert n == 3 and len({cls[2], cls[4], cls[0]}) == 3 and cls[0] == cls[1] == cls[3] == cls[5]
