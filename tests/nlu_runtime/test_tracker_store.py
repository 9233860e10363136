"""The Rasa tracker store on the product's database (nlu_runtime/tracker_store.py).

Each test runs a short script in the Rasa environment, as the Rasa server would use the store:
one store instance saves a conversation, a second one (a restarted server) reads it back.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.db import make_engine

ROOT = Path(__file__).resolve().parents[2]
RASA_PYTHON = ROOT / ".venv-rasa" / "bin" / "python"
PHONE = "13912345678"
ID_NUMBER = "11010519491231002X"

SCRIPT = textwrap.dedent(f"""
    import asyncio, json
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from nlu_runtime.tracker_store import ProductTrackerStore

    domain = Domain.load("domain")

    async def main():
        tracker = DialogueStateTracker("telegram:42", domain.slots)
        tracker.update(UserUttered("我电话{PHONE}，身份证{ID_NUMBER}，建行态度太差",
                                   parse_data={{"text": "我电话{PHONE}，身份证{ID_NUMBER}，建行态度太差",
                                                "intent": {{"name": "complaint_attitude", "confidence": 0.9}}}}))
        tracker.update(SlotSet("phone", "{PHONE}"))
        tracker.update(ActionExecuted("utter_ask_complaint_form_confirm"))
        tracker.update(BotUttered("回电：需要，手机 {PHONE}"))
        await ProductTrackerStore(domain).save(tracker)

        restarted = await ProductTrackerStore(domain).retrieve("telegram:42")
        print(json.dumps({{
            "events": len(restarted.events),
            "slot": restarted.get_slot("phone"),
            "texts": [e.text for e in restarted.events if isinstance(e, (UserUttered, BotUttered))],
            "intent": restarted.latest_message.intent.get("name"),
        }}, ensure_ascii=False))

    asyncio.run(main())
""")


@pytest.fixture
def stored(db_url: str) -> tuple[str, dict]:
    """Run the script against `db_url` (SQLite file and PostgreSQL schema) and return what it read back."""
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT), "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"}
    result = subprocess.run([str(RASA_PYTHON), "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    return db_url, json.loads(result.stdout.strip().splitlines()[-1])


def test_a_restarted_server_finds_the_conversation_where_it_was(stored):
    _, read_back = stored
    assert read_back["events"] == 4
    assert read_back["intent"] == "complaint_attitude"
    # The form still has the phone number the citizen gave before the restart.
    assert read_back["slot"] == PHONE


def test_stored_messages_hold_no_phone_or_id_number(stored):
    db_url, read_back = stored
    assert read_back["texts"] == ["我电话139****5678，身份证110105********002X，建行态度太差", "回电：需要，手机 139****5678"]
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = [json.loads(data) for (data,) in conn.execute(
                text("SELECT data FROM events WHERE type_name IN ('user', 'bot') ORDER BY id"))]
    finally:
        engine.dispose()
    assert len(rows) == 2
    stored_text = json.dumps(rows, ensure_ascii=False)
    assert PHONE not in stored_text and ID_NUMBER not in stored_text
    assert rows[0]["parse_data"]["text"].startswith("我电话139****5678")


def test_the_conversation_is_kept_in_the_ledgers_database(stored):
    db_url, _ = stored
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            senders = conn.execute(text("SELECT DISTINCT sender_id FROM events")).scalars().all()
            ledger_tables = conn.execute(text("SELECT count(*) FROM ticket")).scalar_one()
    finally:
        engine.dispose()
    assert senders == ["telegram:42"]
    assert ledger_tables == 0  # the same database the migrations built, not a second file


# Turns continued on a loaded tracker, as the Rasa server does: load, add a turn, save, and again; a new
# session inside a turn; and a tracker that did not come from the store (the HTTP API replacing events).
TURNS = textwrap.dedent("""
    import asyncio, json
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from nlu_runtime.tracker_store import ProductTrackerStore

    domain = Domain.load("domain")

    class Broker:
        def __init__(self):
            self.published = []

        def publish(self, event, headers=None):
            self.published.append(event)

    def turn(tracker, text):
        tracker.update(UserUttered(text, parse_data={"text": text, "intent": {"name": "greet", "confidence": 0.9}}))
        tracker.update(ActionExecuted("utter_greet"))
        tracker.update(BotUttered("您好"))
        tracker.update(ActionExecuted("action_listen"))

    async def main():
        broker = Broker()
        store = ProductTrackerStore(domain, event_broker=broker)
        counts = []
        tracker = DialogueStateTracker("rest:7", domain.slots)
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
        counts.append(len(broker.published))
        for text in ("你好", "社保卡丢了怎么办"):
            tracker = await ProductTrackerStore(domain).retrieve("rest:7")
            turn(tracker, text)
            store.retrieve = None  # a save must not load the tracker again
            await store.save(tracker)
            await store.save(tracker)  # nothing new: nothing written or published
            counts.append(len(broker.published))
            del store.retrieve
        tracker = await store.retrieve("rest:7")
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
        turn(tracker, "谢谢")
        await store.save(tracker)
        counts.append(len(broker.published))
        latest = await ProductTrackerStore(domain).retrieve("rest:7")
        replaced = DialogueStateTracker.from_dict("rest:7", [e.as_dict() for e in latest.events], domain.slots)
        turn(replaced, "再见")
        await store.save(replaced)
        counts.append(len(broker.published))
        full = await ProductTrackerStore(domain).retrieve_full_tracker("rest:7")
        print(json.dumps({
            "published": counts,
            "texts": [e.text for e in full.events if isinstance(e, UserUttered)],
            "latest_session": [e.text for e in (await store.retrieve("rest:7")).events if isinstance(e, UserUttered)],
            "events": len(full.events),
        }, ensure_ascii=False))

    asyncio.run(main())
