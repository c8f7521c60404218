"""The optimality certificate's numerics: least LP duals of an assignment, and pricing arcs.

LP duals are computed by us: the least volunteer prices ``p >= 0`` with ``u_i = c(i, m(i)) +
p_m(i)`` for a matched child and ``U_i`` for an unmatched one, ``u_i - p_j <= c_ij`` on a working
arc set P (a vectorised Bellman-Ford; complementary slackness is checked: price 0 where a
volunteer has room, ``u_i <= U_i``). Every feasible arc is then priced in one vectorised pass
(:func:`violations`). When no arc violates, ``(u, p)`` is dual feasible for the whole problem and
its dual objective ``sum u - sum cap * p`` equals the primal objective in exact integers — a
proof of optimality.
"""

from __future__ import annotations

import numpy as np

from .flow import narrow
from .graph import CandidateGraph

INF = np.int64(1) << 62


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
    order = np.argsort(narrow(pc), kind="stable")  # (a radix sort for 16-bit keys)
    pc_s, pv_s, cost_s = pc[order], pv[order], pcost[order]
    indptr = np.zeros(n_c + 1, dtype=np.int64)
    np.cumsum(np.bincount(pc_s, minlength=n_c), out=indptr[1:])
    morder = mi[np.argsort(narrow(match[mi]), kind="stable")]
    vptr = np.zeros(n_v + 1, dtype=np.int64)
    np.cumsum(load, out=vptr[1:])
    # least prices never exceed max u - min cost (u <= U once certified); with churn-discounted
    # arcs the cost can be negative, so the bound is above the largest unmatched cost
    p_max = (int(U.max()) if U.size else 0) - min(int(pcost.min()), 0)

    old = p.copy()
    np.maximum.at(p, pv_s, u[pc_s] - cost_s)
    changed = np.flatnonzero(p > old)
    rounds = 1
    while changed.size:
        if room[changed].any() and (p[changed[room[changed]]] > 0).any():
            return None  # a volunteer with room must have price 0
        if p[changed].max() > p_max:
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



def most_violated(g, pos, slack, nc, nv, k):
    """The k most violated arcs of every child and of every volunteer (ties may add more)."""
    out = []
    for grp, n in ((g.ci[pos].astype(np.int64), nc), (g.vj[pos].astype(np.int64), nv)):
        rest = np.arange(pos.size)
        for _ in range(k):
            if rest.size == 0:
                break
            best = np.full(n, -INF, dtype=np.int64)
            np.maximum.at(best, grp[rest], slack[rest])
            top = slack[rest] == best[grp[rest]]
            out.append(pos[rest[top]])
            rest = rest[~top]
    return np.unique(np.concatenate(out))


def violations(g: CandidateGraph, alive, fcs, u, price, disc_pos, churn,
               chunk: int = 4_000_000, mask=None, above: int = 0):
    """Arcs with u_i - p_j - discounted cost > ``above`` (``above=0``: certificate violations;
    negative: also nearly tight arcs) and that slack; only arcs in ``mask`` if given."""
    nc = g.n_children
    u_full = np.full(nc, -INF, dtype=np.int64)  # children outside the flow never violate
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
            sl[~alive[s:e]] = -INF
        if mask is not None:
            sl[~mask[s:e]] = -INF
        hit = np.flatnonzero(sl > above)
        if hit.size:
            pos_parts.append(hit + s)
            slack_parts.append(sl[hit])
    if not pos_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(pos_parts), np.concatenate(slack_parts)
