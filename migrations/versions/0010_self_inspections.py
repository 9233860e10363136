"""the banks' self-inspection summaries (Art. 38): one row per uploaded version, with the document

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 18:40:00.000000

A new table only: nothing existing changes, so the upgrade is safe on a database in use. The
downgrade drops the table and with it every uploaded summary.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import bot.db.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

PERIOD_KIND = sa.Enum('month', 'quarter', 'half_year', 'year', name='self_inspection_period_kind')


def upgrade() -> None:
    op.create_table('self_inspection',
    sa.Column('bank', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('period', sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('media_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_kind', PERIOD_KIND, nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('submitted_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_provisional', sa.Boolean(), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('bank', 'period', 'version', name='uq_self_inspection_version')
    )
    with op.batch_alter_table('self_inspection', schema=None) as batch_op:
        batch_op.create_index('ix_self_inspection_bank_period', ['bank', 'period'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('self_inspection', schema=None) as batch_op:
        batch_op.drop_index('ix_self_inspection_bank_period')
    op.drop_table('self_inspection')
    # PostgreSQL keeps an enum type after its table is gone; a later upgrade would then fail to create it.
    PERIOD_KIND.drop(op.get_bind(), checkfirst=True)
