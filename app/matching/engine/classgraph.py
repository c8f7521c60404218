"""A big round solved on the graph of its classes, never building one arc per child.

Children of one class (engine/classes.py: same point, county, school, rules, needs, sex, age
band and tier) have the same feasible volunteers at the same costs. In a big round where many
children share their village's point (family B of the bench at prefecture size: 100,000
children, 140 M feasible arcs, one county alone 93 M) the graph of every child's arcs does not
fit in memory, nor does one OR-Tools solve of it. Here the graph is built for one member of each
class (30 M arcs for that round) and the optimum is found on it by column generation:

1. a first arc set P: each class's few cheapest arcs and each volunteer's few cheapest arcs;
   every existing pair that is still feasible is a *kept arc* of its class (as many places as
   the class's members with that pair, at the pair cost less the churn cost), always in P;
2. one OR-Tools solve of the class network on P (class k: supply = its size; arcs of capacity
   its size), on costs reduced by the last duals once it is near the optimum;
3. the least volunteer prices consistent with that flow on P (:func:`class_duals`), each class's
   ``u`` the largest of its members' (``U`` for a member left out, ``cost + price`` for one
   placed);
4. every class arc priced: an arc with ``u - price > cost`` joins P and we go back to 2.

When no arc violates, ``u`` per child (its class's) and the prices are dual feasible for the
children's problem (a full kept arc takes the dual ``z = max(0, u - price - cost)`` of its
places), and the dual objective ``sum u - sum cap * price - sum places * z`` is compared with
the primal objective in exact integers: equal is a proof of optimality, as for every method.
The class flow is then handed to the members: a kept arc's units to members with that pair.

A child with more than one existing pair is a class of its own. Steered rounds (pins,
exclusions) take the per-child graph (driver.solve).
"""

from __future__ import annotations

import copy
import time

import numpy as np

from . import tuning
from .arcs import cheapest_per
from .classes import _class_flow, child_classes
from .duals import INF, most_violated, violations
from .flow import narrow
from .graph import CandidateGraph, build_graph, pair_costs, pair_violations
from .problem import Problem


def classes_of(p: Problem) -> tuple[np.ndarray, int]:
    """Class of every child and the number of classes; a child with more than one existing pair
    is a class of its own."""
    own = np.bincount(p.ex_child, minlength=p.n_children) > 1
    return child_classes(p, np.ones(p.n_children, dtype=bool), own)


def class_problem(p: Problem, cls: np.ndarray, n: int) -> Problem:
    """The problem of one member per class (classes ``cls``, ``n`` of them), without existing
    pairs: class k is child k of the returned problem."""
    rep = np.full(n, -1, dtype=np.int64)
    rep[cls[::-1]] = np.arange(p.n_children)[::-1]  # the first member stands for its class
    q = copy.copy(p)
    for name, value in vars(p).items():
        if name.startswith("c_") and isinstance(value, np.ndarray) and value.shape[:1] == (p.n_children,):
            setattr(q, name, value[rep])
    q.child_ids = [p.child_ids[i] for i in rep.tolist()]
    q._cidx = None
    q.ex_child = q.ex_vol = np.zeros(0, dtype=np.int64)
    return q


def grouped(p: Problem) -> tuple[np.ndarray, int] | None:
    """Cheap test before any graph: the classes of a round big enough whose children group
    into few enough of them (else None: the class graph would be nearly every child's)."""
    if p.n_children < tuning.CLASS_GRAPH_MIN_CHILDREN:
        return None
    cls, n = classes_of(p)
    return (cls, n) if n <= tuning.CLASS_SHARE * p.n_children else None


class Kept:
    """The existing pairs on the class graph: every still-feasible one (``feasible``, per
    existing pair) and, per (class, volunteer) of them, a *kept* arc: ``n`` places at the pair
    cost less ``churn`` (only that class's members with that pair may take it). ``ex_arc``: the
    kept arc of each existing pair (-1: not feasible)."""

    def __init__(self, p: Problem, cls: np.ndarray):
        churn = int(p.params.churn_cost)
        bad, d = pair_violations(p, p.ex_child, p.ex_vol)
        self.feasible = bad == 0
        self.ex_arc = np.full(p.ex_child.size, -1, dtype=np.int64)
        ok = np.flatnonzero(self.feasible) if churn else np.zeros(0, dtype=np.int64)
        key = cls[p.ex_child[ok]].astype(np.int64) * p.n_volunteers + p.ex_vol[ok]
        keys, first, arc, n = np.unique(key, return_index=True, return_inverse=True,
                                        return_counts=True)
        self.ex_arc[ok] = arc.ravel()
        i, j = p.ex_child[ok[first]], p.ex_vol[ok[first]]
        self.k, self.v, self.n = keys // p.n_volunteers, j, n
        self.cost = pair_costs(p, i, j, d[ok[first]]) - churn


