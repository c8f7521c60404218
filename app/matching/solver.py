"""Provably optimal solve of the matching objective (PROBLEM.md) as a min-cost flow.

Network: source -> child (supply 1), child -> volunteer (pair cost), child -> sink ("unmatched",
priced by tier), volunteer -> sink (capacity). Churn: an existing pair that is still feasible and
not kept costs ``churn_cost``; modelled by discounting the arc of every feasible existing pair by
``churn_cost`` and adding ``churn_cost`` x (#feasible existing pairs) as a constant.

Engine: OR-Tools ``SimpleMinCostFlow`` (exact, integer). Methods:

* ``full`` — one OR-Tools solve of every feasible arc (the reference; only on request).
* ``pruned`` (auto for one county, and for a re-match where existing pairs fill nearly every
  place) — a first OR-Tools solve on a pruned arc set: every arc of urgent and key children, the
  arcs of existing pairs, each child's few cheapest arcs and, for volunteers with places left
  after their existing pairs, their cheapest arcs to normal children without a pair. The
  certificate then adds every arc that violates or is nearly tight under the duals; with many
  improving arcs everyone is re-solved on the grown set, with a few only their *region* (below).
  Measured at county size (one process, medians): fresh round 2.4 s (full) -> 1.5-2.0 s,
  re-match 1.9-2.1 s -> 0.7-1.1 s.
* ``county`` (auto for a fresh round across several counties) — every county is solved alone
  on its own arcs by the pruned method (OR-Tools is super-linear in the number of nodes, so ten
  county solves are much cheaper than one prefecture solve and need far less memory). The
  cross-county arcs are then priced with the county duals; improving ones plus every nearly
  tight arc (reduced cost < ``NEAR_TIGHT_CROSS``) join the arc set on which all children are
  re-solved jointly, and the certificate loop below adds any arc that still violates and repairs
  or re-solves until none does.

Repair (both): with optimal duals of the current assignment every residual arc has a reduced
cost >= 0, so an improving arc of slack s changes the optimum only along cycles of reduced
length < s through it. scipy's Dijkstra finds the children on such cycles (for arcs into a few
volunteers: on each arc's shortest cycle); only they are re-solved (the others keep their
volunteers and the places they take), and the certificate then checks every arc again. When
that region is most of the children (an urgent child's slack reaches everywhere) all are
re-solved on the pruned arc set instead; when the region missed a cycle the duals fail and the
same happens.

In the county method each county is solved and certified alone by the pruned method (in two
spawned processes when the graph is big); their duals together are the within-county duals, so
the cross-county step starts from them. On a big fresh round (``PIPELINE_MIN_CHILDREN``, no
locks or forbidden pairs) when :func:`solve` builds the graph itself, the county solves start
while the graph is still being built: the builder hands over each county's arcs as soon as it
has them (:class:`_CountyPipeline`), so the one-core graph build and the two-core county solves
overlap (prefecture size, end to end: 37-41 s -> 29.7 s median, bench 2026-12-03).

Certificate (both methods; ``optimal`` is true only when it holds): LP duals are computed by us —
the least volunteer prices ``p >= 0`` with ``u_i = c(i, m(i)) + p_m(i)`` for a matched child and
``U_i`` for an unmatched one, ``u_i - p_j <= c_ij`` on a working arc set P (a vectorised
Bellman-Ford; complementary slackness is checked: price 0 where a volunteer has room, ``u_i <=
U_i``). Every feasible arc is then priced in one vectorised pass; violating arcs join P and the
duals are recomputed (warm). When no arc violates, ``(u, p)`` is dual feasible for the whole
problem and its dual objective ``sum u - sum cap * p`` equals the primal objective in exact
integers — a proof of optimality. The reported objective is recomputed from the assignment.

Locked pairs are fixed before the solve (infeasible lock -> :class:`MatchingError`); forbidden
pairs are removed from the graph (a forbidden existing pair is then not "still feasible", so it
carries no churn cost).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Iterable

import numpy as np
from ortools.graph.python import min_cost_flow

from .graph import CandidateGraph, build_graph, existing_arcs, pair_violations
from .problem import TIERS, Problem, ProblemError

_INF = np.int64(1) << 62
#: a re-match: at most this share of the places is free after the still-feasible existing
#: pairs. "auto" then picks the pruned method even for several counties (re-match, prefecture:
#: pruned 18.9 s vs county method 35.6 s vs full 32.4 s); on a fresh round (~30 % free) of
#: several counties the county method (prefecture: 47-55 s vs pruned 54-75 s).
PRUNED_FREE_SHARE = 0.10


class MatchingError(ValueError):
    """A request the solver cannot honour (e.g. a locked pair that is not feasible)."""


@dataclass
class Pair:
    child: str
    volunteer: str
    cost: int
    kept: bool = False      # an existing pair that is kept
    locked: bool = False


@dataclass
class Unmatched:
    child: str
    tier: str
    reason: str = ""
    detail: dict = field(default_factory=dict)


@dataclass
class SolveResult:
    pairs: list[Pair]
    unmatched: list[Unmatched]
    objective: int
    optimal: bool
    seconds: float
    timings: dict = field(default_factory=dict)
    stats: dict = field(default_factory=dict)
    # positional views (for explain / the web app)
    match: np.ndarray | None = None      # volunteer position per child, -1 if unmatched
    arc_of_child: np.ndarray | None = None  # arc position in the graph per child, -1 if none
    graph: CandidateGraph | None = field(default=None, repr=False)  # the graph solved

    def to_dict(self) -> dict:
        """Exactly the exchange format of PROBLEM.md."""
        return {
            "pairs": [{"child": p.child, "volunteer": p.volunteer, "cost": p.cost}
                      for p in self.pairs],
            "unmatched": [{"child": u.child, "tier": u.tier, "reason": u.reason}
                          for u in self.unmatched],
            "objective": int(self.objective),
            "optimal": bool(self.optimal),
            "seconds": round(float(self.seconds), 3),
        }


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------

def match_pairs(ci: np.ndarray, vj: np.ndarray, pc: np.ndarray, pv: np.ndarray,
                n_children: int) -> np.ndarray:
    """Arc position of each pair (pc[k], pv[k]) in the arc list (ci, vj), or -1."""
    npairs = pc.size
    out = np.full(npairs, -1, dtype=np.int64)
    if npairs == 0 or ci.size == 0:
        return out
    order = np.argsort(pc, kind="stable")
    sc = pc[order]
    first = np.r_[True, sc[1:] != sc[:-1]]
    rank = np.arange(npairs) - np.maximum.accumulate(np.where(first, np.arange(npairs), 0))
    for layer in range(int(rank.max()) + 1):
        sel = order[rank == layer]
        want = np.full(n_children, -1, dtype=np.int64)
        want[pc[sel]] = pv[sel]
        hit = np.flatnonzero(want[ci] == vj)
        slot = np.full(n_children, -1, dtype=np.int64)
        slot[ci[hit]] = hit
        out[sel] = slot[pc[sel]]
    return out


def _pair_indices(problem: Problem, pairs: Iterable, what: str) -> tuple[np.ndarray, np.ndarray]:
    cidx, vidx = problem.child_index, problem.volunteer_index
    cs, vs = [], []
    for k, pr in enumerate(pairs):
        try:
            c, v = pr
        except (TypeError, ValueError):
            raise MatchingError(f"{what}[{k}]: expected a (child_id, volunteer_id) pair") from None
        if c not in cidx:
            raise MatchingError(f"{what}[{k}]: unknown child id {c!r}")
        if v not in vidx:
            raise MatchingError(f"{what}[{k}]: unknown volunteer id {v!r}")
        cs.append(cidx[c])
        vs.append(vidx[v])
    return np.array(cs, dtype=np.int64), np.array(vs, dtype=np.int64)


class _Flow:
    """One OR-Tools solve of the arc subset ``idx`` (positions in the graph)."""

    @staticmethod
    def solve(n_c: int, n_v: int, tails: np.ndarray, heads: np.ndarray, costs: np.ndarray,
              unmatched: np.ndarray, caps: np.ndarray,
              vol_costs: np.ndarray | None = None) -> np.ndarray:
        """Return a 0/1 flow per child->volunteer arc. Children are 0..n_c-1. ``vol_costs``:
        cost per unit on each volunteer's capacity arc (default 0)."""
        smcf = min_cost_flow.SimpleMinCostFlow()
        sink = n_c + n_v
        a = tails.size
        if a:
            smcf.add_arcs_with_capacity_and_unit_cost(
                tails.astype(np.int32, copy=False),
                (heads + np.int32(n_c)).astype(np.int32, copy=False),
                np.ones(a, dtype=np.int64), costs.astype(np.int64, copy=False))
        smcf.add_arcs_with_capacity_and_unit_cost(
            np.arange(n_c, dtype=np.int32), np.full(n_c, sink, dtype=np.int32),
            np.ones(n_c, dtype=np.int64), unmatched.astype(np.int64))
        smcf.add_arcs_with_capacity_and_unit_cost(
            np.arange(n_c, n_c + n_v, dtype=np.int32), np.full(n_v, sink, dtype=np.int32),
            caps.astype(np.int64),
            np.zeros(n_v, dtype=np.int64) if vol_costs is None else vol_costs.astype(np.int64))
        sup = np.zeros(sink + 1, dtype=np.int64)
        sup[:n_c] = 1
        sup[sink] = -n_c
        smcf.set_nodes_supplies(np.arange(sink + 1, dtype=np.int32), sup)
        status = smcf.solve()
        if status != smcf.OPTIMAL:
            raise RuntimeError(f"OR-Tools min cost flow failed: {status}")
        if a == 0:
            return np.zeros(0, dtype=np.int64)
        return smcf.flows(np.arange(a, dtype=np.int64))


