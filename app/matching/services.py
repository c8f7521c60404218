"""Matching in the app: build the problem for a region, solve it, keep a proposal, approve it.

The solver (``app.matching.engine``) knows nothing of Flask or the database; this module is
the bridge.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import sqlalchemy as sa

from app.core import audit
from app.core.i18n import N_
from app.core.models import Division, utcnow
from app.extensions import db
from app.matching.build import BuiltProblem, active_steering, build_problem
from app.matching.models import MatchProposal, MatchSteering, Pair
from app.matching.pairs import PairingError, activate_pair, close_pair
from app.volunteers.models import Volunteer
from app.core.errors import UserError

REASON_LABELS = {
    "no_volunteer_in_range": N_("服务范围内没有志愿者"),
    "no_volunteer_with_skill": N_("范围内的志愿者都不具备所需技能"),
    "safeguarding": N_("按保护规定需女性志愿者，范围内没有"),
    "all_at_capacity": N_("范围内的志愿者已被更紧急或更近的儿童占满"),
    "school": N_("范围内只有其他学校的教师志愿者（教师只与本校学生结对）"),
    "forbidden": N_("可结对的志愿者都被协调员排除"),
    "cost_exceeds_unmatched": N_("唯一可行的结对代价过高（路程过远、需求不符）"),
}
TIERS = ("urgent", "key", "normal")


class ProposalError(UserError):
    """A proposal that cannot be made or approved; ``conflicts`` lists what stands in the way."""

    def __init__(self, message: str, conflicts: list[str] | None = None):
        super().__init__(message)
        self.conflicts = conflicts or []


def _key_id(key: str) -> int:
    return int(key[1:])


def solve_region(region: Division, user, *, mode: str = "queue", locked=(), forbidden=(),
                 previous: MatchProposal | None = None) -> MatchProposal:
    """Solve the region's problem and store the result as a draft proposal (not yet applied).

    The standing steering of the region's volunteers (pins, exclusions, held places) enters the
    solve; pins that can no longer be honoured are left out and listed. ``previous``: the
    proposal this one replaces (its page shows what changed since).

    :raise ProposalError: a locked pair that breaks a hard constraint (the reason is given).
    """
    from app.matching.adapter import solve_with_explanations

    built = build_problem(region, mode=mode)
    locked = [tuple(p) for p in locked if p[0] in built.children and p[1] in built.volunteers]
    forbidden = [tuple(p) for p in forbidden]
    try:
        result = solve_with_explanations(built.problem, locked=locked, forbidden=forbidden,
                                         carers=built.carers)
    except ValueError as exc:  # an infeasible lock
        raise ProposalError(str(exc)) from None
    pinned = [[x["child"], x["volunteer"]] for x in built.problem.get("pinned", [])]
    excluded = [[x["child"], x["volunteer"]] for x in built.problem.get("excluded", [])]
    shown = _present(built, result, mode)
    shown["previous_id"] = previous.id if previous is not None else None
    proposal = MatchProposal(division_id=region.id, created_by_id=user.id, status="draft",
                             locked=[list(p) for p in locked] + pinned,
                             forbidden=[list(p) for p in forbidden] + excluded,
                             objective=result["objective"], result=shown)
    db.session.add(proposal)
    db.session.flush()
    audit.record("matching.solve", proposal, detail={"region": region.code, "mode": mode,
                                                     "pairs": len(result["pairs"]), "objective": result["objective"]})
    return proposal


def _name_of(built: BuiltProblem, key: str | None) -> str | None:
    if not key:
        return None
    row = built.children.get(key) if key.startswith("c") else built.volunteers.get(key)
    return row.name if row is not None else None


def _present(built: BuiltProblem, result: dict, mode: str) -> dict:
    """Plain data for the proposal page: names, villages, reasons, tier summary, changes."""
    pairs = []
    for p in result["pairs"]:
        child, vol = built.children[p["child"]], built.volunteers[p["volunteer"]]
        why = dict(p.get("why", {}))
        if why.get("nearer") and why["nearer"].get("volunteer"):
            why["nearer"] = {**why["nearer"], "volunteer_name": _name_of(built, why["nearer"]["volunteer"]),
                             "child_name": _name_of(built, why["nearer"].get("child")),
                             "to_name": _name_of(built, why["nearer"].get("to"))}
        township = child.division.ancestor("township")
        pairs.append({
            "child": p["child"], "volunteer": p["volunteer"], "child_name": child.name, "tier": child.tier,
            "village": child.division.name, "township": township.name if township else child.division.name,
            "volunteer_name": vol.name, "volunteer_kind": vol.kind,
            "distance_km": p.get("distance_km"), "why": why, "cost": p["cost"],
            "kept": built.existing.get(p["child"]) == p["volunteer"],
        })
    unmatched_by_village: dict[str, list] = defaultdict(list)
    for u in result["unmatched"]:
        child = built.children[u["child"]]
        help_ = dict(u.get("help") or {})
        if help_.get("volunteer"):
            help_["volunteer_name"] = _name_of(built, help_["volunteer"])
        unmatched_by_village[child.division.full_name].append({
            "child": u["child"], "child_name": child.name, "tier": u["tier"], "reason": u["reason"],
            "detail": u.get("detail"), "help": help_, "village": child.division.name,
        })
    kept = {(p["child"], p["volunteer"]) for p in result["pairs"]}
    broken = [{"child": c, "volunteer": v, "child_name": built.children[c].name,
               "volunteer_name": built.volunteers[v].name}
              for c, v in built.existing.items() if (c, v) not in kept]
    # before/after over the whole region: in queue mode the children paired today are not in the
    # problem but are still covered after it
    before = Counter(built.region_covered)
    lost = Counter(built.children[b["child"]].tier for b in broken)
    gained = Counter(built.children[p["child"]].tier for p in pairs if not p["kept"])
    summary = {t: {"children": built.region_children.get(t, 0), "before": before[t],
                   "after": before[t] - lost[t] + gained[t]} for t in TIERS}
    return {"mode": mode, "pairs": pairs, "unmatched": dict(sorted(unmatched_by_village.items())),
            "broken": broken, "summary": summary, "optimal": result["optimal"], "seconds": result["seconds"],
            "objective": result["objective"], "skipped": [c.name for c in built.skipped_children],
            "new_pairs": sum(1 for p in pairs if not p["kept"]),
            "today": {c: v for c, v in built.existing.items()},
            "names": {**{k: c.name for k, c in built.children.items()},
                      **{k: v.name for k, v in built.volunteers.items()}},
            "siblings": [_sibling_row(built, s) for s in result.get("siblings", [])],
            "pins_dropped": [{**d, "child_name": _name_of(built, d["child"]),
                              "volunteer_name": _name_of(built, d["volunteer"])}
                             for d in result.get("pins_dropped", [])],
            "steering": {"pinned": [[x["child"], x["volunteer"]] for x in built.problem.get("pinned", [])],
                         "excluded": [[x["child"], x["volunteer"]] for x in built.problem.get("excluded", [])],
                         "held": {v["id"]: v["held"] for v in built.problem["volunteers"] if v.get("held")}}}


def _sibling_row(built: BuiltProblem, split: dict) -> dict:
    """A split household for the page: who is with whom, and the fix (pin them all to one)."""
    return {**split,
            "with": [{"child_name": _name_of(built, c), "volunteer_name": _name_of(built, v)}
                     for c, v in zip(split["children"], split["volunteers"])],
            "carer_names": [_carer_name(built, v) for v in split["carers"]],
            "fix_name": _name_of(built, split["fix"])}


def _carer_name(built: BuiltProblem, key: str) -> str:
    """A carer's name, also of one outside the region (their pair is with a sibling outside)."""
    name = _name_of(built, key)
    if name is None:
        row = db.session.get(Volunteer, _key_id(key))
        name = row.name if row is not None else key
    return name


