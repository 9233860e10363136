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

Per message (BENCHMARKS.md, section "Where a message's milliseconds go") Rasa's store loads the
tracker, then at the end of the turn counts the conversation's stored events again in SQL to find the
new ones, and, with an event broker, loads and deserialises the whole tracker a second time only to
learn that same count. Here the tracker remembers how many of its events are stored (set when it is
loaded or saved), so a save writes and publishes exactly the new events without reading anything;
a tracker that did not come from this store (the HTTP API's "replace events") still gets Rasa's count.
The latest trackers saved are also kept in memory (`RECENT_CONVERSATIONS`): loading one again costs
one indexed query, the id of the conversation's newest stored event, instead of reading and replaying
every event of the session. A kept tracker is given only while nothing but this store has written to
the conversation since (another server of `make run-cluster`, a deletion: the newest id differs) and
while all its events are stored (a turn that failed half-way is read from the database again); a turn
that started a new session is not kept, since reading it back gives the new session alone.
On SQLite the connections are pooled: SQLAlchemy 1.4's default for a file, one new connection per
query, cost a connect and a close on every load and save.

Runs in the Rasa environment; only `bot.privacy.rules` (plain Python) is imported from the product.
"""

from __future__ import annotations

import copy
import itertools
import json
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy import bindparam, create_engine, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from bot.privacy.rules import apply_masks, scan

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'sbk.db'}"
MESSAGE_EVENTS = frozenset({"user", "bot"})
# Attribute of a tracker: how many of its `events` (the latest session's, as `retrieve` loads them) are stored.
STORED_EVENTS = "_product_stored_events"
RECENT_CONVERSATIONS = 500


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
        if self.engine.dialect.name == "sqlite":
            # The server's event loop is the only thread using them; a few kept open are enough.
            url = self.engine.url
            self.engine.dispose()
            self.engine = create_engine(url, poolclass=QueuePool, pool_size=2, max_overflow=8,
                                        connect_args={"check_same_thread": False})
            self.sessionmaker = sessionmaker(bind=self.engine)
        # sender id -> (id of its newest stored event, its tracker as saved)
        self._recent: OrderedDict[str, tuple[int, DialogueStateTracker]] = OrderedDict()

        # Built once: SQLAlchemy then reuses its compiled form, where a new ORM query costs more than the SQL.
        self._newest_event = select(func.max(self.SQLEvent.id)).where(self.SQLEvent.sender_id == bindparam("sender"))

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        with self.engine.connect() as connection:
            newest = connection.execute(self._newest_event, {"sender": sender_id}).scalar()
        kept = self._recent.pop(sender_id, None)
        if newest is not None and kept is not None and kept[0] == newest \
                and getattr(kept[1], STORED_EVENTS, None) == len(kept[1].events):
            self._recent[sender_id] = kept
            return kept[1]
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            setattr(tracker, STORED_EVENTS, len(tracker.events))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Store the events Rasa has not stored yet, message texts masked (same rows as Rasa's store)."""
        stored = getattr(tracker, STORED_EVENTS, None)
        with self.session_scope() as session:
            if stored is None:
                stored = self._event_query(session, tracker.sender_id, fetch_events_from_all_sessions=False).count()
            new_events = list(itertools.islice(tracker.events, stored, len(tracker.events)))
            if self.event_broker is not None:
                # Published before they are stored, as Rasa's `stream_events` does.
                await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
            rows = [self._row(tracker.sender_id, event) for event in new_events]
            session.add_all(rows)
            session.flush()
            newest = rows[-1].id if rows else None
            session.commit()
        from_store = getattr(tracker, STORED_EVENTS, None) is not None
        setattr(tracker, STORED_EVENTS, len(tracker.events))
        if not rows:
            return
        self._recent.pop(tracker.sender_id, None)
        if from_store and not any(isinstance(event, SessionStarted) for event in new_events):
            self._recent[tracker.sender_id] = (newest, tracker)
            while len(self._recent) > RECENT_CONVERSATIONS:
                self._recent.popitem(last=False)

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
