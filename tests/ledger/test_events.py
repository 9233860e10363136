"""The ledger announces each change to the reactions it is given, in the caller's transaction.

These tests give the ledger a recorder instead of the product's reactions: what is announced, in
which order and with which instants is the ledger's own contract; that a reaction failing undoes
the change is what keeps a ticket from existing without its delivery to the bank.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import func, select

from bot.db import new_session
from bot.ledger.cases import record_case, verify_case
from bot.ledger.escalation import escalate_overdue
from bot.ledger.events import (
    BankCountsChanged,
    Reactions,
    ResultReported,
    TicketEscalated,
    TicketOpened,
    TicketVerified,
)
from bot.ledger.models import Case, CaseCreate, Ticket, TicketKind
from bot.ledger.tickets import report
from bot.workdays import WorkdayCalendar

SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=SH)
KINDS = (TicketOpened, TicketEscalated, ResultReported, TicketVerified, BankCountsChanged)


class Recorder:
    """Reactions that only remember what they were told."""

    def __init__(self) -> None:
        self.events: list[object] = []
        self.reactions = Reactions({kind: [self._keep] for kind in KINDS})

    def _keep(self, session, event, knowledge) -> None:
        self.events.append(event)


def complaint(**overrides) -> CaseCreate:
    data = dict(kind="complaint", intent="complaint/fees", bank="建行", outlet="李村支行", district="李沧",
                channel="telegram", citizen_ref="telegram:4242", description="补卡收了20元工本费",
                contact_phone="13812345678", consent_to_contact=False)
    return CaseCreate(**{**data, **overrides})


def test_a_new_complaint_announces_its_ticket_then_the_banks_counts(engine, knowledge):
    recorder = Recorder()
    with new_session(engine) as session:
        case, ticket = record_case(session, data=complaint(), knowledge=knowledge, calendar=WorkdayCalendar(),
                                   now=MONDAY, reactions=recorder.reactions)
        session.commit()
    assert recorder.events == [TicketOpened(ticket=ticket, case=case, at=MONDAY),
                               BankCountsChanged(bank="中国建设银行", period_at=MONDAY, at=MONDAY)]


def test_praise_without_a_bank_announces_nothing(engine, knowledge):
    recorder = Recorder()
    with new_session(engine) as session:
        record_case(session, data=complaint(kind="praise", intent="praise", bank=None, outlet=None),
                    knowledge=knowledge, calendar=WorkdayCalendar(), now=MONDAY, reactions=recorder.reactions)
    assert recorder.events == []


def test_a_finding_counts_in_the_month_the_case_was_received(engine, knowledge):
    """Art. 50: verified in December, a November complaint still counts toward November."""
    recorder = Recorder()
    verified = datetime(2026, 12, 3, 15, 0, tzinfo=SH)
    with new_session(engine) as session:
        case, ticket = record_case(session, data=complaint(), knowledge=knowledge, calendar=WorkdayCalendar(),
                                   now=MONDAY, reactions=Reactions())
        report(session, ticket, process="已核实", result="已退还", actor="bank", now=MONDAY, knowledge=knowledge,
               reactions=recorder.reactions)
        verify_case(session, case_id=case.id, found_true=True, by="李沧区经办机构", knowledge=knowledge, now=verified,
                    reactions=recorder.reactions)
        session.commit()
    assert [type(e) for e in recorder.events] == [ResultReported, TicketVerified, BankCountsChanged]
    assert recorder.events[0].result == "已退还" and recorder.events[0].at == MONDAY
    assert recorder.events[1].found_true and recorder.events[1].ticket.id == ticket.id
    assert recorder.events[2] == BankCountsChanged(bank="中国建设银行", period_at=MONDAY, at=verified)


def test_escalation_announces_the_supervision_ticket_at_the_scan(engine, knowledge):
    recorder = Recorder()
    scan = datetime(2026, 12, 1, 9, 0, tzinfo=SH)  # the ticket was due 2026-11-30
    with new_session(engine) as session:
        _, ticket = record_case(session, data=complaint(), knowledge=knowledge, calendar=WorkdayCalendar(),
                                now=MONDAY, reactions=Reactions())
        [supervision] = escalate_overdue(session, knowledge=knowledge, calendar=WorkdayCalendar(), now=scan,
                                         reactions=recorder.reactions)
        session.commit()
    escalated, counts = recorder.events
    assert isinstance(escalated, TicketEscalated) and escalated.at == scan
    assert escalated.ticket.id == ticket.id and escalated.supervision is supervision
    assert supervision.kind is TicketKind.supervision
    assert counts == BankCountsChanged(bank="中国建设银行", period_at=scan, at=scan)


def test_a_reaction_that_fails_undoes_the_change(engine, knowledge):
    """No ticket without its delivery: the reaction's error reaches the caller and nothing is kept."""

    def refuse(session, event, knowledge) -> None:
        raise RuntimeError("outbox unavailable")

    with new_session(engine) as session:
        with pytest.raises(RuntimeError):
            record_case(session, data=complaint(), knowledge=knowledge, calendar=WorkdayCalendar(), now=MONDAY,
                        reactions=Reactions({TicketOpened: [refuse]}))
        session.rollback()
    with new_session(engine) as session:
        assert session.exec(select(func.count()).select_from(Case)).one() == 0
        assert session.exec(select(func.count()).select_from(Ticket)).one() == 0


def test_reactions_run_in_the_order_given():
    seen: list[str] = []
    reactions = Reactions({BankCountsChanged: [lambda s, e, k: seen.append("first"),
                                               lambda s, e, k: seen.append("second")]})
    reactions.publish(None, BankCountsChanged(bank="b", period_at=MONDAY, at=MONDAY), knowledge=None)
    reactions.publish(None, TicketOpened(ticket=None, case=None, at=MONDAY), knowledge=None)
    assert seen == ["first", "second"]
