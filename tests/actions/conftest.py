"""Trackers built by hand, the actions run on them, and a migrated SQLite database per test."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

import bot.db.engine
import bot.settings
from actions import backoffice, dates
from bot.knowledge import Knowledge, get_knowledge

SENDER = "telegram:4242"
TODAY = date(2026, 11, 27)  # a Friday


@pytest.fixture
def k() -> Knowledge:
    return get_knowledge()


@pytest.fixture(autouse=True)
def today(monkeypatch) -> date:
    """The actions' "today" is fixed, so dates without a year and due dates are reproducible."""
    monkeypatch.setattr(dates, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def db(tmp_path, monkeypatch) -> Iterator[str]:
    """DATABASE_URL pointing at an empty SQLite file; the actions migrate it on first use."""
    url = f"sqlite:///{tmp_path / 'sbk.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    bot.settings.get_settings.cache_clear()
    bot.db.engine.get_engine.cache_clear()
    backoffice._migrated.clear()
    yield url
    bot.db.engine.get_engine().dispose()
    bot.settings.get_settings.cache_clear()
    bot.db.engine.get_engine.cache_clear()


def entity(text: str, kind: str, surface: str, value: str | None = None) -> dict[str, Any]:
    start = text.index(surface)
    return {"entity": kind, "start": start, "end": start + len(surface), "value": value or surface}


def message(text: str, intent: str, confidence: float = 0.95, entities: list[dict] | None = None,
            ranking: list[tuple[str, float]] | None = None) -> dict[str, Any]:
    """A parse as Rasa sends it: intent, ranking, entities."""
    ranking = ranking if ranking is not None else [(intent, confidence)]
    return {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": entities or [],
    }


def user(parse: dict[str, Any]) -> dict[str, Any]:
    return {"event": "user", "text": parse["text"], "parse_data": parse}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


def tracker(parse: dict[str, Any], *, slots: dict[str, Any] | None = None, before: list[dict] | None = None,
            after: list[dict] | None = None, active_loop: str | None = None, sender: str = SENDER) -> Tracker:
    """A tracker whose latest message is `parse`; `before`/`after` are events around it."""
    events = [action("action_listen"), *(before or []), user(parse), *(after or [])]
    return Tracker(sender, dict(slots or {}), parse, events, False, None,
                   {"name": active_loop} if active_loop else {}, "action_listen")


def run(act: Action, trk: Tracker) -> tuple[list[dict], list[dict]]:
    """The events the action returns and the messages it dispatched."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(act.run(dispatcher, trk, {}))
    return events, dispatcher.messages


def texts(messages: list[dict]) -> list[str]:
    return [m.get("text") or m.get("response") for m in messages]
