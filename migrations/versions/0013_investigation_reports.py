"""investigation reports (《卡经办服务调查报告书》, Art. 28): one per complaint, its verdict and the city's review

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 18:34:24.042242

A new table only: complaints verified before it have no report and keep their finding.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import bot.db.types


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

VERDICT = sa.Enum('found_true', 'not_true', name='investigation_verdict')
REVIEW = sa.Enum('submitted', 'returned', 'approved', name='investigation_review')


def upgrade() -> None:
    op.create_table('investigation_report',
    sa.Column('investigated_on', sa.Date(), nullable=False),
    sa.Column('facts', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('investigators', sa.JSON(), nullable=False),
    sa.Column('verdict', VERDICT, nullable=False),
    sa.Column('responsibility', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('outlet_handling', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('staff_handling', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('district', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('filed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('filed_at', bot.db.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('amended_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('review', REVIEW, nullable=False),
    sa.Column('reviewed_by', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('reviewed_at', bot.db.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('review_comment', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['ledger_case.id'], ),
    sa.ForeignKeyConstraint(['ticket_id'], ['ticket.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('case_id')
    )
    with op.batch_alter_table('investigation_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_investigation_report_district'), ['district'], unique=False)
        batch_op.create_index(batch_op.f('ix_investigation_report_review'), ['review'], unique=False)
        batch_op.create_index(batch_op.f('ix_investigation_report_ticket_id'), ['ticket_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('investigation_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_investigation_report_ticket_id'))
        batch_op.drop_index(batch_op.f('ix_investigation_report_review'))
        batch_op.drop_index(batch_op.f('ix_investigation_report_district'))

    op.drop_table('investigation_report')
    # PostgreSQL keeps an enum type after its table goes; SQLite has none to drop.
    bind = op.get_bind()
    REVIEW.drop(bind, checkfirst=True)
    VERDICT.drop(bind, checkfirst=True)