def least_duals(pc: np.ndarray, pv: np.ndarray, pcost: np.ndarray, match: np.ndarray,
                mcost: np.ndarray, U: np.ndarray, cap: np.ndarray, p_init: np.ndarray | None = None,
                max_rounds: int = 150):
    """Least volunteer prices p >= 0 consistent with the assignment on the arc set.

    Arcs ``(pc[k], pv[k])`` with (discounted) costs ``pcost``; ``match[i]``: volunteer of child
    i or -1, ``mcost[i]`` the cost of that arc; ``U``: unmatched costs; ``cap``: capacities.
    ``p_init`` (optional) must be a lower bound of the result (e.g. the prices for a subset of
    these arcs with the same assignment). Returns ``(u, p, rounds)``, or ``None`` when no such
    prices exist — the assignment is then not optimal on these arcs: a volunteer with room gets a
    positive price (augmenting path), a matched child would rather be unmatched, or the
    iteration does not settle (improving cycle). Vectorised Bellman-Ford with a frontier.
    """
    n_c = U.size
    n_v = cap.size
    p = np.zeros(n_v, dtype=np.int64) if p_init is None else p_init.copy()
    matched = match >= 0
    mi = np.flatnonzero(matched)
    load = np.bincount(match[mi], minlength=n_v)
    room = load < cap
    u = U.copy()
    u[mi] = mcost[mi] + p[match[mi]]
    if pc.size == 0:
        return u, p, 0
    order = np.argsort(_narrow(pc), kind="stable")  # (a radix sort for 16-bit keys)
    pc_s, pv_s, cost_s = pc[order], pv[order], pcost[order]
    indptr = np.zeros(n_c + 1, dtype=np.int64)
    np.cumsum(np.bincount(pc_s, minlength=n_c), out=indptr[1:])
    morder = mi[np.argsort(_narrow(match[mi]), kind="stable")]
    vptr = np.zeros(n_v + 1, dtype=np.int64)
    np.cumsum(load, out=vptr[1:])
    u_max = int(U.max()) if U.size else 0

    old = p.copy()
    np.maximum.at(p, pv_s, u[pc_s] - cost_s)
    changed = np.flatnonzero(p > old)
    rounds = 1
    while changed.size:
        if room[changed].any() and (p[changed[room[changed]]] > 0).any():
            return None  # a volunteer with room must have price 0
        if p[changed].max() > u_max:
            return None
        rounds += 1
        if rounds > max_rounds:
            return None
        lens = vptr[changed + 1] - vptr[changed]
        tot = int(lens.sum())
        if tot == 0:
            break
        ch = morder[np.repeat(vptr[changed] - np.cumsum(lens) + lens, lens) + np.arange(tot)]
        u[ch] = mcost[ch] + p[match[ch]]
        lens = indptr[ch + 1] - indptr[ch]
        tot = int(lens.sum())
        if tot == 0:
            break
        arcs = np.repeat(indptr[ch] - np.cumsum(lens) + lens, lens) + np.arange(tot)
        vv = pv_s[arcs]
        cand = u[pc_s[arcs]] - cost_s[arcs]
        up = cand > p[vv]
        if not up.any():
            break
        vv = vv[up]
        np.maximum.at(p, vv, cand[up])
        mark = np.zeros(n_v, dtype=bool)
        mark[vv] = True
        changed = np.flatnonzero(mark)
    u = U.copy()
    u[mi] = mcost[mi] + p[match[mi]]
    if (u[mi] > U[mi]).any() or (p[room] != 0).any():
        return None
    return u, p, rounds


# --------------------------------------------------------------------------------------------
# the solver
# --------------------------------------------------------------------------------------------

