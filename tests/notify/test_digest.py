"""The weekly digest of the cadence engine's due items, for volunteers who chose it."""
from datetime import timedelta

import sqlalchemy as sa

from app.core.dates import today_cn
from app.notify.digest import send_weekly
from app.notify.models import Delivery, Notification, NotifySettings
from tests.activities.helpers import start_pair_on


def test_weekly_digest_once_a_week_for_those_who_chose_it(world, db, smtp_server):
    volunteer = world.user("volunteer")
    other = world.user("volunteer", "b")
    db.session.add(NotifySettings(user_id=volunteer.id, email="v@example.cn", channels=["email"], weekly_digest=True))
    start_pair_on(world.a.pair, today_cn() - timedelta(days=120))  # talks and visit overdue
    start_pair_on(world.b.pair, today_cn() - timedelta(days=120))  # region B's volunteer did not choose it
    db.session.commit()

    assert send_weekly() == 1
    db.session.commit()
    (note,) = db.session.scalars(sa.select(Notification).where(Notification.kind == "digest")).all()
    assert note.user_id == volunteer.id and "逾期" in note.title and world.a.child.name in note.body
    assert world.a.child.name not in note.title  # the title leaves the system
    assert len(smtp_server.messages) == 1 and db.session.scalar(sa.select(Delivery.status)) == "sent"
    assert send_weekly() == 0  # same week: nothing more
    assert send_weekly(today_cn() + timedelta(days=7)) == 1  # next week
    assert not db.session.scalars(sa.select(Notification).where(Notification.user_id == other.id)).all()


def test_digest_command(app, world, db):
    volunteer = world.user("volunteer")
    db.session.add(NotifySettings(user_id=volunteer.id, channels=[], weekly_digest=True))
    start_pair_on(world.a.pair, today_cn() - timedelta(days=120))
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["notify", "digest"])
    assert result.exit_code == 0 and "digest sent to 1" in result.output
