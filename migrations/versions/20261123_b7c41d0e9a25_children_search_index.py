"""children: covering index for roster search

Revision ID: b7c41d0e9a25
Revises: 1776cecf4182
Create Date: 2026-11-23 18:30:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b7c41d0e9a25'
down_revision = '1776cecf4182'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.create_index('ix_children_search',
                              ['division_id', 'status', 'name', 'name_initials', 'name_pinyin', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_index('ix_children_search')
