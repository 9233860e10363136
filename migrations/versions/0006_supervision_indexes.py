"""supervision views: indexes for the ticket list, district scope, objection windows and objections

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 12:20:00.000000

Measured with `sbk bench console` (100k tickets); see bot/supervision/indexes.py for why each exists.
"""

from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_ticket_created_at', 'ticket', ['created_at'], unique=False)
    op.create_index('ix_ledger_case_district_received_at', 'ledger_case', ['district', 'received_at'], unique=False)
    op.create_index('ix_ledger_case_verified_at', 'ledger_case', ['verified_at'], unique=False)
    op.create_index('ix_ticket_event_type_at', 'ticket_event', ['type', 'at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ticket_event_type_at', table_name='ticket_event')
    op.drop_index('ix_ledger_case_verified_at', table_name='ledger_case')
    op.drop_index('ix_ledger_case_district_received_at', table_name='ledger_case')
    op.drop_index('ix_ticket_created_at', table_name='ticket')
