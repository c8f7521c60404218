"""school workspace: a pupil's class (children.class_name); event kinds for the school's termly
care activity and for families (返乡家长会, 家庭教育讲座)

Revision ID: b5d2e8f1c3a4
Revises: a3e1c7d2b9f0
Create Date: 2026-12-04 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b5d2e8f1c3a4'
down_revision = 'a3e1c7d2b9f0'
branch_labels = None
depends_on = None

OLD_KINDS = ('tutoring', 'class_meeting', 'holiday', 'safety_law', 'summer_camp', 'other')
NEW_KINDS = ('tutoring', 'class_meeting', 'care_theme', 'parents_meeting', 'family_education', 'holiday',
             'safety_law', 'summer_camp', 'other')


def _check(kinds):
    return "kind IN (" + ", ".join(f"'{k}'" for k in kinds) + ")"


def upgrade():
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.add_column(sa.Column('class_name', sa.String(length=32), nullable=True))
    with op.batch_alter_table('school_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_school_events_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_school_events_kind'), sa.text(_check(NEW_KINDS)))


def downgrade():
    # events of the new kinds stay, as "other" (the old schema's catch-all)
    op.execute(sa.text("UPDATE school_events SET kind = 'other' "
                       "WHERE kind IN ('care_theme', 'parents_meeting', 'family_education')"))
    with op.batch_alter_table('school_events', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_school_events_kind'), type_='check')
        batch_op.create_check_constraint(op.f('ck_school_events_kind'), sa.text(_check(OLD_KINDS)))
    with op.batch_alter_table('children', schema=None) as batch_op:
        batch_op.drop_column('class_name')
