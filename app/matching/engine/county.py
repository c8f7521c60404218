"""The county method's parts: one county solved and certified alone, in a worker or here.

Also the pipeline that starts the county solves while the graph is still being built, and the
rule that picks the county method (a fresh round across several counties).
"""

from __future__ import annotations

import os
import time
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from types import SimpleNamespace

import numpy as np

from . import tuning
from .arcs import cheap_arcs
from .flowsolver import FlowSolver
from .graph import CandidateGraph, existing_arcs
from .flow import narrow
from .parallel import new_pool, part_args, warm
from .problem import Problem


def rematch(cap: np.ndarray, n_existing: int) -> bool:
    """A re-match after a small change: the existing pairs already fill almost every place, so
    a pruned first solve is nearly right (on a fresh round it is not)."""
    places = int(np.maximum(cap, 0).sum())
    return bool(n_existing) and places - n_existing <= tuning.PRUNED_FREE_SHARE * places


def fresh_round(p: Problem, cap: np.ndarray, n_existing: int, flow_child: np.ndarray) -> bool:
    """The county method's case: not a re-match, and children to place in more than one
    county."""
    return not rematch(cap, n_existing) and np.unique(p.c_county[flow_child]).size > 1


def solve_part(args: tuple) -> tuple:
    """Worker: one county solved alone by the pruned method and certified on all its arcs.

    ``args``: children and volunteers counts, arcs (local child, local volunteer, pair cost),
    unmatched costs, capacities, child tiers, positions of churn-discounted arcs, churn cost.
    Returns the positions of the arcs used, seconds, whether the certificate holds, its duals
    ``(u per child, price per volunteer)`` and the positions of each child's few cheapest arcs.
    """
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
    proven = FlowSolver(p, g, None, flow_child, caps, U, disc, churn, match_arc, stats,
                        {"ortools": 0.0}).solve("pruned")
    u = U.copy()
    price = np.zeros(n_v, dtype=np.int64)
    if proven:
        u[flow_child], price = stats["_duals"]
    return (match_arc[match_arc >= 0], time.perf_counter() - t, proven, u, price,
            narrow(cheap_arcs(g, tuning.CHEAP_ARCS_PER_CHILD)))


class CountyPipeline:
    """County solves that start while the graph is still being built.

    Used for a fresh round (no locks, no forbidden pairs) with enough children in more than one
    county to be worth two processes: the graph builder hands over each county's arcs as soon as
    they are known (``submit``) and a spawned worker solves and certifies that county
    (:func:`solve_part`) while the parent builds the next county — the graph build (one core)
    and the county solves (both cores) overlap instead of following each other.
    """

    def __init__(self, p: Problem, workers: int):
        self.p = p
        self.workers = workers
        self.U_all = p.params.unmatched_costs()[p.c_tier]
        self.churn = int(p.params.churn_cost)
        self.pool = new_pool(workers)
        self.jobs: list = []
        # start the workers now: their imports overlap with the parent's graph build
        for _ in range(workers):
            self.pool.submit(warm)

    @classmethod
    def start(cls, p: Problem, method: str) -> "CountyPipeline | None":
        if method not in ("auto", "county") or p.n_children < tuning.PIPELINE_MIN_CHILDREN:
            return None
        workers = min(tuning.MAX_COUNTY_WORKERS, os.cpu_count() or 1)
        if workers < 2 or np.unique(p.c_county).size < 2:
            return None
        if method == "auto" and rematch(p.v_cap, int(p.ex_child.size)):
            return None  # (decided before the graph exists: every existing pair counts)
        return cls(p, workers)

    def _args(self, kids: np.ndarray, vols: np.ndarray, ci: np.ndarray, vj: np.ndarray,
              cost: np.ndarray) -> tuple:
        """The arguments of :func:`solve_part` for one county's children, volunteers and arcs."""
        p = self.p
        disc = np.zeros(0, dtype=np.int64)
        if self.churn and p.ex_child.size:
            ex = existing_arcs(p, ci, vj)
            disc = np.unique(ex[ex >= 0])
        return part_args(p.n_children, p.n_volunteers, kids, vols, ci, vj, cost,
                          self.U_all[kids], p.v_cap[vols], p.c_tier[kids], disc, self.churn)

    def submit(self, k: int, kids: np.ndarray, first: int, ci: np.ndarray, vj: np.ndarray,
               cost: np.ndarray) -> None:
        """County k's children and its arcs (graph positions ``first, first + 1, ...``). When
        the pool is broken already, the county is left for :meth:`results` to solve here."""
        vols = np.flatnonzero(self.p.v_county == k)
        try:
            fut = self.pool.submit(solve_part, self._args(kids, vols, ci, vj, cost))
        except BrokenProcessPool as e:
            fut = Future()
            fut.set_exception(e)
        self.jobs.append((fut, kids, first, ci.size, vols, f"county {self.p.counties[k]}"))

    def results(self, g: CandidateGraph):
        """Per county, in the order submitted: the arguments of the solver's apply_part. A county
        whose worker process died (killed for memory, say) is solved here instead, from the arcs
        it has in the graph ``g``; ``self.lost`` counts them."""
        self.lost = 0
        for fut, kids, first, n, vols, label in self.jobs:
            try:
                out = fut.result()
            except BrokenProcessPool:
                self.lost += 1
                arcs = slice(first, first + n)
                out = solve_part(self._args(kids, vols, g.ci[arcs], g.vj[arcs], g.cost[arcs]))
            yield (kids, np.arange(first, first + n), vols, *out, label)
        self.close()  # the workers' memory is free before the cross-county step

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
