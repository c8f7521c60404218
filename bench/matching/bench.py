"""Matching benchmark: time, peak memory and objective per step and size, against baselines.

    python bench/matching/bench.py                     # township, county, prefecture
    python bench/matching/bench.py --sizes county --runs 3

For every size (instances from generate.py, seeded, cached under bench/out/):

* steps of our pipeline (read, graph, solve, explain, write), each run in a fresh subprocess so
  that peaks are separate; time per step (median over --runs) and the process's peak RSS after
  each step (ru_maxrss, a running peak);
* end to end: ``python -m app.matching solve`` as a child process (wall time, peak RSS);
* independent check of the result (``python -m app.matching check``);
* plain OR-Tools: the same candidate graph given whole to ``SimpleMinCostFlow`` once, cold
  (its own subprocess: graph build + OR-Tools time, peak RSS, objective) — objectives must be
  equal;
* greedy baseline: children in priority order (urgent, key, normal; then file order), each
  takes the nearest feasible volunteer with room — objective gap and children left out by tier;
* re-solve: the optimum's pairs become the existing pairs, 5 % of the people change
  (generate.py perturb); pairs broken (existing, still feasible, not kept) by our solver with
  churn cost, by a from-scratch solve (churn 0) and by greedy; urgent/key children left out
  compared with the from-scratch optimum.

Writes bench/out/bench-results.json and bench/out/bench-results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = ROOT / "bench" / "out"
PY = sys.executable
SIZES = ["township", "county", "prefecture"]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# --------------------------------------------------------------------------------------------
# worker modes (run in subprocesses)
# --------------------------------------------------------------------------------------------

def worker_steps(problem_path: str, result_path: str) -> dict:
    sys.path.insert(0, str(ROOT))
    from app.matching import explain, load_problem, solve
    from app.matching.__main__ import _write_json

    t = {}
    m = {}
    t0 = time.perf_counter()
    p = load_problem(problem_path)
    t["read"] = time.perf_counter() - t0
    m["read"] = _rss_mb()
    # as the command does: the solver builds the graph (a big fresh round across counties
    # starts the county solves meanwhile, so "graph" then includes some solving)
    t0 = time.perf_counter()
    r = solve(p)
    g = r.graph
    t["graph"] = r.timings["graph"]
    t["solve"] = time.perf_counter() - t0 - t["graph"]
    m["graph"] = m["solve"] = _rss_mb()
    t0 = time.perf_counter()
    e = explain(p, r, g)
    t["explain"] = time.perf_counter() - t0
    m["explain"] = _rss_mb()
    t0 = time.perf_counter()
    _write_json(r.to_dict(), result_path)
    t["write"] = time.perf_counter() - t0
    m["write"] = _rss_mb()
    del e
    return {"time": t, "peak_mb": m, "objective": r.objective, "optimal": r.optimal,
            "matched": len(r.pairs), "arcs": g.n_arcs, "solver_timings": r.timings,
            "method": (r.stats.get("method") or "")
            + (" (pipelined)" if r.stats.get("county_pipeline") else ""),
            "joint_resolves": sum(1 for s in r.stats.get("solves", [])
                                  if s["part"].startswith("all (pruned"))}


def worker_plain(problem_path: str) -> dict:
    """Plain OR-Tools on the whole candidate graph, cold, no tricks (the network of plain.py)."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    from plain import network

    from app.matching import build_graph, load_problem

    t0 = time.perf_counter()
    p = load_problem(problem_path)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    g = build_graph(p)
    t_graph = time.perf_counter() - t0
    t0 = time.perf_counter()
    s, constant = network(p, g)
    t_build = time.perf_counter() - t0
    t0 = time.perf_counter()
    status = s.solve()
    t_solve = time.perf_counter() - t0
    return {"read": t_read, "graph": t_graph, "ortools_build": t_build, "ortools_solve": t_solve,
            "status": str(status), "objective": int(s.optimal_cost()) + constant,
            "peak_mb": _rss_mb()}


def _greedy(p, g, churn_cost: int | None = None):
    """Children in priority order take the nearest feasible volunteer with room."""
    import numpy as np

    from app.matching.engine.graph import pair_distance_km
    from app.matching.engine.driver import objective_of

    nc = p.n_children
    order_c = np.lexsort((np.arange(nc), -p.c_tier.astype(np.int64)))
    rank = np.empty(nc, dtype=np.int64)
    rank[order_c] = np.arange(nc)
    dm = np.empty(g.n_arcs, dtype=np.int64)
    for s in range(0, g.n_arcs, 4_000_000):
        e = min(s + 4_000_000, g.n_arcs)
        dm[s:e] = np.rint(pair_distance_km(p, g.ci[s:e], g.vj[s:e]) * 1000)
    key = rank[g.ci] * (1 << 26) + np.minimum(dm, (1 << 26) - 1)
    del dm
    order = np.argsort(key)
    del key
    vs = g.vj[order]
    cs = rank[g.ci[order]]
    starts = np.searchsorted(cs, np.arange(nc + 1))
    rem = p.v_cap.copy()
    match_arc = np.full(nc, -1, dtype=np.int64)
    for r in range(nc):
        a, b = starts[r], starts[r + 1]
        if a == b:
            continue
        seg = vs[a:b]
        free = rem[seg] > 0
        k = int(free.argmax())
        if free[k]:
            rem[seg[k]] -= 1
            match_arc[order_c[r]] = order[a + k]
    return match_arc, objective_of(p, g, match_arc, g.ex_arc)


