"""The assistant's figures of a month: shares of the conversations that started in it, counted by
outcome; a session without a message is not counted; a month without conversations has no share."""

from __future__ import annotations

import json

from sqlmodel import Session

from bot.outcomes import AssistantFigures, Outcome, assistant_figures, ingest
from bot.reports.periods import parse_month
from tests.outcomes.test_ingest import EVENTS, NOW


def test_the_months_shares(engine):
    november = [{**e, "sender_id": "telegram:700", "timestamp": e["timestamp"] - 86400 * 2}
                for e in EVENTS["answered"]]  # 2026-11-29
    silent = [{**e, "sender_id": "telegram:701"} for e in EVENTS["answered"] if e["event"] != "user"][:3]
    with Session(engine) as session:
        for event in [e for name in EVENTS for e in EVENTS[name]] + november + silent:
            ingest(session, body=json.dumps(event).encode(), now=NOW)
        session.commit()
        december = assistant_figures(session, period=parse_month("2026-12"))
        assert december == AssistantFigures(answered=2, handed_off=2, not_understood=2)
        assert december.share(Outcome.handed_off) == 2 / 6
        assert assistant_figures(session, period=parse_month("2026-11")) == AssistantFigures(answered=1)
        empty = assistant_figures(session, period=parse_month("2026-10"))
        assert empty.conversations == 0 and empty.share(Outcome.answered) is None
