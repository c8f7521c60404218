"""accounts and hardening: forced password change and when a one-time reset code expires, the paper-signed
code of conduct's scan, and TRUNCATE refused on the audit log (PostgreSQL)

Revision ID: a9c3e1f27b54
Revises: 4f8b3f2db75c
Create Date: 2026-12-04 18:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a9c3e1f27b54'
down_revision = '4f8b3f2db75c'
branch_labels = None
depends_on = None

# The row triggers of the initial schema refuse UPDATE and DELETE; TRUNCATE fires no row
# trigger, so it needs a statement trigger of its own.
NO_TRUNCATE_PG = ("CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
                  "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()")


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
        batch_op.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reset_expires_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_of_conduct_scan', sa.String(length=128), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(NO_TRUNCATE_PG)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
    with op.batch_alter_table('volunteers', schema=None) as batch_op:
        batch_op.drop_column('code_of_conduct_scan')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('reset_expires_at')
        batch_op.drop_column('password_changed_at')
        batch_op.drop_column('must_change_password')
