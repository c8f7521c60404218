"""registry: the village's household-by-household check (逐户核查): one row per household checked

Revision ID: e4a6c8b0d2f3
Revises: e2b6c8d4f0a1
Create Date: 2026-12-07 23:05:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e4a6c8b0d2f3'
down_revision = 'e2b6c8d4f0a1'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'household_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('household_id', sa.Integer(), nullable=False),
        sa.Column('checked_on', sa.Date(), nullable=False),
        sa.Column('checked_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['household_id'], ['households.id'], name='fk_household_checks_household_id_households',
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name='fk_household_checks_checked_by_id_users',
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name='pk_household_checks'),
    )
    with op.batch_alter_table('household_checks', schema=None) as batch_op:
        batch_op.create_index('ix_household_checks_household_id', ['household_id'], unique=False)
        batch_op.create_index('ix_household_checks_checked_on', ['checked_on'], unique=False)


def downgrade():
    with op.batch_alter_table('household_checks', schema=None) as batch_op:
        batch_op.drop_index('ix_household_checks_checked_on')
        batch_op.drop_index('ix_household_checks_household_id')
    op.drop_table('household_checks')