def solve(problem: Problem, graph: CandidateGraph | None = None, *,
          locked: Iterable[tuple[str, str]] = (), forbidden: Iterable[tuple[str, str]] = (),
          method: str = "auto", explain_reasons: bool = True) -> SolveResult:
    """Solve ``problem`` to proven optimality.

    ``locked``: (child_id, volunteer_id) pairs that must be in the result (each must be
    feasible, not forbidden, at most one per child and within the volunteer's capacity, else
    :class:`MatchingError`). ``forbidden``: pairs that must not be used. ``method``: "full"
    (one OR-Tools solve of every arc), "county" (per-county solves, then a joint re-solve on
    a pruned arc set where cross-county arcs improve), "pruned" (solves on a growing pruned
    arc set) or "auto" (county for a fresh round across several counties, else pruned); all
    certified the same way. Unmatched reasons are filled in unless ``explain_reasons`` is false.
    The graph is built when not given (pass it to reuse it).
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    stats: dict = {}
    p = problem
    locked, forbidden = list(locked), list(forbidden)
    pipe = None
    if graph is None:
        # a fresh round over many counties: the counties are solved while the graph is built
        pipe = _CountyPipeline.start(p, method) if not (locked or forbidden) else None
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
    fc, fv = _pair_indices(p, forbidden, "forbidden")
    if fc.size:
        fpos = match_pairs(g.ci, g.vj, fc, fv, nc)
        fpos = fpos[fpos >= 0]
        if fpos.size:
            alive = np.ones(g.n_arcs, dtype=bool)
            alive[fpos] = False
    lc, lv = _pair_indices(p, locked, "locked")
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
    elif method == "auto":
        method = "county" if _fresh_round(p, cap, n_ex_feasible, flow_child) else "pruned"
    if method not in ("full", "county", "pruned"):
        raise ValueError(f"unknown method {method!r}")
    match_arc = np.full(nc, -1, dtype=np.int64)  # arc of each child's volunteer
    proven = True  # with no child to place, the forced assignment is trivially optimal
    try:
        if flow_child.any():
            proven = _solve_flow(p, g, alive, flow_child, cap, U_all, disc_pos, churn,
                                 match_arc, method, stats, timings, pipe)
    finally:
        if pipe is not None:
            pipe.close()
    timings["solve"] = time.perf_counter() - t_solve
    stats.pop("_duals", None)
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
    timings["assemble"] = time.perf_counter() - t_res
    if explain_reasons:
        from .explain import unmatched_reasons
        te = time.perf_counter()
        unmatched_reasons(p, g, res, alive=alive, forbidden_pairs=(fc, fv))
        timings["reasons"] = time.perf_counter() - te
    res.seconds = time.perf_counter() - t0
    return res


def _violation_names(bits: int) -> list[str]:
    from .explain import VIOLATION_CODES
    return [code for bit, code in VIOLATION_CODES if bits & bit]


class _Arcs:
    """Discounted arc costs (existing feasible pairs are cheaper by churn_cost)."""

    def __init__(self, g: CandidateGraph, disc_pos: np.ndarray, churn: int):
        self.g = g
        self.churn = churn
        self.disc = None
        if churn and disc_pos.size:
            self.disc = np.zeros(g.n_arcs, dtype=bool)
            self.disc[disc_pos] = True

    def cost(self, pos: np.ndarray) -> np.ndarray:
        c = self.g.cost[pos]
        if self.disc is not None:
            c = c - self.churn * self.disc[pos]
        return c


_COST_LADDER = np.array([500, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000, 11000, 15000,
                         20000, 30000, 45000], dtype=np.int64)


def _cheapest_per(group: np.ndarray, n: int, cost: np.ndarray, want) -> np.ndarray:
    """Positions (into ``group``/``cost``) of about the ``want`` cheapest arcs of each of the ``n``
    groups (``want``: a number or one per group; a cost ladder, no sort of all arcs)."""
    nl = _COST_LADDER.size + 1
    grp = group.astype(np.int64)
    lvl = np.searchsorted(_COST_LADDER, cost)
    cum = np.cumsum(np.bincount(grp * nl + lvl, minlength=n * nl).reshape(n, nl), axis=1)
    want = np.broadcast_to(np.asarray(want, dtype=np.int64), (n,))
    level = np.argmax(cum >= want[:, None], axis=1)
    level[cum[:, -1] < want] = nl - 1
    return np.flatnonzero(lvl <= level[grp])


def _cheap_arcs(g: CandidateGraph, k: int) -> np.ndarray:
    """About the k cheapest arcs of every child."""
    return _cheapest_per(g.ci, g.n_children, g.cost, k)


def _pruned_arcs(p: Problem, g: CandidateGraph, ok_arc: np.ndarray, disc_pos: np.ndarray,
                 cap: np.ndarray, k_child: int = 8, per_place: int = 60) -> np.ndarray:
    """The first arc set of the "pruned" method (positions, sorted; only arcs in ``ok_arc``).

    Every arc of urgent and key children (they are few and their required skills make the arcs
    few), the arcs of still-feasible existing pairs, each child's ``k_child`` cheapest arcs and,
    for every volunteer with places left after its existing pairs, about ``per_place`` cheapest
    arcs per free place to normal children without an existing pair. Only a heuristic: the
    certificate decides optimality and adds what is missing.
    """
    nc, nv = p.n_children, p.n_volunteers
    keep = np.zeros(g.n_arcs, dtype=bool)
    keep[_cheap_arcs(g, k_child)] = True
    keep[disc_pos] = True
    keep |= p.c_tier[g.ci] > 0
    free = cap - np.bincount(g.vj[disc_pos], minlength=nv)
    paired = np.zeros(nc, dtype=bool)
    paired[g.ci[disc_pos]] = True
    cand = np.flatnonzero((free[g.vj] > 0) & ~paired[g.ci] & (p.c_tier[g.ci] == 0) & ~keep)
    if cand.size:
        want = np.maximum(free, 0) * per_place
        keep[cand[_cheapest_per(g.vj[cand], nv, g.cost[cand], want)]] = True
    keep &= ok_arc
    return np.flatnonzero(keep)


def _solve_flow(p: Problem, g: CandidateGraph, alive, flow_child, cap, U_all, disc_pos, churn,
                match_arc, method, stats, timings, pipe: "_CountyPipeline | None" = None) -> bool:
    """Optimal assignment of the flow children into ``match_arc``; True when proven optimal.

    "full": one OR-Tools solve of every arc. "pruned": one solve on a pruned arc set.
    "county": each county alone first (its children, the volunteers whose home county it is, the
    arcs between them) — exact per county but blind to cross-county arcs. Then the certificate
    loop (module docstring): price every arc with the least duals, add what violates, repair the
    region of a few improving arcs or re-solve everyone on the grown arc set, until no arc
    violates.
    """
    nc, nv = p.n_children, p.n_volunteers
    arcs = _Arcs(g, disc_pos, churn)
    solves: list[dict] = []

    def prepare(kids: np.ndarray, idx: np.ndarray, vols: np.ndarray, caps: np.ndarray) -> tuple:
        """The arguments of :meth:`_Flow.solve` for children ``kids``, arcs ``idx``, volunteers
        ``vols`` (local positions)."""
        return (kids.size, vols.size, *_local_ends(nc, nv, kids, vols, g.ci[idx], g.vj[idx]),
                arcs.cost(idx), U_all[kids], caps)

    def apply(kids, idx, vols, used_local, seconds, label):
        match_arc[kids] = -1
        used = idx[used_local]
        match_arc[g.ci[used]] = used
        solves.append({"part": label, "children": int(kids.size), "volunteers": int(vols.size),
                       "arcs": int(idx.size), "seconds": seconds})

    def prepare_part(kids: np.ndarray, idx: np.ndarray, vols: np.ndarray,
                     caps: np.ndarray) -> tuple:
        """The arguments of :func:`_solve_part` (a county solved and certified alone)."""
        disc = (np.zeros(0, dtype=np.int64) if arcs.disc is None
                else np.flatnonzero(arcs.disc[idx]))
        return _part_args(nc, nv, kids, vols, g.ci[idx], g.vj[idx], g.cost[idx], U_all[kids],
                          caps, p.c_tier[kids], disc, churn)

    def run(kids: np.ndarray, idx: np.ndarray, vols: np.ndarray, caps: np.ndarray, label,
            duals: tuple | None = None):
        """OR-Tools on children ``kids`` with arcs ``idx`` to volunteers ``vols``; with
        ``duals`` (u per flow child, price per volunteer) on costs reduced by them."""
        args = prepare(kids, idx, vols, caps)
        if duals is None:
            apply(kids, idx, vols, *_flow_used(args), label=label)
            return
        used, seconds, capped = _flow_used_reduced(args, duals[0][loc[kids]], duals[1][vols])
        apply(kids, idx, vols, used, seconds, label=label)
        solves[-1]["capped"] = capped

    def repair(P: np.ndarray, viol: np.ndarray, slack: np.ndarray, u: np.ndarray,
               price: np.ndarray) -> bool:
        """Re-solve the children that improving arcs ``viol`` can affect (see _repair_region),
        the others fixed; arcs: ``P`` (which holds ``viol``). True when that region was so big
        that every flow child was re-solved on ``P`` instead."""
        tr = time.perf_counter()
        kids, idx, vols, caps = _repair_region(g, arcs, P, fcs, loc, match_arc, u, price, U,
                                               cap, viol, slack)
        t_region = time.perf_counter() - tr
        everyone = kids.size > REPAIR_MAX_SHARE * fcs.size
        if everyone:
            # a region this big rarely holds the whole repair: re-solve everyone on P
            run(fcs, P, np.arange(nv), cap, "all (pruned arcs)", (u, price))
            solves[-1]["region_children"] = int(kids.size)
        else:
            run(kids, idx, vols, caps, "region", (u, price))
        solves[-1]["region_seconds"] = t_region
        timings["ortools"] += time.perf_counter() - tr
        return everyone

    ok_arc = flow_child[g.ci] if alive is None else (alive & flow_child[g.ci])
    t0 = time.perf_counter()
    pruned = None
    given_duals = None  # optimal duals of the per-county problems, when they are certified
    if method == "full":
        run(np.flatnonzero(flow_child), np.flatnonzero(ok_arc), np.arange(nv), cap, "all")
        within = None
    elif method == "pruned":
        pruned = _pruned_arcs(p, g, ok_arc, disc_pos, cap)
        run(np.flatnonzero(flow_child), pruned, np.arange(nv), cap, "all (pruned arcs)")
        within = None
    else:
        within = p.c_county[g.ci] == p.v_county[g.vj]
        # each county is solved and certified on its own arcs (pruned method); its duals
        # together are optimal duals of the within-county problem
        fcs0 = np.flatnonzero(flow_child)
        loc0 = np.full(nc, -1, dtype=np.int64)
        loc0[fcs0] = np.arange(fcs0.size)
        county_u = U_all[fcs0].copy()
        county_p = np.zeros(nv, dtype=np.int64)
        county_ok = []

        county_cheap = []  # each county's few cheapest arcs per child: the seed of P below

        def apply_part(kids, idx, vols, used_local, seconds, proven_part, u_part, p_part,
                       cheap_local, label):
            apply(kids, idx, vols, used_local, seconds, label)
            county_cheap.append(idx[cheap_local])
            flow = loc0[kids] >= 0  # (a child without any arc is not a flow child)
            county_u[loc0[kids[flow]]] = u_part[flow]
            county_p[vols] = p_part
            county_ok.append(proven_part)

        if pipe is not None:
            # started while the graph was built (no locks or forbidden pairs: every arc of a
            # county is in its part)
            for part in pipe.results(g):
                apply_part(*part)
            workers, lost = pipe.workers, pipe.lost
        else:
            parts = _county_parts(p, g, within & ok_arc, flow_child, cap)
            workers = _county_workers(len(parts), int(sum(x[1].size for x in parts)))
            lost = 0
            if workers > 1:
                lost = _run_parallel(parts, workers, prepare_part, apply_part, _solve_part)
            else:
                for kids, idx, vols, caps, label in parts:
                    apply_part(kids, idx, vols, *_solve_part(prepare_part(kids, idx, vols, caps)),
                               label=label)
            del parts
        if lost:
            stats["county_solved_here"] = lost  # their worker process died
        if all(county_ok):
            given_duals = (county_u, county_p)
        stats["county_workers"] = workers
    timings["ortools"] = time.perf_counter() - t0

    # ---- certificate: least duals on a growing arc set, priced against every arc ----------
    t_cert = time.perf_counter()
    fcs = np.flatnonzero(flow_child)
    loc = np.full(nc, -1, dtype=np.int64)
    loc[fcs] = np.arange(fcs.size)
    U = U_all[fcs]
    inP = np.zeros(g.n_arcs, dtype=bool)
    if within is None:
        base = _cheap_arcs(g, 4) if pruned is None else pruned
        inP[base[ok_arc[base]]] = True
        del base
    else:
        for cheap in county_cheap:  # (found by the county solves: no pass over every arc)
            inP[cheap] = True
        del county_cheap
    p_warm = None
    # True while P only holds arcs that the current assignment was solved with (then a dual
    # iteration that stops early is just long, not a sign of a better assignment)
    solved_on_P = True
    scan_mask = None if within is None else (within & ok_arc)

    info = []
    proven = False
    for it in range(10_000):
        x = match_arc[fcs]
        xa = x[x >= 0]
        inP[xa] = True
        P = np.flatnonzero(inP)
        m = np.full(fcs.size, -1, dtype=np.int64)
        mc = np.zeros(fcs.size, dtype=np.int64)
        m[x >= 0] = g.vj[xa]
        mc[x >= 0] = arcs.cost(xa)
        td = time.perf_counter()
        # when arcs were added since the last solve, a long iteration usually means an
        # improving cycle: give up sooner (a wrong guess only costs a re-solve)
        from_counties = given_duals is not None
        if from_counties:
            res = (*given_duals, 0)
            given_duals = None
        else:
            res = least_duals(loc[g.ci[P]], g.vj[P].astype(np.int64), arcs.cost(P), m, mc, U,
                              cap, p_init=p_warm, max_rounds=150 if solved_on_P else 80)
        t_d = time.perf_counter() - td
        if res is None and solved_on_P:
            # the assignment is optimal on P (P holds only arcs it was solved with), so the
            # iteration stopped early only because it is long: run it to the Bellman-Ford bound
            res = least_duals(loc[g.ci[P]], g.vj[P].astype(np.int64), arcs.cost(P), m, mc, U,
                              cap, p_init=p_warm, max_rounds=nv + 2)
            if res is None:
                info.append({"iteration": it, "arcs": int(P.size), "failed": True})
                break  # cannot certify (an exact solver should never get here)
        if res is None:
            # not optimal on P any more: arcs added since the last solve improve it. Re-solve
            # every flow child on the arc set P (pruned, so OR-Tools stays fast).
            info.append({"iteration": it, "arcs": int(P.size), "duals": t_d,
                         "not_optimal_on_P": True})
            tr = time.perf_counter()
            run(fcs, P, np.arange(nv), cap, "all (pruned arcs)")
            solved_on_P = True
            timings["ortools"] += time.perf_counter() - tr
            p_warm = None
            continue
        u, price, br = res
        ts = time.perf_counter()
        # the first pruned solve: its duals are rough, so the nearly tight arcs join P too (far
        # fewer re-solves than adding only the violating arcs); one scan finds both
        first_pruned = pruned is not None and it == 0
        if from_counties:
            # every county certified these duals on all its arcs (the within-county ones)
            vpos, vsl = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        else:
            vpos, vsl = _violations(g, alive, fcs, u, price, disc_pos, churn, mask=scan_mask,
                                    above=-NEAR_TIGHT_FIRST if first_pruned else 0)
        near, near_sl = vpos, vsl
        if first_pruned:
            vpos, vsl = vpos[vsl > 0], vsl[vsl > 0]
        info.append({"iteration": it, "arcs": int(P.size), "duals": t_d, "bf_rounds": br,
                     "scan": time.perf_counter() - ts, "violations": int(vpos.size),
                     "scope": "within counties" if scan_mask is not None else "all arcs"})
        if vpos.size == 0 and scan_mask is not None:
            # every county is certified on its own arcs; now price the cross-county arcs.
            # Improving ones (and every nearly tight arc) join P and all children are
            # re-solved once on P; the loop below then certifies against every arc.
            scan_mask = None
            ts = time.perf_counter()
            near, nsl = _violations(g, alive, fcs, u, price, disc_pos, churn,
                                    above=-NEAR_TIGHT_CROSS)
            improving = near[(nsl > 0) & ~within[near]]
            info[-1]["cross_improving"] = int(improving.size)
            info[-1]["near_tight"] = int(near.size)
            info[-1]["scan2"] = time.perf_counter() - ts
            if improving.size == 0:
                vpos = improving
            else:
                inP[near] = True
                solved_on_P = repair(np.flatnonzero(inP), improving,
                                     nsl[(nsl > 0) & ~within[near]], u, price)
                p_warm = None
                continue
        if vpos.size == 0:
            dual_obj = int(u.sum()) - int((cap.astype(np.int64) * price).sum())
            primal = int(mc[m >= 0].sum()) + int(U[m < 0].sum())
            proven = dual_obj == primal
            stats["dual_objective_lp"] = dual_obj
            stats["primal_objective_lp"] = primal
            stats["_duals"] = (u, price)
            break
        n_improving = vpos.size
        if first_pruned:
            vpos, vsl = near, near_sl
        elif vpos.size > 8 * (nc + nv):
            vpos, vsl = _most_violated(g, vpos, vsl, nc, nv, 4), None
        inP[vpos] = True
        p_warm = price
        if scan_mask is None and method != "full":
            # these arcs were not part of the last (pruned, joint) solve (in a full solve and
            # within counties after the per-county solves every arc was). Many improving arcs:
            # re-solve everyone on P at once; a few: re-solve only the region they can change.
            # Either way the certificate then re-checks every arc.
            solved_on_P = False
            p_warm = None
            if n_improving > REPAIR_MAX_ARCS or vsl is None:
                tr = time.perf_counter()
                run(fcs, np.flatnonzero(inP), np.arange(nv), cap, "all (pruned arcs)", (u, price))
                solved_on_P = True
                timings["ortools"] += time.perf_counter() - tr
            else:
                imp = vsl > 0
                solved_on_P = repair(np.flatnonzero(inP), vpos[imp], vsl[imp], u, price)
    timings["certificate"] = time.perf_counter() - t_cert
    stats["solves"] = solves
    stats["certificate"] = info
    return proven


def _repair_region(g: CandidateGraph, arcs: "_Arcs", P: np.ndarray, fcs: np.ndarray,
                   loc: np.ndarray, match_arc: np.ndarray, u: np.ndarray, price: np.ndarray,
                   U: np.ndarray, cap: np.ndarray, viol: np.ndarray, slack: np.ndarray) -> tuple:
    """The children an exact re-solve must free when the improving arcs ``viol`` join ``P``.

    ``(u, price)`` are optimal duals of the current assignment on ``P`` without ``viol``, so every
    arc of the residual network (children, volunteers, the sink) has a reduced cost >= 0. An
    improving arc (i, j) of slack s lowers the cost only through a cycle j -> ... -> x -> ... ->
    exit(i) -> i of reduced length < s, where exit(i) is i's volunteer (or the sink when i is
    unmatched). With few heads the region is the children on the shortest such cycle
    of each arc (for one arc alone, cancelling that cycle is the exact optimum). Otherwise two
    Dijkstra runs (scipy) find every child x with
    ``min over arcs (dist(j, x) - s) + min over tails dist(x, exit(i)) < 0``: a superset of the
    children on such cycles with one improving arc. What a region misses (cycles through
    several arcs) makes the next duals fail, and everyone is re-solved. Returns (children,
    arcs, volunteers, capacities) of the region's OR-Tools solve: those children with all their
    arcs in ``P``, the others fixed (their places taken off the capacities).
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    nf, nv = fcs.size, cap.size
    t, s = nf + nv, nf + nv + 1
    x = match_arc[fcs]
    m = np.where(x >= 0, g.vj[np.maximum(x, 0)], -1).astype(np.int64)
    load = np.bincount(m[m >= 0], minlength=nv)
    pc = loc[g.ci[P]]
    pv = g.vj[P].astype(np.int64)
    used = x[pc] == P
    rc = arcs.cost(P) - u[pc] + price[pv]
    fwd = ~used & (rc >= 0)
    matched = np.flatnonzero(m >= 0)
    free = np.flatnonzero(m < 0)
    room = np.flatnonzero(load < cap)
    busy = np.flatnonzero(load > 0)
    rows = np.concatenate([pc[fwd], nf + pv[used], matched, np.full(free.size, t), nf + room,
                           np.full(busy.size, t)])
    cols = np.concatenate([nf + pv[fwd], pc[used], np.full(matched.size, t), free,
                           np.full(room.size, t), nf + busy])
    w = np.concatenate([rc[fwd], np.zeros(int(used.sum()), dtype=np.int64),
                        U[matched] - u[matched], np.zeros(free.size + room.size, dtype=np.int64),
                        price[busy]])
    del rc, fwd, used
    # an extra node s with an arc s -> j of length L - (largest slack of an arc into j), so that
    # dist(s, x) - L = min over improving arcs (dist(j, x) - slack); nothing leads back into s
    limit = int(slack.max())
    best = np.zeros(nv, dtype=np.int64)
    np.maximum.at(best, g.vj[viol], slack)
    heads = np.flatnonzero(best)
    G = csr_matrix((np.concatenate([w, limit - best[heads]]).astype(np.float64),
                    (np.concatenate([rows, np.full(heads.size, s)]),
                     np.concatenate([cols, nf + heads]))), shape=(s + 1, s + 1))
    del rows, cols, w
    tails = loc[g.ci[viol]]
    exit_of = np.where(m[tails] >= 0, nf + m[tails], t)
    if heads.size <= REPAIR_EXACT_PATHS:
        # few heads: the children on the shortest cycle through each arc (one Dijkstra per
        # head, with predecessors)
        df, pred = dijkstra(G, directed=True, indices=nf + heads, limit=limit,
                            return_predecessors=True)
        hi = np.searchsorted(heads, g.vj[viol])
        region = np.zeros(nf, dtype=bool)
        for k in range(viol.size):
            if df[hi[k], exit_of[k]] >= slack[k]:
                continue  # no cycle through this arc lowers the cost
            node = int(exit_of[k])
            while node >= 0:  # back along the shortest path to the head
                if node < nf:
                    region[node] = True
                node = int(pred[hi[k], node])
        del df, pred
        return _region_args(g, P, pc, fcs, m, cap, region, tails)
    # backward: distance from every node to the nearest exit of a tail; forward: from s
    db = dijkstra(G.T.tocsr(), directed=True, indices=np.unique(exit_of), min_only=True,
                  limit=limit)
    df = dijkstra(G, directed=True, indices=s, limit=limit)
    region = (df[:nf] + db[:nf]) < limit
    return _region_args(g, P, pc, fcs, m, cap, region, tails)


