"""families: parent–child contact records (calls, video, visits) and the regional silence rule

Revision ID: e9bd70dbb192
Revises: a9c3e1f27b54
Create Date: 2026-12-04 18:52:57.479389

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e9bd70dbb192'
down_revision = 'a9c3e1f27b54'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('contact_rules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('every_days', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('every_days BETWEEN 1 AND 366', name=op.f('ck_contact_rules_every_days')),
    sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], name=op.f('fk_contact_rules_division_id_divisions')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_contact_rules_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_rules')),
    sa.UniqueConstraint('division_id', name=op.f('uq_contact_rules_division_id'))
    )
    op.create_table('parent_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('parent', sa.String(length=8), nullable=False),
    sa.Column('arranged_by', sa.String(length=16), nullable=False),
    sa.Column('days', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=255), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("arranged_by IN ('self', 'guardian', 'teacher', 'volunteer', 'director', 'home')", name=op.f('ck_parent_contacts_arranged_by')),
    sa.CheckConstraint("kind IN ('call', 'video', 'home_visit', 'child_visit')", name=op.f('ck_parent_contacts_kind')),
    sa.CheckConstraint("parent IN ('father', 'mother', 'both')", name=op.f('ck_parent_contacts_parent')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_parent_contacts_child_id_children')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_parent_contacts_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_parent_contacts'))
    )
    with op.batch_alter_table('parent_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_parent_contacts_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_parent_contacts_occurred_on'), ['occurred_on'], unique=False)



def downgrade():
    with op.batch_alter_table('parent_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_parent_contacts_occurred_on'))
        batch_op.drop_index(batch_op.f('ix_parent_contacts_child_id'))

    op.drop_table('parent_contacts')
    op.drop_table('contact_rules')
