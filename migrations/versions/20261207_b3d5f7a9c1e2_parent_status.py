"""registry: each parent's situation (父亲状况 / 母亲状况), from which the guardianship-difficulty
type of a 困境 child is derived

Revision ID: b3d5f7a9c1e2
Revises: d7e2b4c6a8f1
Create Date: 2026-12-07 22:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3d5f7a9c1e2'
down_revision = 'd7e2b4c6a8f1'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('father_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('mother_status', sa.String(length=16), nullable=True))


def downgrade():
    # the chosen types stay in difficulty_types; only the parents' situations are lost
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_column('mother_status')
        batch_op.drop_column('father_status')
