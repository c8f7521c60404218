"""Two coordinators race for a volunteer's last free slot: exactly one wins, every round."""
import threading

import sqlalchemy as sa

from app.extensions import db
from app.matching.models import Pair
from app.matching.pairs import PairingError, activate_pair
from app.volunteers.models import Volunteer
from tests import factories

ROUNDS = 100


def test_last_slot_race(app, world):
    vol = factories.volunteer(world.a.village, world.a.federation, name="抢名额", capacity=1)
    kids = [factories.child(world.a.village, name=f"竞{i}") for i in range(2 * ROUNDS)]
    db.session.commit()
    vol_id, kid_ids = vol.id, [k.id for k in kids]
    outcomes = []

    def attempt(child_id, barrier, results):
        with app.app_context():
            barrier.wait()
            try:
                activate_pair(child_id, vol_id)
                db.session.commit()
                results.append("won")
            except PairingError as exc:
                db.session.rollback()
                results.append(exc.code)
            except sa.exc.OperationalError:  # SQLite: the loser may time out on the write lock
                db.session.rollback()
                results.append("busy")
            finally:
                db.session.remove()

    for r in range(ROUNDS):
        barrier, results = threading.Barrier(2), []
        threads = [threading.Thread(target=attempt, args=(kid_ids[2 * r + i], barrier, results)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert results.count("won") == 1, results
        outcomes.append(results)
        # free the slot for the next round
        pair = db.session.scalar(sa.select(Pair).where(Pair.volunteer_id == vol_id, Pair.status == "active"))
        from app.matching.pairs import close_pair

        close_pair(pair, "下一轮")
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(Volunteer, vol_id).active_pairs == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Pair).where(Pair.volunteer_id == vol_id)) == ROUNDS