def _region_args(g, P, pc, fcs, m, cap, region, tails) -> tuple:
    """(children, arcs, volunteers, capacities) of the OR-Tools solve of ``region`` (a mask
    of the flow children) and the tails: their arcs in ``P``; the other children keep their
    volunteers and the places they take."""
    region[tails] = True
    kids = fcs[region]
    idx = P[region[pc]]
    out = m[~region]
    load_out = np.bincount(out[out >= 0], minlength=cap.size)
    vols = np.unique(g.vj[idx])
    return kids, idx, vols, cap[vols] - load_out[vols]


#: re-solves after a repair run on costs reduced by the duals, capped at this (exact: see
#: _flow_used_reduced). Prefecture, OR-Tools alone: joint re-solve 6.5 -> 4.6 s, region of
#: 47,840 children 5.9 -> 4.7 s; a county's repair 0.65 -> 0.58 s. A cap of 20,000 was as fast
#: but its optimum used capped arcs (a second solve).
REDUCED_COST_CAP = 100_000

#: nearly tight arcs (reduced cost below this) join the arc set P with the violating ones after
#: the first pruned solve, whose duals are rough...
NEAR_TIGHT_FIRST = 2000
#: ... and in the county method's cross-county step (the per-county duals are exact). Smaller is
#: better there: the joint re-solve is on fewer arcs and the few arcs it then misses are
#: repaired. Prefecture, whole solve: margin 6000: 62.6 s, 2000: 42-47 s, 600: 36.0 s,
#: 200: 35.2 s, 0: over 50 s (the least duals need many rounds to settle).
NEAR_TIGHT_CROSS = 400

