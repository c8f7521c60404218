"""Explanations a coordinator can act on: the cost terms of a pair, why not a nearer volunteer,
and what would place a child left out.

* :func:`cost_terms` — the pair cost split into its terms (docs/matching-problem.md).
* :func:`nearer_volunteers` — for a pair, the cheapest feasible volunteer that is cheaper than
  the one chosen, and what that volunteer does instead: the children it serves, and which of them
  needs it more (pinned to it, more urgent, keeping its existing pair, fewer other volunteers
  it could have). In an optimal assignment a cheaper feasible volunteer is always full (else
  moving the child there would lower the objective), unless the child keeps its own existing
  pair (churn).
* :func:`what_would_help` — for a child left out, the smallest change that would let it be
  placed: a volunteer with a skill within reach, a female volunteer, one more place at the
  nearest full volunteer, a volunteer who may serve the child's school, or lifting an exclusion.
"""

from __future__ import annotations

import numpy as np

from .graph import V_COUNTY, V_DISTANCE, V_SAFEGUARDING, V_SKILL, CandidateGraph, pair_violations
from .problem import Problem
from .rules import SKILLS, TIERS, names_of


def cost_terms(p: Problem, i: int, j: int, distance_km: float) -> dict:
    """The terms of pair (i, j)'s cost: distance (metres + 1), missing needs, unmet preferences."""
    prm = p.params
    need = int(p.c_needs[i]) & ~int(p.c_req[i]) & ~int(p.v_skills[j])
    pg, pb = int(p.v_pref_gender[j]), int(p.v_pref_band[j])
    unmet = int(pg >= 0 and pg != int(p.c_female[i])) + int(pb >= 0 and pb != int(p.c_band[i]))
    return {"distance": 1 + round(distance_km * 1000), "missing_needs": names_of(need, SKILLS),
            "missing_needs_cost": bin(need).count("1") * prm.missing_need_cost,
            "preferences_unmet": unmet, "preferences_cost": unmet * prm.preference_cost}


def _serving(result) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for i in np.flatnonzero(result.match >= 0).tolist():
        out.setdefault(int(result.match[i]), []).append(i)
    return out


def _needs_more(p: Problem, g: CandidateGraph, result, locked: set, kept: set, i: int,
                others: list[int]) -> tuple[int, str]:
    """Of the children ``others`` that a nearer volunteer serves, the one that needs it more than
    child ``i``, and why (the first rule that tells them apart)."""
    def rank(k):
        return (k in locked, int(p.c_tier[k]) > int(p.c_tier[i]), k in kept,
                -int(g.n_feasible[k]), int(p.c_tier[k]))
    k = max(others, key=rank)
    if k in locked:
        why = "pinned"
    elif p.c_tier[k] > p.c_tier[i]:
        why = "more_urgent"
    elif k in kept:
        why = "existing_pair"
    elif g.n_feasible[k] < g.n_feasible[i]:
        why = "fewer_options"
    else:
        why = "lower_total"  # moving either child would cost more in all
    return k, why


def nearer_volunteers(p: Problem, g: CandidateGraph, result, excluded: set | None = None) -> dict:
    """Per placed child id: the cheapest feasible volunteer cheaper than its own (or nothing),
    with the child it serves that needs it more. ``excluded``: (child, volunteer) positions."""
    excluded = excluded or set()
    match, arc = result.match, result.arc_of_child
    cids, vids = p.child_ids, p.volunteer_ids
    pairs = {pr.child: pr for pr in result.pairs}
    locked = {p.child_index[c] for c, pr in pairs.items() if pr.locked}
    kept = {p.child_index[c] for c, pr in pairs.items() if pr.kept}
    serving = _serving(result)
    mi = np.flatnonzero(match >= 0)
    own = np.full(p.n_children, np.iinfo(np.int64).max, dtype=np.int64)
    own[mi] = g.cost[arc[mi]]
    cheaper = np.flatnonzero((match[g.ci] >= 0) & (g.cost < own[g.ci]) & (match[g.ci] != g.vj))
    order = cheaper[np.lexsort((g.cost[cheaper], g.ci[cheaper]))]
    out: dict[str, dict] = {}
    for a in order.tolist():
        i, j = int(g.ci[a]), int(g.vj[a])
        if cids[i] in out or (i, j) in excluded:
            continue
        if i in kept:
            out[cids[i]] = {"kept_existing": True}
            continue
        others = serving.get(j, [])
        entry = {"volunteer": vids[j], "cost": int(g.cost[a]), "load": len(others),
                 "places": int(p.v_cap[j])}
        if others:
            k, why = _needs_more(p, g, result, locked, kept, i, others)
            entry.update(child=cids[k], tier=TIERS[int(p.c_tier[k])], why=why)
        out[cids[i]] = entry
    return out


def what_would_help(p: Problem, g: CandidateGraph, result, excluded: set | None = None) -> dict:
    """Per unmatched child id: the change that would let it be placed (see module docstring)."""
    excluded = excluded or set()
    out: dict[str, dict] = {}
    load = np.bincount(result.match[result.match >= 0], minlength=p.n_volunteers)
    active = np.flatnonzero(p.v_cap > 0)
    for u in result.unmatched:
        i = p.child_index[u.child]
        if u.reason in ("all_at_capacity", "cost_exceeds_unmatched", "forbidden"):
            out[u.child] = _one_more_place(p, g, i, load, excluded, u.reason)
        elif active.size:
            out[u.child] = _missing_volunteer(p, i, active, u.reason)
    return out


def _one_more_place(p: Problem, g: CandidateGraph, i: int, load: np.ndarray, excluded: set,
                    reason: str) -> dict:
    arcs = np.flatnonzero(g.ci == i)
    arcs = arcs[np.argsort(g.cost[arcs], kind="stable")]
    for a in arcs.tolist():
        j = int(g.vj[a])
        if (i, j) in excluded:
            if reason == "forbidden":
                return {"change": "lift_exclusion", "volunteer": p.volunteer_ids[j]}
            continue
        return {"change": "one_more_place", "volunteer": p.volunteer_ids[j],
                "load": int(load[j]), "places": int(p.v_cap[j])}
    return {}


def _missing_volunteer(p: Problem, i: int, active: np.ndarray, reason: str) -> dict:
    """The nearest volunteer that fails only on the blocking rule, and what it lacks."""
    bits, d = pair_violations(p, np.full(active.size, i), active)
    if reason == "no_volunteer_in_range":
        ok = (bits & V_COUNTY) == 0
        if not ok.any():
            return {"change": "volunteer_in_county"}
        k = np.flatnonzero(ok)[np.argmin(d[ok])]
        j = int(active[k])
        return {"change": "volunteer_within_km", "km": round(float(d[k]), 1),
                "volunteer": p.volunteer_ids[j], "max_km": float(p.v_max_km[j])}
    reach = (bits & (V_DISTANCE | V_COUNTY)) == 0
    if reason == "no_volunteer_with_skill":
        missing = int(p.c_req[i]) & ~int(np.bitwise_or.reduce(p.v_skills[active[reach]]))
        km = float(d[reach].max()) if reach.any() else 0.0
        return {"change": "volunteer_with_skill", "skills": names_of(missing, SKILLS),
                "km": round(km, 1)}
    if reason == "school":
        return {"change": "volunteer_of_school"}
    if reason == "safeguarding":
        blocked = reach & ((bits & V_SKILL) == 0) & ((bits & V_SAFEGUARDING) != 0)
        km = float(d[blocked].min()) if blocked.any() else 0.0
        return {"change": "female_volunteer", "km": round(km, 1)}
    return {}
