"""The demo county comes with months of care activity, one open case and a weekly tutoring class."""
import sqlalchemy as sa

from app.activities import queries
from app.activities.models import CareLog, EventAttendance, ProtectionCase, SchoolEvent
from app.auth.models import User
from app.core.dates import today_cn


def test_demo_activity(app, db):
    from app.demo.seed import seed

    seed()
    kinds = dict(db.session.execute(sa.select(CareLog.kind, sa.func.count()).group_by(CareLog.kind)).all())
    assert kinds["talk"] > 500 and kinds["visit"] > 100 and kinds["holiday"] > 0
    # the activity demo's case comes from a visit; the duties demo (app/protection/demo.py) adds handled ones
    from_visit = sa.select(ProtectionCase).where(ProtectionCase.log_id.is_not(None))
    case = db.session.scalar(from_visit)
    assert len(db.session.scalars(from_visit).all()) == 1
    assert case.is_open and case.acknowledged_at is None and case.escalated_at is not None and case.reports
    director = db.session.scalar(sa.select(User).where(User.username == "director"))
    assert case.division_id == director.division_id
    sessions = db.session.scalars(sa.select(SchoolEvent).where(SchoolEvent.kind == "tutoring")).all()
    assert len(sessions) == 10 and len({s.series_key for s in sessions}) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EventAttendance)
                             .where(EventAttendance.attended.is_(True))) > 30

    volunteer = db.session.scalar(sa.select(User).where(User.username == "volunteer"))
    items = [i for card in queries.volunteer_cards(volunteer, today_cn()) for i in card.items]
    assert {"overdue", "done"} <= {i.status for i in items}
    coordinator = db.session.scalar(sa.select(User).where(User.username == "coordinator"))
    statuses = queries.pair_statuses(coordinator, today_cn())
    assert 0 < sum(1 for s in statuses if s.overdue) < len(statuses) / 2
