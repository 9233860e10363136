"""one-time notices (Art. 19); caller lookup by phone

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 12:10:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import bot.db.types


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('one_time_notice',
    sa.Column('matter', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('contact_phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    sa.Column('citizen_ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('issued_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('notice_case', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('citation', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('handled_at', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('missing', sa.JSON(), nullable=False),
    sa.Column('procedure', sa.JSON(), nullable=False),
    sa.Column('service_phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('follow_up_by', sa.Date(), nullable=False),
    sa.Column('reminder_requested', sa.Boolean(), nullable=False),
    sa.Column('reminder_notice_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['reminder_notice_id'], ['citizen_notice.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('number')
    )
    with op.batch_alter_table('one_time_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_one_time_notice_citizen_ref'), ['citizen_ref'], unique=False)
        batch_op.create_index('ix_one_time_notice_contact_phone_issued_at', ['contact_phone', 'issued_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_one_time_notice_follow_up_by'), ['follow_up_by'], unique=False)

    # The console looks up a caller's earlier complaints by phone.
    with op.batch_alter_table('ledger_case', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_case_contact_phone', ['contact_phone'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('ledger_case', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_case_contact_phone')

    with op.batch_alter_table('one_time_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_one_time_notice_follow_up_by'))
        batch_op.drop_index('ix_one_time_notice_contact_phone_issued_at')
        batch_op.drop_index(batch_op.f('ix_one_time_notice_citizen_ref'))

    op.drop_table('one_time_notice')
