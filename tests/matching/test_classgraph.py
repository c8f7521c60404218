"""A big round solved on its class graph (engine/classgraph.py): one member per class, the
existing pairs as kept arcs of their class. Checked against the brute-force optimum, by the
certificate and by the independent checker (reasons included), on instances whose children
come from a few templates, with existing pairs (several per child, too) and churn."""

import json
import random

import pytest

from app.matching import Problem, solve
from app.matching.__main__ import check, main

from .test_classes import cloned
from .test_cli import generate
from .test_solver import random_instance
from .util import brute_force_objective


generate_b = __import__("generate_b")  # (bench/matching, on the path through test_cli)


def test_random_clustered_instances_match_brute_force():
    rng = random.Random(20261208)
    grouped = 0
    for k in range(200):
        d = random_instance(rng, rng.randint(0, 14), rng.randint(0, 7))
        if k % 3:
            d = cloned(rng, d)
        if d["volunteers"] and d["children"] and rng.random() < 0.2:
            c = rng.choice(d["children"])["id"]  # a child with two existing pairs
            have = {(x["child"], x["volunteer"]) for x in d["existing_pairs"]}
            d["existing_pairs"] += [{"child": c, "volunteer": v["id"]} for v in d["volunteers"][:2]
                                    if (c, v["id"]) not in have]
        want = brute_force_objective(d)
        r = solve(Problem.from_dict(d), method="class-graph")
        assert r.stats["method"] == "class-graph"
        assert r.optimal and r.objective == want, (k, r.objective, want)
        grouped += r.stats["classes"] < len(d["children"])
    assert grouped >= 80


@pytest.mark.parametrize("make", ["a", "b"])
def test_checker_agrees_fresh_and_rematch(make, tmp_path):
    if make == "a":
        d = generate.generate(600, 180, n_counties=2, townships=2, seed=3)
    else:
        d = generate_b.generate(800, 240, 2, 3, seed=3)
    src, out = tmp_path / "p.json", tmp_path / "r.json"
    for rnd in range(2):
        src.write_text(json.dumps(d))
        assert main(["solve", str(src), "-o", str(out), "--method", "class-graph"]) == 0
        r = json.loads(out.read_text())
        assert r["optimal"] is True
        assert check(d, r) == []
        assert r["objective"] == solve(Problem.from_dict(d), method="full").objective
        d = generate.perturb(d, 0.05, 11 + rnd, r["pairs"])


def test_explain_builds_the_graph_it_did_not_keep(tmp_path):
    d = generate_b.generate(400, 120, 1, 2, seed=5)
    src, out, why = tmp_path / "p.json", tmp_path / "r.json", tmp_path / "w.json"
    src.write_text(json.dumps(d))
    assert main(["solve", str(src), "-o", str(out), "--method", "class-graph",
                 "--explain", str(why)]) == 0
    w = json.loads(why.read_text())
    assert len(w["explanation"]["pairs"]) == len(json.loads(out.read_text())["pairs"])


def test_auto_takes_the_class_graph_only_for_a_big_round_of_few_classes(monkeypatch):
    from app.matching.engine import tuning

    monkeypatch.setattr(tuning, "CLASS_GRAPH_MIN_CHILDREN", 100)
    monkeypatch.setattr(tuning, "CLASS_GRAPH_MIN_ARCS", 0)
    b = generate_b.generate(1500, 450, 1, 1, seed=5)  # (half as many classes as children)
    r = solve(Problem.from_dict(b))
    assert r.stats["method"] == "class-graph" and r.optimal and r.graph is None
    assert r.objective == solve(Problem.from_dict(b), method="full").objective
    a = generate.generate(400, 120, n_counties=1, townships=2, seed=5)
    assert solve(Problem.from_dict(a)).stats["method"] != "class-graph"  # every child its own class
    monkeypatch.setattr(tuning, "CLASS_GRAPH_MIN_ARCS", 10**9)
    assert solve(Problem.from_dict(b)).stats["method"] != "class-graph"  # few arcs: per child
