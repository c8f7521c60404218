"""Demo duties for the demo county: the items the roster calls for (every 无人监护 child keeps an
open gap), some gaps closed by each means, dropout and hukou trackers with their steps, findings
and hazards from visits, and protection cases with measures of every stage, so that the progress
bulletin has figures for each responsibility. Deterministic for a given day."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.activities.cases import advance_case, open_case
from app.auth.models import User
from app.children.models import Child
from app.extensions import db
from app.protection import agreements, measures, services
from app.protection.models import DutyItem

#: (means, placement) for the entrusted_weak gaps the demo closes, in child-id order
CLOSINGS = [("entrusted", None), ("entrusted", None), ("entrusted", None), ("parent_returned", None),
            ("parent_returned", None), ("temporary", "village_committee"), ("temporary", "rescue_station"),
            ("temporary", "welfare_institution"), ("temporary", "relatives")]
GUARDIANS = {"entrusted": ("叔叔", "fair"), "parent_returned": ("母亲", "good"), "temporary": ("临时监护", "fair")}
PLACEMENT_NAMES = {"village_committee": "村民委员会", "rescue_station": "县救助管理站",
                   "welfare_institution": "县儿童福利院", "relatives": "外祖母"}


def _users() -> tuple[User, User]:
    director = db.session.scalar(sa.select(User).where(User.username == "director"))
    coordinator = db.session.scalar(sa.select(User).where(User.username == "coordinator"))
    return director, coordinator


def _age_items(items, today: date) -> None:
    """Spread the opening days over the last two months (some items are overdue)."""
    for n, item in enumerate(items):
        opened = today - timedelta(days=20 + (n * 7) % 45)
        item.deadline = opened + (item.deadline - item.opened_on)
        item.opened_on = opened
        for step in item.steps:
            step.on_date = opened


def seed_protection(today: date) -> dict[str, int]:
    director, coordinator = _users()
    hukou_children = db.session.scalars(
        sa.select(Child).where(Child.status == "active", Child.guardianship_type == "good")
        .order_by(Child.id).limit(3)).all()
    for child in hukou_children:  # three children found without hukou during the survey
        child.has_hukou = False
    opened = services.backfill(coordinator, today)
    _age_items(opened, today)
    db.session.flush()
    _close_gaps(coordinator, today)
    _trackers(coordinator, today)
    _findings(director, coordinator, today)
    _cases(director, coordinator, today)
    _agreements(coordinator, today)
    db.session.flush()
    return {"duty_items": db.session.scalar(sa.select(sa.func.count()).select_from(DutyItem))}


def _close_gaps(actor, today: date) -> None:
    gaps = db.session.scalars(sa.select(DutyItem).where(DutyItem.kind == "gap", DutyItem.reason == "entrusted_weak")
                              .order_by(DutyItem.child_id)).all()
    for n, (item, (means, placement)) in enumerate(zip(gaps, CLOSINGS)):
        relation, quality = GUARDIANS[means]
        name = PLACEMENT_NAMES[placement] if placement else f"{item.child.name[0]}{'建国' if means != 'parent_returned' else '母'}"
        if placement == "relatives":
            relation = "外祖母"
        guardian = services.GuardianInput(name, relation, "", quality, confirmed=True)
        services.close_gap(actor, item, means, today - timedelta(days=3 + n), guardian, placement=placement,
                           note="经村委会核实，监护落实到位")


def _trackers(actor, today: date) -> None:
    dropouts = db.session.scalars(sa.select(DutyItem).where(DutyItem.kind == "dropout").order_by(DutyItem.id)).all()
    for n, item in enumerate(dropouts):
        day = item.opened_on + timedelta(days=3)
        services.add_step(actor, item, "attempt", day, "班主任和村主任", result="refused", notes="家长认为读书无用")
        services.add_step(actor, item, "attempt", day + timedelta(days=5), "校长", result="agreed" if n == 0 else "refused")
        if n == 0:
            services.close_item(actor, item, "returned", min(day + timedelta(days=10), today), "已回原校初二年级就读",
                                schooling=services.Schooling("junior", grade="初二"))
        else:
            services.add_step(actor, item, "written_report", day + timedelta(days=8), "校长",
                              notes="劝返无效，已书面报告县教育局和乡镇人民政府")
    hukou = db.session.scalars(sa.select(DutyItem).where(DutyItem.kind == "hukou").order_by(DutyItem.id)).all()
    for n, item in enumerate(hukou):
        services.add_step(actor, item, "applied", item.opened_on + timedelta(days=2), "村儿童主任",
                          notes="水尾镇派出所")
        if n == 0:
            services.close_item(actor, item, "registered", today - timedelta(days=2), "已在水尾镇派出所登记常住户口")


FINDINGS = [
    ("hazard", "厨房电线裸露，插板破损", "resolved", "已请电工更换电线和插板"),
    ("hazard", "门锁损坏，夜间无法关门", None, None),
    ("hazard", "房屋后墙有裂缝，雨季有垮塌风险", None, None),
    ("need", "孩子需要冬衣和棉被", "resolved", "妇联送去冬衣两套、棉被一床"),
    ("need", "孩子视力下降，需要配眼镜", None, None),
    ("follow_up", "奶奶生病住院，需了解孩子由谁照料", "referred", "已转介镇民政办临时救助"),
]


def _findings(director, coordinator, today: date) -> None:
    children = db.session.scalars(sa.select(Child).where(Child.status == "active", Child.division_id ==
                                                         director.division_id).order_by(Child.id)).all()
    for n, (reason, summary, outcome, note) in enumerate(FINDINGS):
        child = children[n % len(children)]
        item = services.open_item(director, child, "finding", reason, on_date=today - timedelta(days=25 - n * 2),
                                  summary=summary)
        if outcome:
            services.close_item(director, item, outcome, today - timedelta(days=4), note)


def _cases(director, coordinator, today: date) -> None:
    """Cases with measures of every stage: one per no-guardian child of the focus township."""
    children = db.session.scalars(sa.select(Child).where(Child.status == "active", Child.guardianship_type == "none")
                                  .order_by(Child.id)).all()[:3]
    plans = [
        [("parents_ordered_home", "done", None), ("admonition", "done", None), ("criticism", "done", None)],
        [("placement", "done", "rescue_station"), ("assessment_safety", "done", None),
         ("referral_psych", "in_progress", None), ("warning_letter", "done", None),
         ("public_security_penalty", "done", None)],
        [("placement", "done", "welfare_institution"), ("protection_order", "done", None),
         ("revocation", "granted", None), ("criminal_liability", "done", None), ("criticism", "done", None)],
    ]
    for n, (child, plan) in enumerate(zip(children, plans)):
        case = open_case(coordinator, child, None, ["alone", "guardian_incapable"], "排查发现儿童无人监护，独自居住")
        day = today - timedelta(days=30 - n * 5)
        advance_case(coordinator, case, "emergency", day, "村儿童主任", "已护送并联系父母")
        for m, (kind, status, placement) in enumerate(plan):
            measures.add_measure(coordinator, case, kind, day + timedelta(days=m * 3), status=status,
                                 placement=placement, notes="")


def _agreements(actor, today: date) -> None:
    """确认书 for most children that need one: every seventh is left unsigned (未签订), every
    eleventh lapses within the month (to renew), every thirteenth was renewed with a new guardian
    signature; children without a guardian on record (an open gap) have none yet."""
    open_gaps = sa.select(DutyItem.child_id).where(DutyItem.kind == "gap", DutyItem.status == "open")
    children = db.session.scalars(sa.select(Child).where(agreements.needs_clause(), Child.id.not_in(open_gaps),
                                                         sa.func.coalesce(Child.guardian_name, "") != "")
                                  .order_by(Child.id)).all()
    for n, child in enumerate(children):
        if n % 7 == 3:
            continue
        parents = "、".join(p for p in (child.father_name, child.mother_name) if p) or "父母"
        data = agreements.AgreementInput(
            "both" if child.both_parents_away else ("father" if child.incapable_parent == "mother" else "mother"),
            parents, child.guardian_name, child.guardian_relation or "亲属", today - timedelta(days=40 + n * 3 % 300),
            valid_until=today + timedelta(days=12 + n % 15) if n % 11 == 5 else None)
        first = agreements.record(actor, child, data)
        if n % 13 == 6:  # the guardian signed again after the parents' new job (a renewal)
            data.signed_on = min(today, first.signed_on + timedelta(days=30))
            data.valid_until = None
            agreements.record(actor, child, data)