def fix_siblings(proposal: MatchProposal, household: str, user, *, child_in_scope, volunteer_in_scope) -> int:
    """The one-tap fix of a split household: pin its siblings of the round to the volunteer the
    solver found for them all (standing pins, as if ticked one by one). ``child_in_scope`` /
    ``volunteer_in_scope`` load a row by id or raise 404. Returns the number of pins.

    :raise ProposalError: the household is not split in this proposal or has no fix.
    """
    split = next((s for s in proposal.result.get("siblings", []) if s["household"] == household), None)
    if split is None or not split.get("fix"):
        raise ProposalError(N_("这户的兄弟姐妹没有可以同时安排的志愿者"))
    volunteer = volunteer_in_scope(_key_id(split["fix"]))
    for key in split["pin"]:
        add_steering(user, "pin", volunteer, child=child_in_scope(_key_id(key)))
    return len(split["pin"])


MOVE_REASONS = {
    "pinned": N_("协调员固定了新结对"),
    "excluded": N_("协调员排除了原结对"),
    "held": N_("原志愿者的名额被保留"),
    "better": N_("整体更优：让更需要的儿童得到服务或路程更短"),
}
END_REASONS = {"not_in_round": N_("本轮未参与计算（已有结对或不在区域内）")}


def diff(before: dict[str, str], after: dict, names: dict[str, str] | None = None) -> dict:
    """What changed from the pairs ``before`` (child -> volunteer: today's pairs or an earlier
    proposal's) to the proposal result ``after``: new, kept, moved (with the reason) and ended
    (with the child's unmatched reason in ``after``, if it was in that round)."""
    names = {**(after.get("names") or {}), **(names or {})}
    now = {p["child"]: p["volunteer"] for p in after["pairs"]}
    reasons = {u["child"]: u["reason"] for rows in after["unmatched"].values() for u in rows}
    steer = after.get("steering") or {}
    pinned = {tuple(x) for x in steer.get("pinned", [])}
    excluded = {tuple(x) for x in steer.get("excluded", [])}
    held = steer.get("held") or {}

    def row(c, v, old=None, reason=None):
        return {"child": c, "child_name": names.get(c, c), "volunteer": v, "volunteer_name": names.get(v, v),
                "old_volunteer": old, "old_volunteer_name": names.get(old, old) if old else None, "reason": reason}

    out = {"new": [], "kept": [], "moved": [], "ended": []}
    for c, v in now.items():
        old = before.get(c)
        if old is None:
            out["new"].append(row(c, v))
        elif old == v:
            out["kept"].append(row(c, v))
        else:
            why = ("pinned" if (c, v) in pinned else "excluded" if (c, old) in excluded
                   else "held" if old in held else "better")
            out["moved"].append(row(c, v, old, why))
    for c, old in before.items():
        if c not in now:
            out["ended"].append(row(c, None, old, reasons.get(c, "not_in_round")))
    return out


