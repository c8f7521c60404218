"""assessor's sample (抽样核查): seeded random samples of a region's children and the
verification of each sampled record

Revision ID: b3f5a7c9e1d2
Revises: e4a6c8b0d2f3
Create Date: 2026-12-07 22:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3f5a7c9e1d2'
down_revision = 'e4a6c8b0d2f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'verification_samples',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('division_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=32), nullable=False),
        sa.Column('period_label', sa.String(length=64), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('seed', sa.BigInteger(), nullable=False),
        sa.Column('per_village', sa.Integer(), nullable=False),
        sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('drawn_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], name=op.f('fk_verification_samples_division_id_divisions')),
        sa.ForeignKeyConstraint(['drawn_by_id'], ['users.id'], name=op.f('fk_verification_samples_drawn_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_samples')),
    )
    with op.batch_alter_table('verification_samples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_samples_division_id'), ['division_id'], unique=False)
    op.create_table(
        'verification_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('sample_id', sa.Integer(), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('village_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=8), nullable=True),
        sa.Column('checked_on', sa.Date(), nullable=True),
        sa.Column('reached', sa.Boolean(), nullable=True),
        sa.Column('care_confirmed', sa.Boolean(), nullable=True),
        sa.Column('discrepancies', sa.JSON(), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('checked_by_id', sa.Integer(), nullable=True),
        sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("method IN ('call', 'visit')", name=op.f('ck_verification_items_method')),
        sa.ForeignKeyConstraint(['checked_by_id'], ['users.id'], name=op.f('fk_verification_items_checked_by_id_users')),
        sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_verification_items_child_id_children')),
        sa.ForeignKeyConstraint(['sample_id'], ['verification_samples.id'],
                                name=op.f('fk_verification_items_sample_id_verification_samples')),
        sa.ForeignKeyConstraint(['village_id'], ['divisions.id'], name=op.f('fk_verification_items_village_id_divisions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_verification_items')),
        sa.UniqueConstraint('sample_id', 'child_id', name='uq_verification_items_sample_child'),
    )
    with op.batch_alter_table('verification_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_verification_items_sample_id'), ['sample_id'], unique=False)


def downgrade():
    with op.batch_alter_table('verification_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_items_sample_id'))
    op.drop_table('verification_items')
    with op.batch_alter_table('verification_samples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_verification_samples_division_id'))
    op.drop_table('verification_samples')
