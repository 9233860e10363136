"""Investigation reports (Art. 28): the verdict is the complaint's finding, with everything a finding
does; the report is filed once, only for a complaint the bank has answered, within the district; the
city approves it or returns it, and a returned report is completed without changing its verdict."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from bot.forwarding.models import Delivery
from bot.investigations import (
    InvestigationRefused,
    InvestigationReport,
    ReportDraft,
    ReportInvalid,
    ReviewState,
    Verdict,
    amend_report,
    file_report,
    parse_report,
    report_for_ticket,
    review_list,
    review_report,
)
from bot.ledger.models import CaseKind, Ticket, TicketEvent, TicketState, Verification
from bot.reactions import ledger_reactions
from bot.supervision import TicketNotVisible
from tests.supervision.conftest import CCB, LICANG, NOW, SHINAN, TODAY

FOUND_TRUE = ReportDraft(investigated_on=(TODAY - timedelta(days=1)).isoformat(), investigators="张明、李华",
                         facts="经现场核查，该网点为市民补卡时收取工本费20元，属实。", verdict="found_true",
                         responsibility="柜员王某违规收费，网点负责人负管理责任。",
                         outlet_handling="责令网点退还费用并通报批评。", staff_handling="对柜员王某批评教育。")
NOT_TRUE = ReportDraft(investigated_on=TODAY.isoformat(), investigators="张明，李华", verdict="not_true",
                       facts="调阅监控和收费记录，网点未收取任何费用。")


def _parse(draft: ReportDraft, **kw):
    return parse_report(draft, received_on=TODAY - timedelta(days=30), today=TODAY, **kw)


def _file(engine, knowledge, number: str, draft: ReportDraft = FOUND_TRUE, *, scope: str | None = LICANG,
          by: str = "licang1") -> None:
    with Session(engine) as session:
        file_report(session, number=number, data=_parse(draft), by=by, scope=scope, knowledge=knowledge,
                    now=NOW, reactions=ledger_reactions())
        session.commit()


def _answered(seed, **kw) -> str:
    return seed.ticket(state=TicketState.result_reported, result="已退还工本费", **kw)


def _report(engine) -> InvestigationReport | None:
    with Session(engine) as session:
        return session.exec(select(InvestigationReport)).first()


# --------------------------------------------------------------------------- what the form typed


def test_every_missing_field_is_named_at_once():
    with pytest.raises(ReportInvalid) as caught:
        _parse(ReportDraft(verdict="found_true"))
    assert set(caught.value.problems) == {"investigated_on", "investigators", "facts", "responsibility",
                                          "outlet_handling"}


def test_a_found_true_report_must_propose_the_handling_but_a_not_true_one_need_not():
    with pytest.raises(ReportInvalid) as caught:
        _parse(FOUND_TRUE.__class__(**{**FOUND_TRUE.__dict__, "outlet_handling": "  "}))
    assert list(caught.value.problems) == ["outlet_handling"]
    report = _parse(NOT_TRUE)
    assert report.verdict is Verdict.not_true and report.responsibility is None and report.outlet_handling is None


@pytest.mark.parametrize("typed, code", [
    ((TODAY + timedelta(days=1)).isoformat(), "investigation_date_future"),
    ((TODAY - timedelta(days=31)).isoformat(), "investigation_date_before_case"),
    ("2026-13-01", "investigation_date_invalid"),
    ("昨天", "investigation_date_invalid"),
])
def test_the_check_day_is_neither_in_the_future_nor_before_the_complaint(typed, code, knowledge):
    with pytest.raises(ReportInvalid) as caught:
        _parse(ReportDraft(**{**NOT_TRUE.__dict__, "investigated_on": typed}))
    assert caught.value.problems["investigated_on"].code == code
    assert knowledge.messages.explain(caught.value.problems["investigated_on"])


def test_investigators_are_read_as_people_separate_names():
    report = _parse(ReportDraft(**{**NOT_TRUE.__dict__, "investigators": " 张明、李华；王强, 张明 "}))
    assert report.investigators == ["张明", "李华", "王强"]
    with pytest.raises(ReportInvalid) as caught:
        _parse(ReportDraft(**{**NOT_TRUE.__dict__, "investigators": "、".join(f"人员{i}" for i in range(11))}))
    assert caught.value.problems["investigators"].code == "investigation_investigators_too_long"


def test_an_unknown_verdict_is_refused():
    with pytest.raises(ReportInvalid) as caught:
        _parse(ReportDraft(**{**NOT_TRUE.__dict__, "verdict": "maybe"}))
    assert list(caught.value.problems) == ["verdict"]


# --------------------------------------------------------------------------- filing


def test_filing_records_the_verdict_as_the_finding_and_tells_the_bank(engine, knowledge, seed):
    number = _answered(seed)
    _file(engine, knowledge, number)
    case, ticket = seed.case_of(number), seed.get(number)
    assert case.verification is Verification.found_true and case.verified_by == "licang1"
    assert ticket.state is TicketState.verified
    report = _report(engine)
    assert report is not None and report.review is ReviewState.submitted and report.district == LICANG
    assert report.investigators == ["张明", "李华"] and report.filed_at == NOW
    with Session(engine) as session:
        events = [e.type for e in session.exec(select(TicketEvent).join(Ticket).where(Ticket.number == number)
                                               .order_by(TicketEvent.id))]
        deliveries = [d.event for d in session.exec(select(Delivery).join(Ticket).where(Ticket.number == number))]
    assert events[-2:] == ["verified", "investigation_filed"]
    assert deliveries == ["ticket.updated"]


def test_a_report_before_the_banks_answer_leaves_nothing_behind(engine, knowledge, seed):
    number = seed.ticket(state=TicketState.acknowledged)
    with Session(engine) as session:
        with pytest.raises(InvestigationRefused) as caught:
            file_report(session, number=number, data=_parse(FOUND_TRUE), by="licang1", scope=LICANG,
                        knowledge=knowledge, now=NOW, reactions=ledger_reactions())
        session.rollback()
    assert caught.value.code == "verification_before_result"
    assert _report(engine) is None and seed.case_of(number).verification is Verification.received


def test_one_report_per_complaint(engine, knowledge, seed):
    first = _answered(seed)
    escalated = _answered(seed, case_id=seed.case_of(first).id, parent=first)
    _file(engine, knowledge, first, NOT_TRUE)
    with Session(engine) as session, pytest.raises(InvestigationRefused) as caught:
        file_report(session, number=escalated, data=_parse(FOUND_TRUE), by="licang1", scope=LICANG,
                    knowledge=knowledge, now=NOW, reactions=ledger_reactions())
    assert caught.value.code == "investigation_already_filed" and caught.value.params["number"] == first
    assert seed.case_of(first).verification is Verification.not_true


def test_praise_has_no_report(engine, knowledge, seed):
    number = _answered(seed, intent="praise", case_kind=CaseKind.praise)
    with Session(engine) as session, pytest.raises(InvestigationRefused) as caught:
        file_report(session, number=number, data=_parse(NOT_TRUE), by="licang1", scope=LICANG,
                    knowledge=knowledge, now=NOW, reactions=ledger_reactions())
    assert caught.value.code == "investigation_not_complaint"


def test_a_district_cannot_report_on_another_districts_complaint(engine, knowledge, seed):
    theirs = _answered(seed, district=SHINAN)
    with Session(engine) as session, pytest.raises(TicketNotVisible):
        file_report(session, number=theirs, data=_parse(FOUND_TRUE), by="licang1", scope=LICANG,
                    knowledge=knowledge, now=NOW, reactions=ledger_reactions())
    assert _report(engine) is None and seed.case_of(theirs).verification is Verification.received


def test_a_report_the_city_files_itself_needs_no_second_review(engine, knowledge, seed):
    number = _answered(seed, district=None)
    _file(engine, knowledge, number, NOT_TRUE, scope=None, by="city1")
    report = _report(engine)
    assert report.review is ReviewState.approved and report.reviewed_by == "city1"


# --------------------------------------------------------------------------- review and completion


def test_returned_then_completed_then_approved(engine, knowledge, seed):
    number = _answered(seed)
    _file(engine, knowledge, number)
    with Session(engine) as session:
        with pytest.raises(InvestigationRefused) as caught:
            review_report(session, number=number, approve=False, comment="  ", by="city1", now=NOW)
        assert caught.value.code == "investigation_return_reason_missing"
        review_report(session, number=number, approve=False, comment="请补充监控调阅情况。", by="city1", now=NOW)
        session.commit()
    with Session(engine) as session, pytest.raises(InvestigationRefused) as caught:
        review_report(session, number=number, approve=True, comment="", by="city1", now=NOW)
    assert caught.value.code == "investigation_not_awaiting_review"

    completed = ReportDraft(**{**FOUND_TRUE.__dict__, "facts": FOUND_TRUE.facts + "已调阅当日监控，收费过程清楚。"})
    with Session(engine) as session:
        with pytest.raises(InvestigationRefused) as caught:
            amend_report(session, number=number, data=_parse(ReportDraft(**{**completed.__dict__,
                                                                              **NOT_TRUE.__dict__})),
                         by="licang1", scope=LICANG, now=NOW + timedelta(hours=1))
        assert caught.value.code == "investigation_verdict_fixed"
        amend_report(session, number=number, data=_parse(completed, verdict=Verdict.found_true), by="licang1",
                     scope=LICANG, now=NOW + timedelta(hours=1))
        session.commit()
    report = _report(engine)
    assert report.review is ReviewState.submitted and report.revision == 2 and "监控" in report.facts
    with Session(engine) as session:
        review_report(session, number=number, approve=True, comment="", by="city1", now=NOW + timedelta(hours=2))
        session.commit()
        events = [(e.type, e.detail.get("comment")) for e in session.exec(
            select(TicketEvent).join(Ticket).where(Ticket.number == number).order_by(TicketEvent.id))]
    assert events[-4:] == [("investigation_filed", None), ("investigation_returned", "请补充监控调阅情况。"),
                           ("investigation_amended", None), ("investigation_approved", None)]
    assert _report(engine).review is ReviewState.approved
    assert seed.case_of(number).verification is Verification.found_true  # the verdict never moved


def test_a_report_not_returned_cannot_be_changed(engine, knowledge, seed):
    number = _answered(seed)
    _file(engine, knowledge, number)
    with Session(engine) as session, pytest.raises(InvestigationRefused) as caught:
        amend_report(session, number=number, data=_parse(FOUND_TRUE), by="licang1", scope=LICANG, now=NOW)
    assert caught.value.code == "investigation_not_returned"


def test_the_review_list_and_the_printed_report_stay_within_the_district(engine, knowledge, seed):
    mine, theirs = _answered(seed), _answered(seed, district=SHINAN)
    _file(engine, knowledge, mine)
    _file(engine, knowledge, theirs, NOT_TRUE, scope=SHINAN, by="shinan1")
    with Session(engine) as session:
        city = review_list(session, scope=None, review=ReviewState.submitted)
        licang = review_list(session, scope=LICANG)
        assert sorted(i.ticket_number for i in city) == sorted([mine, theirs])
        assert [i.ticket_number for i in licang] == [mine]
        printed = report_for_ticket(session, number=mine, scope=LICANG)
        assert printed.bank == CCB and printed.verdict is Verdict.found_true and printed.ticket_number == mine
        assert printed.investigated_on == date.fromisoformat(FOUND_TRUE.investigated_on)
        with pytest.raises(TicketNotVisible):
            report_for_ticket(session, number=theirs, scope=LICANG)
