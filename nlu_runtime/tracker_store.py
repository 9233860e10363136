"""Rasa's SQL tracker store on the product's database, keeping personal data out of stored messages.

Two differences from Rasa's own `SQLTrackerStore`:

* The database is the one `DATABASE_URL` names (the ledger's; a SQLite file in the project by
  default, like `bot/settings.py`), so that conversations survive a restart wherever the back office
  keeps its data, without a second copy of the connection details in endpoints.yml.
* ID, phone and bank card numbers are masked in the text of stored user and bot messages (Measures
  Art. 9 and 51: the conversation log need not hold them). The running turn is not affected: Rasa and
  the action server work on the tracker in memory, and the values a form still needs live in slots.
  Slot events are stored as they are, because a form waiting for its confirmation must find the
  phone number again after a restart; the ticket that the form creates is where that number is kept.

Runs in the Rasa environment; only `bot.privacy.rules` (plain Python) is imported from the product.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.privacy.rules import apply_masks, scan

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'sbk.db'}"
MESSAGE_EVENTS = frozenset({"user", "bot"})


def mask_text(text: str) -> str:
    return apply_masks(text, scan(text))


def masked_event_data(data: dict[str, Any]) -> dict[str, Any]:
    """The stored form of one serialised event: message texts with personal data masked."""
    if data.get("event") not in MESSAGE_EVENTS or not isinstance(data.get("text"), str):
        return data
    if not scan(data["text"]):
        return data
    data = copy.deepcopy(data)
    data["text"] = mask_text(data["text"])
    parse_data = data.get("parse_data")
    if isinstance(parse_data, dict) and isinstance(parse_data.get("text"), str):
        parse_data["text"] = mask_text(parse_data["text"])
    return data


def connection_arguments(database_url: str) -> dict[str, Any]:
    """`SQLTrackerStore` keyword arguments for a SQLAlchemy URL (its constructor wants the parts)."""
    url = make_url(database_url)
    dialect = url.drivername.split("+", 1)[0]
    if dialect == "sqlite":
        if not url.database or url.database == ":memory:":
            raise ValueError("DATABASE_URL must name a SQLite file: an in-memory database would forget every conversation")
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        return {"dialect": "sqlite", "db": url.database}
    # The product names its driver (postgresql+psycopg, SQLAlchemy 2); the Rasa environment has
    # SQLAlchemy 1.4 with psycopg2, which is the default driver of the bare dialect name.
    return {
        "dialect": dialect,
        "host": url.host,
        "port": url.port,
        "db": url.database,
        "username": url.username,
        "password": url.password,
        "query": dict(url.query) or None,
    }


class ProductTrackerStore(SQLTrackerStore):
    """The tracker store of `endpoints.yml` (`type: nlu_runtime.tracker_store.ProductTrackerStore`)."""

    def __init__(self, domain: Domain | None = None, event_broker: Any = None, **_: Any) -> None:
        database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
        super().__init__(domain=domain, event_broker=event_broker, **connection_arguments(database_url))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events Rasa has not stored yet, message texts masked (same rows as Rasa's store)."""
        await self.stream_events(tracker)
        with self.session_scope() as session:
            for event in self._additional_events(session, tracker):
                session.add(self._row(tracker.sender_id, event))
            session.commit()

    def _row(self, sender_id: str, event: Event) -> Any:
        data = masked_event_data(event.as_dict())
        return self.SQLEvent(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=(data.get("parse_data") or {}).get("intent", {}).get("name"),
            action_name=data.get("name"),
            data=json.dumps(data),
        )
