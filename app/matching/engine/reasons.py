"""Why a pair was made, why a child is left out, and manual-pair checks.

Unmatched reasons (the first that applies, docs/matching-problem.md order):

* ``no_volunteer_in_range`` — no volunteer (with capacity > 0) within its ``max_km`` of the child
  that the county rule allows;
* ``no_volunteer_with_skill`` — some in range, but none has every required skill (``detail``
  names the required skills that no volunteer in range has);
* ``safeguarding`` — in range with the skills, but the gender rule excludes all of them;
* ``school`` — only volunteers of another school (teachers serve the pupils of their own school)
  pass the rules above;
* ``all_at_capacity`` — feasible volunteers exist but all are used by more urgent or closer
  children (``explain`` lists them with whom they serve).

Two further codes can only arise outside the exchange format's normal use and are documented for
the web app: ``forbidden`` (every feasible volunteer of the child is a forbidden pair) and
``cost_exceeds_unmatched`` (a feasible volunteer has room, but with these parameters the pair
costs more than leaving the child unmatched — e.g. a volunteer ``max_km`` above ~47 km).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from .graph import (V_CAPACITY, V_COUNTY, V_DISTANCE, V_SAFEGUARDING, V_SCHOOL, V_SKILL,
                    CandidateGraph, pair_distance_km, pair_violations)
from .problem import Problem
from .rules import AGE_BANDS, GENDERS, SKILL_BIT, SKILL_LABELS, SKILLS, TIERS, km_to_chord, names_of, unit_xyz

REASONS = ("no_volunteer_in_range", "no_volunteer_with_skill", "safeguarding", "all_at_capacity",
           "school")
EXTRA_REASONS = ("forbidden", "cost_exceeds_unmatched")

VIOLATION_CODES = ((V_DISTANCE, "distance"), (V_COUNTY, "county"),
                   (V_SAFEGUARDING, "safeguarding"), (V_SKILL, "skill"),
                   (V_CAPACITY, "capacity"), (V_SCHOOL, "school"))



@dataclass(frozen=True)
class Violation:
    """One violated hard constraint of a (child, volunteer) pair."""
    code: str       # distance | county | safeguarding | skill | capacity | capacity_full
    message: str    # Chinese, for the coordinator
    detail: dict

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "detail": self.detail}


def check_pair(problem: Problem, child_id: str, volunteer_id: str,
               current_load: int | None = None) -> list[Violation]:
    """Hard constraints a manual pair would violate (empty list: the pair is allowed).

    ``current_load``: children the volunteer already has (to check that capacity is left);
    without it only ``capacity > 0`` is checked. Unknown ids raise ``KeyError``.
    """
    p = problem
    i = p.child_index[child_id]
    j = p.volunteer_index[volunteer_id]
    bits, d = pair_violations(p, [i], [j])
    bits = int(bits[0])
    d = float(d[0])
    out: list[Violation] = []
    if bits & V_DISTANCE:
        mk = float(p.v_max_km[j])
        out.append(Violation("distance", f"超出志愿者服务距离 ({d:.1f} 公里 > {mk:g} 公里)",
                             {"distance_km": round(d, 3), "max_km": mk}))
    if bits & V_COUNTY:
        cc, vc = p.counties[p.c_county[i]], p.counties[p.v_county[j]]
        out.append(Violation("county", f"不在同一县 (儿童 {cc}，志愿者 {vc})，志愿者不跨县服务",
                             {"child_county": cc, "volunteer_county": vc}))
    if bits & V_SAFEGUARDING:
        ga = p.params.girl_age
        out.append(Violation("safeguarding",
                             f"安全保护规则：{ga} 岁及以上女童只能与女性志愿者结对",
                             {"girl_age": ga, "child_age": int(p.c_age[i])}))
    if bits & V_SKILL:
        for s in names_of(int(p.c_req[i] & ~p.v_skills[j]), SKILLS):
            out.append(Violation("skill", f"志愿者缺少必需技能：{SKILL_LABELS[s]} ({s})",
                                 {"skill": s}))
    if bits & V_SCHOOL:
        out.append(Violation("school", "教师志愿者只能与本校学生结对",
                             {"volunteer_school": p.schools[p.v_school[j]],
                              "child_school": (p.schools[p.c_school[i]] if p.c_school[i] >= 0
                                               else None)}))
    cap = int(p.v_cap[j])
    if bits & V_CAPACITY:
        out.append(Violation("capacity", "志愿者当前不接收儿童 (容量为 0)", {"capacity": cap}))
    elif current_load is not None and current_load >= cap:
        out.append(Violation("capacity_full",
                             f"志愿者已满 (已结对 {current_load} 名 / 容量 {cap} 名)",
                             {"capacity": cap, "load": int(current_load)}))
    return out


# --------------------------------------------------------------------------------------------
# unmatched reasons (vectorised)
# --------------------------------------------------------------------------------------------

def _in_range_skills(p: Problem, children: np.ndarray) -> np.ndarray:
    """OR of the skills of the volunteers in range (county rule, capacity > 0) per child."""
    out = np.zeros(children.size, dtype=np.int64)
    act = np.flatnonzero(p.v_cap > 0)
    if children.size == 0 or act.size == 0:
        return out
    tree = cKDTree(unit_xyz(p.v_lat[act], p.v_lon[act]))
    r = float(km_to_chord(p.v_max_km[act].max())) * (1 + 1e-9) + 1e-12
    lists = tree.query_ball_point(unit_xyz(p.c_lat[children], p.c_lon[children]), r)
    lens = np.fromiter((len(x) for x in lists), dtype=np.int64, count=len(lists))
    if lens.sum() == 0:
        return out
    row = np.repeat(np.arange(children.size), lens)
    vj = act[np.concatenate([np.asarray(x, dtype=np.int64) for x in lists if x])]
    ci = children[row]
    bits, _ = pair_violations(p, ci, vj)
    ok = (bits & (V_DISTANCE | V_COUNTY | V_CAPACITY)) == 0
    np.bitwise_or.at(out, row[ok], p.v_skills[vj[ok]].astype(np.int64))
    return out


def unmatched_reasons(p: Problem, g: CandidateGraph, result, alive=None,
                      forbidden_pairs=None, row: np.ndarray | None = None) -> None:
    """Fill ``reason`` (and for missing skills ``detail``) of every unmatched child. ``row``: the
    graph's child standing for each child (a class graph: its class; no forbidden arcs there),
    when not the child itself."""
    if not result.unmatched:
        return
    ui = np.flatnonzero(result.match < 0)
    r = ui if row is None else row[ui]  # their rows in the graph
    code = np.full(ui.size, 3, dtype=np.int64)  # all_at_capacity
    n_safe = g.n_feasible if g.n_safe is None else g.n_safe
    code[g.n_feasible[r] == 0] = 4  # school (only when the safe ones are all of other schools)
    code[n_safe[r] == 0] = 2
    code[g.n_skilled[r] == 0] = 1
    code[g.n_in_range[r] == 0] = 0
    extra = np.full(ui.size, -1, dtype=np.int64)
    pos = np.flatnonzero(code == 3)
    if pos.size:
        arcs = g.arcs_of_children(r[pos])
        if alive is not None:
            n_alive = np.bincount(g.ci[arcs][alive[arcs]], minlength=g.n_children)
            arcs = arcs[alive[arcs]]
        else:
            n_alive = None
        load = np.bincount(result.match[result.match >= 0], minlength=p.n_volunteers)
        room = load < p.v_cap
        free = np.zeros(g.n_children, dtype=bool)
        free[g.ci[arcs[room[g.vj[arcs]]]]] = True
        extra[pos[free[r[pos]]]] = 1
        if n_alive is not None:
            extra[pos[n_alive[r[pos]] == 0]] = 0
    miss = np.flatnonzero(code == 1)
    missing_bits = np.zeros(ui.size, dtype=np.int64)
    if miss.size:
        have = _in_range_skills(p, ui[miss])
        missing_bits[miss] = p.c_req[ui[miss]].astype(np.int64) & ~have
    for k, u in enumerate(result.unmatched):
        if extra[k] >= 0:
            u.reason = EXTRA_REASONS[extra[k]]
        else:
            u.reason = REASONS[code[k]]
        if code[k] == 1:
            u.detail = {"missing_skills": names_of(int(missing_bits[k]), SKILLS)}


# --------------------------------------------------------------------------------------------
# full explanation
# --------------------------------------------------------------------------------------------

def _pref_status(pref: int, value: int, names) -> dict:
    if pref < 0:
        return {"preference": None, "met": None}
    return {"preference": names[pref], "met": bool(pref == value)}


def _cheapest_per_child(g: CandidateGraph, arcs: np.ndarray, k: int) -> np.ndarray:
    """A superset of the k cheapest of ``arcs`` per child (cost ladder; no global sort)."""
    ladder = np.array([1000, 2000, 3000, 4500, 6000, 8000, 11000, 15000, 20000, 30000, 45000],
                      dtype=np.int64)
    nl = ladder.size + 1
    ci = g.ci[arcs].astype(np.int64)
    lvl = np.searchsorted(ladder, g.cost[arcs])
    hist = np.bincount(ci * nl + lvl, minlength=g.n_children * nl).reshape(g.n_children, nl)
    cum = np.cumsum(hist, axis=1)
    level = np.argmax(cum >= k, axis=1)
    level[cum[:, -1] < k] = nl - 1
    return arcs[lvl <= level[ci]]


def explain(problem: Problem, result, graph: CandidateGraph, max_listed: int = 10) -> dict:
    """Why every pair was made and what blocks every unmatched child.

    Returns ``{"pairs": [...], "unmatched": [...]}``. A pair carries distance, required skills
    covered, needs met / missing, preferences met / unmet and whether it keeps an existing pair.
    An ``all_at_capacity`` child lists up to ``max_listed`` of its cheapest feasible volunteers
    with the children they serve (tier, cost) and how many feasible volunteers it has.
    """
    p, g = problem, graph
    match = result.match
    arc = result.arc_of_child
    mi = np.flatnonzero(match >= 0)
    vj = match[mi]
    d = pair_distance_km(p, mi, vj)
    req = p.c_req[mi].astype(np.int64)
    needs = (p.c_needs[mi] & ~p.c_req[mi]).astype(np.int64)
    sk = p.v_skills[vj].astype(np.int64)
    by_child = {pr.child: pr for pr in result.pairs}
    pairs = []
    for k, i in enumerate(mi.tolist()):
        j = int(vj[k])
        pr = by_child[p.child_ids[i]]
        pairs.append({
            "child": p.child_ids[i], "volunteer": p.volunteer_ids[j], "cost": pr.cost,
            "distance_km": round(float(d[k]), 3),
            "required_skills": names_of(int(req[k]), SKILLS),
            "needs_met": names_of(int(needs[k] & sk[k]), SKILLS),
            "needs_missing": names_of(int(needs[k] & ~sk[k]), SKILLS),
            "prefer_gender": _pref_status(int(p.v_pref_gender[j]), int(p.c_female[i]), GENDERS),
            "prefer_age_band": _pref_status(int(p.v_pref_band[j]), int(p.c_band[i]), AGE_BANDS),
            "kept_existing": pr.kept, "locked": pr.locked,
        })
    # unmatched
    ui = np.flatnonzero(match < 0)
    listing: dict[int, list] = {}
    counts = np.zeros(p.n_children, dtype=np.int64)
    if ui.size:
        arcs = g.arcs_of_children(ui)
        counts = np.bincount(g.ci[arcs], minlength=p.n_children)
        if arcs.size:
            arcs = _cheapest_per_child(g, arcs, max_listed)
            order = np.lexsort((g.cost[arcs], g.ci[arcs]))
            arcs = arcs[order]
            c = g.ci[arcs]
            start = np.r_[0, np.flatnonzero(c[1:] != c[:-1]) + 1]
            rank = np.arange(arcs.size) - np.repeat(start, np.diff(np.r_[start, arcs.size]))
            arcs = arcs[rank < max_listed]
            serving: dict[int, list] = {}
            tiers = p.c_tier
            for i2, j2 in zip(mi.tolist(), match[mi].tolist()):
                serving.setdefault(j2, []).append(
                    {"child": p.child_ids[i2], "tier": TIERS[tiers[i2]],
                     "cost": int(g.cost[arc[i2]])})
            dist = pair_distance_km(p, g.ci[arcs], g.vj[arcs])
            for a, i, j, dk, cst in zip(arcs.tolist(), g.ci[arcs].tolist(), g.vj[arcs].tolist(),
                                        dist.tolist(), g.cost[arcs].tolist()):
                listing.setdefault(i, []).append({
                    "volunteer": p.volunteer_ids[j], "distance_km": round(dk, 3), "cost": cst,
                    "capacity": int(p.v_cap[j]), "serving": serving.get(j, []),
                })
    unmatched = []
    for u, i in zip(result.unmatched, ui.tolist()):
        detail = dict(u.detail)
        if u.reason in ("all_at_capacity", "cost_exceeds_unmatched", "forbidden"):
            detail["feasible_volunteers"] = int(counts[i])
            detail["volunteers"] = listing.get(i, [])
        else:
            detail.setdefault("volunteers_in_range", int(g.n_in_range[i]))
        unmatched.append({"child": u.child, "tier": u.tier, "reason": u.reason,
                          "detail": detail})
    return {"pairs": pairs, "unmatched": unmatched}


__all__ = ["check_pair", "Violation", "explain", "unmatched_reasons", "REASONS",
           "EXTRA_REASONS", "SKILL_LABELS", "SKILL_BIT"]