def _broken(p, g, match_arc) -> int:
    feas = g.ex_arc[g.ex_arc >= 0]
    return int(feas.size - (match_arc[g.ci[feas]] == feas).sum())


def _left_out(p, match_arc) -> dict:
    import numpy as np
    from app.matching.engine.rules import TIERS
    cnt = np.bincount(p.c_tier[match_arc < 0], minlength=3)
    return {TIERS[k]: int(cnt[k]) for k in (2, 1, 0)}


def worker_compare(problem_path: str, result_path: str, perturbed_path: str) -> dict:
    """Greedy vs optimum, then the re-solve experiment."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    import numpy as np

    import generate
    from app.matching import Problem, build_graph, load_problem, solve
    from app.matching.engine.values import Params

    p = load_problem(problem_path)
    g = build_graph(p)
    r = solve(p, g, explain_reasons=False)
    t0 = time.perf_counter()
    gm, gobj = _greedy(p, g)
    t_greedy = time.perf_counter() - t0
    out = {"optimum": r.objective, "greedy": gobj,
           "greedy_gap_pct": 100.0 * (gobj - r.objective) / max(r.objective, 1),
           "greedy_seconds": t_greedy,
           "left_out_optimal": _left_out(p, r.arc_of_child),
           "left_out_greedy": _left_out(p, gm)}
    # re-solve experiment
    with open(problem_path, encoding="utf-8") as f:
        raw = json.load(f)
    pairs = r.to_dict()["pairs"]
    pert = generate.perturb(raw, 0.05, 7, pairs)
    generate.write_json(pert, perturbed_path)
    p2 = load_problem(perturbed_path)
    g2 = build_graph(p2)
    t0 = time.perf_counter()
    keep = solve(p2, g2, explain_reasons=False)
    t_keep = time.perf_counter() - t0
    t0 = time.perf_counter()
    keep_full = solve(p2, g2, explain_reasons=False, method="full")
    t_keep_full = time.perf_counter() - t0
    if keep_full.objective != keep.objective:
        raise SystemExit(f"re-solve: {keep.stats.get('method')} objective {keep.objective} != "
                         f"full {keep_full.objective}")
    d0 = dict(raw)
    scratch_params = p2.params.to_dict()
    scratch_params["churn_cost"] = 0
    p0 = Problem.from_dict({**pert, "params": scratch_params})
    g0 = build_graph(p0)
    scratch = solve(p0, g0, explain_reasons=False)
    gm2, _ = _greedy(p2, g2)
    n_feas = int((g2.ex_arc >= 0).sum())
    out["resolve"] = {
        "existing_pairs": int(p2.ex_child.size), "existing_still_feasible": n_feas,
        "broken_with_churn": _broken(p2, g2, keep.arc_of_child),
        "broken_from_scratch": _broken(p0, g0, scratch.arc_of_child),
        "broken_greedy": _broken(p2, g2, gm2),
        "left_out_with_churn": _left_out(p2, keep.arc_of_child),
        "left_out_from_scratch": _left_out(p0, scratch.arc_of_child),
        "left_out_greedy": _left_out(p2, gm2),
        "objective_with_churn": keep.objective, "optimal": bool(keep.optimal and scratch.optimal),
        "resolve_seconds": t_keep, "resolve_method": keep.stats.get("method"),
        "resolve_full_seconds": t_keep_full,
    }
    del d0, Params, np
    return out


# --------------------------------------------------------------------------------------------
# driver
# --------------------------------------------------------------------------------------------

def _sub(mode: str, *args: str, timeout: float = 1800) -> dict:
    res = subprocess.run([PY, str(Path(__file__).resolve()), "--worker", mode, *args],
                         capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    if res.returncode != 0:
        raise RuntimeError(f"{mode} failed: {res.stderr[-2000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` and all its descendants (Linux /proc), MB."""
    parent, rss = {}, {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/status") as f:
                for line in f:
                    if line.startswith("PPid:"):
                        parent[int(d)] = int(line.split()[1])
                    elif line.startswith("VmRSS:"):
                        rss[int(d)] = int(line.split()[1])
        except OSError:
            continue
    tree, grew = {pid}, True
    while grew:
        more = {p for p, pp in parent.items() if pp in tree} - tree
        grew = bool(more)
        tree |= more
    return sum(rss.get(p, 0) for p in tree) / 1024


def timed_process(cmd: list[str], max_bytes: int | None = None) -> dict:
    """Wall time of ``cmd`` as a child process (from start to its exit), the peak RSS of its
    largest single process and (sampled every 0.2 s) of its whole process tree (the county
    method's worker processes), its CPU time (user + system, children included) and its exit
    code. ``max_bytes``: an address-space limit for the process (a safety net on a shared
    machine: a process that needs more fails instead of pushing the machine out of memory)."""
    import threading

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (max_bytes, max_bytes))

    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, preexec_fn=limit if max_bytes else None)
    tree_peak = [0.0]
    done = threading.Event()

    def sample():
        while not done.wait(0.2):
            try:
                tree_peak[0] = max(tree_peak[0], _tree_rss_mb(proc.pid))
            except OSError:
                pass

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    # a blocking wait: the time is the child's exit, not the next sampling tick
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    done.set()
    sampler.join()
    peak = usage.ru_maxrss / 1024
    return {"rc": os.waitstatus_to_exitcode(status), "seconds": seconds,
            "tree_peak_mb": max(tree_peak[0], peak), "peak_mb": peak,
            "cpu_s": usage.ru_utime + usage.ru_stime}


