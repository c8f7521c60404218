"""Candidate graph: every feasible (child, volunteer) arc with its integer pair cost.

Range search runs on unit-sphere 3-D coordinates with scipy's ``cKDTree`` (chord length is
monotone in great-circle distance, so ``max_km`` becomes a chord radius); volunteers are queried
in buckets of similar radius, against the children of their own county (``cross_county``
volunteers then also against the children of every other county). The surviving candidates get
exact haversine distances and are filtered by the hard constraints of docs/matching-problem.md:

1. distance <= ``max_km``;
2. same county unless ``cross_county``;
3. safeguarding: a girl aged >= ``girl_age`` only with a female volunteer (if ``gender_rule``);
4. required skills a subset of the volunteer's skills (bitmasks);
5. capacity > 0 (a volunteer with capacity 0 takes nobody and is left out entirely);
6. a volunteer with a ``school`` only with children of that school.

Everything is vectorised numpy on the sparse arc list; there is never a dense
children x volunteers matrix.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

from .problem import Problem
from .rules import AGE_BANDS, EARTH_RADIUS_KM, SKILL_BIT, haversine_km, km_to_chord, unit_xyz

# Hard-constraint violation bits (see pair_violations / explain.check_pair).
V_DISTANCE = 1
V_COUNTY = 2
V_SAFEGUARDING = 4
V_SKILL = 8
V_CAPACITY = 16
V_SCHOOL = 32

_RADIUS_RATIO = 1.12     # volunteers whose radii differ by less than this share one KD query
_CHUNK_PAIRS = 4_000_000  # process KD output in pieces of about this many pairs
#: arcs reserved per child before the build (only written memory counts; more are made room
#: for when needed; bench/matching/HISTORY.md).
ARCS_PER_CHILD_GUESS = 400
_REL_SLACK = 1e-9          # chord pre-filter is generous; the exact haversine test decides


@dataclass
class CandidateGraph:
    """Sparse feasible arcs, in no particular order.

    ``ci[k], vj[k]``: child / volunteer positions of arc k; ``cost[k]``: its pair cost (no churn
    discount). Per child: ``n_in_range`` (volunteers with capacity > 0 within ``max_km`` and
    allowed by the county rule), ``n_skilled`` (of those, having every required skill) and
    ``n_feasible`` (of those, also allowed by safeguarding, i.e. the arcs of that child).
    ``ex_arc[k]`` is the arc of existing pair k, or -1 when that pair is no longer feasible.
    """

    n_children: int
    n_volunteers: int
    ci: np.ndarray
    vj: np.ndarray
    cost: np.ndarray
    n_in_range: np.ndarray
    n_skilled: np.ndarray
    n_feasible: np.ndarray
    ex_arc: np.ndarray
    timings: dict = field(default_factory=dict)
    #: per child: volunteers passing rules 1-4 (before the school rule; None: same as n_feasible)
    n_safe: np.ndarray | None = None

    @property
    def n_arcs(self) -> int:
        return int(self.ci.size)

    def arcs_of_children(self, children: np.ndarray) -> np.ndarray:
        """Arc positions whose child is in ``children`` (one vectorised pass)."""
        sel = np.zeros(self.n_children, dtype=bool)
        sel[children] = True
        return np.flatnonzero(sel[self.ci])


def pair_costs(problem: Problem, ci: np.ndarray, vj: np.ndarray,
               dist_km: np.ndarray) -> np.ndarray:
    """Pair cost (docs/matching-problem.md) of arcs (ci, vj) at distance ``dist_km`` (int64)."""
    p = problem.params
    cost = np.rint(dist_km * 1000.0).astype(np.int64)
    cost += 1
    need = problem.c_needs[ci] & ~problem.c_req[ci] & ~problem.v_skills[vj]
    if p.missing_need_cost:
        cost += np.bitwise_count(need).astype(np.int64) * p.missing_need_cost
    if p.preference_cost:
        pg = problem.v_pref_gender[vj]
        pb = problem.v_pref_band[vj]
        miss = ((pg >= 0) & (pg != problem.c_female[ci])).astype(np.int64)
        miss += (pb >= 0) & (pb != problem.c_band[ci])
        cost += miss * p.preference_cost
    return cost


def pair_distance_km(problem: Problem, ci, vj) -> np.ndarray:
    return haversine_km(problem.c_lat[ci], problem.c_lon[ci], problem.v_lat[vj], problem.v_lon[vj])


def pair_violations(problem: Problem, ci, vj) -> tuple[np.ndarray, np.ndarray]:
    """Violated hard constraints of arbitrary pairs: (bitmask of V_* per pair, distance km)."""
    ci = np.asarray(ci, dtype=np.int64)
    vj = np.asarray(vj, dtype=np.int64)
    d = pair_distance_km(problem, ci, vj)
    bad = np.where(d > problem.v_max_km[vj], V_DISTANCE, 0)
    bad |= np.where((problem.c_county[ci] != problem.v_county[vj]) & ~problem.v_cross[vj],
                    V_COUNTY, 0)
    bad |= np.where(problem.girl_rule_mask()[ci] & ~problem.v_female[vj], V_SAFEGUARDING, 0)
    bad |= np.where(problem.c_req[ci] & ~problem.v_skills[vj], V_SKILL, 0)
    bad |= np.where(problem.v_cap[vj] <= 0, V_CAPACITY, 0)
    bad |= np.where((problem.v_school[vj] >= 0) & (problem.v_school[vj] != problem.c_school[ci]),
                    V_SCHOOL, 0)
    return bad.astype(np.int64), d


def _radius_buckets(radii: np.ndarray) -> list[np.ndarray]:
    """Split volunteer positions into groups of similar radius (for one KD query each)."""
    order = np.argsort(radii, kind="stable")
    r = radii[order]
    groups = []
    start = 0
    n = r.size
    while start < n:
        hi = max(r[start], 1e-12) * _RADIUS_RATIO
        stop = int(np.searchsorted(r, hi, side="right"))
        stop = max(stop, start + 1)
        groups.append(order[start:stop])
        start = stop
    return groups


_REQ4 = (SKILL_BIT["guardianship"], SKILL_BIT["disability_care"], SKILL_BIT["health"],
         SKILL_BIT["dropout_return"])  # the only skills that can be required
_BOUNDARY_KM = 1e-9   # chord-derived distance this close to max_km: decide by haversine
_BOUNDARY_M = 1e-6    # ... this close to a rounding boundary (x.5 m): round the haversine value


def _req4(mask: np.ndarray) -> np.ndarray:
    out = np.zeros(mask.shape, dtype=np.int64)
    for k, b in enumerate(_REQ4):
        out |= ((mask & b) != 0).astype(np.int64) << k
    return out


class _Builder:
    """Accumulates feasible arcs from KD-tree candidate pairs.

    Distances come from the KD chord: ``2 R asin(chord / 2)`` is the exact great-circle distance
    (it is the haversine formula written with the chord); within 1e-9 km of ``max_km`` or 1e-6 m
    of a rounding boundary the textbook haversine formula on the degrees decides, so results are
    identical to evaluating haversine for every candidate.
    """

    def __init__(self, problem: Problem):
        p = self.p = problem
        nc = problem.n_children
        self.girl = problem.girl_rule_mask()
        # compatibility classes: child (4 required-skill bits + girl bit), volunteer (4 of its
        # skills + female bit); tables say whether skills / skills+safeguarding are satisfied
        self.cclass = (_req4(p.c_req) | (self.girl.astype(np.int64) << 4)).astype(np.int16)
        self.vclass = (_req4(p.v_skills) | (p.v_female.astype(np.int64) << 4)).astype(np.int16)
        cc = np.arange(32)[:, None]
        vc = np.arange(32)[None, :]
        self.skill_ok = ((cc & 15) & ~(vc & 15)) == 0
        self.feas_ok = (self.skill_ok & ~(((cc >> 4) & 1).astype(bool) & ~((vc >> 4) & 1).astype(bool)))
        self.skill_ok = self.skill_ok.ravel()
        self.feas_ok = self.feas_ok.ravel()
        # preference table: child code female*NB+band, volunteer code (pg+1)*(NB+1)+(pb+1)
        nb = len(AGE_BANDS)
        self.cpref = (p.c_female.astype(np.int64) * nb + p.c_band).astype(np.int16)
        self.vpref = ((p.v_pref_gender.astype(np.int64) + 1) * (nb + 1) + p.v_pref_band
                      + 1).astype(np.int16)
        tab = np.zeros((2 * nb, 3 * (nb + 1)), dtype=np.int64)
        for c in range(2 * nb):
            fem, band = divmod(c, nb)
            for v in range(3 * (nb + 1)):
                pg, pb = v // (nb + 1) - 1, v % (nb + 1) - 1
                tab[c, v] = int(pg >= 0 and pg != fem) + int(pb >= 0 and pb != band)
        self.pref_tab = (tab * problem.params.preference_cost).ravel()
        self.vpref_n = tab.shape[1]
        self.cneed = (p.c_needs & ~p.c_req).astype(np.uint16)
        self.cnt_range = np.zeros(nc, dtype=np.int64)
        self.cnt_skill = np.zeros(nc, dtype=np.int64)
        self.cnt_feasible = np.zeros(nc, dtype=np.int64)
        # the school rule, only when some volunteer has a school (files without it: as before)
        self.school = bool((p.v_school >= 0).any())
        self.cnt_safe = np.zeros(nc, dtype=np.int64) if self.school else None
        # the arcs are written straight into three arrays reserved for ARCS_PER_CHILD_GUESS arcs
        # per child (grown when that is not enough): memory is only committed where written,
        # and there is no list of pieces to concatenate at the end (which held every arc twice)
        self.ci = self.vj = self.cost = None
        self.n = 0
        self.other_county_only = False  # set for cross-county volunteers after the counties
        self.km_time = 0.0
        self.filter_time = 0.0

    def add(self, ci: np.ndarray, vj: np.ndarray, chord: np.ndarray):
        """Candidates from a KD query (loose chord radius); keep the feasible ones."""
        p = self.p
        t0 = time.perf_counter()
        d = np.arcsin(np.minimum(chord * 0.5, 1.0))
        d *= 2.0 * EARTH_RADIUS_KM
        mk = p.v_max_km[vj]
        near = np.abs(d - mk) <= _BOUNDARY_KM
        if near.any():
            k = np.flatnonzero(near)
            d[k] = haversine_km(p.c_lat[ci[k]], p.c_lon[ci[k]], p.v_lat[vj[k]], p.v_lon[vj[k]])
        keep = d <= mk
        if self.other_county_only:
            # their arcs in their own county were found with that county
            keep &= p.c_county[ci] != p.v_county[vj]
        ci = ci[keep]
        vj = vj[keep]
        d = d[keep]
        t1 = time.perf_counter()
        nc = self.cnt_range.size
        self.cnt_range += np.bincount(ci, minlength=nc)
        cls = self.cclass[ci].astype(np.int64) * 32 + self.vclass[vj]
        self.cnt_skill += np.bincount(ci[self.skill_ok[cls]], minlength=nc)
        ok = self.feas_ok[cls]
        ci = ci[ok]
        vj = vj[ok]
        d = d[ok]
        if self.school:
            self.cnt_safe += np.bincount(ci, minlength=nc)
            vs = p.v_school[vj]
            ok = (vs < 0) | (vs == p.c_school[ci])
            ci, vj, d = ci[ok], vj[ok], d[ok]
        self.cnt_feasible += np.bincount(ci, minlength=nc)
        self.append(ci, vj, self.costs(ci, vj, d))
        self.km_time += t1 - t0
        self.filter_time += time.perf_counter() - t1

    def append(self, ci: np.ndarray, vj: np.ndarray, cost: np.ndarray) -> None:
        """Write arcs after the last one (making room by half as much again when full)."""
        n, k = self.n, ci.size
        if self.ci is None or n + k > self.ci.size:
            guess = ARCS_PER_CHILD_GUESS * self.p.n_children
            size = max(n + k, guess if self.ci is None else self.ci.size * 3 // 2)
            for name, dtype in (("ci", np.int32), ("vj", np.int32), ("cost", np.int64)):
                grown = np.empty(size, dtype=dtype)
                if n:
                    grown[:n] = getattr(self, name)[:n]
                setattr(self, name, grown)
        self.ci[n:n + k] = ci
        self.vj[n:n + k] = vj
        self.cost[n:n + k] = cost
        self.n = n + k

    def arcs(self, first: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ci, vj, cost) of the arcs from position ``first`` on (views)."""
        if self.ci is None:
            return (np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int32),
                    np.zeros(0, dtype=np.int64))
        return self.ci[first:self.n], self.vj[first:self.n], self.cost[first:self.n]

    def costs(self, ci, vj, d_km):
        p = self.p
        m = d_km * 1000.0
        frac = m - np.floor(m)
        tie = np.abs(frac - 0.5) <= _BOUNDARY_M
        if tie.any():
            k = np.flatnonzero(tie)
            m[k] = 1000.0 * haversine_km(p.c_lat[ci[k]], p.c_lon[ci[k]], p.v_lat[vj[k]],
                                         p.v_lon[vj[k]])
        cost = np.rint(m).astype(np.int64)
        cost += 1
        mnc = p.params.missing_need_cost
        if mnc:
            miss = np.bitwise_count(self.cneed[ci] & ~p.v_skills[vj])
            cost += miss.astype(np.int64) * mnc
        if p.params.preference_cost:
            cost += self.pref_tab[self.cpref[ci].astype(np.int64) * self.vpref_n + self.vpref[vj]]
        return cost

    def query(self, ctree: cKDTree, cpos: np.ndarray, vpos: np.ndarray, vxyz: np.ndarray):
        """All (child, volunteer) pairs within each volunteer's chord radius (loose)."""
        if vpos.size == 0 or cpos.size == 0:
            return
        for grp in _radius_buckets(self.chord_r[vpos]):
            vp = vpos[grp]
            rmax = float(self.chord_r[vp].max())
            if vp.size <= 16:
                # few volunteers: ball queries are cheaper than a second tree
                lists = ctree.query_ball_point(vxyz[vp], rmax, return_sorted=False)
                lens = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
                if lens.sum() == 0:
                    continue
                cl = np.concatenate([np.asarray(x, dtype=np.int64) for x in lists if x])
                vl = np.repeat(vp, lens)
                ci = cpos[cl]
                diff = self.cxyz[ci] - vxyz[vl]
                chord = np.sqrt(np.einsum("ij,ij->i", diff, diff))
                self.add(ci, vl, chord)
                continue
            vtree = cKDTree(vxyz[vp], balanced_tree=False, compact_nodes=False)
            res = ctree.sparse_distance_matrix(vtree, rmax, output_type="ndarray")
            if res.size == 0:
                continue
            for s in range(0, res.size, _CHUNK_PAIRS):
                part = res[s:s + _CHUNK_PAIRS]
                self.add(cpos[part["i"]], vp[part["j"]], part["v"])
            del res


