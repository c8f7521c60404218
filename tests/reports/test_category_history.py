"""A child's categories are dated: when a child's 留守/困境 facts or priority categories change
through the children services today, a past quarter's reports still show the categories of its
last day, and the current quarter shows today's."""
from dataclasses import asdict
from datetime import timedelta

import sqlalchemy as sa

from app.core.dates import today_cn
from tests.reports.test_period_truth import _previous_quarter


def _build(world, quarter):
    from app.reports import agreement_rate, assessment, roster, roster_stats
    from app.reports.common import parse_period
    from app.reports.scope import resolve_region

    region = resolve_region(None, division_id=world.a.county.id)
    period = parse_period(quarter)
    return {"roster_stats": asdict(roster_stats.build(region, period)), "roster": asdict(roster.build(region, period)),
            "agreement_rate": asdict(agreement_rate.build(region, period)),
            "assessment": asdict(assessment.build(region, period))}


def test_a_past_quarter_keeps_the_categories_of_its_last_day(world, db):
    from app.children.services import save_child
    from app.reports.models import ChildCategoryEvent

    text, period = _previous_quarter()
    kid = world.a.child
    kid.registered_on = period.start - timedelta(days=60)
    world.a.pupil.registered_on = period.start - timedelta(days=60)
    save_child(world.user("coordinator"), kid, {"both_parents_away": True}, on_date=today_cn())
    db.session.commit()
    db.session.execute(sa.update(ChildCategoryEvent).values(on_date=period.start - timedelta(days=60)))
    db.session.commit()
    before = _build(world, text)
    assert before["agreement_rate"]["total"]["needing"] >= 1
    # today the parents come home: no longer left behind
    save_child(world.user("coordinator"), kid, {"both_parents_away": False, "one_parent_away_other_incapable": False},
               on_date=today_cn())
    db.session.commit()
    events = db.session.scalars(sa.select(ChildCategoryEvent).where(ChildCategoryEvent.child_id == kid.id,
                                                                     ChildCategoryEvent.on_date == today_cn())).all()
    assert any(e.before["both_parents_away"] is True and e.after["both_parents_away"] is False for e in events)
    after = _build(world, text)
    for kind in before:
        assert after[kind] == before[kind], kind
    d = today_cn()
    now = _build(world, f"{d.year}-Q{(d.month - 1) // 3 + 1}")
    assert now["agreement_rate"]["total"]["needing"] == before["agreement_rate"]["total"]["needing"] - 1


def test_an_unchanged_save_writes_no_history(world, db):
    from app.children.services import save_child
    from app.reports.models import ChildCategoryEvent

    save_child(world.user("coordinator"), world.a.child, {"name": "改了名字"}, on_date=today_cn())
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ChildCategoryEvent)) == 0