#: a repair (re-solve of the region around improving arcs) instead of a joint re-solve when at
#: most this many arcs improve (county size: the fresh round's 45,769 arcs -> a region of 5,249
#: of 9,994 children, solve about as fast; the re-match's region 3,697 of 9,992 children, solve
#: 0.9-1.0 s instead of 1.0-1.2 s)
REPAIR_MAX_ARCS = 100_000
#: with at most this many distinct heads (volunteers), the region is the children on the shortest
#: cycle through each arc (one Dijkstra per head, ~0.1 s at prefecture size). Alone, one such
#: cycle is the exact repair; when several interact and the region misses something, the duals
#: fail and everyone is re-solved (prefecture cross-county step, 184 arcs into 29 volunteers:
#: a 475-child region missed, costing a failed dual try of 3.7 s before the joint re-solve).
#: The wider bound below frees ~40 % of the children at prefecture size however few the arcs
#: (3 arcs: 38,799 children; their shortest cycles: 15): the duals there are very degenerate.
REPAIR_EXACT_PATHS = 16
#: ... and when the region holds at most this share of the children (the improving arcs of a
#: more vulnerable child reach far; at county size a region of 51 % still solved faster than
#: everyone, 0.38 s vs 0.69 s)
REPAIR_MAX_SHARE = 0.6

