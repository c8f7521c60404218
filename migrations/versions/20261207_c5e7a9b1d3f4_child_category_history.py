"""dated history of a child's categories (留守/困境, orphan, priority categories, difficulty types,
tier): each change with the facts before and after, so past periods show the categories then

Revision ID: c5e7a9b1d3f4
Revises: b3f5a7c9e1d2
Create Date: 2026-12-07 23:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c5e7a9b1d3f4'
down_revision = 'b3f5a7c9e1d2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'child_category_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('before', sa.JSON(), nullable=False),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_child_category_events_child_id_children')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_child_category_events')),
    )
    with op.batch_alter_table('child_category_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_category_events_child_id'), ['child_id'], unique=False)


def downgrade():
    with op.batch_alter_table('child_category_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_category_events_child_id'))
    op.drop_table('child_category_events')
