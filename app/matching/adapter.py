"""Bridge from the app's problem dict (exchange format) to the pure solver, with explanations
shaped for the proposal page."""
from __future__ import annotations

from app.matching import MatchingError, Problem, check_pair as _check_pair, explain, solve

SKILL_LABELS = {
    "tutor_primary": "小学辅导", "tutor_secondary": "中学辅导", "psych": "情感陪伴", "disability_care": "残疾照护",
    "health": "健康照护", "legal_hukou": "户籍证件", "guardianship": "监护督导", "dropout_return": "劝返复学",
}


def _labels(codes) -> list[str]:
    return [SKILL_LABELS.get(c, c) for c in codes]


def solve_with_explanations(problem: dict, *, locked=(), forbidden=()) -> dict:
    """Solve ``problem`` (docs/matching-problem.md format) and explain every pair and unmatched child.

    :raise ValueError: a locked pair that violates a hard constraint (message in Chinese).
    """
    p = Problem.from_dict(problem)
    forbidden = [f for f in forbidden if f[0] in p.child_index and f[1] in p.volunteer_index]
    try:
        result = solve(p, locked=list(locked), forbidden=forbidden)
    except MatchingError as exc:
        raise ValueError(f"锁定的结对不可行：{exc}") from None
    why = explain(p, result)
    pairs = []
    for item in why["pairs"]:
        unmet = [k for k in ("prefer_gender", "prefer_age_band") if item[k].get("met") is False]
        pairs.append({
            "child": item["child"], "volunteer": item["volunteer"], "cost": item["cost"],
            "distance_km": item["distance_km"],
            "why": {"required_skills": _labels(item["required_skills"]), "needs_met": _labels(item["needs_met"]),
                    "needs_missing": _labels(item["needs_missing"]), "preferences_unmet": unmet,
                    "kept_existing": item["kept_existing"], "locked": item["locked"]},
        })
    unmatched = []
    for item in why["unmatched"]:
        detail = item.get("detail") or {}
        text = None
        if item["reason"] == "no_volunteer_with_skill" and detail.get("missing_skills"):
            text = "缺少：" + "、".join(_labels(detail["missing_skills"]))
        elif detail.get("feasible_volunteers"):
            text = f"可结对的志愿者 {detail['feasible_volunteers']} 人，均已满额"
        unmatched.append({"child": item["child"], "tier": item["tier"], "reason": item["reason"], "detail": text})
    return {"pairs": pairs, "unmatched": unmatched, "objective": int(result.objective),
            "optimal": bool(result.optimal), "seconds": float(result.seconds)}


def check_pair(problem: dict, child_id: str, volunteer_id: str) -> list[dict]:
    """Hard constraints a manual pair would break: ``[{"code", "message"}]`` (empty: allowed).
    Capacity is given as the remaining capacity in ``problem`` (queue mode)."""
    p = Problem.from_dict(problem)
    return [{"code": v.code, "message": v.message} for v in _check_pair(p, child_id, volunteer_id)]