#: counties are solved in parallel processes (OR-Tools holds the GIL) when the machine has
#: more than one core and the per-county graphs together have at least this many arcs (below
#: it, starting the processes costs more than it saves). Prefecture size (10 counties, 33.8M
#: arcs): the county phase 20 s -> ~12 s, end to end 62-64 s -> 55 s, process tree 2.65 GiB.
PARALLEL_MIN_ARCS = 2_000_000
MAX_COUNTY_WORKERS = 2
#: a fresh round of at least this many children in several counties starts the county solves
#: while the graph is being built (_CountyPipeline). Measured in one process (graph + solve),
#: pipelined against the county method after the graph (two workers there too): 10,000 children
#: in 2 counties 1.45-1.69 s vs 1.70-1.88 s; 20,000 in 2: 3.6-3.7 vs 4.3-4.7 s; 30,000 in 3:
#: 5.8-6.5 vs 6.9-7.8 s; prefecture 100,000 in 10: 24.5-30 vs 30-33 s. Smaller rounds are not
#: worth starting processes for.
PIPELINE_MIN_CHILDREN = 10_000


def _rematch(cap: np.ndarray, n_existing: int) -> bool:
    """A re-match after a small change: the existing pairs already fill almost every place, so
    a pruned first solve is nearly right (on a fresh round it is not)."""
    places = int(np.maximum(cap, 0).sum())
    return bool(n_existing) and places - n_existing <= PRUNED_FREE_SHARE * places


def _fresh_round(p: Problem, cap: np.ndarray, n_existing: int, flow_child: np.ndarray) -> bool:
    """The county method's case: not a re-match, and children to place in more than one
    county."""
    return not _rematch(cap, n_existing) and np.unique(p.c_county[flow_child]).size > 1


def _county_parts(p: Problem, g: CandidateGraph, ok_within: np.ndarray, flow_child: np.ndarray,
                  cap: np.ndarray) -> list:
    """(children, arcs, volunteers, capacities, label) of each county with flow children:
    its flow children, the arcs ``ok_within`` between them and the volunteers of that county."""
    key = np.where(ok_within, p.c_county[g.ci], -1)
    sel = np.flatnonzero(key >= 0)
    order = sel[np.argsort(key[sel], kind="stable")]
    ks = key[order]
    del key, sel
    parts = []
    for k in np.unique(p.c_county[flow_child]).tolist():
        lo, hi = np.searchsorted(ks, [k, k + 1])
        kids = np.flatnonzero((p.c_county == k) & flow_child)
        vols = np.flatnonzero(p.v_county == k)
        parts.append((kids, order[lo:hi], vols, cap[vols], f"county {p.counties[k]}"))
    return parts


