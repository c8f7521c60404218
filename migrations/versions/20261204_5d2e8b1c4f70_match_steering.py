"""match steering: a coordinator's pins, exclusions and held places, kept across rounds

Revision ID: 5d2e8b1c4f70
Revises: 52470cd2c649
Create Date: 2026-12-04 18:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2e8b1c4f70'
down_revision = '52470cd2c649'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'match_steering',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('child_id', sa.Integer(), nullable=True),
        sa.Column('volunteer_id', sa.Integer(), nullable=False),
        sa.Column('places', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=255), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('removed_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('pin', 'exclude', 'hold')", name=op.f('ck_match_steering_kind')),
        sa.CheckConstraint("(kind = 'hold' AND child_id IS NULL AND places > 0) OR "
                           "(kind <> 'hold' AND child_id IS NOT NULL AND places IS NULL)",
                           name=op.f('ck_match_steering_shape')),
        sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_match_steering_child_id_children')),
        sa.ForeignKeyConstraint(['volunteer_id'], ['volunteers.id'],
                                name=op.f('fk_match_steering_volunteer_id_volunteers')),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_match_steering_created_by_id_users')),
        sa.ForeignKeyConstraint(['removed_by_id'], ['users.id'], name=op.f('fk_match_steering_removed_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_match_steering')),
    )
    with op.batch_alter_table('match_steering', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_match_steering_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_match_steering_volunteer_id'), ['volunteer_id'], unique=False)


def downgrade():
    with op.batch_alter_table('match_steering', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_match_steering_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_match_steering_child_id'))
    op.drop_table('match_steering')
