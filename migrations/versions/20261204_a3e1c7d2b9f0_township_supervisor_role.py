"""township supervisor role: users.role may be ``township_supervisor`` (儿童督导员, seed 001)

Revision ID: a3e1c7d2b9f0
Revises: fc5c81bde9b9
Create Date: 2026-12-04 17:55:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3e1c7d2b9f0'
down_revision = 'fc5c81bde9b9'
branch_labels = None
depends_on = None

OLD_ROLES = ('volunteer', 'school_staff', 'coordinator', 'village_director', 'auditor', 'admin')
NEW_ROLES = OLD_ROLES + ('township_supervisor',)


def _check(roles):
    return "role IN (" + ", ".join(f"'{r}'" for r in roles) + ")"


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), sa.text(_check(NEW_ROLES)))


def downgrade():
    # The old schema has no such role: supervisors' accounts are kept (their audit trail refers to
    # them) but become inactive auditors, which the old code knows and which can change nothing.
    op.execute(sa.text("UPDATE users SET role = 'auditor', active = false WHERE role = 'township_supervisor'"))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role'), type_='check')
        batch_op.create_check_constraint(op.f('ck_users_role'), sa.text(_check(OLD_ROLES)))
