"""The ticket list and a ticket's page, on SQLite and PostgreSQL: filters, district isolation,
pagination, masking."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from bot.ledger.models import TicketKind, TicketState
from bot.supervision import TicketFilters, TicketNotVisible, iter_tickets, search_tickets, ticket_detail
from tests.supervision.conftest import BOC, CCB, ICBC, ID_NUMBER, LICANG, NOW, PHONE, SHINAN, TODAY, sh


def _search(engine, knowledge, calendar, scope=None, today=TODAY, page_size=50, **filters):
    with Session(engine) as session:
        return search_tickets(session, filters=TicketFilters(**filters), scope=scope, today=today,
                              calendar=calendar, knowledge=knowledge, page_size=page_size)


def _numbers(page) -> set[str]:
    return {r.number for r in page.rows}


def test_filters_by_bank_outlet_state_kind_and_number(engine, seed, knowledge, calendar):
    a = seed.ticket(bank=CCB, outlet="李村支行")
    b = seed.ticket(bank=ICBC, outlet="李沧支行")
    c = seed.ticket(bank=CCB, outlet="东海路支行", district=SHINAN, state=TicketState.extended)
    d = seed.ticket(bank=BOC, kind=TicketKind.supervision, number="DB-20261126-0042")

    page = _search(engine, knowledge, calendar, bank=CCB)
    assert _numbers(page) == {a, c} and page.total == 2
    assert _numbers(_search(engine, knowledge, calendar, outlet="李沧")) == {b}
    assert _numbers(_search(engine, knowledge, calendar, state=TicketState.extended)) == {c}
    assert _numbers(_search(engine, knowledge, calendar, kind=TicketKind.supervision)) == {d}
    assert _numbers(_search(engine, knowledge, calendar, number="1126-00")) == {d}
    assert _numbers(_search(engine, knowledge, calendar, district=SHINAN)) == {c}
    assert _search(engine, knowledge, calendar, bank=CCB, district=SHINAN, state=TicketState.created).total == 0


def test_a_percent_sign_in_the_outlet_filter_is_text(engine, seed, knowledge, calendar):
    seed.ticket(outlet="李村支行")
    assert _search(engine, knowledge, calendar, outlet="%").total == 0


def test_overdue_means_open_and_past_due(engine, seed, knowledge, calendar):
    late = seed.ticket(due=TODAY - timedelta(days=3))
    late_extended = seed.ticket(due=TODAY - timedelta(days=1), state=TicketState.extended)
    seed.ticket(due=TODAY - timedelta(days=3), state=TicketState.result_reported, result="已退还工本费")
    seed.ticket(due=TODAY)  # due today is not late yet
    page = _search(engine, knowledge, calendar, overdue=True, sort="due")
    assert [r.number for r in page.rows] == [late, late_extended]
    assert [r.days_overdue for r in page.rows] == [3, 1]


def test_due_within_counts_working_days_on_the_official_calendar(engine, seed, knowledge, calendar):
    # Friday 2026-11-27: one working day ahead is Monday 2026-11-30.
    friday = seed.ticket(due=date(2026, 11, 27))
    monday = seed.ticket(due=date(2026, 11, 30))
    tuesday = seed.ticket(due=date(2026, 12, 1))
    seed.ticket(due=date(2026, 11, 30), state=TicketState.result_reported, result="已处理")
    assert _numbers(_search(engine, knowledge, calendar, due_within=0)) == {friday}
    assert _numbers(_search(engine, knowledge, calendar, due_within=1)) == {friday, monday}
    assert _numbers(_search(engine, knowledge, calendar, due_within=2)) == {friday, monday, tuesday}


def test_due_within_skips_the_national_day_holidays(engine, seed, knowledge, calendar):
    # Wednesday 2026-09-30: 1–7 October are holidays, so the next working day is Thursday 8 October.
    before = seed.ticket(due=date(2026, 10, 8))
    after = seed.ticket(due=date(2026, 10, 9))
    page = _search(engine, knowledge, calendar, today=date(2026, 9, 30), due_within=1)
    assert _numbers(page) == {before}
    assert after not in _numbers(page)


def test_a_district_supervisor_sees_only_their_district(engine, seed, knowledge, calendar):
    mine = seed.ticket(district=LICANG)
    theirs = seed.ticket(district=SHINAN, due=TODAY - timedelta(days=2))
    seed.ticket(district=None)  # a case with no district belongs to no district's view
    page = _search(engine, knowledge, calendar, scope=LICANG)
    assert _numbers(page) == {mine} and page.total == 1
    assert _search(engine, knowledge, calendar, scope=LICANG, overdue=True).total == 0
    assert _search(engine, knowledge, calendar, scope=LICANG, number=theirs).total == 0
    assert _search(engine, knowledge, calendar).total == 3
    with Session(engine) as session:
        with pytest.raises(TicketNotVisible) as caught:
            ticket_detail(session, number=theirs, scope=LICANG, today=TODAY, calendar=calendar, knowledge=knowledge)
        with pytest.raises(TicketNotVisible) as missing:
            ticket_detail(session, number="ZB-20990101-0001", scope=LICANG, today=TODAY, calendar=calendar,
                          knowledge=knowledge)
        # same words as for a ticket that does not exist
        assert knowledge.messages.explain(caught.value) == f"没有找到工单 {theirs}"
        assert knowledge.messages.explain(missing.value) == "没有找到工单 ZB-20990101-0001"
        assert ticket_detail(session, number=theirs, scope=None, today=TODAY, calendar=calendar,
                             knowledge=knowledge).case.district == SHINAN


def test_pages_cover_every_ticket_once_newest_first(engine, seed, knowledge, calendar):
    made = [seed.ticket(created_at=NOW - timedelta(hours=i)) for i in range(23)]
    pages = [_search(engine, knowledge, calendar, page_size=10, page=p) for p in (1, 2, 3)]
    assert [p.total for p in pages] == [23, 23, 23] and pages[0].pages == 3
    listed = [r.number for p in pages for r in p.rows]
    assert listed == made  # made newest first
    assert [len(p.rows) for p in pages] == [10, 10, 3]
    assert pages[0].has_next and not pages[2].has_next and pages[2].has_previous
    beyond = _search(engine, knowledge, calendar, page_size=10, page=9)
    assert beyond.page == 3 and [r.number for r in beyond.rows] == made[20:]


def test_the_download_reads_every_row_in_the_list_order(engine, seed, knowledge, calendar):
    made = [seed.ticket(created_at=NOW - timedelta(hours=i), district=LICANG if i % 2 else SHINAN) for i in range(7)]
    with Session(engine) as session:
        rows = list(iter_tickets(session, filters=TicketFilters(), scope=LICANG, today=TODAY, calendar=calendar,
                                 knowledge=knowledge, batch=2))
    assert [r.number for r in rows] == [n for i, n in enumerate(made) if i % 2]


def test_a_ticket_page_shows_history_deliveries_and_escalation_with_contacts_masked(engine, seed, knowledge,
                                                                                   calendar):
    transfer = seed.ticket(due=TODAY - timedelta(days=2))
    case = seed.case_of(transfer)
    supervision = seed.ticket(kind=TicketKind.supervision, case_id=case.id, parent=transfer, due=TODAY + timedelta(days=3))
    seed.event(transfer, type="escalated", at=sh(2026, 11, 26, 1), actor="system", supervision_ticket=supervision)
    seed.delivery(transfer)
    with Session(engine) as session:
        detail = ticket_detail(session, number=transfer, scope=LICANG, today=TODAY, calendar=calendar,
                               knowledge=knowledge)
    assert detail.children == [supervision] and detail.parent is None
    assert [e.type for e in detail.events] == ["created", "escalated"]
    assert detail.events[1].type_label == "升级为督办单"
    assert [d.event for d in detail.deliveries] == ["ticket.created"]
    assert detail.days_overdue == 2 and detail.open
    assert detail.case.contact_phone == "139****5678"
    assert detail.case.contact_name == "王**"
    assert PHONE not in detail.case.description and ID_NUMBER not in detail.case.description
    assert detail.case.intent_label == knowledge.intent("complaint/fees").label
    assert not detail.can_verify  # the bank has not reported a result
