"""satisfaction callbacks (回访) and inline buttons on citizen messages

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 18:30:00.000000

One new table; the buttons column of citizen_message is nullable, so messages queued before the
upgrade are sent as they were (text only).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

VIA = sa.Enum('telegram', 'phone', name='satisfaction_via')
STATE = sa.Enum('pending', 'asked', 'reminded', 'answered', 'no_answer', name='satisfaction_state')
ANSWER = sa.Enum('satisfied', 'basically_satisfied', 'dissatisfied', name='satisfaction_answer')


def upgrade() -> None:
    op.create_table('satisfaction_callback',
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('via', VIA, nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(length=43), nullable=False),
    sa.Column('state', STATE, nullable=False),
    sa.Column('created_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('asked_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answer', ANSWER, nullable=True),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('answered_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('recorded_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('closed_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reopened', sa.Boolean(), nullable=False),
    sa.Column('needs_decision', sa.Boolean(), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('decided_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('ticket_id', 'round', name='uq_satisfaction_callback_ticket_round'),
    sa.UniqueConstraint('token')
    )
    with op.batch_alter_table('satisfaction_callback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_satisfaction_callback_ticket_id'), ['ticket_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_satisfaction_callback_needs_decision'), ['needs_decision'],
                              unique=False)
        batch_op.create_index('ix_satisfaction_callback_state_via_created_at', ['state', 'via', 'created_at'],
                              unique=False)
        batch_op.create_index('ix_satisfaction_callback_answered_at', ['answered_at'], unique=False)

    with op.batch_alter_table('citizen_message', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buttons', sa.JSON(), nullable=True))


def downgrade() -> None:
    # Questions still in the outbox lose their buttons: they would go out as text only.
    with op.batch_alter_table('citizen_message', schema=None) as batch_op:
        batch_op.drop_column('buttons')

    with op.batch_alter_table('satisfaction_callback', schema=None) as batch_op:
        batch_op.drop_index('ix_satisfaction_callback_answered_at')
        batch_op.drop_index('ix_satisfaction_callback_state_via_created_at')
        batch_op.drop_index(batch_op.f('ix_satisfaction_callback_needs_decision'))
        batch_op.drop_index(batch_op.f('ix_satisfaction_callback_ticket_id'))
    op.drop_table('satisfaction_callback')
    # PostgreSQL keeps an enum type after its table is gone; a later upgrade would then fail to create it.
    for enum in (ANSWER, STATE, VIA):
        enum.drop(op.get_bind(), checkfirst=True)
