"""Repair: re-solve only the children that a few improving arcs can affect.

With optimal duals of the current assignment every residual arc has a reduced cost >= 0, so an
improving arc of slack s changes the optimum only along cycles of reduced length < s through it.
scipy's Dijkstra finds the children on such cycles; only they are re-solved (the others keep
their volunteers and the places they take), and the certificate then checks every arc again.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from . import tuning
from .arcs import DiscountedCosts
from .graph import CandidateGraph


def repair_region(g: CandidateGraph, arcs: DiscountedCosts, P: np.ndarray, fcs: np.ndarray,
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
    if heads.size <= tuning.REPAIR_EXACT_PATHS:
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
        return region_args(g, P, pc, fcs, m, cap, region, tails)
    # backward: distance from every node to the nearest exit of a tail; forward: from s
    db = dijkstra(G.T.tocsr(), directed=True, indices=np.unique(exit_of), min_only=True,
                  limit=limit)
    df = dijkstra(G, directed=True, indices=s, limit=limit)
    region = (df[:nf] + db[:nf]) < limit
    return region_args(g, P, pc, fcs, m, cap, region, tails)


def region_args(g, P, pc, fcs, m, cap, region, tails) -> tuple:
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
