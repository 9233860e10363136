"""Fixtures of the board's tests: transfer tickets with known opening, signing and result times, taken
through the real ledger (tests/satisfaction's helpers) on the official calendar."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import Session

from bot.ledger.tickets import acknowledge, get_ticket
from bot.reactions import ledger_reactions
from bot.satisfaction import answer_by_citizen
from tests.satisfaction.conftest import CCB, ICBC, LICANG, SHINAN, Ledger, calendar, sh  # noqa: F401 - fixtures
from tests.web.api.support import _drop_private_postgres, db_url  # noqa: F401 - fixtures

# Thursday 2026-12-31, 10:00 in Qingdao: the instant the December board is read at.
AS_OF = sh(2026, 12, 31)


class Board(Ledger):
    def acknowledge(self, number: str, at: datetime) -> None:
        with Session(self.engine) as session:
            acknowledge(session, get_ticket(session, number), actor="bank", now=at)
            session.commit()

    def answer(self, number: str, ref: str, answer: str, at: datetime) -> None:
        callback = self.callbacks(number)[-1]
        with Session(self.engine) as session:
            answer_by_citizen(session, token=callback.token, citizen_ref=ref, answer=answer, knowledge=self.knowledge,
                              calendar=self.calendar, now=at, reactions=ledger_reactions())
            session.commit()


@pytest.fixture
def seeded(engine, knowledge, calendar) -> dict[str, str]:
    """Six transfer tickets (1 working day to sign, 5 to report; December 2026 has no holidays):

    t1 CCB 李沧 opened Tue 12-01, signed 12-02 (limit 12-02), result 12-04 (due 12-08): both in time;
    t2 CCB 李沧 opened 12-01, signed 12-03, result 12-09: both late;
    t3 CCB 市南 opened Fri 12-04, signed Mon 12-07 (limit 12-07), no result by 12-31 (due 12-11): late;
    t4 ICBC 市南 opened 12-30, not signed, no result: neither limit has passed on 12-31, not counted;
    t5 ICBC 李沧 opened Mon 11-30, never signed (limit 12-01), no result (due 12-07): November's;
    t6 CCB 李沧 opened 12-01, signed the same day, result 12-07, found true 12-08, 不满意 12-09 and so
       reopened, not yet reported again: its first handling was in time.
    """
    b = Board(engine, knowledge, calendar)
    t = {}
    t["t1"] = b.complaint(citizen_ref="telegram:1", at=sh(2026, 12, 1))
    b.acknowledge(t["t1"], sh(2026, 12, 2, 16))
    b.report(t["t1"], at=sh(2026, 12, 4))
    t["t2"] = b.complaint(citizen_ref="telegram:2", at=sh(2026, 12, 1, 9))
    b.acknowledge(t["t2"], sh(2026, 12, 3, 9))
    b.report(t["t2"], at=sh(2026, 12, 9))
    t["t3"] = b.complaint(citizen_ref="telegram:3", district=SHINAN, outlet="香港中路支行", at=sh(2026, 12, 4, 17))
    b.acknowledge(t["t3"], sh(2026, 12, 7, 23, 50))
    t["t4"] = b.complaint(citizen_ref="telegram:4", bank=ICBC, district=SHINAN, outlet="香港中路支行",
                          at=sh(2026, 12, 30))
    t["t5"] = b.complaint(citizen_ref="telegram:5", bank=ICBC, at=sh(2026, 11, 30))
    t["t6"] = b.complaint(citizen_ref="telegram:6", at=sh(2026, 12, 1, 11))
    b.acknowledge(t["t6"], sh(2026, 12, 1, 15))
    b.report(t["t6"], at=sh(2026, 12, 7))
    b.verify(t["t6"], at=sh(2026, 12, 8))
    b.answer(t["t6"], "telegram:6", "dissatisfied", sh(2026, 12, 9))
    assert b.ticket(t["t6"]).result_reported_at is None  # reopened: the bank handles it again
    return t
