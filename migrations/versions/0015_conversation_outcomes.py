"""conversation outcomes: how each conversation with the assistant ended, from Rasa's events

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 01:40:21.814582

New tables only; the outcomes are VARCHAR columns, so no PostgreSQL type is created or dropped.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import bot.db.types


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conversation_event_receipt',
    sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('received_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('digest')
    )
    with op.batch_alter_table('conversation_event_receipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_event_receipt_received_at'), ['received_at'], unique=False)

    op.create_table('conversation_outcome',
    sa.Column('sender_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('started_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_event_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_turns', sa.Integer(), nullable=False),
    sa.Column('unclear_turns', sa.Integer(), nullable=False),
    sa.Column('recoveries', sa.Integer(), nullable=False),
    sa.Column('previous_turn', sa.Enum('none', 'understood', 'unclear', name='conversation_turn', native_enum=False, length=16), nullable=False),
    sa.Column('current_turn', sa.Enum('none', 'understood', 'unclear', name='conversation_turn', native_enum=False, length=16), nullable=False),
    sa.Column('after_clarify', sa.Boolean(), nullable=False),
    sa.Column('handed_off', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.Enum('answered', 'handed_off', 'not_understood', 'silent', name='conversation_outcome_kind', native_enum=False, length=16), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('conversation_outcome', schema=None) as batch_op:
        batch_op.create_index('ix_conversation_outcome_sender_started_at', ['sender_id', 'started_at'], unique=False)
        batch_op.create_index('ix_conversation_outcome_started_at_outcome', ['started_at', 'outcome'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('conversation_outcome', schema=None) as batch_op:
        batch_op.drop_index('ix_conversation_outcome_started_at_outcome')
        batch_op.drop_index('ix_conversation_outcome_sender_started_at')

    op.drop_table('conversation_outcome')
    with op.batch_alter_table('conversation_event_receipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_event_receipt_received_at'))

    op.drop_table('conversation_event_receipt')
