"""handoff of conversations to 12333 operators and their messages

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 12:05:00.000000
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import bot.db.types


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

REASON = sa.Enum('requested', 'low_confidence', name='handoff_reason')
STATE = sa.Enum('waiting', 'taken', 'closed', name='handoff_state')
AUTHOR = sa.Enum('citizen', 'assistant', 'operator', name='handoff_author')
# At most one handoff per citizen that is not closed (bot.handoff.models.OPEN_CONDITION).
OPEN_CONDITION = sa.text("state != 'closed'")


def upgrade() -> None:
    op.create_table('handoff',
    sa.Column('citizen_ref', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('channel', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('reason', REASON, nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('state', STATE, nullable=False),
    sa.Column('opened_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('taken_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('taken_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('citizen_messages', sa.Integer(), nullable=False),
    sa.Column('last_message_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('handoff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_citizen_ref'), ['citizen_ref'], unique=False)
        batch_op.create_index('ix_handoff_state_opened_at', ['state', 'opened_at'], unique=False)
        batch_op.create_index('uq_handoff_open_citizen', ['citizen_ref'], unique=True,
                              sqlite_where=OPEN_CONDITION, postgresql_where=OPEN_CONDITION)

    op.create_table('handoff_message',
    sa.Column('author', AUTHOR, nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=4096), nullable=False),
    sa.Column('operator', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('handoff_id', sa.Integer(), nullable=False),
    sa.Column('at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['handoff_id'], ['handoff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('handoff_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoff_message_handoff_id'), ['handoff_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('handoff_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoff_message_handoff_id'))
    op.drop_table('handoff_message')

    with op.batch_alter_table('handoff', schema=None) as batch_op:
        batch_op.drop_index('uq_handoff_open_citizen')
        batch_op.drop_index('ix_handoff_state_opened_at')
        batch_op.drop_index(batch_op.f('ix_handoff_citizen_ref'))
    op.drop_table('handoff')
    # PostgreSQL keeps an enum type after its table is gone; a later upgrade would then fail to create it.
    for enum in (AUTHOR, STATE, REASON):
        enum.drop(op.get_bind(), checkfirst=True)
