"""Build the matching problem (the exchange format of docs/matching-problem.md) from the database.

Ids in the problem are ``c<child id>`` and ``v<volunteer id>``.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.children.models import Child
from app.core.dates import age_on, today_cn
from app.core.models import Division
from app.extensions import db
from app.matching.engine.rules import CATEGORIES, SKILLS
from app.matching.models import MatchSteering, Pair
from app.volunteers.models import Volunteer



@dataclass
class BuiltProblem:
    problem: dict
    children: dict[str, Child]
    volunteers: dict[str, Volunteer]
    existing: dict[str, str]  # child key → volunteer key, today's active pairs inside the problem
    skipped_children: list[Child]  # children without coordinates (their village has none)
    region_children: dict[str, int] = None  # active children in the region, by tier
    region_covered: dict[str, int] = None  # of which with an active carer today, by tier
    steering: list[MatchSteering] = None  # the standing decisions that apply to this problem
    #: household key -> volunteer keys caring today for siblings that are not in the problem
    carers: dict[str, list[str]] = None


def _coords(division: Division) -> tuple[float, float] | None:
    node = division
    while node is not None:
        if node.lat is not None and node.lon is not None:
            return node.lat, node.lon
        node = node.parent
    return None


def _county_code(division: Division) -> str:
    county = division.ancestor("county")
    return (county.code if county else division.code)[:6]


def _teaches(volunteer: Volunteer) -> bool:
    """A school staff volunteer: a teacher whose organisation is a school."""
    return volunteer.kind == "teacher" and volunteer.organisation is not None \
        and volunteer.organisation.kind == "school"


def build_problem(region: Division, *, mode: str = "queue") -> BuiltProblem:
    """The problem for ``region``'s subtree.

    ``mode='queue'`` (the daily case): children without an active carer, volunteers with their
    remaining capacity; today's pairs are untouched. ``mode='full'``: every active child and
    every approved volunteer with full capacity, today's pairs given as existing pairs so that
    the churn cost keeps working pairs unless the objective requires breaking them.
    """
    in_region = region.subtree_ids()
    active_pair = {p.child_id: p for p in db.session.scalars(
        sa.select(Pair).where(Pair.status == "active", Pair.child_id.in_(
            sa.select(Child.id).where(Child.division_id.in_(in_region)))))}
    children_q = sa.select(Child).where(Child.division_id.in_(in_region), Child.status == "active") \
        .options(so.joinedload(Child.division)).order_by(Child.id)
    volunteers = db.session.scalars(
        sa.select(Volunteer).where(Volunteer.division_id.in_(in_region), Volunteer.status == "approved")
        .options(so.joinedload(Volunteer.division), so.joinedload(Volunteer.organisation))
        .order_by(Volunteer.id)).all()
    vol_keys = {v.id: f"v{v.id}" for v in volunteers}
    today = today_cn()
    children, kids, skipped, existing = [], {}, [], {}
    for child in db.session.scalars(children_q).unique():
        pair = active_pair.get(child.id)
        if mode == "queue" and pair is not None:
            continue
        if pair is not None and pair.volunteer_id not in vol_keys:
            continue  # cared for by a paused or out-of-region volunteer: not ours to re-match
        coords = _coords(child.division)
        if coords is None:
            skipped.append(child)
            continue
        key = f"c{child.id}"
        kids[key] = child
        children.append({
            "id": key, "lat": coords[0], "lon": coords[1], "county": _county_code(child.division),
            "female": child.sex == "female", "age": age_on(child.birth_date, today),
            "categories": [c for c in child.categories if c in CATEGORIES],
            "needs": [n for n in (child.needs or []) if n in SKILLS],
            **({"school": f"s{child.school_id}"} if child.school_id else {}),
            **({"household": f"h{child.household_id}"} if child.household_id else {}),
        })
        if pair is not None:
            existing[key] = vol_keys[pair.volunteer_id]
    region_children: dict[str, int] = {}
    region_covered: dict[str, int] = {}
    for child in db.session.scalars(children_q).unique():
        region_children[child.tier] = region_children.get(child.tier, 0) + 1
        if child.id in active_pair:
            region_covered[child.tier] = region_covered.get(child.tier, 0) + 1
    vols, vol_rows = [], {}
    for v in volunteers:
        coords = _coords(v.division)
        capacity = v.capacity - v.active_pairs if mode == "queue" else v.capacity
        if coords is None:
            continue
        key = vol_keys[v.id]
        vol_rows[key] = v
        vols.append({
            "id": key, "lat": coords[0], "lon": coords[1], "county": _county_code(v.division),
            "female": v.sex == "female", "capacity": max(capacity, 0), "max_km": float(v.max_km),
            "cross_county": bool(v.cross_county), "skills": [s for s in (v.skills or []) if s in SKILLS],
            "prefer_gender": v.prefer_gender or None, "prefer_age_band": v.prefer_age_band or None,
            # a teacher is a proxy parent for the pupils of their own school only
            **({"school": f"s{v.organisation_id}"} if _teaches(v) else {}),
        })
    existing = {c: v for c, v in existing.items() if v in vol_rows}
    problem = {"children": children, "volunteers": vols,
               "existing_pairs": [{"child": c, "volunteer": v} for c, v in existing.items()]}
    steering = _apply_steering(problem, kids, vol_rows)
    return BuiltProblem(problem, kids, vol_rows, existing, skipped, region_children, region_covered,
                        steering, _sibling_carers(kids))


def _sibling_carers(kids: dict[str, Child]) -> dict[str, list[str]]:
    """The carers of the siblings (same household, still active) of the problem's children that
    are not in the problem themselves: paired today (queue mode) or with a carer outside the
    region. The engine flags a sibling in the round who is not offered the same carer."""
    households = {c.household_id for c in kids.values() if c.household_id}
    if not households:
        return {}
    in_round = {c.id for c in kids.values()}
    rows = db.session.execute(
        sa.select(Child.id, Child.household_id, Pair.volunteer_id).join(Pair, Pair.child_id == Child.id)
        .where(Child.household_id.in_(households), Child.status == "active", Pair.status == "active")
        .order_by(Pair.id)).all()
    out: dict[str, list[str]] = {}
    for child_id, household_id, volunteer_id in rows:
        if child_id in in_round:
            continue
        vols = out.setdefault(f"h{household_id}", [])
        if f"v{volunteer_id}" not in vols:
            vols.append(f"v{volunteer_id}")
    return out


def active_steering(volunteer_ids) -> list[MatchSteering]:
    """The standing pins, exclusions and holds of these volunteers (oldest first)."""
    return db.session.scalars(
        sa.select(MatchSteering).where(MatchSteering.removed_at.is_(None),
                                       MatchSteering.volunteer_id.in_(volunteer_ids))
        .options(so.joinedload(MatchSteering.child), so.joinedload(MatchSteering.volunteer))
        .order_by(MatchSteering.id)).all()


def _apply_steering(problem: dict, kids: dict, vol_rows: dict) -> list[MatchSteering]:
    """Give the solver the steering that concerns this problem: pins and exclusions whose child
    and volunteer are both in it, held places of its volunteers (never more than they have)."""
    rows = active_steering([v.id for v in vol_rows.values()])
    by_key = {v["id"]: v for v in problem["volunteers"]}
    pinned, excluded, used = [], [], []
    for row in rows:
        vkey = f"v{row.volunteer_id}"
        if row.kind == "hold":
            vol = by_key[vkey]
            vol["held"] = min(vol.get("held", 0) + row.places, vol["capacity"])
            used.append(row)
            continue
        ckey = f"c{row.child_id}"
        if ckey not in kids:
            continue  # (paired already and not re-matched, or outside this region)
        pair = {"child": ckey, "volunteer": vkey}
        if row.kind == "pin" and ckey not in {p["child"] for p in pinned}:
            pinned.append(pair)
        elif row.kind == "exclude" and pair not in excluded:
            excluded.append(pair)
        else:
            continue
        used.append(row)
    if pinned:
        problem["pinned"] = pinned
    if excluded:
        problem["excluded"] = [p for p in excluded if p not in pinned]
    return used
