"""A backup taken while the site writes restores to consistent data (SQLite and PostgreSQL)."""
import threading
import time

import sqlalchemy as sa

from app.children.models import Child, ChildReview
from app.core.backup import backup, restore
from app.extensions import db
from tests import factories
from tests.conftest import create_scratch_database, drop_scratch_database, upgrade_database


def _writer(app, village_id, reviewer_id, stop, written):
    """Each transaction adds a child AND its review: a consistent copy has as many of each."""
    from app.core.models import Division

    with app.app_context():
        village = db.session.get(Division, village_id)
        n = 0
        while not stop.is_set():
            n += 1
            child = factories.child(village, name=f"写入{n}")
            db.session.add(ChildReview(child_id=child.id, quarter="2026-Q4", outcome="confirmed",
                                       reviewed_by_id=reviewer_id))
            db.session.commit()
            written.append(n)
        db.session.remove()


def test_backup_during_writes_restores_consistently(app, world, tmp_path, request, database_url):
    stop, written = threading.Event(), []
    thread = threading.Thread(target=_writer, args=(app, world.a.village.id, world.admin.id, stop, written))
    thread.start()
    try:
        time.sleep(0.3)
        dump = backup(database_url, tmp_path / "backup.bin")
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    assert written, "the writer wrote nothing"
    if database_url.startswith("sqlite"):
        target_url = f"sqlite:///{tmp_path / 'restored.db'}"
        upgrade_database(target_url)
    else:
        target_url = create_scratch_database("restore")
        request.addfinalizer(lambda: drop_scratch_database(target_url))
    restore(dump, target_url)
    engine = sa.create_engine(target_url)
    with engine.connect() as conn:
        children = conn.scalar(sa.select(sa.func.count()).select_from(Child.__table__).where(Child.name.like("写入%")))
        reviews = conn.scalar(sa.select(sa.func.count()).select_from(ChildReview.__table__))
        if database_url.startswith("sqlite"):
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    engine.dispose()
    assert children == reviews  # no half-written transaction in the copy
    assert 0 < children <= len(written)
