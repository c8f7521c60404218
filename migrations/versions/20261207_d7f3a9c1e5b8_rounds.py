"""rounds: duties by role — assignments (包片/包组/联系户), checks by cadres and supervisors, rules

Revision ID: d7f3a9c1e5b8
Revises: b3d5f7a9c1e2
Create Date: 2026-12-07 22:40:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = 'd7f3a9c1e5b8'
down_revision = 'b3d5f7a9c1e2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'care_assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('division_id', sa.Integer(), nullable=False),
        sa.Column('village_group', sa.String(length=32), nullable=True),
        sa.Column('household_id', sa.Integer(), nullable=True),
        sa.Column('started_on', sa.Date(), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('area', 'group', 'household')", name=op.f('ck_care_assignments_kind')),
        sa.CheckConstraint("(kind <> 'group') OR (village_group IS NOT NULL)",
                           name=op.f('ck_care_assignments_group_named')),
        sa.CheckConstraint("(kind <> 'household') OR (household_id IS NOT NULL)",
                           name=op.f('ck_care_assignments_household_named')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_care_assignments_created_by_id_users')),
        sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], name=op.f('fk_care_assignments_division_id_divisions')),
        sa.ForeignKeyConstraint(['household_id'], ['households.id'],
                                name=op.f('fk_care_assignments_household_id_households')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_care_assignments_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_care_assignments')),
    )
    with op.batch_alter_table('care_assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_assignments_division_id'), ['division_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_assignments_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_assignments_user_id'), ['user_id'], unique=False)
    op.create_table(
        'round_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('duty', sa.String(length=16), nullable=False),
        sa.Column('checked_on', sa.Date(), nullable=False),
        sa.Column('method', sa.String(length=16), nullable=False),
        sa.Column('finding', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("duty IN ('cadre', 'sample', 'contact')", name=op.f('ck_round_checks_duty')),
        sa.CheckConstraint("method IN ('home_visit', 'phone', 'at_school', 'records')",
                           name=op.f('ck_round_checks_method')),
        sa.CheckConstraint("finding IN ('ok', 'concern')", name=op.f('ck_round_checks_finding')),
        sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_round_checks_child_id_children')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_round_checks_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_round_checks')),
    )
    with op.batch_alter_table('round_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_checks_checked_on'), ['checked_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_checks_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_checks_user_id'), ['user_id'], unique=False)
    op.create_table(
        'round_rules',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('division_id', sa.Integer(), nullable=False),
        sa.Column('duty', sa.String(length=16), nullable=False),
        sa.Column('every', sa.String(length=16), nullable=False),
        sa.Column('sample_size', sa.Integer(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("duty IN ('cadre', 'sample', 'contact')", name=op.f('ck_round_rules_duty')),
        sa.CheckConstraint("every IN ('week', 'month', 'quarter')", name=op.f('ck_round_rules_every')),
        sa.CheckConstraint('sample_size >= 1 AND sample_size <= 100', name=op.f('ck_round_rules_sample_size')),
        sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], name=op.f('fk_round_rules_division_id_divisions')),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_round_rules_updated_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_round_rules')),
        sa.UniqueConstraint('division_id', 'duty', name='uq_round_rules_division_duty'),
    )


def downgrade():
    op.drop_table('round_rules')
    with op.batch_alter_table('round_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_checks_user_id'))
        batch_op.drop_index(batch_op.f('ix_round_checks_child_id'))
        batch_op.drop_index(batch_op.f('ix_round_checks_checked_on'))
    op.drop_table('round_checks')
    with op.batch_alter_table('care_assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_assignments_user_id'))
        batch_op.drop_index(batch_op.f('ix_care_assignments_household_id'))
        batch_op.drop_index(batch_op.f('ix_care_assignments_division_id'))
    op.drop_table('care_assignments')
