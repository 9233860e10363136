"""a bank's previous webhook secret during a rotation's overlap, and an endpoint that answered 410 Gone

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 08:00:00.000000

All three columns are nullable: existing banks keep their one secret (no overlap) and a working
endpoint, so the upgrade changes nothing for them.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('bank_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_webhook_secret', sqlmodel.sql.sqltypes.AutoString(length=128),
                                      nullable=True))
        batch_op.add_column(sa.Column('previous_secret_until', bot.db.types.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('endpoint_gone_at', bot.db.types.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # The overlap and the 410 mark are lost: after a downgrade the current secret alone signs and
    # a gone endpoint is tried again, which is what the older code did.
    with op.batch_alter_table('bank_account', schema=None) as batch_op:
        batch_op.drop_column('endpoint_gone_at')
        batch_op.drop_column('previous_secret_until')
        batch_op.drop_column('previous_webhook_secret')
