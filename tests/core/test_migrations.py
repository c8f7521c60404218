"""Migrations: one head; upgrade → downgrade → upgrade on SQLite and PostgreSQL; models match."""
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from tests.conftest import create_scratch_database, downgrade_database, drop_scratch_database, upgrade_database


def test_single_head(app):
    config = app.extensions["migrate"].migrate.get_config()
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrade_downgrade_upgrade(kind, tmp_path, request):
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'm.db'}"
    else:
        request.getfixturevalue("pg_database")
        url = create_scratch_database("migrations")
        if url is None:
            pytest.skip("the PostgreSQL user may not create databases")
        request.addfinalizer(lambda: drop_scratch_database(url))
    upgrade_database(url)
    engine = sa.create_engine(url)
    assert "children" in sa.inspect(engine).get_table_names()
    engine.dispose()
    downgrade_database(url)
    engine = sa.create_engine(url)
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    upgrade_database(url)
    _assert_models_match(url)


def _assert_models_match(url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from app.extensions import db

    engine = sa.create_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    engine.dispose()
    assert diff == [], f"models differ from migrations: {diff}"


def test_audit_log_is_append_only(world, db):
    from app.core.audit import AuditEntry, record

    record("test.event", object_type="x", object_id=1)
    db.session.commit()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.update(AuditEntry).values(action="tampered"))
        db.session.commit()
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.delete(AuditEntry))
        db.session.commit()
    db.session.rollback()