def build_graph(problem: Problem, on_county=None) -> CandidateGraph:
    """All feasible arcs of ``problem`` with pair costs, plus per-child reason counters.

    Arcs come county by county (a county's children with the volunteers whose home it is), then
    the arcs of cross-county volunteers into other counties. ``on_county(k, children, first,
    ci, vj, cost)``, if given, is called as soon as county k's arcs are known: its children and
    its arcs (which take positions ``first, first + 1, ...`` in the graph) — so that a solver
    can start on county k while the next one is built.
    """
    t_start = time.perf_counter()
    p = problem
    nc, nv = p.n_children, p.n_volunteers
    b = _Builder(p)
    # generous chord radius: never loses a pair the exact haversine test would accept
    b.chord_r = km_to_chord(p.v_max_km) * (1 + _REL_SLACK) + 1e-12
    cxyz = unit_xyz(p.c_lat, p.c_lon)
    vxyz = unit_xyz(p.v_lat, p.v_lon)
    b.cxyz = cxyz
    active = p.v_cap > 0
    t_tree = 0.0
    if nc and nv and active.any():
        # children by county
        c_order = np.argsort(p.c_county, kind="stable")
        c_bounds = np.searchsorted(p.c_county[c_order], np.arange(len(p.counties) + 1))
        v_order = np.flatnonzero(active)
        v_order = v_order[np.argsort(p.v_county[v_order], kind="stable")]
        v_bounds = np.searchsorted(p.v_county[v_order], np.arange(len(p.counties) + 1))
        for k in range(len(p.counties)):
            cpos = c_order[c_bounds[k]:c_bounds[k + 1]]
            vpos = v_order[v_bounds[k]:v_bounds[k + 1]]
            if cpos.size == 0 or vpos.size == 0:
                continue
            t0 = time.perf_counter()
            ctree = cKDTree(cxyz[cpos], balanced_tree=False, compact_nodes=False)
            t_tree += time.perf_counter() - t0
            first = b.n
            b.query(ctree, cpos, vpos, vxyz)
            if on_county is not None and b.n > first:
                on_county(k, cpos, first, *b.arcs(first))
        cross = np.flatnonzero(active & p.v_cross)
        if cross.size:
            t0 = time.perf_counter()
            ctree = cKDTree(cxyz, balanced_tree=False, compact_nodes=False)
            t_tree += time.perf_counter() - t0
            b.other_county_only = True
            b.query(ctree, np.arange(nc), cross, vxyz)
    t_q = time.perf_counter()
    ci, vj, cost = b.arcs()
    n_feasible = b.cnt_feasible.astype(np.int32)
    ex_arc = existing_arcs(p, ci, vj)
    t_end = time.perf_counter()
    g = CandidateGraph(nc, nv, ci, vj, cost, b.cnt_range.astype(np.int32),
                       b.cnt_skill.astype(np.int32), n_feasible, ex_arc,
                       n_safe=None if b.cnt_safe is None else b.cnt_safe.astype(np.int32))
    g.timings = {"graph_total": t_end - t_start, "kd_trees": t_tree,
                 "distance": b.km_time, "filter_cost": b.filter_time,
                 "concat_existing": t_end - t_q}
    return g


def existing_arcs(p: Problem, ci: np.ndarray, vj: np.ndarray) -> np.ndarray:
    """Arc position of every existing pair (or -1 if the pair is not feasible any more)."""
    ne = p.ex_child.size
    out = np.full(ne, -1, dtype=np.int64)
    if ne == 0 or ci.size == 0:
        return out
    # a child usually has at most one existing pair: match arcs layer by layer
    order = np.argsort(p.ex_child, kind="stable")
    ec = p.ex_child[order]
    first = np.r_[True, ec[1:] != ec[:-1]]
    rank = np.arange(ne) - np.maximum.accumulate(np.where(first, np.arange(ne), 0))
    for layer in range(int(rank.max()) + 1):
        sel = order[rank == layer]
        want = np.full(p.n_children, -1, dtype=np.result_type(vj.dtype, np.int32))
        want[p.ex_child[sel]] = p.ex_vol[sel]
        hit = np.flatnonzero(want[ci] == vj)
        slot = np.full(p.n_children, -1, dtype=np.int64)
        slot[ci[hit]] = hit
        found = slot[p.ex_child[sel]]
        out[sel] = found
    return out
