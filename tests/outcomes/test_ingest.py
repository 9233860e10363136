"""Reading Rasa's events into conversation outcomes: the pure step over the events as Rasa serialises
them (tests/outcomes/rasa_events.json, written with Rasa's own classes by rasa_events.py), and the
rows in the database, a message delivered twice counted once."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bot.outcomes import InvalidEvent, Outcome, ingest, replay
from bot.outcomes.models import ConversationOutcome

EVENTS = json.loads((Path(__file__).parent / "rasa_events.json").read_text(encoding="utf-8"))
NOW = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(("name", "outcome", "unclear", "recoveries"), [
    ("answered", Outcome.answered, 0, 0),
    ("requested_handoff", Outcome.handed_off, 0, 0),
    ("recovered", Outcome.answered, 1, 1),
    ("twice_unclear_handoff", Outcome.handed_off, 2, 0),
    ("unclear_to_the_end", Outcome.not_understood, 1, 0),
    ("default_fallback", Outcome.not_understood, 1, 0),
])
def test_each_conversation_ends_as_its_events_say(name, outcome, unclear, recoveries):
    state = replay(EVENTS[name])
    assert (state.outcome, state.total_unclear, state.total_recoveries) == (outcome, unclear, recoveries)


def test_a_session_without_a_message_is_not_an_outcome_and_a_later_reading_of_a_turn_wins():
    opening = [e for e in EVENTS["answered"] if e["event"] != "user"][:3]
    assert replay(opening).outcome is Outcome.silent
    # An answer too unsure to give: action_answer runs, then sets low_confidence_turns to 1.
    answered, slot = EVENTS["answered"], next(e for e in EVENTS["recovered"] if e["event"] == "slot")
    assert [e["event"] for e in answered[3:7]] == ["user", "action", "action", "bot"]
    answer_then_unclear = [*answered[:7], slot, answered[7]]
    assert replay(answer_then_unclear).outcome is Outcome.not_understood


def _bodies(name: str) -> list[bytes]:
    return [json.dumps(e).encode() for e in EVENTS[name]]


def _rows(engine) -> list[ConversationOutcome]:
    with Session(engine) as session:
        rows = session.exec(select(ConversationOutcome).order_by(ConversationOutcome.id)).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def test_ingested_events_make_one_row_per_conversation_and_a_redelivery_changes_nothing(engine):
    with Session(engine) as session:
        for name in EVENTS:
            for body in _bodies(name):
                ingest(session, body=body, now=NOW)
        session.commit()
    with Session(engine) as session:  # the first conversation delivered again after a lost acknowledgement
        assert all(ingest(session, body=body, now=NOW) is None for body in _bodies("recovered"))
        session.commit()
    rows = _rows(engine)
    assert [(r.sender_id, r.outcome) for r in rows] == [
        ("telegram:600", Outcome.answered), ("telegram:601", Outcome.handed_off), ("telegram:602", Outcome.answered),
        ("telegram:603", Outcome.handed_off), ("telegram:604", Outcome.not_understood),
        ("telegram:605", Outcome.not_understood)]
    recovered = rows[2]
    assert (recovered.user_turns, recovered.unclear_turns, recovered.recoveries) == (2, 1, 1)
    assert rows[3].unclear_turns == 2 and rows[4].unclear_turns == 1
    assert recovered.started_at == datetime(2026, 12, 1, 2, 2, tzinfo=UTC)  # 10:02 in Qingdao


def test_a_new_session_of_the_same_sender_is_a_new_conversation(engine):
    again = [{**e, "timestamp": e["timestamp"] + 86400} for e in EVENTS["unclear_to_the_end"]]
    again = [{**e, "sender_id": "telegram:600"} for e in again]
    with Session(engine) as session:
        for body in _bodies("answered") + [json.dumps(e).encode() for e in again]:
            ingest(session, body=body, now=NOW)
        session.commit()
    assert [(r.sender_id, r.outcome) for r in _rows(engine)] == [("telegram:600", Outcome.answered),
                                                                 ("telegram:600", Outcome.not_understood)]


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"event": "user"}', "{\"event\": \"user\", \"sender_id\": \"\"}".encode()])
def test_a_message_that_is_not_a_rasa_event_is_refused_and_nothing_is_written(engine, body):
    with Session(engine) as session:
        with pytest.raises(InvalidEvent):
            ingest(session, body=body, now=NOW)
        session.commit()
    assert _rows(engine) == []


def test_old_receipts_are_forgotten_and_recent_ones_kept(engine):
    from datetime import timedelta

    from bot.outcomes.ingest import prune_receipts
    from bot.outcomes.models import ConversationEventReceipt

    bodies = _bodies("answered")
    with Session(engine) as session:
        for n, body in enumerate(bodies):
            ingest(session, body=body, now=NOW - timedelta(days=40 if n < 3 else 1))
        session.commit()
        assert prune_receipts(session, before=NOW - timedelta(days=30)) == 3
        session.commit()
        assert len(session.exec(select(ConversationEventReceipt)).all()) == len(bodies) - 3