def _e2e(problem_path: Path, result_path: Path) -> dict:
    """``python -m app.matching solve`` timed as a whole process."""
    return timed_process([PY, "-m", "app.matching", "solve", str(problem_path), "-o",
                          str(result_path)])


def _check(problem_path: Path, result_path: Path) -> dict:
    t = time.perf_counter()
    res = subprocess.run([PY, "-m", "app.matching", "check", str(problem_path), str(result_path)],
                         capture_output=True, text=True, cwd=ROOT)
    return {"ok": res.returncode == 0, "seconds": time.perf_counter() - t,
            "message": (res.stdout or res.stderr).strip()[-300:]}


def _median(xs):
    return statistics.median(xs) if xs else None


def _load_avg() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def run_size(size: str, runs: int, plain_runs: int, seed: int) -> dict:
    OUT.mkdir(parents=True, exist_ok=True)
    prob = OUT / f"{size}-s{seed}.json"
    if not prob.exists():
        subprocess.run([PY, str(HERE / "generate.py"), "gen", "--size", size, "--seed", str(seed),
                        "-o", str(prob)], check=True, cwd=ROOT)
    res_path = OUT / f"{size}-s{seed}.result.json"
    rec: dict = {"size": size, "problem": str(prob.relative_to(ROOT)),
                 "load_before": _load_avg()}
    steps = [_sub("steps", str(prob), str(res_path)) for _ in range(runs)]
    rec["steps"] = {k: _median([s["time"][k] for s in steps]) for k in steps[0]["time"]}
    rec["steps_peak_mb"] = {k: max(s["peak_mb"][k] for s in steps) for k in steps[0]["peak_mb"]}
    for k in ("objective", "optimal", "matched", "arcs", "method", "joint_resolves"):
        rec[k] = steps[0][k]
    rec["all_runs_optimal_same_objective"] = all(
        s["optimal"] and s["objective"] == steps[0]["objective"] for s in steps)
    # end to end and plain runs alternate, so that a slow spell of the machine hits both
    e2e, plain = [], []
    for i in range(max(runs, plain_runs)):
        if i < runs:
            e2e.append(_e2e(prob, res_path))
        if i < plain_runs:
            plain.append(_sub("plain", str(prob)))
    rec["end_to_end_s"] = _median([e["seconds"] for e in e2e])
    rec["end_to_end_peak_mb"] = max(e["peak_mb"] for e in e2e)
    rec["end_to_end_tree_peak_mb"] = max(e["tree_peak_mb"] for e in e2e)
    rec["check"] = _check(prob, res_path)
    rec["plain"] = {k: _median([x[k] for x in plain]) for k in
                    ("read", "graph", "ortools_build", "ortools_solve", "peak_mb")}
    rec["plain"]["objective"] = plain[0]["objective"]
    rec["plain"]["total_s"] = (rec["plain"]["read"] + rec["plain"]["graph"]
                               + rec["plain"]["ortools_build"] + rec["plain"]["ortools_solve"])
    rec["objective_equals_plain"] = all(x["objective"] == rec["objective"] for x in plain)
    rec["compare"] = _sub("compare", str(prob), str(res_path),
                          str(OUT / f"{size}-s{seed}.perturbed.json"))
    rec["load_after"] = _load_avg()
    return rec


