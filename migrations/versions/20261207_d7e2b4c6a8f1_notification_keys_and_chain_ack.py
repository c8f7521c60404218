"""notification message keys; a level of the escalation chain acknowledges

Revision ID: d7e2b4c6a8f1
Revises: c4f1a2b3d5e6
Create Date: 2026-12-07 22:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd7e2b4c6a8f1'
down_revision = 'c4f1a2b3d5e6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message', sa.JSON(), nullable=True))
    with op.batch_alter_table('case_escalations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_case_escalations_acknowledged_by_id_users'), 'users',
                                    ['acknowledged_by_id'], ['id'])


def downgrade():
    with op.batch_alter_table('case_escalations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_case_escalations_acknowledged_by_id_users'), type_='foreignkey')
        batch_op.drop_column('acknowledged_by_id')
        batch_op.drop_column('acknowledged_at')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_column('message')
