"""The optimal assignment of the children that take part in the flow, with its certificate.

Methods (which one: see solve.solve):

* ``full`` — one OR-Tools solve of every feasible arc (the reference; only on request).
* ``pruned`` — a first OR-Tools solve on a pruned arc set (arcs.pruned_arcs). The certificate
  then adds every arc that violates or is nearly tight under the duals; with many improving
  arcs everyone is re-solved on the grown set, with a few only their *region* (repair.py).
* ``county`` — every county is solved alone on its own arcs by the pruned method (OR-Tools is
  super-linear in the number of nodes, so ten county solves are much cheaper than one
  prefecture solve and need far less memory), in worker processes when the graph is big
  (county.py, parallel.py). The cross-county arcs are then priced with the county duals;
  improving ones plus every nearly tight arc join the arc set on which all children are
  re-solved jointly (or their region repaired), and the certificate loop adds any arc that still
  violates and repairs or re-solves until none does.

Certificate (every method; the result is ``optimal`` only when it holds): least duals on a
growing arc set P, priced against every feasible arc (duals.py). When no arc violates, the dual
objective equals the primal objective in exact integers — a proof of optimality.
"""

from __future__ import annotations

import time

import numpy as np

from . import tuning
from .classes import solve_classes
from .arcs import DiscountedCosts, cheap_arcs, county_parts, local_ends, pruned_arcs
from .duals import least_duals, most_violated, violations
from .flow import flow_used, flow_used_reduced
from .graph import CandidateGraph
from .parallel import county_workers, part_args, run_parallel
from .repair import repair_region


