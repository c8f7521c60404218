"""帮扶计划: a paired child's study help plan with milestones, reviewed in talks; in scope only."""
import uuid
from datetime import timedelta

import sqlalchemy as sa

from app.activities.models import CareLog
from app.core.audit import AuditEntry
from app.core.dates import today_cn
from app.plans.models import HelpPlan
from tests.conftest import Browser


def _login(app, username):
    b = Browser(app.test_client())
    assert b.login(username).status_code == 302
    return b


def _talk(world, days_ago=2):
    r = world.a
    log = CareLog(client_uuid=str(uuid.uuid4()), kind="talk", mode="phone", child_id=r.child.id, pair_id=r.pair.id,
                  volunteer_id=r.volunteer.id, author_id=r.users["volunteer"].id,
                  occurred_on=today_cn() - timedelta(days=days_ago), duration_minutes=30, content="聊了数学作业",
                  participants=["child"], concerns=[])
    from app.extensions import db

    db.session.add(log)
    db.session.commit()
    return log


def test_volunteer_makes_and_follows_a_plan(app, world, db):
    r = world.a
    b = _login(app, "vol_a")
    new = f"/plans/children/{r.child.id}/new"
    form = b.get(new).get_data(as_text=True)
    assert r.volunteer.name in form  # the pair's volunteer is offered as the helper
    missing = b.post(new, {"pair_id": str(r.pair.id), "goals": "期末数学及格", "schedule": "",
                           "content": "辅导作业", "starts_on": today_cn().isoformat()}, token_from=new)
    assert missing.status_code == 400 and "请填写帮扶时间" in missing.get_data(as_text=True)
    assert "期末数学及格" in missing.get_data(as_text=True)  # nothing typed is lost
    response = b.post(new, {"pair_id": str(r.pair.id), "goals": "期末数学及格", "schedule": "每周三16:30–17:30",
                            "content": "辅导作业，讲错题", "starts_on": today_cn().isoformat()}, token_from=new)
    assert response.status_code == 302
    plan = db.session.scalar(sa.select(HelpPlan))
    assert plan.helper == r.volunteer.name and plan.pair_id == r.pair.id
    page = f"/plans/{plan.id}"
    # a milestone, then reached
    early = b.post(f"{page}/milestones", {"title": "月考70分", "due_on": (today_cn() - timedelta(days=1)).isoformat()},
                   token_from=page)
    assert early.status_code == 400 and "完成期限不能早于计划开始日期" in early.get_data(as_text=True)
    assert b.post(f"{page}/milestones", {"title": "月考70分", "due_on": (today_cn() + timedelta(days=30)).isoformat()},
                  token_from=page).status_code == 302
    milestone = db.session.scalar(sa.select(HelpPlan).where(HelpPlan.id == plan.id)).milestones[0]
    assert b.post(f"{page}/milestones", {"done": str(milestone.id)}, token_from=page).status_code == 302
    # a review made in a talk takes the talk's date
    talk = _talk(world)
    assert b.post(f"{page}/reviews", {"log_id": str(talk.id), "progress": "on_track", "note": "作业按时完成"},
                  token_from=page).status_code == 302
    no_note = b.post(f"{page}/reviews", {"log_id": str(talk.id), "progress": "behind"}, token_from=page)
    assert no_note.status_code == 400 and "请写明这次评估的情况" in no_note.get_data(as_text=True)
    db.session.expire_all()
    plan = db.session.get(HelpPlan, plan.id)
    assert plan.milestones[0].done_on == today_cn()
    assert [(v.reviewed_on, v.log_id, v.progress) for v in plan.reviews] == [(talk.occurred_on, talk.id, "on_track")]
    shown = b.get(page).get_data(as_text=True)
    assert "在谈心中评估" in shown and "作业按时完成" in shown
    # closing needs an outcome; after it nothing more is added
    assert b.post(f"{page}/close", {}, token_from=page).status_code == 400
    assert b.post(f"{page}/close", {"outcome": "期末数学78分"}, token_from=page).status_code == 302
    late = b.post(f"{page}/reviews", {"reviewed_on": today_cn().isoformat(), "progress": "ahead", "note": "x"},
                  token_from=page)
    assert late.status_code == 400 and "这个帮扶计划已经结束" in late.get_data(as_text=True)
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.object_type == "help_plans")
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["plan.create", "plan.milestone", "plan.milestone_done", "plan.review", "plan.close"]


def test_plans_in_scope_only(app, world, db):
    from app.plans import services

    r = world.a
    plan = services.create_plan(r.users["coordinator"], r.child, None, "班主任王老师", "按时完成作业", "每周一次",
                                "检查作业", today_cn())
    db.session.commit()
    assert _login(app, "director_a").get(f"/plans/{plan.id}").status_code == 200
    assert _login(app, "coord_b").get(f"/plans/{plan.id}").status_code == 404
    assert _login(app, "vol_b").get(f"/plans/children/{r.child.id}").status_code == 404
    assert _login(app, "school_a").get(f"/plans/{plan.id}").status_code == 404  # not a pupil of school A
    auditor = _login(app, "auditor_a")
    assert auditor.get(f"/plans/{plan.id}").status_code == 200
    assert auditor.post(f"/plans/{plan.id}/reviews", {"progress": "ahead"}, token_from="/").status_code == 403
    page = _login(app, "director_a").get(f"/children/{r.child.id}").get_data(as_text=True)
    assert f"/plans/children/{r.child.id}" in page