class ClassGraphSolve:
    """The optimum of ``p`` on its class graph (see the module docstring)."""

    def __init__(self, p: Problem, cls: np.ndarray, n_cls: int, g: CandidateGraph, U: np.ndarray,
                 kept: Kept):
        self.p, self.cls, self.n, self.g, self.U, self.kept = p, cls, n_cls, g, U, kept
        self.size = np.bincount(cls, minlength=n_cls)
        self.cap = p.v_cap.astype(np.int64)
        self.stats: dict = {"classes": n_cls, "class_arcs": g.n_arcs, "kept_arcs": int(kept.k.size),
                            "rounds": []}

    def first_arcs(self) -> np.ndarray:
        g = self.g
        inP = np.zeros(g.n_arcs, dtype=bool)
        inP[cheapest_per(g.ci, self.n, g.cost, tuning.CLASS_GRAPH_ARCS_PER_CLASS)] = True
        inP[cheapest_per(g.vj, self.p.n_volunteers, g.cost,
                         tuning.CLASS_GRAPH_ARCS_PER_VOLUNTEER)] = True
        return inP

    def solve(self) -> tuple[np.ndarray, np.ndarray, bool, tuple | None]:
        """Units per arc of the class network and whether the optimum is proven, with the duals
        (u per class, price per volunteer) when it is. Arcs: class-graph positions, then
        ``g.n_arcs + b`` for kept arc b."""
        g, nv, kp = self.g, self.p.n_volunteers, self.kept
        inP = self.first_arcs()
        nb = kp.k.size
        duals = None
        for it in range(1000):
            t0 = time.perf_counter()
            P = np.r_[np.flatnonzero(inP), g.n_arcs + np.arange(nb)]
            nP = P.size - nb
            tails = np.r_[g.ci[P[:nP]], kp.k].astype(np.int64)
            heads = np.r_[g.vj[P[:nP]], kp.v].astype(np.int64)
            cost = np.r_[g.cost[P[:nP]], kp.cost]
            caps = np.r_[self.size[tails[:nP]], kp.n]
            flows = self.flow(tails, heads, cost, caps, duals)
            t1 = time.perf_counter()
            used = flows > 0
            # a full kept arc binds no price (the constraint is its own dual, z below)
            forward = np.ones(P.size, dtype=bool)
            forward[nP:] = flows[nP:] < kp.n
            duals = class_duals(tails[forward], heads[forward], cost[forward], tails[used],
                                heads[used], cost[used], flows[used], self.size, self.U, self.cap)
            t2 = time.perf_counter()
            row = {"arcs": int(P.size), "solve": t1 - t0, "duals": t2 - t1}
            self.stats["rounds"].append(row)
            if duals is None:  # (an exact solve on P always has duals on P)
                return P[used], flows[used], False, None
            u, price = duals
            pos, slack = self.violations(u, price, above=-tuning.CLASS_GRAPH_NEAR_TIGHT)
            near = pos
            pos, slack = pos[slack > 0], slack[slack > 0]
            row["violations"] = int(pos.size)
            row["scan"] = time.perf_counter() - t2
            if pos.size == 0:
                out = self.size - np.bincount(tails[used], weights=flows[used],
                                              minlength=self.n).astype(np.int64)
                primal = int((cost[used] * flows[used]).sum()) + int((out * self.U).sum())
                z = np.maximum(u[kp.k] - price[kp.v] - kp.cost, 0)
                dual = (int((self.size * u).sum()) - int((self.cap * price).sum())
                        - int((kp.n * z).sum()))
                self.stats.update(dual_objective_lp=dual, primal_objective_lp=primal)
                return P[used], flows[used], dual == primal, (u, price)
            if pos.size > 8 * (self.n + nv):
                pos = most_violated(g, pos, slack, self.n, nv, tuning.CLASS_GRAPH_MOST_VIOLATED)
                duals = None  # far from the optimum: reduced costs do not help OR-Tools
            else:
                pos = near  # few violations: nearly tight arcs too, so fewer rounds follow
            inP[pos] = True
        return P[used], flows[used], False, None

    def flow(self, tails: np.ndarray, heads: np.ndarray, cost: np.ndarray, caps: np.ndarray,
             duals: tuple | None) -> np.ndarray:
        """OR-Tools on the class network of the arcs ``(tails, heads)``; with ``duals`` (the last
        arc set's) on costs reduced by them and capped as in flow.flow_used_reduced: the same
        optimum, and cost scaling needs fewer phases on small costs. When the capped optimum
        uses a capped arc, the solve is repeated on the true reduced costs."""
        n, nv, size = self.n, self.p.n_volunteers, self.size
        if duals is None:
            return _class_flow(n, nv, tails, heads, cost, caps, self.U, self.cap, size)
        u, price = duals
        rc = cost - u[tails] + price[heads]
        ru = self.U - u
        top = tuning.REDUCED_COST_CAP
        flows = _class_flow(n, nv, tails, heads, np.minimum(rc, top), caps, np.minimum(ru, top),
                            self.cap, size, -price)
        used = flows > 0
        out = size - np.bincount(tails[used], weights=flows[used], minlength=n).astype(np.int64)
        if (rc[used] > top).any() or ((out > 0) & (ru > top)).any():
            flows = _class_flow(n, nv, tails, heads, rc, caps, ru, self.cap, size, -price)
        return flows

    def violations(self, u: np.ndarray, price: np.ndarray, above: int = 0):
        """Class arcs with ``u - price - cost > above``, and that slack: the per-child scan of
        :func:`.duals.violations` over the class graph, every class in the flow, no churn."""
        none = np.zeros(0, dtype=np.int64)
        return violations(self.g, None, np.arange(self.g.n_children), u, price, none, 0, above=above)


