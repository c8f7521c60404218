"""idempotent sync: the content fingerprint of a log, a phone's key for each photo

A log sent again under its ``client_uuid`` is the same log only if its content fingerprint
(``care_logs.request_hash``) matches; a photo sent again for the same log is stored once
(``activity_photos.client_key``, unique per log). Both are NULL for older rows.

Revision ID: fc5c81bde9b9
Revises: b7c41d0e9a25
Create Date: 2026-11-23 18:39:31.278796

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'fc5c81bde9b9'
down_revision = 'b7c41d0e9a25'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('activity_photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_key', sa.String(length=80), nullable=True))
        batch_op.create_unique_constraint('uq_activity_photos_log_client_key', ['log_id', 'client_key'])

    with op.batch_alter_table('care_logs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_hash', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('care_logs', schema=None) as batch_op:
        batch_op.drop_column('request_hash')

    with op.batch_alter_table('activity_photos', schema=None) as batch_op:
        batch_op.drop_constraint('uq_activity_photos_log_client_key', type_='unique')
        batch_op.drop_column('client_key')
