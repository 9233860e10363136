"""Art. 48: overdue transfer and supervision tickets, recorded facts counted per month."""

from __future__ import annotations

from datetime import date

from bot.ledger.models import TicketKind, Verification
from bot.thresholds import OFFICIAL, evaluate, firings

from .conftest import BANK, OTHER_BANK, add_case, add_ticket, sh

RULE = "overdue_tickets"


def overdue(fired):
    return [f for f in fired if f.rule_id == RULE]


def test_a_ticket_past_its_due_date_without_result_fires_once_for_the_month(session, kb):
    rule = kb.rules.threshold(RULE)
    assert (rule.threshold, rule.count, rule.warning) == (1, "recorded", None)
    case = add_case(session, intent="complaint/refusal", at=sh(2026, 11, 2, 9, 0), verification=Verification.received)
    ticket = add_ticket(session, case=case, due=date(2026, 11, 10))
    assert overdue(evaluate(session, bank=BANK, at=sh(2026, 11, 10, 23, 59), now=sh(2026, 11, 10, 23, 59), knowledge=kb)) == []
    fired = overdue(evaluate(session, bank=BANK, at=sh(2026, 11, 11, 0, 5), now=sh(2026, 11, 11, 0, 5), knowledge=kb))
    assert [(f.level, f.subject, f.period, f.count, f.case_ids, f.articles) for f in fired] == [
        (OFFICIAL, BANK, "2026-11", 1, [ticket.case_id], [48])]
    assert fired[0].consequence == rule.consequence and fired[0].next_steps == list(rule.next_steps)
    assert overdue(evaluate(session, bank=BANK, at=sh(2026, 11, 12, 9, 0), now=sh(2026, 11, 12, 9, 0), knowledge=kb)) == []
    other = add_case(session, intent="complaint/fees", at=sh(2026, 11, 3, 9, 0))
    add_ticket(session, case=other, due=date(2026, 11, 12), kind=TicketKind.supervision)
    assert overdue(evaluate(session, bank=BANK, at=sh(2026, 11, 20, 9, 0), now=sh(2026, 11, 20, 9, 0), knowledge=kb)) == []
    assert overdue(evaluate(session, bank=OTHER_BANK, at=sh(2026, 11, 20, 9, 0), now=sh(2026, 11, 20, 9, 0), knowledge=kb)) == []
    session.commit()
    assert len(firings(session, bank=BANK, rule_id=RULE)) == 1


def test_a_result_reported_by_the_due_date_is_not_overdue_but_a_late_one_is(session, kb):
    on_time = add_case(session, intent="complaint/fees", at=sh(2026, 11, 2, 9, 0))
    add_ticket(session, case=on_time, due=date(2026, 11, 10), result_at=sh(2026, 11, 10, 23, 0))
    assert overdue(evaluate(session, bank=BANK, at=sh(2026, 11, 25, 9, 0), now=sh(2026, 11, 25, 9, 0), knowledge=kb)) == []
    late = add_case(session, intent="complaint/fees", at=sh(2026, 11, 3, 9, 0))
    add_ticket(session, case=late, due=date(2026, 11, 11), result_at=sh(2026, 11, 12, 0, 30))
    fired = overdue(evaluate(session, bank=BANK, at=sh(2026, 11, 25, 9, 0), now=sh(2026, 11, 25, 9, 0), knowledge=kb))
    assert [(f.period, f.case_ids) for f in fired] == [("2026-11", [late.id])]


def test_a_ticket_due_on_the_last_day_of_a_month_is_overdue_in_the_next(session, kb):
    case = add_case(session, intent="complaint/overdue", at=sh(2026, 11, 20, 9, 0))
    add_ticket(session, case=case, due=date(2026, 11, 30))
    assert overdue(evaluate(session, bank=BANK, at=sh(2026, 11, 30, 23, 30), now=sh(2026, 11, 30, 23, 30), knowledge=kb)) == []
    # 2026-12-01 00:30 in Shanghai is still 2026-11-30 in UTC.
    fired = overdue(evaluate(session, bank=BANK, at=sh(2026, 12, 1, 0, 30), now=sh(2026, 12, 1, 0, 30), knowledge=kb))
    assert [(f.period, f.case_ids) for f in fired] == [("2026-12", [case.id])]


def test_tickets_overdue_in_an_earlier_month_do_not_count_again(session, kb):
    case = add_case(session, intent="complaint/overdue", at=sh(2026, 10, 2, 9, 0))
    add_ticket(session, case=case, due=date(2026, 10, 10))
    assert [f.period for f in overdue(evaluate(session, bank=BANK, at=sh(2026, 10, 20, 9, 0), now=sh(2026, 10, 20, 9, 0), knowledge=kb))] == ["2026-10"]
    assert overdue(evaluate(session, bank=BANK, at=sh(2026, 11, 20, 9, 0), now=sh(2026, 11, 20, 9, 0), knowledge=kb)) == []
