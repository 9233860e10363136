"""Messages owed to citizens in their channel, kept in an outbox that the channel sends from.

- `queue_message(session, citizen_ref=…, text=…, now=…)`: one row in the caller's transaction;
- `due_messages`, `mark_sent`, `mark_failed`: the channel's side (the Telegram bot's push job);
- `bot.notifications.reactions`: the messages a citizen gets when the ledger changes their ticket.

The outbox is written in the transaction that caused the message, so a restart or an
unreachable Telegram loses nothing.
"""

from bot.notifications.models import CitizenMessage
from bot.notifications.outbox import due_messages, mark_failed, mark_sent, queue_message

__all__ = ["CitizenMessage", "due_messages", "mark_failed", "mark_sent", "queue_message"]
