"""failed console sign-ins and the lockouts they start, per account name and per client address

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 18:40:00.000000

Two new tables; nothing existing changes. In the database rather than in each process, so that
every back-office process behind a load balancer counts the same failures.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import bot.db.types

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

SUBJECT = sa.Enum('account', 'address', name='console_throttle_subject')


def upgrade() -> None:
    op.create_table('console_sign_in_failure',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', SUBJECT, nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('console_sign_in_failure', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_console_sign_in_failure_at'), ['at'], unique=False)
        batch_op.create_index('ix_console_sign_in_failure_subject_at', ['kind', 'subject', 'at'], unique=False)

    op.create_table('console_sign_in_lockout',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', SUBJECT, nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('locked_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('until', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lifted_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('lifted_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('console_sign_in_lockout', schema=None) as batch_op:
        batch_op.create_index('ix_console_sign_in_lockout_subject_until', ['kind', 'subject', 'until'], unique=False)


def downgrade() -> None:
    # Counts and lockouts in force are lost: after a downgrade every name and address may try again.
    with op.batch_alter_table('console_sign_in_lockout', schema=None) as batch_op:
        batch_op.drop_index('ix_console_sign_in_lockout_subject_until')
    op.drop_table('console_sign_in_lockout')

    with op.batch_alter_table('console_sign_in_failure', schema=None) as batch_op:
        batch_op.drop_index('ix_console_sign_in_failure_subject_at')
        batch_op.drop_index(batch_op.f('ix_console_sign_in_failure_at'))
    op.drop_table('console_sign_in_failure')
    # PostgreSQL keeps an enum type after its tables are gone; a later upgrade would then fail to create it.
    SUBJECT.drop(op.get_bind(), checkfirst=True)
