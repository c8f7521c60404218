"""Command line: solve a problem file, or check a result against a problem independently.

    python -m app.matching solve PROBLEM.json -o RESULT.json [--explain EXPLAIN.json]
    python -m app.matching check PROBLEM.json RESULT.json

``solve`` writes exactly the exchange format of docs/matching-problem.md (pairs, unmatched, objective,
optimal, seconds). ``--explain`` writes the richer explanation to a separate file. A malformed
problem is reported on stderr naming the record, with exit status 2, and nothing is written.

``check`` is written separately from the solver: it re-reads both files with the standard
library, recomputes every distance with its own haversine, checks every hard constraint and the
capacities, recomputes the objective and each unmatched child's reason, and exits 0 when all
agree, 1 otherwise (2 for unreadable input).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time


def _write_json(obj, path: str) -> None:
    """Write atomically (a temporary file renamed into place): never a half-written result."""
    d = os.path.dirname(os.path.abspath(path)) or "."
    fd, tmp = tempfile.mkstemp(prefix=".matching-", suffix=".json", dir=d)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, separators=(",", ":"))
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def cmd_solve(a) -> int:
    t0 = time.perf_counter()
    from .engine import MatchingError, ProblemError, explain, load_problem, solve

    try:
        problem = load_problem(a.problem)
    except ProblemError as e:
        print(f"error: {a.problem}: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: cannot read {a.problem}: {e.strerror or e}", file=sys.stderr)
        return 2
    t_read = time.perf_counter()
    # the solver builds the graph itself: on a big fresh round it solves counties meanwhile
    try:
        result = solve(problem, method=a.method)
    except MatchingError as e:  # e.g. a pinned pair that breaks a hard constraint
        print(f"error: {a.problem}: {e}", file=sys.stderr)
        return 2
    t_solve = time.perf_counter()
    t_graph = t_read + result.timings["graph"]
    result.seconds = t_solve - t0
    out = result.to_dict()
    _write_json(out, a.output)
    t_write = time.perf_counter()
    if a.explain:
        from .engine.driver import with_graph
        from .engine.siblings import sibling_splits

        graph = with_graph(problem, result)
        why = explain(problem, result, graph)
        if problem.households:
            why["siblings"] = [s.to_dict() for s in sibling_splits(problem, graph, result.match)]
        _write_json({"result": out, "explanation": why,
                     "stats": _jsonable(result.stats), "timings": result.timings}, a.explain)
    if a.verbose:
        print(json.dumps({"read": t_read - t0, "graph": t_graph - t_read,
                          "solve": t_solve - t_graph, "write": t_write - t_solve,
                          "arcs": result.stats.get("n_arcs", result.stats.get("class_arcs")),
                          "objective": result.objective, "optimal": result.optimal,
                          "timings": result.timings,
                          "stats": _jsonable({k: v for k, v in result.stats.items()
                                              if k in ("method", "rounds", "classes", "child_arcs")})}),
              file=sys.stderr)
    return 0


def _jsonable(x):
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if hasattr(x, "item"):
        return x.item()
    return x


# --------------------------------------------------------------------------------------------
# Independent checker (plain Python; does not use the solver's modules)
# --------------------------------------------------------------------------------------------

_R = 6371.0088
_TIER_UNMATCHED = {"normal": 100_000, "key": 1_000_000, "urgent": 10_000_000}


def _hav_km(la1, lo1, la2, lo2):
    p1, p2 = math.radians(la1), math.radians(la2)
    h = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lo2 - lo1) / 2) ** 2)
    return 2 * _R * math.asin(math.sqrt(min(1.0, h)))


def _tier(cats):
    cats = set(cats)
    if cats & {"no_guardian", "one_parent_incapable"}:
        return "urgent"
    if cats & {"dropout", "no_hukou", "ill", "disabled"}:
        return "key"
    return "normal"


def _required(cats):
    cats = set(cats)
    r = set()
    if _tier(cats) == "urgent":
        r.add("guardianship")
    if "disabled" in cats:
        r.add("disability_care")
    if "ill" in cats:
        r.add("health")
    if "dropout" in cats:
        r.add("dropout_return")
    return r


def _band(age):
    return "0-5" if age <= 5 else "6-13" if age <= 13 else "14-16" if age <= 16 else "17+"


def check(problem: dict, result: dict, reasons: bool = True) -> list[str]:
    """Return a list of problems found (empty: the result is feasible and its numbers agree)."""
    errs: list[str] = []
    pr = problem.get("params") or {}
    gender_rule = pr.get("gender_rule", True)
    girl_age = pr.get("girl_age", 10)
    mnc = pr.get("missing_need_cost", 3000)
    prc = pr.get("preference_cost", 2000)
    churn = pr.get("churn_cost", 50000)
    un = dict(_TIER_UNMATCHED)
    un.update(pr.get("unmatched_cost") or {})
    kids = {c["id"]: c for c in problem["children"]}
    # a volunteer's held places are not offered: the capacity the result may use
    vols = {v["id"]: {**v, "capacity": max(v["capacity"] - v.get("held", 0), 0)}
            for v in problem["volunteers"]}
    pinned = {(x["child"], x["volunteer"]) for x in problem.get("pinned", [])}
    excluded = {(x["child"], x["volunteer"]) for x in problem.get("excluded", [])}
    if set(result) != {"pairs", "unmatched", "objective", "optimal", "seconds"}:
        errs.append(f"result keys {sorted(result)} differ from the exchange format")

    def hard(c, v):
        why = []
        d = _hav_km(c["lat"], c["lon"], v["lat"], v["lon"])
        if d > v["max_km"]:
            why.append("distance")
        if c["county"] != v["county"] and not v["cross_county"]:
            why.append("county")
        if gender_rule and c["female"] and c["age"] >= girl_age and not v["female"]:
            why.append("safeguarding")
        if not _required(c["categories"]) <= set(v["skills"]):
            why.append("skill")
        if v["capacity"] <= 0:
            why.append("capacity")
        if v.get("school") is not None and v["school"] != c.get("school"):
            why.append("school")  # a teacher serves only the pupils of their own school
        return why, d

    def pair_cost(c, v, d):
        miss = len(set(c["needs"]) - _required(c["categories"]) - set(v["skills"]))
        pref = 0
        if v["prefer_gender"] is not None and (v["prefer_gender"] == "female") != c["female"]:
            pref += 1
        if v["prefer_age_band"] is not None and v["prefer_age_band"] != _band(c["age"]):
            pref += 1
        return 1 + round(d * 1000) + mnc * miss + prc * pref

    seen = {}
    load = {}
    total = 0
    for k, p in enumerate(result["pairs"]):
        c, v = kids.get(p["child"]), vols.get(p["volunteer"])
        if c is None or v is None:
            errs.append(f"pairs[{k}]: unknown id")
            continue
        if p["child"] in seen:
            errs.append(f"pairs[{k}]: child {p['child']} paired twice")
        seen[p["child"]] = p["volunteer"]
        load[p["volunteer"]] = load.get(p["volunteer"], 0) + 1
        why, d = hard(c, v)
        if why:
            errs.append(f"pairs[{k}] ({p['child']}, {p['volunteer']}): violates {', '.join(why)}")
        cost = pair_cost(c, v, d)
        if cost != p["cost"]:
            errs.append(f"pairs[{k}]: cost {p['cost']} but recomputed {cost}")
        total += cost
    for c, v in sorted(pinned - set(seen.items())):
        errs.append(f"pinned pair ({c}, {v}) is not in the result")
    for c, v in sorted(excluded & set(seen.items())):
        errs.append(f"excluded pair ({c}, {v}) is in the result")
    for vid, n in load.items():
        if n > vols[vid]["capacity"]:
            errs.append(f"volunteer {vid}: {n} children > capacity {vols[vid]['capacity']}")
    listed = {}
    for k, u in enumerate(result["unmatched"]):
        c = kids.get(u["child"])
        if c is None:
            errs.append(f"unmatched[{k}]: unknown child")
            continue
        if u["child"] in seen or u["child"] in listed:
            errs.append(f"unmatched[{k}]: child {u['child']} is also paired or listed twice")
        listed[u["child"]] = u
        if u["tier"] != _tier(c["categories"]):
            errs.append(f"unmatched[{k}]: tier {u['tier']} but child is {_tier(c['categories'])}")
        total += un[_tier(c["categories"])]
    missing = set(kids) - set(seen) - set(listed)
    if missing:
        errs.append(f"{len(missing)} children neither paired nor unmatched, e.g. {sorted(missing)[:3]}")
    ex_seen = set()
    for e in problem.get("existing_pairs", []):
        key = (e["child"], e["volunteer"])
        if key in ex_seen:
            continue
        ex_seen.add(key)
        why, _ = hard(kids[e["child"]], vols[e["volunteer"]])
        if key in excluded:
            why.append("excluded")  # an excluded pair is not "still feasible": no churn
        if not why and seen.get(e["child"]) != e["volunteer"]:
            total += churn
    if total != result["objective"]:
        errs.append(f"objective {result['objective']} but recomputed {total}")
    if reasons and listed:
        errs.extend(_check_reasons(problem, kids, vols, listed, load, gender_rule, girl_age,
                                   excluded))
    return errs


def _check_reasons(problem, kids, vols, listed, load, gender_rule, girl_age,
                   excluded=frozenset()) -> list[str]:
    """Recompute each unmatched child's reason (numpy over a latitude band of volunteers)."""
    import numpy as np
    vl = list(vols.values())
    lat = np.array([v["lat"] for v in vl], dtype=float)
    lon = np.array([v["lon"] for v in vl], dtype=float)
    mk = np.array([v["max_km"] for v in vl], dtype=float)
    cap = np.array([v["capacity"] for v in vl])
    fem = np.array([v["female"] for v in vl], dtype=bool)
    cross = np.array([v["cross_county"] for v in vl], dtype=bool)
    county = np.array([v["county"] for v in vl], dtype=object)
    used = np.array([load.get(v["id"], 0) for v in vl])
    skills = [set(v["skills"]) for v in vl]
    vschool = [v.get("school") for v in vl]
    order = np.argsort(lat)
    slat = lat[order]
    band = (mk.max() if mk.size else 0.0) / 111.0 + 1e-6  # degrees of latitude
    errs = []
    for cid, u in listed.items():
        c = kids[cid]
        lo, hi = np.searchsorted(slat, [c["lat"] - band, c["lat"] + band])
        j = order[lo:hi]
        p1, p2 = math.radians(c["lat"]), np.radians(lat[j])
        h = (np.sin((p2 - p1) / 2) ** 2
             + math.cos(p1) * np.cos(p2) * np.sin(np.radians(lon[j] - c["lon"]) / 2) ** 2)
        d = 2 * _R * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
        ok = (cap[j] > 0) & (d <= mk[j]) & ((county[j] == c["county"]) | cross[j])
        j = j[ok]
        req = _required(c["categories"])
        j2 = np.array([x for x in j.tolist() if req <= skills[x]], dtype=int)
        girl = gender_rule and c["female"] and c["age"] >= girl_age
        j3 = j2[fem[j2]] if (girl and j2.size) else j2
        # a teacher (volunteer with a school) only for the pupils of that school
        j3s = np.array([x for x in j3.tolist() if vschool[x] in (None, c.get("school"))], dtype=int)
        j4 = j3s if not excluded else np.array(
            [x for x in j3s.tolist() if (cid, vl[x]["id"]) not in excluded], dtype=int)
        if j.size == 0:
            want = "no_volunteer_in_range"
        elif j2.size == 0:
            want = "no_volunteer_with_skill"
        elif j3.size == 0:
            want = "safeguarding"
        elif j3s.size == 0:
            want = "school"
        elif j4.size == 0:
            want = "forbidden"
        elif (used[j4] < cap[j4]).any():
            want = "cost_exceeds_unmatched"
        else:
            want = "all_at_capacity"
        if u["reason"] != want:
            errs.append(f"unmatched child {cid}: reason {u['reason']} but expected {want}")
    return errs


