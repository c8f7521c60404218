"""One exact min-cost flow solve with OR-Tools (``SimpleMinCostFlow``, integer costs).

Network: source -> child (supply 1), child -> volunteer (pair cost, capacity 1), child -> sink
(the child's unmatched cost), volunteer -> sink (its capacity). Children are nodes ``0..n_c-1``,
volunteers ``n_c..n_c+n_v-1``.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.graph.python import min_cost_flow

from . import tuning


def ortools_flow(n_c: int, n_v: int, tails: np.ndarray, heads: np.ndarray, costs: np.ndarray,
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


def narrow(a: np.ndarray) -> np.ndarray:
    """``a`` (integers >= -1) as int16 or int32 when its values fit."""
    top = int(a.max(initial=0))
    for dt in (np.int16, np.int32):
        if top <= np.iinfo(dt).max:
            return a.astype(dt, copy=False)
    return a


def flow_used(args: tuple) -> tuple[np.ndarray, float]:
    """Worker: one OR-Tools solve; the positions of the arcs that carry flow, and seconds."""
    t = time.perf_counter()
    flows = ortools_flow(*args)
    return np.flatnonzero(flows > 0), time.perf_counter() - t


def flow_used_reduced(args: tuple, u: np.ndarray, price: np.ndarray) -> tuple:
    """:func:`flow_used` on costs reduced by duals ``u`` (per child) and ``price`` (per
    volunteer) that are optimal for the current assignment but for a few improving arcs, with
    reduced costs above ``tuning.REDUCED_COST_CAP`` lowered to it.

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
    flows = ortools_flow(n_c, n_v, lci, lvj, np.minimum(rc, tuning.REDUCED_COST_CAP),
                         np.minimum(ru, tuning.REDUCED_COST_CAP), caps, -price)
    used = np.flatnonzero(flows > 0)
    unmatched = np.ones(n_c, dtype=bool)
    unmatched[lci[used]] = False
    exact = not ((rc[used] > tuning.REDUCED_COST_CAP).any()
                 or (unmatched & (ru > tuning.REDUCED_COST_CAP)).any())
    if not exact:
        used = np.flatnonzero(ortools_flow(n_c, n_v, lci, lvj, rc, ru, caps, -price) > 0)
    return used, time.perf_counter() - t, exact
