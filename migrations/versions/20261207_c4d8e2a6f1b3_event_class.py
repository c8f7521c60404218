"""workspaces: an event may carry the class (班级) it is for

Revision ID: c4d8e2a6f1b3
Revises: a1c3e5f7b9d2
Create Date: 2026-12-07 22:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4d8e2a6f1b3'
down_revision = 'a1c3e5f7b9d2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('school_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('class_name', sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('school_events', schema=None) as batch_op:
        batch_op.drop_column('class_name')