def cmd_check(a) -> int:
    try:
        with open(a.problem, encoding="utf-8") as f:
            problem = json.load(f)
        with open(a.result, encoding="utf-8") as f:
            result = json.load(f)
    except (OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    errs = check(problem, result, reasons=not a.skip_reasons)
    for e in errs[:50]:
        print(e, file=sys.stderr)
    if errs:
        print(f"FAILED: {len(errs)} problem(s)", file=sys.stderr)
        return 1
    print(f"OK: {len(result['pairs'])} pairs, {len(result['unmatched'])} unmatched, "
          f"objective {result['objective']}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m app.matching", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("solve", help="solve PROBLEM.json, write RESULT.json")
    s.add_argument("problem")
    s.add_argument("-o", "--output", required=True)
    s.add_argument("--explain", metavar="FILE", help="also write a detailed explanation here")
    s.add_argument("--method", default="auto", choices=["auto", "full", "county", "pruned", "classes", "class-graph"])
    s.add_argument("-v", "--verbose", action="store_true", help="timings on stderr")
    c = sub.add_parser("check", help="independently check RESULT.json against PROBLEM.json")
    c.add_argument("problem")
    c.add_argument("result")
    c.add_argument("--skip-reasons", action="store_true",
                   help="do not recompute unmatched reasons (slow on very large files)")
    a = ap.parse_args(argv)
    return cmd_solve(a) if a.cmd == "solve" else cmd_check(a)


if __name__ == "__main__":
    sys.exit(main())
