"""查实 / 不实 from a ticket: only after the bank's result report, once, within the supervisor's
district; the ledger's own verification then moves the ticket, tells the bank and the citizen and
counts toward the thresholds."""

from __future__ import annotations

import itertools

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.forwarding.models import Delivery
from bot.ledger.cases import record_case
from bot.ledger.models import Case, CaseCreate, CaseKind, Ticket, TicketKind, TicketState, Verification
from bot.ledger.tickets import get_ticket, report
from bot.notifications.models import CitizenMessage
from bot.reactions import ledger_reactions
from bot.supervision import TicketNotVisible, VerificationRefused, verify_ticket_case
from bot.thresholds.models import ThresholdFiring
from tests.supervision.conftest import CCB, LICANG, NOW, SHINAN
from tests.matters import fee_complaint

_matters = itertools.count()


def _complaint(engine, knowledge, calendar, *, district=LICANG, intent="complaint/fees", at=NOW,
               citizen_ref=None) -> str:
    with Session(engine) as session:
        _, ticket = record_case(session, reactions=ledger_reactions(), data=CaseCreate(
            kind=CaseKind.complaint, intent=intent, bank=CCB, outlet="李村支行", district=district,
            channel="hotline_12333", description=fee_complaint(next(_matters)), citizen_ref=citizen_ref or f"telegram:{next(_matters)}"),
            knowledge=knowledge, calendar=calendar, now=at)
        session.commit()
        return ticket.number


def _report(engine, knowledge, number: str, *, at=NOW) -> None:
    with Session(engine) as session:
        ticket = get_ticket(session, number)
        report(session, ticket, reactions=ledger_reactions(),
               process="已核实情况", result="已退还工本费并批评教育", actor=CCB, now=at, knowledge=knowledge)
        session.add(ticket)
        session.commit()


def _verify(engine, knowledge, number, *, found_true=True, scope=None):
    with Session(engine, expire_on_commit=False) as session:
        case = verify_ticket_case(session, number=number, found_true=found_true, by="city1", scope=scope,
                                  reactions=ledger_reactions(),
                                  knowledge=knowledge, now=NOW + timedelta(days=3))
        session.commit()
        return case


def _state(engine, number):
    with Session(engine) as session:
        ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
        case = session.get(Case, ticket.case_id)
        return ticket.state, case.verification


def test_refused_before_the_bank_reports_and_nothing_changes(engine, knowledge, calendar):
    number = _complaint(engine, knowledge, calendar)
    with Session(engine) as session:
        deliveries = len(session.exec(select(Delivery)).all())
    with pytest.raises(VerificationRefused) as caught:
        _verify(engine, knowledge, number)
    assert "尚未反馈" in knowledge.messages.explain(caught.value) and "处理结果" in knowledge.messages.explain(caught.value)
    assert _state(engine, number) == (TicketState.created, Verification.received)
    with Session(engine) as session:
        assert len(session.exec(select(Delivery)).all()) == deliveries  # the bank was told nothing


def test_found_true_after_the_report_moves_the_ticket_and_tells_bank_and_citizen(engine, knowledge, calendar):
    number = _complaint(engine, knowledge, calendar, citizen_ref="telegram:77")
    _report(engine, knowledge, number)
    case = _verify(engine, knowledge, number, found_true=True)
    assert case.verification is Verification.found_true and case.verified_by == "city1"
    assert _state(engine, number) == (TicketState.verified, Verification.found_true)
    with Session(engine) as session:
        events = [d.event for d in session.exec(select(Delivery).order_by(Delivery.created_at))]
        notices = session.exec(select(CitizenMessage).where(CitizenMessage.citizen_ref == "telegram:77")).all()
    assert events[-1] == "ticket.updated"
    assert any("查实" in n.text for n in notices)


def test_a_second_finding_is_refused(engine, knowledge, calendar):
    number = _complaint(engine, knowledge, calendar)
    _report(engine, knowledge, number)
    _verify(engine, knowledge, number, found_true=False)
    with pytest.raises(VerificationRefused) as caught:
        _verify(engine, knowledge, number, found_true=True)
    assert "不能重复核查" in knowledge.messages.explain(caught.value) and "不实" in knowledge.messages.explain(caught.value)
    assert _state(engine, number)[1] is Verification.not_true


def test_another_districts_ticket_cannot_be_verified(engine, knowledge, calendar):
    number = _complaint(engine, knowledge, calendar, district=SHINAN)
    _report(engine, knowledge, number)
    with pytest.raises(TicketNotVisible):
        _verify(engine, knowledge, number, scope=LICANG)
    assert _state(engine, number)[1] is Verification.received
    assert _verify(engine, knowledge, number, scope=SHINAN).verification is Verification.found_true


def test_findings_count_toward_the_thresholds(engine, knowledge, calendar):
    # Art. 45: three found-true complaints of one type about one bank in a month → interview.
    numbers = [_complaint(engine, knowledge, calendar, at=NOW + timedelta(minutes=i)) for i in range(3)]
    for number in numbers:
        _report(engine, knowledge, number)
    for number in numbers[:2]:
        _verify(engine, knowledge, number)
    with Session(engine) as session:
        official = session.exec(select(ThresholdFiring).where(ThresholdFiring.level == "official",
                                                              ThresholdFiring.rule_id == "bank_same_type_complaints")).all()
    assert official == []
    _verify(engine, knowledge, numbers[2])
    with Session(engine) as session:
        official = session.exec(select(ThresholdFiring).where(ThresholdFiring.level == "official",
                                                              ThresholdFiring.rule_id == "bank_same_type_complaints")).all()
    assert len(official) == 1 and official[0].count == 3 and official[0].subject == f"{CCB} complaint/fees"


def test_the_supervision_ticket_of_an_escalated_case_can_carry_the_report(engine, seed, knowledge):
    transfer = seed.ticket(due=NOW.date() - timedelta(days=3), state=TicketState.acknowledged)
    case = seed.case_of(transfer)
    seed.ticket(kind=TicketKind.supervision, case_id=case.id, parent=transfer,
                              state=TicketState.result_reported, result="已整改")
    verified = _verify(engine, knowledge, transfer)  # verified from the transfer ticket's page
    assert verified.verification is Verification.found_true