def markdown(results: list[dict]) -> str:
    L = ["# Matching benchmark", "",
         f"machine: {os.cpu_count()} cores; load averages are shown per size (other work on "
         "the machine slows every number).", "",
         "| size | arcs | read | graph | solve | explain | write | end-to-end (CLI) | peak RSS "
         "(CLI: largest process / whole tree) | plain OR-Tools (read+graph+build+solve) | "
         "plain peak | objective = plain | checker |", "|" + "---|" * 13]
    for r in results:
        s = r["steps"]
        pl = r["plain"]
        L.append(f"| {r['size']} | {r['arcs']:,} | {s['read']:.2f} | {s['graph']:.2f} | "
                 f"{s['solve']:.2f} | {s['explain']:.2f} | {s['write']:.2f} | "
                 f"{r['end_to_end_s']:.2f} s | {r['end_to_end_peak_mb']:.0f} / "
                 f"{r['end_to_end_tree_peak_mb']:.0f} MB | "
                 f"{pl['total_s']:.2f} s ({pl['read']:.2f}+{pl['graph']:.2f}+"
                 f"{pl['ortools_build']:.2f}+{pl['ortools_solve']:.2f}) | {pl['peak_mb']:.0f} MB | "
                 f"{'yes' if r['objective_equals_plain'] else 'NO'} ({r['objective']:,}) | "
                 f"{'OK' if r['check']['ok'] else 'FAILED'} |")
    L += ["", "Peak RSS of the step worker after each step (running peak, MB):", "",
          "| size | read | graph | solve | explain | write | method | joint re-solves | load "
          "before / after |", "|" + "---|" * 9]
    for r in results:
        m = r["steps_peak_mb"]
        L.append(f"| {r['size']} | {m['read']:.0f} | {m['graph']:.0f} | {m['solve']:.0f} | "
                 f"{m['explain']:.0f} | {m['write']:.0f} | {r['method']} | {r['joint_resolves']} "
                 f"| {r['load_before']} / {r['load_after']} |")
    L += ["", "Greedy baseline (urgent, key, normal; nearest feasible volunteer with room):", "",
          "| size | optimum | greedy | gap | left out optimal (urgent/key/normal) | left out "
          "greedy |", "|" + "---|" * 6]
    for r in results:
        c = r["compare"]
        lo, lg = c["left_out_optimal"], c["left_out_greedy"]
        L.append(f"| {r['size']} | {c['optimum']:,} | {c['greedy']:,} | "
                 f"{c['greedy_gap_pct']:.2f} % | {lo['urgent']}/{lo['key']}/{lo['normal']} | "
                 f"{lg['urgent']}/{lg['key']}/{lg['normal']} |")
    L += ["", "Re-solve after 5 % of people change (existing pairs = previous optimum):", "",
          "| size | existing (still feasible) | broken: ours (churn) | from scratch (churn 0) | "
          "greedy | left out urgent/key: ours | from scratch | greedy | solve s: ours (method) | "
          "full |", "|" + "---|" * 10]
    for r in results:
        v = r["compare"]["resolve"]
        a, b, c = v["left_out_with_churn"], v["left_out_from_scratch"], v["left_out_greedy"]
        L.append(f"| {r['size']} | {v['existing_pairs']:,} ({v['existing_still_feasible']:,}) | "
                 f"{v['broken_with_churn']:,} | {v['broken_from_scratch']:,} | "
                 f"{v['broken_greedy']:,} | {a['urgent']}/{a['key']} | {b['urgent']}/{b['key']} "
                 f"| {c['urgent']}/{c['key']} | {v['resolve_seconds']:.2f} ({v['resolve_method']}) "
                 f"| {v['resolve_full_seconds']:.2f} |")
    return "\n".join(L) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description="matching benchmark")
    ap.add_argument("--sizes", nargs="+", default=SIZES)
    ap.add_argument("--runs", type=int, default=None, help="runs per size (median)")
    ap.add_argument("--plain-runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.worker:
        mode, *args = a.worker
        fn = {"steps": worker_steps, "plain": worker_plain, "compare": worker_compare}[mode]
        print(json.dumps(fn(*args)))
        return
    results = []
    for size in a.sizes:
        runs = a.runs or {"township": 5, "county": 3, "prefecture": 1}.get(size, 1)
        t = time.perf_counter()
        rec = run_size(size, runs, a.plain_runs, a.seed)
        rec["bench_seconds"] = time.perf_counter() - t
        results.append(rec)
        print(f"{size}: done in {rec['bench_seconds']:.0f} s", file=sys.stderr)
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "bench-results.json").write_text(json.dumps(results, indent=1))
        (OUT / "bench-results.md").write_text(markdown(results))
    print(markdown(results))


if __name__ == "__main__":
    main()