def class_duals(pk, pv, pcost, uk, uv, ucost, uflow, size, U, cap, p_init=None,
                max_rounds: int | None = None):
    """Least volunteer prices ``p >= 0`` consistent with a class flow on the arc set P.

    P: arcs ``(pk, pv)`` with costs ``pcost``; the flow: ``uflow`` units on used arcs ``(uk,
    uv)`` of cost ``ucost`` (all in P). A class's ``u`` is the largest of its members': ``U``
    when a member is left out, ``cost + p`` of each used arc. Prices must satisfy ``p_j >= u_k -
    c_kj`` on P, be 0 for a volunteer with room, and no ``u`` may exceed ``U``. Returns ``(u,
    p)``, or None when no such prices exist (the flow is not optimal on P). A vectorised
    Bellman-Ford with a frontier, as duals.least_duals for one child per node.
    """
    n_k, n_v = size.size, cap.size
    p = np.zeros(n_v, dtype=np.int64) if p_init is None else p_init.copy()
    placed = np.bincount(uk, weights=uflow, minlength=n_k).astype(np.int64)
    base = np.where(placed < size, U, -INF)
    load = np.bincount(uv, weights=uflow, minlength=n_v).astype(np.int64)
    room = load < cap
    u = base.copy()
    np.maximum.at(u, uk, ucost + p[uv])
    if pk.size == 0:
        return _checked(u, p, U, room, base, uk, uv, ucost)
    order = np.argsort(narrow(pk), kind="stable")
    pk_s, pv_s, cost_s = pk[order], pv[order], pcost[order]
    kptr = np.zeros(n_k + 1, dtype=np.int64)
    np.cumsum(np.bincount(pk_s, minlength=n_k), out=kptr[1:])
    uorder = np.argsort(narrow(uv), kind="stable")
    uk_s, uv_s, ucost_s = uk[uorder], uv[uorder], ucost[uorder]
    vptr = np.zeros(n_v + 1, dtype=np.int64)
    np.cumsum(np.bincount(uv_s, minlength=n_v), out=vptr[1:])
    p_max = (int(U.max()) if U.size else 0) - min(int(pcost.min()), 0)
    max_rounds = max_rounds or (n_k + n_v + 2)
    old = p.copy()
    np.maximum.at(p, pv_s, u[pk_s] - cost_s)
    changed = np.flatnonzero(p > old)
    rounds = 1
    while changed.size:
        if (room[changed] & (p[changed] > 0)).any() or p[changed].max() > p_max:
            return None
        rounds += 1
        if rounds > max_rounds:
            return None
        sel = _rows(vptr, changed)
        if sel.size == 0:
            break
        ks = uk_s[sel]
        before = u[ks]
        np.maximum.at(u, ks, ucost_s[sel] + p[uv_s[sel]])
        ks = np.unique(ks[u[ks] > before])
        if ks.size == 0:
            break
        arcs = _rows(kptr, ks)
        vv = pv_s[arcs]
        cand = u[pk_s[arcs]] - cost_s[arcs]
        up = cand > p[vv]
        if not up.any():
            break
        vv = vv[up]
        np.maximum.at(p, vv, cand[up])
        changed = np.unique(vv)
    return _checked(u, p, U, room, base, uk, uv, ucost)


