"""Explanations a coordinator can act on: the cost terms of a pair, why not a nearer volunteer,
and what would place a child left out.

* :func:`cost_terms` — the pair cost split into its terms (docs/matching-problem.md).
* :func:`nearer_volunteers` — for a pair, the cheapest feasible volunteer that is cheaper than
  the one chosen, and what that volunteer does instead: the child it serves that needs it more,
  read from the optimal flow's alternating paths (that child would take this child's place or
  go without, at an exact extra cost) and the certificate's duals (a lower bound on the extra
  cost of any reassignment). In an optimal assignment a cheaper feasible volunteer is always
  full (else moving the child there would lower the objective), unless the child keeps its own
  existing pair (churn).
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


def _exchange(p: Problem, ctx: dict, i: int, m: int, j: int, a_ij: int, others: list[int],
              locked: set, kept: set) -> dict:
    """Which child of the nearer volunteer ``j`` needs it more than child ``i`` (now with ``m``),
    read from the alternating paths of length two and the optimal duals.

    Giving ``j`` to ``i`` frees ``i``'s place at ``m`` and pushes one child ``k`` of ``j`` out:
    ``k`` takes ``i``'s place at ``m`` ("swap", when that pair is feasible) or goes without
    ("left_out"). Each such exchange is a cycle of the optimal flow's residual network, so its
    exact extra cost (discounted costs: breaking ``k``'s existing pair pays the churn) is >= 0;
    the child is the one whose exchange costs least. With the certificate's duals (u, price),
    *any* reassignment that gives ``j`` to ``i`` costs at least ``reduced cost of (i, j)`` plus the
    least, over ``j``'s children, reduced cost of their way out: ``at_least``.
    """
    cost, arc_of, U = ctx["cost"], ctx["arc_of"], ctx["U"]
    free = [k for k in others if k not in locked]
    if not free:
        return {"child": others[0], "why": "pinned"}
    gain = cost(a_ij) - cost(ctx["arc"][i])  # i moves from m to j
    best = None
    for k in free:
        out_k = U[k] - cost(ctx["arc"][k])
        options = [(gain + out_k, "left_out", None)]
        a_km = arc_of.get((k, m))
        if a_km is not None:
            options.append((gain + cost(a_km) - cost(ctx["arc"][k]), "swap", m))
        x = min(options, key=lambda o: o[0])
        if best is None or x[0] < best[0][0]:
            best = (x, k)
    (extra, move, to), k = best
    if p.c_tier[k] > p.c_tier[i]:
        why = "more_urgent"
    elif k in kept:
        why = "existing_pair"
    elif move == "left_out":
        why = "fewer_options"
    else:
        why = "lower_total"
    out = {"child": k, "why": why, "move": move, "extra_cost": int(extra)}
    if to is not None:
        out["to"] = to
    if ctx["duals"] is not None:
        u, price = ctx["duals"]
        regret = min(ctx["regret"](k2) for k2 in free)
        out["at_least"] = int(cost(a_ij) - u[i] + price[j] + regret)
    return out


def _context(p: Problem, g: CandidateGraph, result, excluded: set, children: np.ndarray) -> dict:
    """What :func:`_exchange` reads: discounted arc costs, the arcs of ``children`` by pair,
    unmatched costs, the assignment's arcs and the certificate's duals."""
    ex = g.ex_arc[g.ex_arc >= 0]
    disc = {int(a) for a in ex.tolist() if (int(g.ci[a]), int(g.vj[a])) not in excluded}
    churn = int(p.params.churn_cost)
    pos = g.arcs_of_children(children)
    arc_of: dict[tuple[int, int], int] = {}
    by_child: dict[int, list[tuple[int, int]]] = {}
    for c, v, a in zip(g.ci[pos].tolist(), g.vj[pos].tolist(), pos.tolist()):
        if (c, v) not in excluded:
            arc_of[c, v] = a
            by_child.setdefault(c, []).append((v, a))
    U = p.params.unmatched_costs()[p.c_tier]
    duals = getattr(result, "duals", None)

    def cost(a: int) -> int:
        return int(g.cost[a]) - (churn if a in disc else 0)

    def regret(k: int) -> int:
        """k's cheapest way out of its volunteer at the optimal prices (reduced cost)."""
        u, price = duals
        best = int(U[k]) - int(u[k])
        mk = int(result.match[k])
        for v, a in by_child.get(k, ()):
            if v != mk:
                best = min(best, cost(a) - int(u[k]) + int(price[v]))
        return best

    return {"cost": cost, "arc_of": arc_of, "U": U, "arc": result.arc_of_child, "duals": duals,
            "regret": regret}


def nearer_volunteers(p: Problem, g: CandidateGraph, result, excluded: set | None = None) -> dict:
    """Per placed child id: the cheapest feasible volunteer cheaper than its own (or nothing),
    with the child it serves that needs it more (:func:`_exchange`). ``excluded``: (child,
    volunteer) positions."""
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
    first: dict[int, int] = {}
    for a in order.tolist():
        i, j = int(g.ci[a]), int(g.vj[a])
        if i not in first and (i, j) not in excluded:
            first[i] = a
    busy = {int(match[i]) for i in first if i not in kept} | {int(g.vj[a]) for a in first.values()}
    involved = np.array(sorted({k for j in busy for k in serving.get(j, [])} | set(first)),
                        dtype=np.int64)
    ctx = _context(p, g, result, excluded, involved)
    out: dict[str, dict] = {}
    for i, a in first.items():
        j = int(g.vj[a])
        if i in kept:
            out[cids[i]] = {"kept_existing": True}
            continue
        others = serving.get(j, [])
        entry = {"volunteer": vids[j], "cost": int(g.cost[a]), "load": len(others),
                 "places": int(p.v_cap[j])}
        if others:
            x = _exchange(p, ctx, i, int(match[i]), j, a, others, locked, kept)
            k = x.pop("child")
            entry.update(child=cids[k], tier=TIERS[int(p.c_tier[k])], **x)
            if "to" in entry:
                entry["to"] = vids[entry["to"]]
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
