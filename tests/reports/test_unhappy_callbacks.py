"""The annual assessment's satisfaction measure lists each bank's first unhappy answers of the year (by
when they were given, CASES_SHOWN at most) and counts the rest; another bank's and another year's
answers are not among them."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from bot.ledger.models import Case, CaseKind, Ticket, TicketKind, TicketState, Verification
from bot.reports import year_report
from bot.reports.computed import CASES_SHOWN
from bot.satisfaction.models import Answer, CallbackState, SatisfactionCallback, Via
from tests.reports.assessment_seed import AFTER_YEAR, CCB, ICBC, sh


def _answered(session, bank: str, number: str, answer: str, at) -> None:
    c = Case(kind=CaseKind.complaint, intent="complaint/fees", bank=bank, outlet="李村支行", district="李沧区",
             channel="hotline_12333", description="窗口态度", received_at=at - timedelta(days=9),
             verification=Verification.found_true, consent_to_contact=True, citizen_ref="telegram:1")
    session.add(c)
    session.flush()
    t = Ticket(kind=TicketKind.transfer, bank=bank, outlet="李村支行", due_date=(at - timedelta(days=2)).date(),
               number=number, case_id=c.id, state=TicketState.closed, created_at=at - timedelta(days=9),
               closed_at=at - timedelta(days=3))
    session.add(t)
    session.flush()
    session.add(SatisfactionCallback(ticket_id=t.id, via=Via.phone, token=f"tok-{number}", state=CallbackState.answered,
                                     created_at=at - timedelta(days=1), answer=Answer(answer), answered_at=at,
                                     recorded_by="op1"))


def test_each_bank_lists_its_first_unhappy_answers(engine, knowledge, calendar):
    unhappy = CASES_SHOWN + 3
    with Session(engine) as session:
        # Seeded newest first, so the order listed is the answers' and not the rows'.
        for n in reversed(range(unhappy)):
            _answered(session, CCB, f"ZB-CCB-{n:02d}", "dissatisfied", sh(2026, 2, 1) + timedelta(days=10 * n))
        _answered(session, CCB, "ZB-CCB-OK", "satisfied", sh(2026, 1, 5))
        _answered(session, CCB, "ZB-CCB-2025", "dissatisfied", sh(2025, 12, 20))
        _answered(session, ICBC, "ZB-ICBC-00", "dissatisfied", sh(2026, 1, 2))
        session.commit()
        report = year_report(session, year=2026, knowledge=knowledge, calendar=calendar, now=AFTER_YEAR)

    def measure(bank):
        return next(m for item in report.assessment_of(bank).items for m in item.measures if m.code == "satisfaction")

    ccb = measure(CCB)
    assert (ccb.good, ccb.total) == (1, unhappy + 1)
    assert [c.ref for c in ccb.cases] == [f"ZB-CCB-{n:02d}" for n in range(CASES_SHOWN)]
    assert ccb.more_cases == 3 and not any(c.counted for c in ccb.cases)
    assert [c.ref for c in measure(ICBC).cases] == ["ZB-ICBC-00"]
