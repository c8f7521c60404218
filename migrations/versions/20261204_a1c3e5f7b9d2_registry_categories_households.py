"""registry: child categories (留守/困境), households, health, assistance records

Replaces the bare difficulty tags with the child's chosen 困境 types and the bare assistance tags
with assistance records (programme, amount, dates); existing tags are carried over both ways.

Revision ID: a1c3e5f7b9d2
Revises: e7a1c9d3f5b2
Create Date: 2026-12-04 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1c3e5f7b9d2'
down_revision = 'e7a1c9d3f5b2'
branch_labels = None
depends_on = None

#: the seed's four guardianship-difficulty tags keep their codes as 困境 types
GUARDIANSHIP_CODES = ("guardianship_1", "guardianship_2", "guardianship_3", "guardianship_4")
GUARDIANSHIP_LABELS = {
    "guardianship_1": "父母双方重残重病/服刑/失联",
    "guardianship_2": "一方重残重病另一方服刑/失联",
    "guardianship_3": "一方失联另一方服刑",
    "guardianship_4": "一方死亡失踪另一方重残重病/服刑/失联",
}

children = sa.table(
    "children", sa.column("id", sa.Integer), sa.column("assistance", sa.JSON),
    sa.column("difficulty_types", sa.JSON), sa.column("is_in_difficulty", sa.Boolean),
    sa.column("is_orphan", sa.Boolean), sa.column("child_category", sa.String))
assistance = sa.table(
    "child_assistance", sa.column("child_id", sa.Integer), sa.column("programme", sa.String))


def upgrade():
    op.create_table('households',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('division_id', sa.Integer(), nullable=False),
    sa.Column('village_group', sa.String(length=32), nullable=True),
    sa.Column('head_name', sa.String(length=64), nullable=True),
    sa.Column('guardian_name', sa.String(length=64), nullable=True),
    sa.Column('guardian_relation', sa.String(length=32), nullable=True),
    sa.Column('guardian_phone', sa.String(length=32), nullable=True),
    sa.Column('address', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['division_id'], ['divisions.id'], name=op.f('fk_households_division_id_divisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_households'))
    )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_households_division_id'), ['division_id'], unique=False)

    op.create_table('child_assistance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=32), nullable=False),
    sa.Column('amount', sa.Numeric(precision=10, scale=2), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=True),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_child_assistance_child_id_children'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_child_assistance'))
    )
    with op.batch_alter_table('child_assistance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_child_assistance_child_id'), ['child_id'], unique=False)

    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('village_group', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('household_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rural_hukou', sa.Boolean(), nullable=False, server_default=sa.true()))
        batch_op.add_column(sa.Column('has_disability_certificate', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('disability_category', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('disability_grade', sa.String(length=4), nullable=True))
        batch_op.add_column(sa.Column('chronic_illness', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('immunisation_up_to_date', sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column('immunisation_checked_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('incapacity_reason', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('parents_away_since', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('orphan_care', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('child_category', sa.String(length=16), nullable=False,
                                      server_default='left_behind'))
        batch_op.add_column(sa.Column('difficulty_types', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('is_in_difficulty', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_children_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_children_is_in_difficulty'), ['is_in_difficulty'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_children_household_id_households'), 'households',
                                    ['household_id'], ['id'], ondelete='SET NULL')
        batch_op.create_check_constraint(
            op.f('ck_children_child_category'), "child_category IN ('left_behind', 'difficulty', 'both')")

    bind = op.get_bind()
    # difficulty tags → chosen 困境 types (tags outside the seed's four become "other")
    tagged: dict[int, list[str]] = {}
    for child_id, code in bind.execute(sa.text(
            "SELECT t.child_id, d.code FROM child_difficulty_tags t JOIN difficulty_tags d ON d.id = t.tag_id"
            " ORDER BY t.child_id, d.code")):
        kind = code if code in GUARDIANSHIP_CODES else "other"
        tagged.setdefault(child_id, [])
        if kind not in tagged[child_id]:
            tagged[child_id].append(kind)
    rows = bind.execute(sa.select(children.c.id, children.c.assistance, children.c.is_orphan)).all()
    for child_id, programmes, orphan in rows:
        kinds = tagged.get(child_id, [])
        difficult = bool(kinds) or bool(orphan)
        # every child on the roster so far was left-behind (the form refused anyone else)
        bind.execute(children.update().where(children.c.id == child_id).values(
            difficulty_types=kinds, is_in_difficulty=difficult,
            child_category="both" if difficult else "left_behind"))
        for programme in programmes or []:
            if programme != "none":
                bind.execute(assistance.insert().values(child_id=child_id, programme=programme))

    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.alter_column('difficulty_types', existing_type=sa.JSON(), nullable=False)
    op.drop_table('child_difficulty_tags')
    op.drop_table('difficulty_tags')


def downgrade():
    op.create_table('difficulty_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('label', sa.String(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_difficulty_tags')),
    sa.UniqueConstraint('code', name=op.f('uq_difficulty_tags_code'))
    )
    op.create_table('child_difficulty_tags',
    sa.Column('child_id', sa.Integer(), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['child_id'], ['children.id'], name=op.f('fk_child_difficulty_tags_child_id_children'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['tag_id'], ['difficulty_tags.id'],
                            name=op.f('fk_child_difficulty_tags_tag_id_difficulty_tags'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('child_id', 'tag_id', name=op.f('pk_child_difficulty_tags'))
    )
    bind = op.get_bind()
    tags = sa.table("difficulty_tags", sa.column("id", sa.Integer), sa.column("code", sa.String),
                    sa.column("label", sa.String), sa.column("active", sa.Boolean))
    links = sa.table("child_difficulty_tags", sa.column("child_id", sa.Integer), sa.column("tag_id", sa.Integer))
    tag_ids = {}
    for number, code in enumerate(GUARDIANSHIP_CODES, start=1):
        bind.execute(tags.insert().values(id=number, code=code, label=GUARDIANSHIP_LABELS[code], active=True))
        tag_ids[code] = number
    # 困境 types the tags cannot express (self, living, other) are lost going down
    programmes: dict[int, list[str]] = {}
    for child_id, programme in bind.execute(sa.select(assistance.c.child_id, assistance.c.programme)):
        programmes.setdefault(child_id, [])
        if programme not in programmes[child_id]:
            programmes[child_id].append(programme)
    for child_id, kinds in bind.execute(sa.select(children.c.id, children.c.difficulty_types)).all():
        for code in kinds or []:
            if code in tag_ids:
                bind.execute(links.insert().values(child_id=child_id, tag_id=tag_ids[code]))
        bind.execute(children.update().where(children.c.id == child_id).values(
            assistance=programmes.get(child_id, [])))

    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_children_child_category'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_children_household_id_households'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_children_is_in_difficulty'))
        batch_op.drop_index(batch_op.f('ix_children_household_id'))
        for column in ('is_in_difficulty', 'difficulty_types', 'child_category', 'orphan_care',
                       'parents_away_since', 'incapacity_reason', 'immunisation_checked_on',
                       'immunisation_up_to_date', 'chronic_illness', 'disability_grade', 'disability_category',
                       'has_disability_certificate', 'rural_hukou', 'household_id', 'village_group'):
            batch_op.drop_column(column)

    with op.batch_alter_table('child_assistance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_child_assistance_child_id'))
    op.drop_table('child_assistance')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_division_id'))
    op.drop_table('households')
