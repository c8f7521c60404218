"""Command line: round trip, exit status 2 on malformed input, independent checker."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.matching.__main__ import check, main

from .util import child, problem, vol

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "matching"))
import generate  # noqa: E402  (the benchmark's instance generator)


def small():
    return problem([child("c1", categories=["no_guardian"]), child("c2", north=1),
                    child("c3", north=40)],
                   [vol("v1", skills=["guardianship"], capacity=1), vol("v2", north=1.5)],
                   existing=[("c2", "v2")])


def test_round_trip(tmp_path, capsys):
    src, out, exp = tmp_path / "p.json", tmp_path / "r.json", tmp_path / "e.json"
    src.write_text(json.dumps(small()))
    assert main(["solve", str(src), "-o", str(out), "--explain", str(exp)]) == 0
    r = json.loads(out.read_text())
    assert list(r) == ["pairs", "unmatched", "objective", "optimal", "seconds"]
    assert r["optimal"] is True
    assert {(p["child"], p["volunteer"]) for p in r["pairs"]} == {("c1", "v1"), ("c2", "v2")}
    assert r["unmatched"] == [{"child": "c3", "tier": "normal", "reason": "no_volunteer_in_range"}]
    e = json.loads(exp.read_text())
    assert e["explanation"]["pairs"][1]["kept_existing"] is True
    assert main(["check", str(src), str(out)]) == 0
    assert "OK" in capsys.readouterr().out


def test_subprocess_entry_point(tmp_path):
    src, out = tmp_path / "p.json", tmp_path / "r.json"
    src.write_text(json.dumps(small()))
    res = subprocess.run([sys.executable, "-m", "app.matching", "solve", str(src), "-o", str(out)],
                         cwd=ROOT, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    r = json.loads(out.read_text())
    assert r["optimal"] is True and check(small(), r) == []


BAD = {
    "bad_json": ('{"children": [', "invalid JSON"),
    "missing_field": (lambda d: d["children"][0].pop("lat"), 'children[0] (id "c1"): missing field "lat"'),
    "unknown_key": (lambda d: d["volunteers"][1].update(phone="1"), 'volunteers[1] (id "v2"): unknown field "phone"'),
    "wrong_type": (lambda d: d["children"][1].update(age=8.5), 'children[1] (id "c2"): field "age" must be an integer'),
    "unknown_category": (lambda d: d["children"][2].update(categories=["orphan"]), 'children[2] (id "c3"): unknown category "orphan"'),
    "unknown_skill": (lambda d: d["volunteers"][0].update(skills=["magic"]), 'volunteers[0] (id "v1"): unknown skill "magic"'),
    "negative_capacity": (lambda d: d["volunteers"][0].update(capacity=-2), 'volunteers[0] (id "v1"): negative capacity -2'),
    "lat_range": (lambda d: d["volunteers"][1].update(lat=123.0), 'volunteers[1] (id "v2"): field "lat" = 123.0 is out of range'),
    "duplicate_id": (lambda d: d["children"][2].update(id="c1"), 'children[2] (id "c1"): duplicate id'),
    "existing_unknown": (lambda d: d["existing_pairs"].append({"child": "c2", "volunteer": "vX"}), 'existing_pairs[1]: unknown volunteer id "vX"'),
    "unknown_param": (lambda d: d.update(params={"alpha": 1}), 'params: unknown field "alpha"'),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_malformed_exit_2_names_record(name, tmp_path, capsys):
    how, message = BAD[name]
    src, out = tmp_path / "p.json", tmp_path / "r.json"
    if isinstance(how, str):
        src.write_text(how)
    else:
        d = small()
        how(d)
        src.write_text(json.dumps(d))
    assert main(["solve", str(src), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [src]


def test_missing_file_exit_2(tmp_path, capsys):
    assert main(["solve", str(tmp_path / "nope.json"), "-o", str(tmp_path / "r.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_checker_catches_tampering(tmp_path):
    d = small()
    src, out = tmp_path / "p.json", tmp_path / "r.json"
    src.write_text(json.dumps(d))
    main(["solve", str(src), "-o", str(out)])
    r = json.loads(out.read_text())
    assert check(d, r) == []
    bad = json.loads(json.dumps(r))
    bad["objective"] += 1
    assert any("objective" in e for e in check(d, bad))
    bad = json.loads(json.dumps(r))
    bad["pairs"][0]["cost"] -= 1
    assert any("cost" in e for e in check(d, bad))
    bad = json.loads(json.dumps(r))
    bad["pairs"].append({"child": "c3", "volunteer": "v2", "cost": 1})
    bad["unmatched"] = []
    assert any("violates distance" in e for e in check(d, bad))
    bad = json.loads(json.dumps(r))
    bad["unmatched"][0]["reason"] = "safeguarding"
    assert any("reason" in e for e in check(d, bad))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_checker_agrees_on_generated(seed, tmp_path):
    d = generate.generate(600, 180, n_counties=2, townships=2, seed=seed)
    src, out = tmp_path / "p.json", tmp_path / "r.json"
    src.write_text(json.dumps(d))
    assert main(["solve", str(src), "-o", str(out)]) == 0
    r = json.loads(out.read_text())
    assert r["optimal"] is True
    assert check(d, r) == []
    # re-solve after a perturbation that uses the result as existing pairs
    d2 = generate.perturb(d, 0.05, seed + 10, r["pairs"])
    src.write_text(json.dumps(d2))
    assert main(["solve", str(src), "-o", str(out)]) == 0
    assert check(d2, json.loads(out.read_text())) == []


@pytest.mark.parametrize("seed", [4, 5])
def test_pruned_method_equals_full_on_a_rematch(seed):
    """The pruned method (auto for a re-match) grows its arc set until the certificate holds:
    same optimum as one solve of every arc, on a fresh round and after a 5 % change."""
    from app.matching import Problem, solve

    d = generate.generate(1500, 450, n_counties=1, townships=4, seed=seed)
    fresh = Problem.from_dict(d)
    full = solve(fresh, method="full", explain_reasons=False)
    pruned = solve(fresh, method="pruned", explain_reasons=False)
    assert full.optimal and pruned.optimal
    assert pruned.objective == full.objective
    d2 = generate.perturb(d, 0.05, seed + 10, full.to_dict()["pairs"])
    again = Problem.from_dict(d2)
    auto = solve(again)
    assert auto.stats["method"] == "pruned"
    assert auto.optimal
    assert auto.objective == solve(again, method="full", explain_reasons=False).objective
    assert check(d2, auto.to_dict()) == []


@pytest.mark.parametrize("k_child, per_place, share, exact_paths",
                         [(8, 60, 0.6, 16), (1, 2, 1.0, 0), (2, 5, 0.6, 0), (1, 2, 1.0, 10**6),
                          (8, 60, 0.6, 10**6)])
def test_region_repairs_reach_the_full_optimum(monkeypatch, k_child, per_place, share,
                                               exact_paths):
    """A few improving arcs are repaired by re-solving only a region: the children on cheap
    enough cycles through them, or (few arcs: ``exact_paths``) on each one's shortest cycle; the
    others are fixed. When the region missed something the duals fail and everyone is
    re-solved. Forced here with tiny first arc sets and either region: every run ends at the
    full optimum, certified, and a region solve really happened and freed fewer than all."""
    from app.matching import Problem, solve
    from app.matching.engine import flowsolver, tuning

    first = flowsolver.pruned_arcs
    monkeypatch.setattr(flowsolver, "pruned_arcs",
                        lambda *a: first(*a, k_child=k_child, per_place=per_place))
    monkeypatch.setattr(tuning, "REPAIR_MAX_SHARE", share)
    monkeypatch.setattr(tuning, "REPAIR_EXACT_PATHS", exact_paths)
    regions = []
    for seed in (5, 6, 7):
        d = generate.generate(1500, 450, n_counties=1, townships=4, seed=seed)
        prob = Problem.from_dict(d)
        full = solve(prob, method="full", explain_reasons=False)
        r = solve(prob, method="pruned")
        assert r.optimal and r.objective == full.objective, seed
        assert check(d, r.to_dict()) == []
        regions += [s["children"] for s in r.stats["solves"] if s["part"] == "region"]
    assert regions and max(regions) < 1500


def test_counties_solved_in_parallel_processes_give_the_same_optimum(monkeypatch):
    """The county method hands each county to a spawned process when the graph is big; forced
    on here for a small two-county instance: same optimum as serially and as one full solve."""
    from app.matching import Problem, solve
    from app.matching.engine import tuning

    d = generate.generate(900, 270, n_counties=3, townships=2, seed=8)
    prob = Problem.from_dict(d)
    serial = solve(prob, method="county", explain_reasons=False)
    assert serial.stats["county_workers"] == 1
    monkeypatch.setattr(tuning, "PARALLEL_MIN_ARCS", 0)
    monkeypatch.setattr("os.cpu_count", lambda: 2)  # also on a one-core machine
    parallel = solve(prob, method="county")
    assert parallel.stats["county_workers"] == 2
    assert parallel.optimal and serial.optimal
    assert parallel.objective == serial.objective == solve(prob, method="full").objective
    assert check(d, parallel.to_dict()) == []


def test_counties_solved_while_the_graph_is_built_give_the_same_optimum(monkeypatch):
    """A big fresh round across counties starts each county's solve in a worker process as soon
    as the graph builder has that county's arcs (forced on here for a small instance, with
    existing pairs so that their churn discount is carried into the workers): the same optimum
    as one full solve, certified and checked; with a lock the pipeline is not used."""
    from app.matching import Problem, solve
    from app.matching.engine import tuning

    d = generate.generate(900, 270, n_counties=3, townships=2, seed=9)
    d["existing_pairs"] = d["existing_pairs"][::3]  # a fresh round: many places are free
    assert d["existing_pairs"]
    prob = Problem.from_dict(d)
    full = solve(prob, method="full", explain_reasons=False)
    monkeypatch.setattr(tuning, "PIPELINE_MIN_CHILDREN", 0)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    for method in ("auto", "county"):
        r = solve(prob, method=method)
        assert r.stats["county_pipeline"] and r.stats["county_workers"] == 2
        assert "county_solved_here" not in r.stats  # the workers started (and none died)
        assert r.stats["method"] == "county"
        assert r.optimal and r.objective == full.objective
        assert check(d, r.to_dict()) == []
    pair = full.pairs[0]
    locked = solve(prob, locked=[(pair.child, pair.volunteer)])
    assert not locked.stats["county_pipeline"] and locked.optimal


@pytest.mark.parametrize("known_dead", [False, True])
def test_a_county_whose_worker_dies_is_solved_in_the_parent(monkeypatch, known_dead):
    """When the worker processes die (killed for memory, say), the counties they held are solved
    in the solving process from the graph: the same optimum, certified. ``known_dead``: the pool
    already knows its worker is dead when the builder hands over the first county (it then
    refuses new work): every county is solved here and the graph build does not fail."""
    import os

    from app.matching import Problem, solve
    from app.matching.engine import county, tuning

    d = generate.generate(900, 270, n_counties=3, townships=2, seed=9)
    d["existing_pairs"] = d["existing_pairs"][::3]
    prob = Problem.from_dict(d)
    full = solve(prob, method="full", explain_reasons=False)
    monkeypatch.setattr(tuning, "PIPELINE_MIN_CHILDREN", 0)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    start = county.CountyPipeline.start.__func__

    def start_then_kill(cls, p, method):
        pipe = start(cls, p, method)
        dead = pipe.pool.submit(os._exit, 1)  # a worker dies: the pool breaks
        if known_dead:
            dead.exception()  # wait until the pool knows
        return pipe

    monkeypatch.setattr(county.CountyPipeline, "start", classmethod(start_then_kill))
    r = solve(prob, method="county")
    assert r.stats["county_pipeline"] and r.stats["county_solved_here"] >= 1
    if known_dead:
        assert r.stats["county_solved_here"] == 3
    assert r.optimal and r.objective == full.objective
    assert check(d, r.to_dict()) == []


def test_a_county_whose_worker_dies_after_the_graph_is_solved_in_the_parent(monkeypatch):
    """The same for the county method on a prebuilt graph (its worker pool starts afterwards)."""
    import concurrent.futures
    import os

    from app.matching import Problem, build_graph, solve
    from app.matching.engine import tuning

    d = generate.generate(900, 270, n_counties=3, townships=2, seed=8)
    prob = Problem.from_dict(d)
    g = build_graph(prob)
    full = solve(prob, g, method="full", explain_reasons=False)
    monkeypatch.setattr(tuning, "PARALLEL_MIN_ARCS", 0)
    monkeypatch.setattr("os.cpu_count", lambda: 2)

    class DyingPool(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            self.submit(os._exit, 1)  # a worker dies: the pool breaks

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", DyingPool)
    r = solve(prob, g, method="county")
    assert r.stats["county_workers"] == 2 and r.stats["county_solved_here"] >= 1
    assert r.optimal and r.objective == full.objective
    assert check(d, r.to_dict()) == []


@pytest.mark.parametrize("cap", [0, 50, 100_000, 10**12])
def test_reduced_cost_solve_with_a_cap_is_exact_for_any_potentials(monkeypatch, cap):
    """Re-solves run on costs reduced by node potentials with big reduced costs capped: any
    potentials give the same optimal cost (a constant shift), and a capped solve that used a
    capped arc is repeated without the cap. Random instances, random (not dual) potentials."""
    import numpy as np

    from app.matching.engine import flow, tuning

    monkeypatch.setattr(tuning, "REDUCED_COST_CAP", cap)
    rng = np.random.default_rng(cap % 97)
    fallbacks = 0
    for _ in range(20):
        n_c, n_v = int(rng.integers(1, 40)), int(rng.integers(1, 12))
        n_a = int(rng.integers(0, n_c * n_v + 1))
        pos = rng.choice(n_c * n_v, size=n_a, replace=False)
        ci, vj = (pos // n_v).astype(np.int32), (pos % n_v).astype(np.int32)
        cost = rng.integers(0, 5_000, n_a)
        U = rng.choice([100_000, 1_000_000, 10_000_000], n_c)
        caps = rng.integers(0, 4, n_v)
        args = (n_c, n_v, ci, vj, cost, U, caps)

        def total(used):
            left = np.ones(n_c, dtype=bool)
            left[ci[used]] = False
            assert np.bincount(ci[used], minlength=n_c).max(initial=0) <= 1
            assert (np.bincount(vj[used], minlength=n_v) <= caps).all()
            return int(cost[used].sum() + U[left].sum())

        plain, _ = flow.flow_used(args)
        u = rng.integers(-20_000_000, 20_000_000, n_c)
        price = rng.integers(0, 2_000_000, n_v)
        used, _, exact = flow.flow_used_reduced(args, u, price)
        assert total(used) == total(plain)
        fallbacks += not exact
    if cap == 0:
        assert fallbacks  # the cap really bit and the uncapped solve took over
    if cap == 10**12:
        assert not fallbacks


def test_repairs_on_reduced_costs_reach_the_full_optimum(monkeypatch):
    """The repairs' re-solves on reduced costs (tiny first arc sets force many): with a cap so
    low that most capped solves are repeated, and with the default, the full optimum."""
    from app.matching import Problem, solve
    from app.matching.engine import flowsolver, tuning

    first = flowsolver.pruned_arcs
    monkeypatch.setattr(flowsolver, "pruned_arcs",
                        lambda *a: first(*a, k_child=1, per_place=2))
    for cap in (10, tuning.REDUCED_COST_CAP):
        monkeypatch.setattr(tuning, "REDUCED_COST_CAP", cap)
        capped = []
        for seed in (5, 6):
            d = generate.generate(1500, 450, n_counties=1, townships=4, seed=seed)
            prob = Problem.from_dict(d)
            r = solve(prob, method="pruned")
            assert r.optimal and r.objective == solve(prob, method="full").objective
            assert check(d, r.to_dict()) == []
            capped += [s["capped"] for s in r.stats["solves"] if "capped" in s]
        assert capped
        assert (False in capped) if cap == 10 else (True in capped)


@pytest.mark.parametrize("guess", [0, 1, 10_000])
def test_graph_arrays_grow_when_the_reserved_room_is_too_small(monkeypatch, guess):
    """The builder writes arcs into arrays reserved for a guessed number per child and grows
    them when needed: any guess gives the same graph (arcs in the same order, per-child counts,
    existing pairs) and hands each county's arcs over as they are in the graph."""
    import numpy as np

    from app.matching import Problem, build_graph
    from app.matching.engine import graph as graph_module

    d = generate.generate(900, 270, n_counties=3, townships=2, seed=11)
    prob = Problem.from_dict(d)
    ref = build_graph(prob)
    monkeypatch.setattr(graph_module, "ARCS_PER_CHILD_GUESS", guess)
    seen = []
    g = build_graph(prob, on_county=lambda k, kids, first, ci, vj, cost:
                    seen.append((first, ci.copy(), vj.copy(), cost.copy())))
    assert g.n_arcs == ref.n_arcs > 0
    for a in ("ci", "vj", "cost", "n_in_range", "n_skilled", "n_feasible", "ex_arc"):
        assert np.array_equal(getattr(g, a), getattr(ref, a)), a
    assert (g.ex_arc >= 0).any()
    assert np.array_equal(g.n_feasible, np.bincount(g.ci, minlength=prob.n_children))
    # each county's arcs handed over while building are the graph's arcs at those positions
    assert len(seen) == 3
    for first, ci, vj, cost in seen:
        assert np.array_equal(ci, g.ci[first:first + ci.size])
        assert np.array_equal(vj, g.vj[first:first + ci.size])
        assert np.array_equal(cost, g.cost[first:first + ci.size])