def _rows(ptr: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions of every entry of ``rows`` in a CSR layout with row pointers ``ptr``."""
    lens = ptr[rows + 1] - ptr[rows]
    tot = int(lens.sum())
    return np.repeat(ptr[rows] - np.cumsum(lens) + lens, lens) + np.arange(tot)


def _checked(u, p, U, room, base, uk, uv, ucost):
    u = base.copy()
    np.maximum.at(u, uk, ucost + p[uv])
    if (u > U).any() or (p[room] != 0).any():
        return None
    return u, p


def members(p: Problem, cls: np.ndarray, n_cls: int, g: CandidateGraph, kept: Kept,
            arcs: np.ndarray, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The class flow handed to the members: ``units[a]`` members of the class of arc
    ``arcs[a]`` take it (ClassGraphSolve.solve's numbering). A kept arc's units go to members
    with that existing pair; the other units to the members left, in turn by position.
    Returns (children, their arcs)."""
    is_kept = arcs >= g.n_arcs
    taken = np.zeros(p.n_children, dtype=bool)
    kids, out = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    if is_kept.any():
        room = np.zeros(kept.k.size, dtype=np.int64)
        room[arcs[is_kept] - g.n_arcs] = units[is_kept]
        ex = np.flatnonzero(kept.ex_arc >= 0)
        ex = ex[np.argsort(kept.ex_arc[ex], kind="stable")]
        arc_of = kept.ex_arc[ex]
        rank = np.arange(ex.size) - np.searchsorted(arc_of, arc_of)  # among the same kept arc
        pick = ex[rank < room[arc_of]]
        taken[p.ex_child[pick]] = True
        kids.append(p.ex_child[pick])
        out.append(g.n_arcs + kept.ex_arc[pick])
    a, f = arcs[~is_kept], units[~is_kept]
    pool = np.flatnonzero(~taken)
    pool = pool[np.argsort(cls[pool], kind="stable")]
    start = np.zeros(n_cls + 1, dtype=np.int64)
    np.cumsum(np.bincount(cls[pool], minlength=n_cls), out=start[1:])
    k = g.ci[a].astype(np.int64)
    by = np.argsort(k, kind="stable")
    unit_k = np.repeat(k[by], f[by])
    first = np.zeros(n_cls + 1, dtype=np.int64)
    np.add.at(first, k[by] + 1, f[by])
    np.cumsum(first, out=first)
    kids.append(pool[start[unit_k] + np.arange(unit_k.size) - first[unit_k]])
    out.append(np.repeat(a[by], f[by]))
    return np.concatenate(kids), np.concatenate(out)


def solve_on_class_graph(p: Problem, timings: dict, stats: dict, classes=None):
    """The optimum of ``p`` on its class graph: ``(match, pair cost per child, proven, duals per
    child and per volunteer, class graph, class per child, feasible existing pairs)``, or None
    when the graph of every child's arcs is small enough to build (then the caller does).
    ``classes``: (class per child, number) from :func:`grouped`; None: always solve here."""
    t0 = time.perf_counter()
    cls, n = classes if classes is not None else classes_of(p)
    q = class_problem(p, cls, n)
    g = build_graph(q)
    timings["graph"] = time.perf_counter() - t0
    full = int((np.bincount(cls, minlength=n) * g.n_feasible.astype(np.int64)).sum())
    stats["child_arcs"] = full
    if full <= tuning.CLASS_GRAPH_MIN_ARCS and classes is not None:
        return None
    t1 = time.perf_counter()
    kept = Kept(p, cls)
    U = p.params.unmatched_costs()[q.c_tier] if n else np.zeros(0, dtype=np.int64)
    s = ClassGraphSolve(p, cls, n, g, U, kept)
    arcs, units, proven, duals = s.solve()
    timings["solve"] = time.perf_counter() - t1
    stats.update(s.stats)
    kids, arcs = members(p, cls, n, g, kept, arcs, units)
    is_kept = arcs >= g.n_arcs
    match = np.full(p.n_children, -1, dtype=np.int64)
    cost = np.zeros(p.n_children, dtype=np.int64)
    b = arcs[is_kept] - g.n_arcs
    match[kids[is_kept]] = kept.v[b]
    cost[kids[is_kept]] = kept.cost[b] + int(p.params.churn_cost)
    match[kids[~is_kept]] = g.vj[arcs[~is_kept]]
    cost[kids[~is_kept]] = g.cost[arcs[~is_kept]]
    child_duals = (duals[0][cls], duals[1]) if proven else None
    return match, cost, proven, child_duals, g, cls, kept.feasible