class _CountyPipeline:
    """County solves that start while the graph is still being built.

    Used for a fresh round (no locks, no forbidden pairs) with enough children in more than one
    county to be worth two processes: the graph builder hands over each county's arcs as soon as
    they are known (``submit``) and a spawned worker solves and certifies that county
    (:func:`_solve_part`) while the parent builds the next county — the graph build (one core)
    and the county solves (both cores) overlap instead of following each other.
    """

    def __init__(self, p: Problem, workers: int):
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        self.p = p
        self.workers = workers
        self.U_all = p.params.unmatched_costs()[p.c_tier]
        self.churn = int(p.params.churn_cost)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                                        initializer=_worker_init)
        self.jobs: list = []
        # start the workers now: their imports overlap with the parent's graph build
        for _ in range(workers):
            self.pool.submit(_warm)

    @classmethod
    def start(cls, p: Problem, method: str) -> "_CountyPipeline | None":
        import os

        if method not in ("auto", "county") or p.n_children < PIPELINE_MIN_CHILDREN:
            return None
        workers = min(MAX_COUNTY_WORKERS, os.cpu_count() or 1)
        if workers < 2 or np.unique(p.c_county).size < 2:
            return None
        if method == "auto" and _rematch(p.v_cap, int(p.ex_child.size)):
            return None  # (decided before the graph exists: every existing pair counts)
        return cls(p, workers)

    def _args(self, kids: np.ndarray, vols: np.ndarray, ci: np.ndarray, vj: np.ndarray,
              cost: np.ndarray) -> tuple:
        """The arguments of :func:`_solve_part` for one county's children, volunteers and arcs."""
        p = self.p
        disc = np.zeros(0, dtype=np.int64)
        if self.churn and p.ex_child.size:
            ex = existing_arcs(p, ci, vj)
            disc = np.unique(ex[ex >= 0])
        return _part_args(p.n_children, p.n_volunteers, kids, vols, ci, vj, cost,
                          self.U_all[kids], p.v_cap[vols], p.c_tier[kids], disc, self.churn)

    def submit(self, k: int, kids: np.ndarray, first: int, ci: np.ndarray, vj: np.ndarray,
               cost: np.ndarray) -> None:
        """County k's children and its arcs (graph positions ``first, first + 1, ...``). When
        the pool is broken already, the county is left for :meth:`results` to solve here."""
        from concurrent.futures import Future
        from concurrent.futures.process import BrokenProcessPool

        vols = np.flatnonzero(self.p.v_county == k)
        try:
            fut = self.pool.submit(_solve_part, self._args(kids, vols, ci, vj, cost))
        except BrokenProcessPool as e:
            fut = Future()
            fut.set_exception(e)
        self.jobs.append((fut, kids, first, ci.size, vols, f"county {self.p.counties[k]}"))

    def results(self, g: CandidateGraph):
        """Per county, in the order submitted: the arguments of the solver's apply_part. A county
        whose worker process died (killed for memory, say) is solved here instead, from the arcs
        it has in the graph ``g``; ``self.lost`` counts them."""
        from concurrent.futures.process import BrokenProcessPool

        self.lost = 0
        for fut, kids, first, n, vols, label in self.jobs:
            try:
                out = fut.result()
            except BrokenProcessPool:
                self.lost += 1
                arcs = slice(first, first + n)
                out = _solve_part(self._args(kids, vols, g.ci[arcs], g.vj[arcs], g.cost[arcs]))
            yield (kids, np.arange(first, first + n), vols, *out, label)
        self.close()  # the workers' memory is free before the cross-county step

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _local_ends(nc: int, nv: int, kids: np.ndarray, vols: np.ndarray, ci: np.ndarray,
                vj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arcs' children ``ci`` and volunteers ``vj`` as positions in ``kids`` and ``vols``."""
    lc = np.full(nc, -1, dtype=np.int32)
    lc[kids] = np.arange(kids.size)
    lv = np.full(nv, -1, dtype=np.int32)
    lv[vols] = np.arange(vols.size)
    return lc[ci], lv[vj]


def _part_args(nc: int, nv: int, kids: np.ndarray, vols: np.ndarray, ci: np.ndarray,
               vj: np.ndarray, cost: np.ndarray, U: np.ndarray, caps: np.ndarray,
               tier: np.ndarray, disc: np.ndarray, churn: int) -> tuple:
    """The arguments of :func:`_solve_part` for children ``kids``, volunteers ``vols`` and the
    arcs ``(ci, vj, cost)`` between them; compacted while they wait for a worker (it widens
    them again)."""
    lci, lvj = _local_ends(nc, nv, kids, vols, ci, vj)
    return (kids.size, vols.size, _narrow(lci), _narrow(lvj), _narrow(cost), U, caps, tier,
            disc, churn)


def _narrow(a: np.ndarray) -> np.ndarray:
    """``a`` (integers >= -1) as int16 or int32 when its values fit."""
    top = int(a.max(initial=0))
    for dt in (np.int16, np.int32):
        if top <= np.iinfo(dt).max:
            return a.astype(dt, copy=False)
    return a


def _warm() -> None:
    """Worker: nothing (unpickling this function imports the solver and its libraries)."""


def _worker_init() -> None:
    """Worker start: glibc keeps freed memory for reuse instead of returning it to the system.
    A county solve allocates and frees arrays of tens of MB many times; by default each is a
    fresh mapping whose pages fault in again: 27,000-66,000 page faults and 0.35-0.8 s of
    system time per county solve in a worker, which ran up to twice as slow as the same solve
    in the parent. Prefecture size, CPU time per county solve in a worker: 2.7-4.3 s -> 1.7-3.5
    s (faults 0-11,000). The worker's heap keeps its peak instead (about one county solve's)."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 1 << 30)  # M_MMAP_THRESHOLD: allocations up to 1 GiB from the heap
        libc.mallopt(-1, (1 << 31) - 1)  # M_TRIM_THRESHOLD: never give the heap back
    except (OSError, AttributeError):
        pass  # not glibc: its defaults stay


def _county_workers(n_parts: int, n_arcs: int) -> int:
    import os

    if n_parts < 2 or n_arcs < PARALLEL_MIN_ARCS:
        return 1
    return max(1, min(MAX_COUNTY_WORKERS, os.cpu_count() or 1, n_parts))


def _flow_used(args: tuple) -> tuple[np.ndarray, float]:
    """Worker: one OR-Tools solve; the positions of the arcs that carry flow, and seconds."""
    t = time.perf_counter()
    flows = _Flow.solve(*args)
    return np.flatnonzero(flows > 0), time.perf_counter() - t


def _flow_used_reduced(args: tuple, u: np.ndarray, price: np.ndarray) -> tuple:
    """:func:`_flow_used` on costs reduced by duals ``u`` (per child) and ``price`` (per
    volunteer) that are optimal for the current assignment but for a few improving arcs, with
    reduced costs above ``REDUCED_COST_CAP`` lowered to it.

    Subtracting node potentials changes every solution's cost by the same constant, so the
    optimum is the same; lowering costs is a relaxation, so when its optimum uses no lowered
    arc (no lowered arc to a volunteer, no child left on a lowered unmatched arc) it is optimal
    for the true costs too. Otherwise the solve is repeated without the cap. OR-Tools' cost
    scaling needs fewer and cheaper phases on the smaller costs. Returns (used arc positions,
    seconds, whether the capped solve was exact)."""
    n_c, n_v, lci, lvj, cost, U, caps = args
    t = time.perf_counter()
    rc = cost - u[lci] + price[lvj]
    ru = U - u
    flows = _Flow.solve(n_c, n_v, lci, lvj, np.minimum(rc, REDUCED_COST_CAP),
                        np.minimum(ru, REDUCED_COST_CAP), caps, -price)
    used = np.flatnonzero(flows > 0)
    unmatched = np.ones(n_c, dtype=bool)
    unmatched[lci[used]] = False
    exact = not ((rc[used] > REDUCED_COST_CAP).any()
                 or (unmatched & (ru > REDUCED_COST_CAP)).any())
    if not exact:
        used = np.flatnonzero(_Flow.solve(n_c, n_v, lci, lvj, rc, ru, caps, -price) > 0)
    return used, time.perf_counter() - t, exact


def _solve_part(args: tuple) -> tuple:
    """Worker: one county solved alone by the pruned method and certified on all its arcs.

    ``args``: children and volunteers counts, arcs (local child, local volunteer, pair cost),
    unmatched costs, capacities, child tiers, positions of churn-discounted arcs, churn cost.
    Returns the positions of the arcs used, seconds, whether the certificate holds, its duals
    ``(u per child, price per volunteer)`` and the positions of each child's few cheapest arcs.
    """
    from types import SimpleNamespace

    t = time.perf_counter()
    n_c, n_v, ci, vj, cost, U, caps, tier, disc, churn = args
    ci, vj, cost = ci.astype(np.int32), vj.astype(np.int32), cost.astype(np.int64)
    n_arcs_of = np.bincount(ci, minlength=n_c)
    none = np.zeros(0, dtype=np.int64)
    g = CandidateGraph(n_children=n_c, n_volunteers=n_v, ci=ci, vj=vj, cost=cost,
                       n_in_range=n_arcs_of, n_skilled=n_arcs_of, n_feasible=n_arcs_of,
                       ex_arc=none)
    p = SimpleNamespace(n_children=n_c, n_volunteers=n_v, c_tier=tier)
    flow_child = n_arcs_of > 0
    match_arc = np.full(n_c, -1, dtype=np.int64)
    stats: dict = {}
    proven = _solve_flow(p, g, None, flow_child, caps, U, disc, churn, match_arc, "pruned",
                         stats, {"ortools": 0.0})
    u = U.copy()
    price = np.zeros(n_v, dtype=np.int64)
    if proven:
        u[flow_child], price = stats["_duals"]
    return (match_arc[match_arc >= 0], time.perf_counter() - t, proven, u, price,
            _narrow(_cheap_arcs(g, 4)))


def _run_parallel(parts: list, workers: int, prepare, apply, work=None) -> int:
    """Solve independent parts in ``workers`` spawned processes, largest first, with at most
    ``workers`` parts' arrays in flight (memory); results are applied in the parent. When a
    worker process dies (killed for memory, say) its part and those not yet sent are solved in
    this process instead; returns how many."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool
    from multiprocessing import get_context

    work = work or _flow_used
    todo = sorted(parts, key=lambda x: -x[1].size)
    running: dict = {}
    here = 0
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"),
                             initializer=_worker_init) as pool:
        while todo or running:
            while todo and len(running) < workers:
                kids, idx, vols, caps, label = part = todo.pop(0)
                try:
                    fut = pool.submit(work, prepare(kids, idx, vols, caps))
                except BrokenProcessPool:
                    todo.insert(0, part)
                    break
                running[fut] = part
            if not running:  # the pool is broken: the rest is solved here
                for kids, idx, vols, caps, label in todo:
                    apply(kids, idx, vols, *work(prepare(kids, idx, vols, caps)), label=label)
                return here + len(todo)
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in done:
                kids, idx, vols, caps, label = running.pop(fut)
                try:
                    out = fut.result()
                except BrokenProcessPool:
                    here += 1
                    out = work(prepare(kids, idx, vols, caps))
                apply(kids, idx, vols, *out, label=label)
    return here


