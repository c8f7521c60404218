"""guardianship agreements (委托监护责任确认书)

Revision ID: c4f1a2b3d5e6
Revises: c4d8e2a6f1b3
Create Date: 2026-12-07 22:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4f1a2b3d5e6'
down_revision = 'c4d8e2a6f1b3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('guardianship_agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('entrusted_by', sa.String(length=8), nullable=False),
    sa.Column('parent_names', sa.String(length=128), nullable=False),
    sa.Column('guardian_name', sa.String(length=64), nullable=False),
    sa.Column('guardian_relation', sa.String(length=32), nullable=False),
    sa.Column('guardian_phone', sa.String(length=32), nullable=True),
    sa.Column('signed_on', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('scan', sa.String(length=255), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.Column('renewal_of_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('ended_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("entrusted_by IN ('both', 'father', 'mother')",
                       name=op.f('ck_guardianship_agreements_entrusted_by')),
    sa.CheckConstraint("end_reason IS NULL OR end_reason IN ('renewed', 'guardian_changed', 'parent_returned', "
                       "'withdrawn')", name=op.f('ck_guardianship_agreements_end_reason')),
    sa.CheckConstraint('ended_on IS NULL OR ended_on >= signed_on',
                       name=op.f('ck_guardianship_agreements_ended_after_signed')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_guardianship_agreements_child_id_children')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'],
                            name=op.f('fk_guardianship_agreements_created_by_id_users')),
    sa.ForeignKeyConstraint(['ended_by_id'], ['users.id'], name=op.f('fk_guardianship_agreements_ended_by_id_users')),
    sa.ForeignKeyConstraint(['renewal_of_id'], ['guardianship_agreements.id'],
                            name=op.f('fk_guardianship_agreements_renewal_of_id_guardianship_agreements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guardianship_agreements'))
    )
    with op.batch_alter_table('guardianship_agreements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guardianship_agreements_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_guardianship_agreements_signed_on'), ['signed_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_guardianship_agreements_ended_on'), ['ended_on'], unique=False)
        batch_op.create_index('ix_guardianship_agreements_child_dates', ['child_id', 'signed_on', 'ended_on'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('guardianship_agreements', schema=None) as batch_op:
        batch_op.drop_index('ix_guardianship_agreements_child_dates')
        batch_op.drop_index(batch_op.f('ix_guardianship_agreements_ended_on'))
        batch_op.drop_index(batch_op.f('ix_guardianship_agreements_signed_on'))
        batch_op.drop_index(batch_op.f('ix_guardianship_agreements_child_id'))
    op.drop_table('guardianship_agreements')
