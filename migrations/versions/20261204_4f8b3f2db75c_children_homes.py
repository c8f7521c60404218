"""儿童之家 (children homes) as managed sites, their checklist evidence, guests at events; more
organisation kinds (儿童之家, 社会组织, 企业, 社工机构, 残联, 卫健)

Revision ID: 4f8b3f2db75c
Revises: da6645c39d87
Create Date: 2026-12-04 18:15:32.101503

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4f8b3f2db75c'
down_revision = 'da6645c39d87'
branch_labels = None
depends_on = None

OLD_KINDS = ('womens_federation', 'youth_league', 'five_elders', 'school', 'civil_affairs')
NEW_KINDS = OLD_KINDS + ('children_home', 'social_org', 'enterprise', 'social_work', 'disabled_federation', 'health')


def _kinds(kinds):
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade():
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organisations_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_organisations_kind'), sa.text(_kinds(NEW_KINDS)))
    op.create_table('children_homes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('setting', sa.String(length=16), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('checklist', sa.JSON(), nullable=False),
    sa.Column('checklist_notes', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("setting IN ('village', 'school_room')", name=op.f('ck_children_homes_setting')),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_children_homes_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['school_id'], ['organisations.id'], name=op.f('fk_children_homes_school_id_organisations')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_children_homes_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_children_homes')),
    sa.UniqueConstraint('organisation_id', name=op.f('uq_children_homes_organisation_id'))
    )
    op.create_table('event_guests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('relation', sa.String(length=16), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("relation IN ('father', 'mother', 'guardian', 'other')", name=op.f('ck_event_guests_relation')),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_event_guests_child_id_children')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_event_guests_created_by_id_users')),
    sa.ForeignKeyConstraint(['event_id'], ['school_events.id'], name=op.f('fk_event_guests_event_id_school_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_guests'))
    )
    with op.batch_alter_table('event_guests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_event_guests_child_id'), ['child_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_event_guests_event_id'), ['event_id'], unique=False)

    op.create_table('home_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('home_id', sa.Integer(), nullable=False),
    sa.Column('item', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.CheckConstraint("item IN ('sign', 'premises', 'equipment', 'staff', 'files', 'plan', 'ledger', 'funds')", name=op.f('ck_home_evidence_item')),
    sa.ForeignKeyConstraint(['home_id'], ['children_homes.id'], name=op.f('fk_home_evidence_home_id_children_homes')),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_home_evidence_uploaded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_home_evidence')),
    sa.UniqueConstraint('filename', name=op.f('uq_home_evidence_filename'))
    )
    with op.batch_alter_table('home_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_home_evidence_home_id'), ['home_id'], unique=False)


def downgrade():
    with op.batch_alter_table('home_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_home_evidence_home_id'))

    op.drop_table('home_evidence')
    with op.batch_alter_table('event_guests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_event_guests_event_id'))
        batch_op.drop_index(batch_op.f('ix_event_guests_child_id'))

    op.drop_table('event_guests')
    op.drop_table('children_homes')
    # organisations of the new kinds would break the old constraint: refuse rather than delete them
    bind = op.get_bind()
    left = bind.execute(sa.text("SELECT COUNT(*) FROM organisations WHERE NOT (" + _kinds(OLD_KINDS) + ")")).scalar()
    if left:
        raise RuntimeError(f"{left} organisations of the new kinds exist; remove them before downgrading")
    with op.batch_alter_table('organisations', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_organisations_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_organisations_kind'), sa.text(_kinds(OLD_KINDS)))
