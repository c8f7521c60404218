"""Bridge from the app's problem dict (exchange format) to the pure solver, with explanations
shaped for the proposal page."""
from __future__ import annotations

from app.matching.engine import MatchingError, Problem, check_pair as _check_pair, explain, solve
from app.matching.engine.rules import SKILL_LABELS
from app.matching.engine.siblings import sibling_splits
from app.matching.engine.why import cost_terms, nearer_volunteers, what_would_help

def _labels(codes) -> list[str]:
    return [SKILL_LABELS.get(c, c) for c in codes]


def drop_infeasible_pins(problem: dict) -> list[dict]:
    """Take out of ``problem`` the pins that can no longer be honoured (the volunteer moved,
    lost a skill, has no place left…), so that the rest still solves; returns them with the
    reasons (Chinese) for the proposal page."""
    pins = problem.get("pinned") or []
    if not pins:
        return []
    probe = Problem.from_dict({k: v for k, v in problem.items() if k not in ("pinned", "excluded")})
    kept, dropped, load = [], [], {}
    for pin in pins:
        violations = _check_pair(probe, pin["child"], pin["volunteer"],
                                 current_load=load.get(pin["volunteer"], 0))
        if violations:
            dropped.append({**pin, "reasons": [v.message for v in violations]})
        else:
            kept.append(pin)
            load[pin["volunteer"]] = load.get(pin["volunteer"], 0) + 1
    problem["pinned"] = kept
    return dropped


def solve_with_explanations(problem: dict, *, locked=(), forbidden=(), carers=None) -> dict:
    """Solve ``problem`` (docs/matching-problem.md format) and explain every pair and unmatched child,
    and flag the households it splits (``carers``: household -> carers of siblings outside the
    round; see engine/siblings.py).

    :raise ValueError: a locked pair that violates a hard constraint (message in Chinese).
    """
    dropped = drop_infeasible_pins(problem)
    p = Problem.from_dict(problem)
    forbidden = [f for f in forbidden if f[0] in p.child_index and f[1] in p.volunteer_index]
    try:
        result = solve(p, locked=list(locked), forbidden=forbidden)
    except MatchingError as exc:
        raise ValueError(f"锁定的结对不可行：{exc}") from None
    why = explain(p, result)
    excluded = {(p.child_index[c], p.volunteer_index[v]) for c, v in [*p.excluded, *forbidden]}
    nearer = nearer_volunteers(p, result.graph, result, excluded)
    helps = what_would_help(p, result.graph, result, excluded)
    pairs = []
    for item in why["pairs"]:
        unmet = [k for k in ("prefer_gender", "prefer_age_band") if item[k].get("met") is False]
        terms = cost_terms(p, p.child_index[item["child"]], p.volunteer_index[item["volunteer"]],
                           item["distance_km"])
        pairs.append({
            "child": item["child"], "volunteer": item["volunteer"], "cost": item["cost"],
            "distance_km": item["distance_km"],
            "why": {"required_skills": _labels(item["required_skills"]), "needs_met": _labels(item["needs_met"]),
                    "needs_missing": _labels(item["needs_missing"]), "preferences_unmet": unmet,
                    "kept_existing": item["kept_existing"], "locked": item["locked"],
                    "terms": {**terms, "missing_needs": _labels(terms["missing_needs"])},
                    "nearer": nearer.get(item["child"])},
        })
    unmatched = []
    for item in why["unmatched"]:
        detail = item.get("detail") or {}
        text = None
        if item["reason"] == "no_volunteer_with_skill" and detail.get("missing_skills"):
            text = "缺少：" + "、".join(_labels(detail["missing_skills"]))
        elif detail.get("feasible_volunteers"):
            text = f"可结对的志愿者 {detail['feasible_volunteers']} 人，均已满额"
        help_ = dict(helps.get(item["child"]) or {})
        if help_.get("skills"):
            help_["skills"] = _labels(help_["skills"])
        unmatched.append({"child": item["child"], "tier": item["tier"], "reason": item["reason"], "detail": text,
                          "help": help_})
    fx = [(p.child_index[c], p.volunteer_index[v]) for c, v in forbidden]
    siblings = [s.to_dict() for s in sibling_splits(p, result.graph, result.match, carers=carers, forbidden=fx)]
    return {"pairs": pairs, "unmatched": unmatched, "objective": int(result.objective),
            "optimal": bool(result.optimal), "seconds": float(result.seconds), "pins_dropped": dropped,
            "siblings": siblings}


def check_pair(problem: dict, child_id: str, volunteer_id: str) -> list[dict]:
    """Hard constraints a manual pair would break: ``[{"code", "message"}]`` (empty: allowed).
    Capacity is given as the remaining capacity in ``problem`` (queue mode)."""
    p = Problem.from_dict(problem)
    return [{"code": v.code, "message": v.message} for v in _check_pair(p, child_id, volunteer_id)]
