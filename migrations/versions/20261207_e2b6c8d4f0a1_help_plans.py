"""plans: 帮扶计划 — a child's study help plan, its milestones and its reviews (made in talks)

Revision ID: e2b6c8d4f0a1
Revises: d7f3a9c1e5b8
Create Date: 2026-12-07 23:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e2b6c8d4f0a1'
down_revision = 'd7f3a9c1e5b8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'help_plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('pair_id', sa.Integer(), nullable=True),
        sa.Column('helper', sa.String(length=64), nullable=False),
        sa.Column('goals', sa.Text(), nullable=False),
        sa.Column('schedule', sa.String(length=200), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=8), nullable=False),
        sa.Column('closed_on', sa.Date(), nullable=True),
        sa.Column('outcome', sa.Text(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_help_plans_status')),
        sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_help_plans_child_id_children')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_help_plans_created_by_id_users')),
        sa.ForeignKeyConstraint(['pair_id'], ['pairs.id'], name=op.f('fk_help_plans_pair_id_pairs')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_help_plans')),
    )
    with op.batch_alter_table('help_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_plans_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_plans_pair_id'), ['pair_id'], unique=False)
    op.create_table(
        'help_milestones',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=128), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('done_on', sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(['plan_id'], ['help_plans.id'], name=op.f('fk_help_milestones_plan_id_help_plans')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_help_milestones')),
    )
    with op.batch_alter_table('help_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_milestones_plan_id'), ['plan_id'], unique=False)
    op.create_table(
        'help_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('plan_id', sa.Integer(), nullable=False),
        sa.Column('log_id', sa.Integer(), nullable=True),
        sa.Column('reviewed_on', sa.Date(), nullable=False),
        sa.Column('progress', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("progress IN ('ahead', 'on_track', 'behind')", name=op.f('ck_help_reviews_progress')),
        sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_help_reviews_by_id_users')),
        sa.ForeignKeyConstraint(['log_id'], ['care_logs.id'], name=op.f('fk_help_reviews_log_id_care_logs')),
        sa.ForeignKeyConstraint(['plan_id'], ['help_plans.id'], name=op.f('fk_help_reviews_plan_id_help_plans')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_help_reviews')),
    )
    with op.batch_alter_table('help_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_help_reviews_log_id'), ['log_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_help_reviews_plan_id'), ['plan_id'], unique=False)


def downgrade():
    with op.batch_alter_table('help_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_reviews_plan_id'))
        batch_op.drop_index(batch_op.f('ix_help_reviews_log_id'))
    op.drop_table('help_reviews')
    with op.batch_alter_table('help_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_milestones_plan_id'))
    op.drop_table('help_milestones')
    with op.batch_alter_table('help_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_help_plans_pair_id'))
        batch_op.drop_index(batch_op.f('ix_help_plans_child_id'))
    op.drop_table('help_plans')
