"""Interchangeable children solved as one node: the "classes" method.

Children who live at the same point (the web application places every child at its village's
coordinates, so a village's children share one) and agree on everything the arcs depend on —
county, school, the safeguarding rule, required skills, the other needs, sex, age band and tier
— have the same feasible volunteers at the same pair costs and the same unmatched cost. In the
flow they are interchangeable, so one node per *class* with a supply of its size, arcs of
capacity ``min(size, places)``, gives the same optimum on far fewer nodes and arcs; any split
of a class's flow among its members is an optimal assignment of the children (their costs are
equal). A child with a churn-discounted arc (an existing pair) or a forbidden arc is a class of
its own. The certificate then checks the children's assignment on every arc as for any method.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.graph.python import min_cost_flow

from .arcs import match_pairs


def child_classes(p, flow_child: np.ndarray, own: np.ndarray) -> tuple[np.ndarray, int]:
    """Class number of every flow child (in ``np.flatnonzero(flow_child)`` order) and the
    number of classes; children in ``own`` (a mask) are a class of their own."""
    fcs = np.flatnonzero(flow_child)
    girl = p.girl_rule_mask()[fcs]
    solo = np.where(own[fcs], fcs, -1)
    key = np.rec.fromarrays([p.c_lat[fcs], p.c_lon[fcs], p.c_county[fcs], p.c_school[fcs], girl,
                             p.c_req[fcs], p.c_needs[fcs] & ~p.c_req[fcs], p.c_female[fcs],
                             p.c_band[fcs], p.c_tier[fcs], solo])
    _, cls = np.unique(key, return_inverse=True)
    cls = cls.ravel()
    return cls, int(cls.max()) + 1 if cls.size else 0


def solve_classes(solver, cls: np.ndarray, n_cls: int) -> None:
    """One OR-Tools solve of the class network of ``solver`` (a flowsolver.FlowSolver) on every
    usable arc; the classes' flows are handed to their members in ``solver.match_arc``."""
    g, fcs, nv = solver.g, solver.fcs, solver.nv
    t = time.perf_counter()
    size = np.bincount(cls, minlength=n_cls)
    rep = np.full(n_cls, -1, dtype=np.int64)
    rep[cls[::-1]] = fcs[::-1]  # the first member of each class stands for it
    is_rep = np.zeros(solver.nc, dtype=bool)
    is_rep[rep] = True
    ok = solver.ok_arc & is_rep[g.ci]
    idx = np.flatnonzero(ok)
    del ok
    k_of = np.full(solver.nc, -1, dtype=np.int64)
    k_of[fcs] = cls
    tails = k_of[g.ci[idx]]
    heads = g.vj[idx].astype(np.int64)
    cap = solver.cap.astype(np.int64)
    flows = _class_flow(n_cls, nv, tails, heads, solver.arcs.cost(idx),
                        np.minimum(size[tails], cap[heads]), solver.U_all[rep], cap, size)
    used = np.flatnonzero(flows)
    # members of each class, in order; the units of flow of a class go to its members in turn
    order = np.argsort(cls, kind="stable")
    start = np.zeros(n_cls + 1, dtype=np.int64)
    np.cumsum(size, out=start[1:])
    f = flows[used]
    by_cls = np.argsort(tails[used], kind="stable")
    used, f = used[by_cls], f[by_cls]
    k = tails[used]
    unit_k = np.repeat(k, f)
    cls_first = np.zeros(n_cls + 1, dtype=np.int64)
    np.add.at(cls_first, k + 1, f)
    np.cumsum(cls_first, out=cls_first)  # first unit of each class
    rank = np.arange(unit_k.size) - cls_first[unit_k]
    kids = fcs[order[start[unit_k] + rank]]
    vols = np.repeat(heads[used], f)
    solver.match_arc[fcs] = -1
    solver.match_arc[kids] = match_pairs(g.ci, g.vj, kids, vols, solver.nc)
    solver.solves.append({"part": "classes", "children": int(fcs.size), "classes": n_cls,
                          "volunteers": nv, "arcs": int(idx.size),
                          "seconds": time.perf_counter() - t})


def _class_flow(n_k, n_v, tails, heads, costs, arc_caps, unmatched, caps, supply,
                vol_costs=None) -> np.ndarray:
    """Flow per class -> volunteer arc of the min-cost flow: class k (supply ``supply[k]``) ->
    volunteer, class -> sink (``unmatched[k]`` per unit), volunteer -> sink (its places, at
    ``vol_costs`` per unit: default 0)."""
    s = min_cost_flow.SimpleMinCostFlow()
    sink = n_k + n_v
    a = tails.size
    if a:
        s.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), (heads + n_k).astype(np.int32),
                                               arc_caps.astype(np.int64), costs.astype(np.int64))
    s.add_arcs_with_capacity_and_unit_cost(np.arange(n_k, dtype=np.int32),
                                           np.full(n_k, sink, dtype=np.int32),
                                           supply.astype(np.int64), unmatched.astype(np.int64))
    s.add_arcs_with_capacity_and_unit_cost(np.arange(n_k, n_k + n_v, dtype=np.int32),
                                           np.full(n_v, sink, dtype=np.int32), caps,
                                           np.zeros(n_v, dtype=np.int64) if vol_costs is None
                                           else vol_costs.astype(np.int64))
    sup = np.zeros(sink + 1, dtype=np.int64)
    sup[:n_k] = supply
    sup[sink] = -int(supply.sum())
    s.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), sup)
    status = s.solve()
    if status != s.OPTIMAL:
        raise RuntimeError(f"OR-Tools min cost flow failed: {status}")
    return s.flows(np.arange(a, dtype=np.int64)) if a else np.zeros(0, dtype=np.int64)
