"""Provably optimal solve of the matching objective (docs/matching-problem.md) as a min-cost flow.

Network: source -> child (supply 1), child -> volunteer (pair cost), child -> sink ("unmatched",
priced by tier), volunteer -> sink (capacity). Churn: an existing pair that is still feasible and
not kept costs ``churn_cost``; modelled by discounting the arc of every feasible existing pair by
``churn_cost`` and adding ``churn_cost`` x (#feasible existing pairs) as a constant.

This module takes the request apart (locked and forbidden pairs, existing pairs, which children
take part, which method) and puts the result together; flowsolver.FlowSolver finds and certifies
the optimum. Locked pairs are fixed before the solve (infeasible lock -> :class:`MatchingError`);
forbidden pairs are removed from the graph (a forbidden existing pair is then not "still
feasible", so it carries no churn cost). The reported objective is recomputed from the
assignment.
"""

from __future__ import annotations

import time
from typing import Iterable

import numpy as np

from .arcs import match_pairs, pair_indices
from . import classgraph, tuning
from .classes import child_classes
from .county import CountyPipeline, fresh_round, solve_part
from .reasons import VIOLATION_CODES, unmatched_reasons
from .flowsolver import FlowSolver
from .graph import CandidateGraph, build_graph, pair_violations
from .problem import Problem
from .result import Assignment, MatchingError, SolveResult, Unmatched
from .rules import TIERS


