"""assessment entries: the city's findings of a bank for a year, entered in the console (Art. 39–42)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 19:03:56.347643

A new table only. An assessment file in var/assessments keeps working for a year with no entries.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import bot.db.types


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assessment_entry',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('bank', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('bonus_events', sa.JSON(), nullable=False),
    sa.Column('automatic_fail', sa.JSON(), nullable=False),
    sa.Column('refusal_to_act', sa.Boolean(), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entered_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('entered_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('year', 'bank', name='uq_assessment_entry_year_bank')
    )


def downgrade() -> None:
    op.drop_table('assessment_entry')
