"""The back office as the actions use it: one transaction per request, schema checked once.

The ledger's rules (validation, ticket numbers, due dates, forwarding, thresholds) all live in
bot.ledger; this module only opens the session, commits, and moves the blocking database work
off the action server's event loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

from pydantic import ValidationError
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from actions.turn import operator_value
from bot.clock import get_clock
from bot.db import new_session, upgrade
from bot.knowledge import get_knowledge
from bot.ledger.cases import record_case
from bot.ledger.errors import LedgerError
from bot.ledger.models import Case, CaseCreate, Ticket
from bot.reactions import ledger_reactions
from bot.settings import get_settings
from bot.workdays import get_calendar

T = TypeVar("T")
_migrated: set[str] = set()
_lock = threading.Lock()


def ensure_schema() -> None:
    """Bring the database to the current schema once per process and database URL."""
    url = get_settings().database_url
    with _lock:
        if url not in _migrated:
            upgrade(url)
            _migrated.add(url)


def _in_session(work: Callable[[Session], T], *, commit: bool) -> T:
    ensure_schema()
    with new_session() as session:
        result = work(session)
        if commit:
            session.commit()
        return result


async def run(work: Callable[[Session], T], *, commit: bool = False) -> T:
    """Run ``work(session)`` in a worker thread; commit afterwards when asked."""
    return await asyncio.to_thread(_in_session, work, commit=commit)


async def record(data: CaseCreate) -> tuple[Case, Ticket | None]:
    """Record a complaint or praise; one aimed at a bank becomes a transfer ticket (Art. 27)."""

    def work(session: Session) -> tuple[Case, Ticket | None]:
        return record_case(session, data=data, knowledge=get_knowledge(), calendar=get_calendar(),
                           now=get_clock().now(), reactions=ledger_reactions())

    return await run(work, commit=True)


async def record_or_explain(dispatcher: CollectingDispatcher,
                            build: Callable[[], CaseCreate]) -> tuple[Case, Ticket | None] | None:
    """Record the case built by ``build``; on failure tell the citizen why and return None.

    Nothing is written on failure: the ledger's transaction is rolled back with the session.
    """
    try:
        return await record(build())
    except ValidationError:
        pass
    except LedgerError as error:
        dispatcher.utter_message(text=get_knowledge().messages.explain(error))
    except (SQLAlchemyError, OSError):
        dispatcher.utter_message(response="utter_backoffice_unavailable", service_phone=operator_value("service_phone"))
    dispatcher.utter_message(response="utter_case_not_recorded")
    return None
