"""the citizens' push outbox is citizen_message (it was citizen_notice), owned by bot.notifications

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 14:30:00.000000

"Notice" also names the one-time notices of Art. 19 and the console's notices page; the outbox
of messages pushed to citizens takes its own name. Rows, ids and references are kept: the table,
its indexes and the one-time notice's reminder column are renamed in place.
"""

from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

INDEXED = ('citizen_ref', 'next_attempt_at', 'sent_at')


def _rename(old: str, new: str, *, reminder_old: str, reminder_new: str) -> None:
    for column in INDEXED:
        op.drop_index(f'ix_{old}_{column}', table_name=old)
    op.rename_table(old, new)
    for column in INDEXED:
        op.create_index(f'ix_{new}_{column}', new, [column], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'ALTER SEQUENCE {old}_id_seq RENAME TO {new}_id_seq')
        op.execute(f'ALTER TABLE {new} RENAME CONSTRAINT {old}_pkey TO {new}_pkey')
    # The foreign key follows the renamed table on both databases; only the column's name changes.
    with op.batch_alter_table('one_time_notice', schema=None) as batch_op:
        batch_op.alter_column(reminder_old, new_column_name=reminder_new)


def upgrade() -> None:
    _rename('citizen_notice', 'citizen_message', reminder_old='reminder_notice_id',
            reminder_new='reminder_message_id')


def downgrade() -> None:
    _rename('citizen_message', 'citizen_notice', reminder_old='reminder_message_id',
            reminder_new='reminder_notice_id')
