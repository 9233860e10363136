"""A report built for one console page (bot.reports.SECTIONS) holds that page's figures exactly as the
whole report does, and nothing it was not asked for: the figures page's counts per bank (overdue,
missed, firings), the grades' assessment (with the ledger's measures behind it), on both databases."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from bot.reports import SECTIONS, month_report, year_report
from bot.supervision import FIGURES_SECTIONS, GRADES_SECTIONS
from tests.reports.assessment_seed import AFTER_YEAR, LATE_TICKET, YEAR, seed_year
from tests.reports.conftest import AFTER, IN_NOVEMBER, build_ledger

PER_BANK = ("bank", "complaints", "praise", "overdue_tickets", "missed_tickets", "firings_official",
            "firings_warning")


def _per_bank(report):
    return [tuple(getattr(b, f) for f in PER_BANK) for b in report.banks]


@pytest.mark.parametrize("now", [AFTER, IN_NOVEMBER], ids=["year-ended", "current-year"])
def test_the_figures_sections_count_as_the_whole_report(engine, knowledge, calendar, now):
    with Session(engine, expire_on_commit=False) as session:
        build_ledger(session)
        whole = year_report(session, year=2026, knowledge=knowledge, calendar=calendar, now=now)
        part = year_report(session, year=2026, knowledge=knowledge, calendar=calendar, now=now,
                           sections=FIGURES_SECTIONS)
        month = month_report(session, month="2026-10", knowledge=knowledge, calendar=calendar, now=now,
                             sections=FIGURES_SECTIONS)
        whole_month = month_report(session, month="2026-10", knowledge=knowledge, calendar=calendar, now=now)
    assert _per_bank(part) == _per_bank(whole)
    assert _per_bank(month) == _per_bank(whole_month)
    # The seed has firings of both levels, overdue and missed tickets: the comparison is not of zeros.
    assert all(sum(getattr(b, f) for b in whole.banks) > 0 for f in PER_BANK[3:])
    for key in ("complaints", "praise", "overdue_tickets", "missed_tickets", "firings_official", "firings_warning"):
        assert part.totals[key] == whole.totals[key]
    assert (part.title, part.as_of, part.as_of_label, part.notes) == \
        (whole.title, whole.as_of, whole.as_of_label, whole.notes)
    assert (part.overdue, part.firings, part.satisfaction, part.three_rates_banks, part.district_inspections,
            part.self_inspection, part.assessment) == ([], [], [], [], [], [], None)
    assert whole.firings and whole.three_rates_banks and whole.assessment


def test_the_grades_sections_assess_as_the_whole_report(engine, knowledge, calendar):
    with Session(engine, expire_on_commit=False) as session:
        seed_year(session, knowledge)
        whole = year_report(session, year=YEAR, knowledge=knowledge, calendar=calendar, now=AFTER_YEAR)
        part = year_report(session, year=YEAR, knowledge=knowledge, calendar=calendar, now=AFTER_YEAR,
                           sections=GRADES_SECTIONS)
    assert part.as_dict()["assessment"] == whole.as_dict()["assessment"]
    assert part.assessment_basis == whole.assessment_basis
    # The measures read the late ticket and the inspections' checklists (scored, with their cases listed).
    measured = {m.code: m for item in whole.assessment_of("中国建设银行").items for m in item.measures}
    assert any(c.ref == LATE_TICKET for c in measured["tickets_on_time"].cases)
    assert measured["inspection_compliance"].total > 0
    assert part.three_rates_banks == [] and part.satisfaction == [] and part.firings == []


def test_an_unknown_section_is_refused(engine, knowledge, calendar):
    with Session(engine) as session, pytest.raises(ValueError, match="unknown report sections: charts"):
        year_report(session, year=2026, knowledge=knowledge, calendar=calendar, now=AFTER,
                    sections={"charts", *SECTIONS})


def test_a_bank_known_only_by_its_overdue_tickets_is_graded_as_in_the_whole_report(engine, knowledge, calendar):
    from datetime import date

    from bot.ledger.models import Case, CaseKind, Ticket, TicketKind, TicketState, Verification
    from tests.reports.conftest import sh

    unlisted = "青岛某农村合作银行"
    with Session(engine, expire_on_commit=False) as session:
        build_ledger(session)
        # Received and due in 2025, still open: the bank has no case, missed ticket or firing of 2026, only an
        # overdue ticket.
        case = Case(kind=CaseKind.complaint, intent="complaint/fees", bank=unlisted, outlet=None, district=None,
                    channel="hotline_12333", description="态度差", received_at=sh(2025, 12, 24),
                    verification=Verification.received)
        session.add(case)
        session.flush()
        session.add(Ticket(kind=TicketKind.transfer, bank=unlisted, outlet=None, due_date=date(2025, 12, 31),
                           number="ZB-20251224-0001", case_id=case.id, state=TicketState.acknowledged,
                           created_at=sh(2025, 12, 24)))
        session.commit()
        whole = year_report(session, year=2026, knowledge=knowledge, calendar=calendar, now=IN_NOVEMBER)
        grades = year_report(session, year=2026, knowledge=knowledge, calendar=calendar, now=IN_NOVEMBER,
                             sections=GRADES_SECTIONS)
        figures = year_report(session, year=2026, knowledge=knowledge, calendar=calendar, now=IN_NOVEMBER,
                              sections=FIGURES_SECTIONS)
    assert whole.bank(unlisted).overdue_tickets == 1
    assert _per_bank(figures) == _per_bank(grades) == _per_bank(whole)
    assert [a.bank for a in grades.assessment] == [a.bank for a in whole.assessment]
    assert unlisted in [a.bank for a in whole.assessment]
