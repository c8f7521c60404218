"""Demo 帮扶计划: one plan in the director's village with milestones and reviews. Deterministic."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.children.models import Child
from app.extensions import db


def seed_plans(today: date) -> int:
    """A 帮扶计划 for the first paired child of the director's village: two milestones (one reached),
    two reviews (one made in the volunteer's latest talk)."""
    from app.activities.models import CareLog
    from app.matching.models import Pair
    from app.plans.models import HelpMilestone, HelpPlan, HelpReview

    director = db.session.scalar(sa.select(User).where(User.username == "director"))
    if director is None:
        return 0
    pair = db.session.scalar(sa.select(Pair).join(Child, Pair.child_id == Child.id).where(
        Child.division_id == director.division_id, Pair.status == "active").order_by(Pair.id))
    if pair is None:
        return 0
    start = today - timedelta(days=70)
    plan = HelpPlan(child_id=pair.child_id, pair_id=pair.id, helper=pair.volunteer.name,
                    goals="期末数学达到及格；养成每天按时完成作业的习惯", schedule="每周三16:30–17:30，在村儿童之家",
                    content="辅导数学作业，讲解错题；每周一次阅读打卡", starts_on=start, created_by_id=director.id)
    db.session.add(plan)
    db.session.flush()
    talk = db.session.scalar(sa.select(CareLog).where(CareLog.child_id == pair.child_id, CareLog.kind == "talk",
                                                      CareLog.occurred_on >= start).order_by(CareLog.occurred_on.desc()))
    db.session.add_all([
        HelpMilestone(plan_id=plan.id, title="月考数学60分以上", due_on=start + timedelta(days=30),
                      done_on=start + timedelta(days=28)),
        HelpMilestone(plan_id=plan.id, title="期末数学及格", due_on=start + timedelta(days=120)),
        HelpReview(plan_id=plan.id, reviewed_on=start + timedelta(days=28), progress="ahead",
                   note="月考数学64分，作业基本按时完成", by_id=director.id),
        HelpReview(plan_id=plan.id, log_id=talk.id if talk else None,
                   reviewed_on=talk.occurred_on if talk else today - timedelta(days=3), progress="on_track",
                   note="错题本坚持在用，阅读打卡断了一周", by_id=director.id)])
    db.session.flush()
    return 1