""")


def test_each_turn_stores_and_publishes_only_its_new_events(db_url):
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT), "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"}
    result = subprocess.run([str(RASA_PYTHON), "-c", TURNS], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    read_back = json.loads(result.stdout.strip().splitlines()[-1])
    # 1 event, then 4 per turn; the turn in a new session adds its 3 session-start events.
    assert read_back["published"] == [1, 5, 9, 16, 20]
    assert read_back["texts"] == ["你好", "社保卡丢了怎么办", "谢谢", "再见"]
    assert read_back["events"] == 20
    assert read_back["latest_session"] == ["谢谢", "再见"]
    engine = make_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT count(*) FROM events WHERE sender_id = 'rest:7'")).scalar_one()
    finally:
        engine.dispose()
    assert rows == 20


# The trackers kept in memory: given again only while they are what the database holds.
KEPT = textwrap.dedent("""
    import asyncio, json
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker
    from nlu_runtime.tracker_store import ProductTrackerStore

    domain = Domain.load("domain")

    def turn(tracker, text):
        tracker.update(UserUttered(text, parse_data={"text": text, "intent": {"name": "greet", "confidence": 0.9}}))
        tracker.update(ActionExecuted("utter_greet"))
        tracker.update(BotUttered("您好"))
        tracker.update(ActionExecuted("action_listen"))

    def texts(tracker):
        return [e.text for e in tracker.events if isinstance(e, UserUttered)]

    async def main():
        server, other = ProductTrackerStore(domain), ProductTrackerStore(domain)
        seen = {}
        tracker = DialogueStateTracker("rest:8", domain.slots)
        tracker.update(ActionExecuted("action_listen"))
        await server.save(tracker)
        first = await server.retrieve("rest:8")
        turn(first, "你好")
        await server.save(first)
        again = await server.retrieve("rest:8")
        seen["kept"] = again is first
        # Another server continues the conversation: the kept tracker is stale and not given.
        elsewhere = await other.retrieve("rest:8")
        turn(elsewhere, "社保卡丢了怎么办")
        elsewhere.update(SlotSet("bank", "中国建设银行"))
        await other.save(elsewhere)
        fresh = await server.retrieve("rest:8")
        seen["after_other_server"] = [fresh is first, texts(fresh), fresh.get_slot("bank")]
        # A turn that fails before its save: the next message reads the database, not the half turn.
        turn(fresh, "补卡要带什么材料")
        retried = await server.retrieve("rest:8")
        seen["after_failed_turn"] = [retried is fresh, texts(retried)]
        turn(retried, "补卡要带什么材料")
        await server.save(retried)
        # A turn that starts a new session: read back, the tracker holds the new session alone.
        retried.update(ActionExecuted("action_session_start"))
        retried.update(SessionStarted())
        retried.update(ActionExecuted("action_listen"))
        turn(retried, "谢谢")
        await server.save(retried)
        session = await server.retrieve("rest:8")
        seen["new_session"] = [session is retried, texts(session), texts(await other.retrieve("rest:8"))]
        print(json.dumps(seen, ensure_ascii=False))

    asyncio.run(main())
""")


def test_a_kept_tracker_is_given_only_while_it_is_what_the_database_holds(db_url):
    env = {**os.environ, "DATABASE_URL": db_url, "PYTHONPATH": str(ROOT), "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
           "TF_CPP_MIN_LOG_LEVEL": "2", "PYTHONWARNINGS": "ignore"}
    result = subprocess.run([str(RASA_PYTHON), "-c", KEPT], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["kept"] is True
    assert seen["after_other_server"] == [False, ["你好", "社保卡丢了怎么办"], "中国建设银行"]
    assert seen["after_failed_turn"] == [False, ["你好", "社保卡丢了怎么办"]]
    assert seen["new_session"] == [False, ["谢谢"], ["谢谢"]]