def solve(problem: Problem, graph: CandidateGraph | None = None, *,
          locked: Iterable[tuple[str, str]] = (), forbidden: Iterable[tuple[str, str]] = (),
          method: str = "auto", explain_reasons: bool = True) -> SolveResult:
    """Solve ``problem`` to proven optimality.

    ``locked``: (child_id, volunteer_id) pairs that must be in the result (each must be
    feasible, not forbidden, at most one per child and within the volunteer's capacity, else
    :class:`MatchingError`). ``forbidden``: pairs that must not be used. ``method``: "full"
    (one OR-Tools solve of every arc), "county" (per-county solves, then a joint re-solve on
    a pruned arc set where cross-county arcs improve), "pruned" (solves on a growing pruned
    arc set), "classes" (interchangeable children as one node, one solve of every arc:
    engine/classes.py), "class-graph" (one member per class in the graph too, existing pairs as
    kept arcs of their class: engine/classgraph.py; a steered round takes "auto") or "auto"
    (class-graph for a big round whose every-child graph would not fit in memory, else county
    for a fresh round across several counties, else classes when children group into few
    enough classes, else pruned); all certified the same way. Unmatched reasons are filled in unless ``explain_reasons`` is false.
    The problem's pinned and excluded pairs are added to ``locked`` and ``forbidden``.
    The graph is built when not given (pass it to reuse it).
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    stats: dict = {}
    p = problem
    # the problem's own steering (pinned / excluded pairs of the exchange format) joins the
    # caller's; a pair given twice counts once
    locked, forbidden = _joined(p.pinned, locked), _joined(p.excluded, forbidden)
    if graph is None and not (locked or forbidden) and method in ("auto", "class-graph"):
        # a big round of few classes: on the class graph (unless every child's arcs are few)
        classes = classgraph.grouped(p) if method == "auto" else None
        if classes is not None or method == "class-graph":
            res = _on_class_graph(p, t0, explain_reasons, classes)
            if res is not None:
                return res
    if method == "class-graph":
        method = "auto"  # (steered, or small enough for every child's arcs)
    pipe = None
    if graph is None:
        # a fresh round over many counties: the counties are solved while the graph is built
        pipe = CountyPipeline.start(p, method) if not (locked or forbidden) else None
        try:
            graph = build_graph(p, on_county=pipe.submit if pipe else None)
        except BaseException:
            if pipe:
                pipe.close()
            raise
        timings["graph"] = time.perf_counter() - t0
    g = graph
    t_prep = time.perf_counter()
    nc, nv = p.n_children, p.n_volunteers
    params = p.params
    churn = int(params.churn_cost)
    U_all = params.unmatched_costs()[p.c_tier] if nc else np.zeros(0, dtype=np.int64)

    # ---- forbidden and locked pairs -------------------------------------------------------
    alive = None
    fc, fv = pair_indices(p, forbidden, "forbidden")
    if fc.size:
        fpos = match_pairs(g.ci, g.vj, fc, fv, nc)
        fpos = fpos[fpos >= 0]
        if fpos.size:
            alive = np.ones(g.n_arcs, dtype=bool)
            alive[fpos] = False
    lc, lv = pair_indices(p, locked, "locked")
    cap = p.v_cap.copy()
    lock_arc = np.zeros(0, dtype=np.int64)
    if lc.size:
        if np.unique(lc).size != lc.size:
            dup = int(np.flatnonzero(np.bincount(lc) > 1)[0])
            raise MatchingError(f"locked: child {p.child_ids[dup]!r} is locked more than once")
        lock_arc = match_pairs(g.ci, g.vj, lc, lv, nc)
        for k in range(lc.size):
            if lock_arc[k] < 0 or (alive is not None and not alive[lock_arc[k]]):
                bad, d = pair_violations(p, lc[k:k + 1], lv[k:k + 1])
                why = _violation_names(int(bad[0])) or ["forbidden"]
                raise MatchingError(
                    f"locked pair ({p.child_ids[lc[k]]!r}, {p.volunteer_ids[lv[k]]!r}) is not "
                    f"feasible: {', '.join(why)}")
        used = np.bincount(lv, minlength=nv)
        over = np.flatnonzero(used > cap)
        if over.size:
            j = over[0]
            raise MatchingError(f"locked: volunteer {p.volunteer_ids[j]!r} has {used[j]} locked "
                                f"children but capacity {cap[j]}")
        cap = cap - used
    is_locked = np.zeros(nc, dtype=bool)
    is_locked[lc] = True

    # ---- existing pairs: which are still feasible (churn applies to them) ----------------
    ex_arc = g.ex_arc.copy()
    if alive is not None and ex_arc.size:
        ok = ex_arc >= 0
        ex_arc[ok & ~alive[np.maximum(ex_arc, 0)]] = -1
    ex_feasible = ex_arc[ex_arc >= 0]
    n_ex_feasible = int(ex_feasible.size)
    disc_pos = np.sort(ex_feasible)  # arcs whose cost is discounted by churn_cost

    # ---- arcs that take part: not forbidden, child not locked ------------------------------
    if is_locked.any():
        alive = np.ones(g.n_arcs, dtype=bool) if alive is None else alive
        alive &= ~is_locked[g.ci]
    deg = (np.bincount(g.ci[alive], minlength=nc) if alive is not None
           else g.n_feasible.astype(np.int64))
    flow_child = (deg > 0) & ~is_locked
    timings["prepare"] = time.perf_counter() - t_prep

    # ---- solve ----------------------------------------------------------------------------
    t_solve = time.perf_counter()
    if pipe is not None:
        method = "county"  # its counties are solved already (or being solved)
    classes = None
    if method in ("auto", "classes") and not (method == "auto"
                                              and fresh_round(p, cap, n_ex_feasible, flow_child)):
        classes = _classes(p, g, alive, disc_pos, flow_child)
        if method == "auto":
            few = classes[1] <= tuning.CLASS_SHARE * int(flow_child.sum())
            method = "classes" if few else "pruned"
    elif method == "auto":
        method = "county"
    if method not in ("full", "county", "pruned", "classes"):
        raise ValueError(f"unknown method {method!r}")
    match_arc = np.full(nc, -1, dtype=np.int64)  # arc of each child's volunteer
    proven = True  # with no child to place, the forced assignment is trivially optimal
    try:
        if flow_child.any():
            fs = FlowSolver(p, g, alive, flow_child, cap, U_all, disc_pos, churn, match_arc, stats,
                            timings, part_worker=solve_part)
            fs.classes = classes if method == "classes" else None
            proven = fs.solve(method, pipe)
    finally:
        if pipe is not None:
            pipe.close()
    timings["solve"] = time.perf_counter() - t_solve
    duals = stats.pop("_duals", None)
    stats["method"] = method
    stats["county_pipeline"] = pipe is not None

    # ---- assemble the result ----------------------------------------------------------------
    t_res = time.perf_counter()
    match_arc[lc] = lock_arc
    match = np.full(nc, -1, dtype=np.int64)
    has = match_arc >= 0
    match[has] = g.vj[match_arc[has]]
    objective = objective_of(p, g, match_arc, ex_arc)
    res = _assemble(p, g, match, match_arc, ex_arc, is_locked, objective, proven)
    res.timings = timings
    res.stats = stats
    res.graph = g
    res.stats["n_arcs"] = g.n_arcs
    res.stats["n_existing_feasible"] = n_ex_feasible
    if duals is not None and proven:
        # the certificate's duals, per child (0 outside the flow) and per volunteer: the
        # explanations read them (why.nearer_volunteers)
        u_all = np.zeros(nc, dtype=np.int64)
        u_all[flow_child] = duals[0]
        res.duals = (u_all, duals[1])
    timings["assemble"] = time.perf_counter() - t_res
    if explain_reasons:
        te = time.perf_counter()
        unmatched_reasons(p, g, res, alive=alive, forbidden_pairs=(fc, fv))
        timings["reasons"] = time.perf_counter() - te
    res.seconds = time.perf_counter() - t0
    return res


def _on_class_graph(p: Problem, t0: float, explain_reasons: bool, classes) -> SolveResult | None:
    """``p`` solved on its class graph (engine/classgraph.py; ``classes`` from
    classgraph.grouped, None: whatever the size), or None when every child's arcs are few
    enough for the per-child graph. The result carries no per-child graph (:func:`with_graph`
    builds it for the explanations)."""
    timings: dict[str, float] = {}
    stats: dict = {"method": "class-graph", "county_pipeline": False}
    out = classgraph.solve_on_class_graph(p, timings, stats, classes)
    if out is None:
        return None
    match, cost, proven, duals, cg, cls, ex_ok = out
    t_res = time.perf_counter()
    kept_ex = ex_ok & (match[p.ex_child] == p.ex_vol)
    kept = np.zeros(p.n_children, dtype=bool)
    kept[p.ex_child[kept_ex]] = True
    has = match >= 0
    U = p.params.unmatched_costs()
    objective = (int(cost[has].sum()) + (int(U[p.c_tier[~has]].sum()) if p.n_children else 0)
                 + int(p.params.churn_cost) * int((ex_ok & ~kept_ex).sum()))
    cids, vids = p.child_ids, p.volunteer_ids
    mi = np.flatnonzero(has)
    pairs = [Assignment(cids[i], vids[j], c, k, False)
             for i, j, c, k in zip(mi.tolist(), match[mi].tolist(), cost[mi].tolist(),
                                   kept[mi].tolist())]
    ui = np.flatnonzero(~has)
    unmatched = [Unmatched(cids[i], TIERS[t]) for i, t in zip(ui.tolist(), p.c_tier[ui].tolist())]
    res = SolveResult(pairs=pairs, unmatched=unmatched, objective=objective, optimal=proven,
                      seconds=0.0, match=match, duals=duals)
    stats["n_existing_feasible"] = int(ex_ok.sum())
    res.timings, res.stats = timings, stats
    timings["assemble"] = time.perf_counter() - t_res
    if explain_reasons:
        te = time.perf_counter()
        unmatched_reasons(p, cg, res, row=cls)
        timings["reasons"] = time.perf_counter() - te
    res.seconds = time.perf_counter() - t0
    return res


def with_graph(problem: Problem, result: SolveResult) -> CandidateGraph:
    """The result's per-child graph, built (with each child's arc) when the solve did not keep
    one (a round solved on its class graph)."""
    if result.graph is None:
        g = build_graph(problem)
        kids = np.flatnonzero(result.match >= 0)
        arc = np.full(problem.n_children, -1, dtype=np.int64)
        arc[kids] = match_pairs(g.ci, g.vj, kids, result.match[kids], problem.n_children)
        result.graph, result.arc_of_child = g, arc
    return result.graph


def _classes(p: Problem, g: CandidateGraph, alive, disc_pos: np.ndarray,
             flow_child: np.ndarray) -> tuple[np.ndarray, int]:
    """The flow children's classes (engine/classes.py): a child with an existing pair's
    discounted arc or a forbidden arc is a class of its own."""
    own = np.zeros(p.n_children, dtype=bool)
    own[g.ci[disc_pos]] = True
    if alive is not None:
        own[g.ci[~alive]] = True
    return child_classes(p, flow_child, own)


def _joined(steered: list[tuple[str, str]], given: Iterable) -> list:
    """The problem's steered pairs, then the caller's that are not among them."""
    out = list(steered)
    for x in given:
        if not (steered and isinstance(x, (tuple, list)) and tuple(x) in steered):
            out.append(x)
    return out


def _violation_names(bits: int) -> list[str]:
    return [code for bit, code in VIOLATION_CODES if bits & bit]


def objective_of(p: Problem, g: CandidateGraph, match_arc: np.ndarray, ex_arc: np.ndarray) -> int:
    """Exact objective (docs/matching-problem.md) of an assignment (arc per child, -1 = unmatched)."""
    has = match_arc >= 0
    pair_cost = int(g.cost[match_arc[has]].sum())
    U = p.params.unmatched_costs()
    unmatched = int(U[p.c_tier[~has]].sum()) if p.n_children else 0
    feas = ex_arc[ex_arc >= 0]
    kept = int(np.count_nonzero(match_arc[g.ci[feas]] == feas)) if feas.size else 0
    churn = int(p.params.churn_cost) * (int(feas.size) - kept)
    return pair_cost + unmatched + churn


def _assemble(p: Problem, g: CandidateGraph, match, match_arc, ex_arc, is_locked, objective,
              proven) -> SolveResult:
    kept = np.zeros(p.n_children, dtype=bool)
    feas = ex_arc[ex_arc >= 0]
    if feas.size:
        c = g.ci[feas]
        kept[c[match_arc[c] == feas]] = True
    cids, vids = p.child_ids, p.volunteer_ids
    mi = np.flatnonzero(match >= 0)
    costs = g.cost[match_arc[mi]].tolist()
    vv = match[mi].tolist()
    kk = kept[mi].tolist()
    ll = is_locked[mi].tolist()
    pairs = [Assignment(cids[i], vids[j], c, k, lk)
             for i, j, c, k, lk in zip(mi.tolist(), vv, costs, kk, ll)]
    ui = np.flatnonzero(match < 0)
    tiers = p.c_tier[ui].tolist()
    unmatched = [Unmatched(cids[i], TIERS[t]) for i, t in zip(ui.tolist(), tiers)]
    return SolveResult(pairs=pairs, unmatched=unmatched, objective=objective, optimal=proven,
                       seconds=0.0, match=match, arc_of_child=match_arc)
