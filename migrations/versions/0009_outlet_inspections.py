"""district agencies' on-site inspections of outlets (Art. 26, 29)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 18:50:00.000000

A new table only: nothing existing changes, and the downgrade drops it with its records.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('outlet_inspection',
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('bank', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('outlet', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('inspected_on', sa.Date(), nullable=False),
    sa.Column('rectification', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('recheck_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff', sa.JSON(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('recorded_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('record_due', sa.Date(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bank', 'outlet', 'inspected_on', name='uq_outlet_inspection_outlet_day')
    )
    with op.batch_alter_table('outlet_inspection', schema=None) as batch_op:
        batch_op.create_index('ix_outlet_inspection_district_inspected_on', ['district', 'inspected_on'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outlet_inspection', schema=None) as batch_op:
        batch_op.drop_index('ix_outlet_inspection_district_inspected_on')
    op.drop_table('outlet_inspection')
