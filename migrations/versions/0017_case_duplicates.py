"""duplicates: a complaint about a matter an open ticket already carries names that matter's first case

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 01:50:00.000000

One nullable column: every existing case stays a matter of its own, counted as before.
"""

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ledger_case', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duplicate_of', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_ledger_case_duplicate_of'), ['duplicate_of'], unique=False)
        batch_op.create_foreign_key('fk_ledger_case_duplicate_of', 'ledger_case', ['duplicate_of'], ['id'])


def downgrade() -> None:
    # Duplicates become matters of their own again: they would count toward the thresholds.
    with op.batch_alter_table('ledger_case', schema=None) as batch_op:
        batch_op.drop_constraint('fk_ledger_case_duplicate_of', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_ledger_case_duplicate_of'))
        batch_op.drop_column('duplicate_of')
