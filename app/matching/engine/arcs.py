"""Arc sets: pairs located in the graph, churn-discounted costs, cheapest and pruned arc sets.

The pruned arc set is only a heuristic start: the certificate decides optimality and adds
whatever is missing.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from . import tuning
from .graph import CandidateGraph
from .problem import Problem
from .result import MatchingError

#: cost levels (pair cost units, about metres) used to find each group's cheapest arcs without
#: sorting every arc
COST_LADDER = np.array([500, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 8000, 11000, 15000,
                        20000, 30000, 45000], dtype=np.int64)


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


def pair_indices(problem: Problem, pairs: Iterable, what: str) -> tuple[np.ndarray, np.ndarray]:
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


class DiscountedCosts:
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


#: the ladder level of every cost up to the top rung, by (cost - 1) // 500 (every rung is a
#: multiple of 500): a table look-up instead of a binary search per arc
_STEP = 500
_LEVEL_OF = np.searchsorted(COST_LADDER, np.arange(int(COST_LADDER[-1]) // _STEP + 1) * _STEP,
                            side="right").astype(np.uint8)


def cost_levels(cost: np.ndarray) -> np.ndarray:
    """The number of ladder rungs below each cost (uint8), as ``searchsorted(COST_LADDER,
    cost)``."""
    q = np.minimum(cost, COST_LADDER[-1] + 1).astype(np.int32)
    q -= 1
    q //= _STEP
    np.clip(q, 0, _LEVEL_OF.size - 1, out=q)
    return _LEVEL_OF[q]


def cheapest_per(group: np.ndarray, n: int, cost: np.ndarray | None, want,
                 lvl: np.ndarray | None = None) -> np.ndarray:
    """Positions (into ``group``/``cost``) of about the ``want`` cheapest arcs of each of the ``n``
    groups (``want``: a number or one per group; a cost ladder, no sort of all arcs). ``lvl``:
    the arcs' :func:`cost_levels` when known (then ``cost`` is not read)."""
    nl = COST_LADDER.size + 1
    if lvl is None:
        lvl = cost_levels(cost)
    key = group.astype(np.int64 if n * nl >= 2**31 else np.int32)
    key *= nl
    key += lvl
    cum = np.cumsum(np.bincount(key, minlength=n * nl).reshape(n, nl), axis=1)
    del key
    want = np.broadcast_to(np.asarray(want, dtype=np.int64), (n,))
    level = np.argmax(cum >= want[:, None], axis=1).astype(np.uint8)
    level[cum[:, -1] < want] = nl - 1
    return np.flatnonzero(lvl <= level[group])


def cheap_arcs(g: CandidateGraph, k: int, lvl: np.ndarray | None = None) -> np.ndarray:
    """About the k cheapest arcs of every child."""
    return cheapest_per(g.ci, g.n_children, g.cost, k, lvl)


def pruned_arcs(p: Problem, g: CandidateGraph, ok_arc: np.ndarray, disc_pos: np.ndarray,
                cap: np.ndarray, k_child: int | None = None,
                per_place: int | None = None) -> np.ndarray:
    """The first arc set of the "pruned" method (positions, sorted; only arcs in ``ok_arc``).

    Every arc of urgent and key children (they are few and their required skills make the arcs
    few), the arcs of still-feasible existing pairs, each child's ``k_child`` cheapest arcs and,
    for every volunteer with places left after its existing pairs, about ``per_place`` cheapest
    arcs per free place to normal children without an existing pair. Only a heuristic: the
    certificate decides optimality and adds what is missing.
    """
    k_child = tuning.PRUNED_ARCS_PER_CHILD if k_child is None else k_child
    per_place = tuning.PRUNED_ARCS_PER_PLACE if per_place is None else per_place
    nc, nv = p.n_children, p.n_volunteers
    keep = np.zeros(g.n_arcs, dtype=bool)
    lvl = cost_levels(g.cost)
    keep[cheap_arcs(g, k_child, lvl)] = True
    keep[disc_pos] = True
    keep |= p.c_tier[g.ci] > 0
    free = cap - np.bincount(g.vj[disc_pos], minlength=nv)
    paired = np.zeros(nc, dtype=bool)
    paired[g.ci[disc_pos]] = True
    full_k = tuning.PRUNED_ARCS_PER_FULL
    cand = np.flatnonzero(((free[g.vj] > 0) | (full_k > 0)) & ~paired[g.ci] & (p.c_tier[g.ci] == 0)
                          & ~keep)
    if cand.size:
        want = np.maximum(free, 0) * per_place + full_k
        keep[cand[cheapest_per(g.vj[cand], nv, None, want, lvl[cand])]] = True
    keep &= ok_arc
    return np.flatnonzero(keep)


def county_parts(p: Problem, g: CandidateGraph, ok_within: np.ndarray, flow_child: np.ndarray,
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


def local_ends(nc: int, nv: int, kids: np.ndarray, vols: np.ndarray, ci: np.ndarray,
               vj: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Arcs' children ``ci`` and volunteers ``vj`` as positions in ``kids`` and ``vols``."""
    lc = np.full(nc, -1, dtype=np.int32)
    lc[kids] = np.arange(kids.size)
    lv = np.full(nv, -1, dtype=np.int32)
    lv[vols] = np.arange(vols.size)
    return lc[ci], lv[vj]
