"""period truth: children.registered_on, dated status histories of children and volunteers, and
the key figures of each issued report

Revision ID: e7a1c9d3f5b2
Revises: e9bd70dbb192
Create Date: 2026-12-04 18:50:00

"""
from datetime import datetime, timedelta, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7a1c9d3f5b2'
down_revision = 'e9bd70dbb192'
branch_labels = None
depends_on = None

CHINA = timezone(timedelta(hours=8))


def _events_table(name: str, subject: str, target: str):
    op.create_table(
        name,
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column(subject, sa.Integer(), nullable=False),
        sa.Column('from_status', sa.String(length=16), nullable=False),
        sa.Column('to_status', sa.String(length=16), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint([subject], [f'{target}.id'], name=op.f(f'fk_{name}_{subject}_{target}')),
        sa.PrimaryKeyConstraint('id', name=op.f(f'pk_{name}')),
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_{subject}'), [subject], unique=False)


def _china_day(value):
    if value is None:
        return None
    if isinstance(value, str):  # SQLite hands back text
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(CHINA).date()


def upgrade():
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('registered_on', sa.Date(), nullable=True))
        batch_op.create_index(batch_op.f('ix_children_registered_on'), ['registered_on'], unique=False)
    with op.batch_alter_table('issued_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('figures', sa.JSON(), nullable=True))
    _events_table('child_status_events', 'child_id', 'children')
    _events_table('volunteer_status_events', 'volunteer_id', 'volunteers')

    # Existing children: registered on the day their record was made (the best date known);
    # a closed child gets its closing as a dated change, so past periods still count it.
    conn = op.get_bind()
    children = sa.table('children', sa.column('id', sa.Integer), sa.column('created_at', sa.DateTime),
                        sa.column('registered_on', sa.Date), sa.column('status', sa.String),
                        sa.column('closed_at', sa.Date))
    events = sa.table('child_status_events', sa.column('child_id', sa.Integer), sa.column('from_status', sa.String),
                      sa.column('to_status', sa.String), sa.column('on_date', sa.Date),
                      sa.column('created_at', sa.DateTime))
    now = datetime.now(timezone.utc)
    rows = conn.execute(sa.select(children.c.id, children.c.created_at, children.c.status,
                                  children.c.closed_at)).all()
    for child_id, created_at, status, closed_at in rows:
        conn.execute(children.update().where(children.c.id == child_id)
                     .values(registered_on=_china_day(created_at) or now.astimezone(CHINA).date()))
        if status == 'closed' and closed_at is not None:
            conn.execute(events.insert().values(child_id=child_id, from_status='active', to_status='closed',
                                                on_date=closed_at, created_at=now))


def downgrade():
    for name, subject in (('volunteer_status_events', 'volunteer_id'), ('child_status_events', 'child_id')):
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{name}_{subject}'))
        op.drop_table(name)
    with op.batch_alter_table('issued_reports', schema=None) as batch_op:
        batch_op.drop_column('figures')
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_children_registered_on'))
        batch_op.drop_column('registered_on')