def _most_violated(g, pos, slack, nc, nv, k):
    """The k most violated arcs of every child and of every volunteer (ties may add more)."""
    out = []
    for grp, n in ((g.ci[pos].astype(np.int64), nc), (g.vj[pos].astype(np.int64), nv)):
        rest = np.arange(pos.size)
        for _ in range(k):
            if rest.size == 0:
                break
            best = np.full(n, -_INF, dtype=np.int64)
            np.maximum.at(best, grp[rest], slack[rest])
            top = slack[rest] == best[grp[rest]]
            out.append(pos[rest[top]])
            rest = rest[~top]
    return np.unique(np.concatenate(out))


def _violations(g: CandidateGraph, alive, fcs, u, price, disc_pos, churn,
                chunk: int = 4_000_000, mask=None, above: int = 0):
    """Arcs with u_i - p_j - discounted cost > ``above`` (``above=0``: certificate violations;
    negative: also nearly tight arcs) and that slack; only arcs in ``mask`` if given."""
    nc = g.n_children
    u_full = np.full(nc, -_INF, dtype=np.int64)  # children outside the flow never violate
    u_full[fcs] = u
    pos_parts, slack_parts = [], []
    for s in range(0, g.n_arcs, chunk):
        e = min(s + chunk, g.n_arcs)
        sl = u_full[g.ci[s:e]]
        sl -= price[g.vj[s:e]]
        sl -= g.cost[s:e]
        if churn and disc_pos.size:
            a, b = np.searchsorted(disc_pos, [s, e])
            sl[disc_pos[a:b] - s] += churn
        if alive is not None:
            sl[~alive[s:e]] = -_INF
        if mask is not None:
            sl[~mask[s:e]] = -_INF
        hit = np.flatnonzero(sl > above)
        if hit.size:
            pos_parts.append(hit + s)
            slack_parts.append(sl[hit])
    if not pos_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(pos_parts), np.concatenate(slack_parts)


def objective_of(p: Problem, g: CandidateGraph, match_arc: np.ndarray, ex_arc: np.ndarray) -> int:
    """Exact PROBLEM.md objective of an assignment (arc per child, -1 = unmatched)."""
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
    pairs = [Pair(cids[i], vids[j], c, k, lk)
             for i, j, c, k, lk in zip(mi.tolist(), vv, costs, kk, ll)]
    ui = np.flatnonzero(match < 0)
    tiers = p.c_tier[ui].tolist()
    unmatched = [Unmatched(cids[i], TIERS[t]) for i, t in zip(ui.tolist(), tiers)]
    return SolveResult(pairs=pairs, unmatched=unmatched, objective=objective, optimal=proven,
                       seconds=0.0, match=match, arc_of_child=match_arc)


__all__ = ["solve", "SolveResult", "Pair", "Unmatched", "MatchingError", "objective_of",
           "least_duals", "match_pairs", "ProblemError"]
