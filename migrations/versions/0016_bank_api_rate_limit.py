"""bank API rate limit: each bank's allowance, shared by every back-office process

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 01:45:00.000000

A new table only: one row per bank that has called the API since, holding pyrate-limiter's GCRA state.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import bot.db.types


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('bank_api_rate_state',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('updated_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )


def downgrade() -> None:
    op.drop_table('bank_api_rate_state')