class FlowSolver:
    """One optimal assignment of the flow children of ``p`` on the graph ``g``.

    ``alive``: mask of usable arcs (None: all); ``flow_child``: children that take part;
    ``cap``: places per volunteer; ``U_all``: unmatched cost per child; ``disc_pos``: sorted
    positions of arcs discounted by ``churn`` (still-feasible existing pairs). The assignment is
    written into ``match_arc`` (arc position per child, -1 unmatched); ``stats`` and ``timings``
    are filled in. ``part_worker``: the function that solves one county alone (county method).
    """

    def __init__(self, p, g: CandidateGraph, alive, flow_child: np.ndarray, cap: np.ndarray,
                 U_all: np.ndarray, disc_pos: np.ndarray, churn: int, match_arc: np.ndarray,
                 stats: dict, timings: dict, part_worker=None):
        self.p, self.g, self.alive, self.flow_child, self.cap = p, g, alive, flow_child, cap
        self.U_all, self.disc_pos, self.churn = U_all, disc_pos, churn
        self.match_arc, self.stats, self.timings = match_arc, stats, timings
        self.part_worker = part_worker
        self.nc, self.nv = p.n_children, p.n_volunteers
        self.arcs = DiscountedCosts(g, disc_pos, churn)
        self.solves: list[dict] = []
        self.ok_arc = flow_child[g.ci] if alive is None else (alive & flow_child[g.ci])
        # the flow children, their positions among them, their unmatched costs
        self.fcs = np.flatnonzero(flow_child)
        self.loc = np.full(self.nc, -1, dtype=np.int64)
        self.loc[self.fcs] = np.arange(self.fcs.size)
        self.U = U_all[self.fcs]
        self.classes = None  # (class per flow child, number of classes): the classes method

    # ---- one OR-Tools solve of a part ---------------------------------------------------------
    def prepare(self, kids: np.ndarray, idx: np.ndarray, vols: np.ndarray,
                caps: np.ndarray) -> tuple:
        """The arguments of :func:`flow.ortools_flow` for children ``kids``, arcs ``idx``,
        volunteers ``vols`` (local positions)."""
        g = self.g
        return (kids.size, vols.size, *local_ends(self.nc, self.nv, kids, vols, g.ci[idx], g.vj[idx]),
                self.arcs.cost(idx), self.U_all[kids], caps)

    def apply(self, kids, idx, vols, used_local, seconds, label):
        """Take a part's solution: its children's arcs are the used arcs ``idx[used_local]``."""
        self.match_arc[kids] = -1
        used = idx[used_local]
        self.match_arc[self.g.ci[used]] = used
        self.solves.append({"part": label, "children": int(kids.size),
                            "volunteers": int(vols.size), "arcs": int(idx.size),
                            "seconds": seconds})

    def run(self, kids: np.ndarray, idx: np.ndarray, vols: np.ndarray, caps: np.ndarray, label,
            duals: tuple | None = None):
        """OR-Tools on children ``kids`` with arcs ``idx`` to volunteers ``vols``; with
        ``duals`` (u per flow child, price per volunteer) on costs reduced by them."""
        args = self.prepare(kids, idx, vols, caps)
        if duals is None:
            self.apply(kids, idx, vols, *flow_used(args), label=label)
            return
        used, seconds, capped = flow_used_reduced(args, duals[0][self.loc[kids]], duals[1][vols])
        self.apply(kids, idx, vols, used, seconds, label=label)
        self.solves[-1]["capped"] = capped

    def run_all(self, P: np.ndarray, duals: tuple | None = None) -> None:
        """Every flow child re-solved on the arc set ``P``."""
        self.run(self.fcs, P, np.arange(self.nv), self.cap, "all (pruned arcs)", duals)

    def repair(self, P: np.ndarray, viol: np.ndarray, slack: np.ndarray, u: np.ndarray,
               price: np.ndarray) -> bool:
        """Re-solve the children that improving arcs ``viol`` can affect (repair.repair_region),
        the others fixed; arcs: ``P`` (which holds ``viol``). True when that region was so big
        that every flow child was re-solved on ``P`` instead."""
        tr = time.perf_counter()
        kids, idx, vols, caps = repair_region(self.g, self.arcs, P, self.fcs, self.loc,
                                              self.match_arc, u, price, self.U, self.cap, viol,
                                              slack)
        t_region = time.perf_counter() - tr
        everyone = kids.size > tuning.REPAIR_MAX_SHARE * self.fcs.size
        if everyone:
            # a region this big rarely holds the whole repair: re-solve everyone on P
            self.run_all(P, (u, price))
            self.solves[-1]["region_children"] = int(kids.size)
        else:
            self.run(kids, idx, vols, caps, "region", (u, price))
        self.solves[-1]["region_seconds"] = t_region
        self.timings["ortools"] += time.perf_counter() - tr
        return everyone

    # ---- the whole solve ----------------------------------------------------------------------
    def solve(self, method: str, pipe=None) -> bool:
        """Solve by ``method`` ("full", "pruned" or "county"; ``pipe``: a county.CountyPipeline
        already solving the counties), then certify; True when proven optimal."""
        t0 = time.perf_counter()
        self.pruned = self.within = self.given_duals = self.county_cheap = None
        if method == "full":
            self.run(self.fcs, np.flatnonzero(self.ok_arc), np.arange(self.nv), self.cap, "all")
        elif method == "classes":
            solve_classes(self, *self.classes)
        elif method == "pruned":
            self.pruned = pruned_arcs(self.p, self.g, self.ok_arc, self.disc_pos, self.cap)
            self.run_all(self.pruned)
        else:
            self._solve_counties(pipe)
        self.timings["ortools"] = time.perf_counter() - t0
        t_cert = time.perf_counter()
        proven = self._certify(method)
        self.timings["certificate"] = time.perf_counter() - t_cert
        self.stats["solves"] = self.solves
        return proven

    def _solve_counties(self, pipe) -> None:
        """Each county solved and certified on its own arcs (pruned method); its duals together
        are optimal duals of the within-county problem (``self.given_duals`` when every county
        was certified)."""
        p, g = self.p, self.g
        self.within = p.c_county[g.ci] == p.v_county[g.vj]
        county_u = self.U.copy()
        county_p = np.zeros(self.nv, dtype=np.int64)
        county_ok = []
        self.county_cheap = []  # each county's few cheapest arcs per child: the seed of P

        def apply_part(kids, idx, vols, used_local, seconds, proven_part, u_part, p_part,
                       cheap_local, label):
            self.apply(kids, idx, vols, used_local, seconds, label)
            self.county_cheap.append(idx[cheap_local])
            flow = self.loc[kids] >= 0  # (a child without any arc is not a flow child)
            county_u[self.loc[kids[flow]]] = u_part[flow]
            county_p[vols] = p_part
            county_ok.append(proven_part)

        if pipe is not None:
            # started while the graph was built (no locks or forbidden pairs: every arc of a
            # county is in its part)
            for part in pipe.results(g):
                apply_part(*part)
            workers, lost = pipe.workers, pipe.lost
        else:
            parts = county_parts(p, g, self.within & self.ok_arc, self.flow_child, self.cap)
            workers = county_workers(len(parts), int(sum(x[1].size for x in parts)))
            lost = 0
            if workers > 1:
                lost = run_parallel(parts, workers, self._prepare_part, apply_part,
                                    self.part_worker)
            else:
                for kids, idx, vols, caps, label in parts:
                    apply_part(kids, idx, vols,
                               *self.part_worker(self._prepare_part(kids, idx, vols, caps)),
                               label=label)
            del parts
        if lost:
            self.stats["county_solved_here"] = lost  # their worker process died
        if all(county_ok):
            self.given_duals = (county_u, county_p)
        self.stats["county_workers"] = workers

    def _prepare_part(self, kids: np.ndarray, idx: np.ndarray, vols: np.ndarray,
                      caps: np.ndarray) -> tuple:
        """The arguments of county.solve_part (a county solved and certified alone)."""
        g, arcs = self.g, self.arcs
        disc = (np.zeros(0, dtype=np.int64) if arcs.disc is None
                else np.flatnonzero(arcs.disc[idx]))
        return part_args(self.nc, self.nv, kids, vols, g.ci[idx], g.vj[idx], g.cost[idx],
                         self.U_all[kids], caps, self.p.c_tier[kids], disc, self.churn)

    # ---- the certificate ------------------------------------------------------------------------
    def _initial_P(self) -> np.ndarray:
        """The first working arc set P (a mask over the graph's arcs)."""
        inP = np.zeros(self.g.n_arcs, dtype=bool)
        if self.within is None:
            base = cheap_arcs(self.g, tuning.CHEAP_ARCS_PER_CHILD) if self.pruned is None \
                else self.pruned
            inP[base[self.ok_arc[base]]] = True
            if self.classes is not None:
                inP[self._dearest_unmatched()] = True
        else:
            for cheap in self.county_cheap:  # (found by the county solves: no pass over every arc)
                inP[cheap] = True
            self.county_cheap = None
        return inP

    def _dearest_unmatched(self) -> np.ndarray:
        """Each volunteer's arcs from the children left out that would gain most by it (largest
        unmatched cost less pair cost). After an optimal solve they set the volunteers' least
        prices (a full volunteer is worth at least that much to them), so the certificate's
        first duals are nearly right instead of growing from zero over many rounds."""
        g = self.g
        out = self.flow_child & (self.match_arc < 0)
        idx = np.flatnonzero(self.ok_arc & out[g.ci])
        if idx.size == 0:
            return idx
        gain = self.U_all[g.ci[idx]] - self.arcs.cost(idx)
        vj = g.vj[idx]
        best = np.full(self.nv, np.iinfo(np.int64).min, dtype=np.int64)
        np.maximum.at(best, vj, gain)
        return idx[gain == best[vj]]

    def _certify(self, method: str) -> bool:
        """Least duals on a growing arc set P, priced against every arc: add what violates,
        repair the region of a few improving arcs or re-solve everyone on the grown arc set,
        until no arc violates. True when the duals prove the assignment optimal."""
        g, fcs, U, cap, nc, nv = self.g, self.fcs, self.U, self.cap, self.nc, self.nv
        arcs, match_arc, within = self.arcs, self.match_arc, self.within
        inP = self._initial_P()
        p_warm = None
        # True while P only holds arcs that the current assignment was solved with (then a dual
        # iteration that stops early is just long, not a sign of a better assignment)
        solved_on_P = True
        scan_mask = None if within is None else (within & self.ok_arc)
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
            from_counties = self.given_duals is not None
            if from_counties:
                res = (*self.given_duals, 0)
                self.given_duals = None
            else:
                res = least_duals(self.loc[g.ci[P]], g.vj[P].astype(np.int64), arcs.cost(P), m,
                                  mc, U, cap, p_init=p_warm,
                                  max_rounds=150 if solved_on_P else 80)
            t_d = time.perf_counter() - td
            if res is None and solved_on_P:
                # the assignment is optimal on P (P holds only arcs it was solved with), so the
                # iteration stopped early only because it is long: run it to the Bellman-Ford
                # bound
                res = least_duals(self.loc[g.ci[P]], g.vj[P].astype(np.int64), arcs.cost(P), m,
                                  mc, U, cap, p_init=p_warm, max_rounds=nv + 2)
                if res is None:
                    info.append({"iteration": it, "arcs": int(P.size), "failed": True})
                    break  # cannot certify (an exact solver should never get here)
            if res is None:
                # not optimal on P any more: arcs added since the last solve improve it.
                # Re-solve every flow child on the arc set P (pruned, so OR-Tools stays fast).
                info.append({"iteration": it, "arcs": int(P.size), "duals": t_d,
                             "not_optimal_on_P": True})
                tr = time.perf_counter()
                self.run_all(P)
                solved_on_P = True
                self.timings["ortools"] += time.perf_counter() - tr
                p_warm = None
                continue
            u, price, br = res
            ts = time.perf_counter()
            # the first pruned solve: its duals are rough, so the nearly tight arcs join P too
            # (far fewer re-solves than adding only the violating arcs); one scan finds both
            first_pruned = self.pruned is not None and it == 0
            # after a classes solve (optimal on every arc) the nearly tight arcs join P at once
            # too: fewer rounds of duals and scans
            margin = (tuning.NEAR_TIGHT_FIRST if first_pruned else
                      tuning.NEAR_TIGHT_CLASSES if method == "classes" and it == 0 else 0)
            if from_counties:
                # every county certified these duals on all its arcs (the within-county ones)
                vpos, vsl = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
            else:
                vpos, vsl = violations(g, self.alive, fcs, u, price, self.disc_pos, self.churn,
                                       mask=scan_mask,
                                       above=-margin)
            near, near_sl = vpos, vsl
            if margin:
                vpos, vsl = vpos[vsl > 0], vsl[vsl > 0]
            info.append({"iteration": it, "arcs": int(P.size), "duals": t_d, "bf_rounds": br,
                         "scan": time.perf_counter() - ts, "violations": int(vpos.size),
                         "scope": "within counties" if scan_mask is not None else "all arcs"})
            if vpos.size == 0 and scan_mask is not None:
                # every county is certified on its own arcs; now the cross-county arcs
                scan_mask = None
                improving = self._cross_county(inP, u, price, info[-1])
                if improving is None:
                    vpos = np.zeros(0, dtype=np.int64)
                else:
                    solved_on_P = improving
                    p_warm = None
                    continue
            if vpos.size == 0:
                dual_obj = int(u.sum()) - int((cap.astype(np.int64) * price).sum())
                primal = int(mc[m >= 0].sum()) + int(U[m < 0].sum())
                proven = dual_obj == primal
                self.stats["dual_objective_lp"] = dual_obj
                self.stats["primal_objective_lp"] = primal
                self.stats["_duals"] = (u, price)
                break
            n_improving = vpos.size
            if margin:
                vpos, vsl = near, near_sl
            elif vpos.size > 8 * (nc + nv):
                vpos, vsl = most_violated(g, vpos, vsl, nc, nv, 4), None
            inP[vpos] = True
            p_warm = price
            if scan_mask is None and method not in ("full", "classes"):
                # these arcs were not part of the last (pruned, joint) solve (in a full solve
                # and within counties after the per-county solves every arc was). Many improving
                # arcs: re-solve everyone on P at once; a few: re-solve only the region they can
                # change. Either way the certificate then re-checks every arc.
                p_warm = None
                solved_on_P = self._grow(inP, n_improving, vpos, vsl, u, price)
        self.stats["certificate"] = info
        return proven

    def _cross_county(self, inP: np.ndarray, u: np.ndarray, price: np.ndarray,
                      info: dict) -> bool | None:
        """Price the cross-county arcs with the county duals. Improving ones (and every nearly
        tight arc) join P and the children they can affect are re-solved; returns whether
        everyone was re-solved on P, or None when no cross-county arc improves."""
        g, within = self.g, self.within
        ts = time.perf_counter()
        near, nsl = violations(g, self.alive, self.fcs, u, price, self.disc_pos, self.churn,
                               above=-tuning.NEAR_TIGHT_CROSS)
        improving = near[(nsl > 0) & ~within[near]]
        info["cross_improving"] = int(improving.size)
        info["near_tight"] = int(near.size)
        info["scan2"] = time.perf_counter() - ts
        if improving.size == 0:
            return None
        inP[near] = True
        return self.repair(np.flatnonzero(inP), improving, nsl[(nsl > 0) & ~within[near]], u,
                           price)

    def _grow(self, inP: np.ndarray, n_improving: int, vpos: np.ndarray, vsl, u: np.ndarray,
              price: np.ndarray) -> bool:
        """After arcs ``vpos`` (slacks ``vsl``, None: unknown) joined P: re-solve everyone on P
        when many improve, else repair their region. Returns whether the assignment was solved
        on all of P."""
        if n_improving > tuning.REPAIR_MAX_ARCS or vsl is None:
            tr = time.perf_counter()
            self.run_all(np.flatnonzero(inP), (u, price))
            self.timings["ortools"] += time.perf_counter() - tr
            return True
        imp = vsl > 0
        return self.repair(np.flatnonzero(inP), vpos[imp], vsl[imp], u, price)