def add_steering(user, kind: str, volunteer, *, child=None, places: int | None = None) -> MatchSteering:
    """Record a standing pin / exclusion (child and volunteer) or hold (volunteer and places).

    The same pin or exclusion twice is kept once; a pin replaces an exclusion of the same pair
    and the other way round, and a child's new pin replaces its old one (the later decision
    wins). Flushes and audits, never commits.
    """
    same = [] if child is None else db.session.scalars(sa.select(MatchSteering).where(
        MatchSteering.removed_at.is_(None), MatchSteering.child_id == child.id,
        MatchSteering.kind.in_(("pin", "exclude")))).all()
    for row in same:
        if row.kind == kind and row.volunteer_id == volunteer.id:
            return row
        if row.volunteer_id == volunteer.id or (kind == "pin" and row.kind == "pin"):
            remove_steering(row, user)
    row = MatchSteering(kind=kind, child_id=getattr(child, "id", None), volunteer_id=volunteer.id,
                        places=places if kind == "hold" else None, created_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    audit.record(f"matching.steer.{kind}", row, detail={"child_id": row.child_id,
                                                         "volunteer_id": row.volunteer_id,
                                                         "places": row.places})
    return row


def remove_steering(row: MatchSteering, user) -> None:
    """End a standing decision (kept as history)."""
    if row.removed_at is not None:
        return
    row.removed_at = utcnow()
    row.removed_by_id = user.id
    audit.record(f"matching.steer.{row.kind}.remove", row)


def steering_rows(proposal: MatchProposal) -> list[MatchSteering]:
    """The standing decisions of the volunteers in this proposal's region (for its page)."""
    in_region = proposal.division.subtree_ids()
    return active_steering(sa.select(Volunteer.id).where(Volunteer.division_id.in_(in_region)))


def approve(proposal: MatchProposal, user) -> dict:
    """Apply a draft proposal in one transaction: close the pairs it breaks, activate the new ones.

    Capacity and "one carer per child" are enforced by the database, so a proposal that went
    stale (another coordinator paired the same volunteer meanwhile) is refused as a whole.

    :raise ProposalError: when the proposal is not a draft or any pair can no longer be made.
    """
    if proposal.status != "draft":
        raise ProposalError(N_("该方案已处理，请重新计算"))
    result = proposal.result
    closed = 0
    for b in result["broken"]:
        pair = db.session.scalar(sa.select(Pair).where(Pair.child_id == _key_id(b["child"]),
                                                       Pair.volunteer_id == _key_id(b["volunteer"]),
                                                       Pair.status == "active"))
        if pair is not None:
            close_pair(pair, "重新匹配调整")
            closed += 1
    db.session.flush()
    conflicts, created = [], 0
    for p in result["pairs"]:
        if p["kept"]:
            continue
        try:
            activate_pair(_key_id(p["child"]), _key_id(p["volunteer"]), user=user, proposal_id=proposal.id,
                          distance_km=p.get("distance_km"), reasons=p.get("why"))
            created += 1
        except PairingError as exc:
            conflicts.append(f"{p['child_name']} — {p['volunteer_name']}：{exc.message}")
    if conflicts:
        raise ProposalError(N_("方案已过期，部分结对无法建立，请重新计算"), conflicts)
    proposal.status = "approved"
    proposal.decided_at = utcnow()
    audit.record("matching.approve", proposal, detail={"created": created, "closed": closed})
    return {"created": created, "closed": closed}


def manual_pair(child, volunteer, user) -> Pair:
    """Pair one child with one volunteer by hand, after the same hard-constraint checks.

    :raise ProposalError: with the reason of the first violated constraint.
    """
    from app.matching.adapter import check_pair

    region = volunteer.division.ancestor("county") or volunteer.division
    built = build_problem(region, mode="queue")
    ckey, vkey = f"c{child.id}", f"v{volunteer.id}"
    if ckey not in built.children:
        raise ProposalError(N_("该儿童已有结对志愿者或不在本区域"))
    if vkey not in built.volunteers:
        raise ProposalError(N_("该志愿者未通过审核或已暂停/退出，不能结对"))
    violations = check_pair(built.problem, ckey, vkey)
    if violations:
        raise ProposalError("；".join(v["message"] for v in violations))
    try:
        return activate_pair(child.id, volunteer.id, user=user, reasons={"manual": True})
    except PairingError as exc:
        raise ProposalError(exc.message) from None
