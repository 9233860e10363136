"""Figures per bank, grades and suspension flags, and the workbook: the city's are the report
`sbk report` builds; a district's count only its own cases."""

from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from bot.ledger.models import CaseKind, TicketState, Verification
from bot.reports import month_report, parse_month, parse_year, write_xlsx, year_report
from bot.supervision import InvalidFilters, figures, grades, parse_period, workbook_bytes
from tests.supervision.conftest import BOC, CCB, ICBC, LICANG, NOW, SHINAN, sh


@pytest.fixture
def ledger(seed):
    """November 2026: 李沧区 two complaints about CCB (one found true) and one praise of ICBC;
    市南区 three complaints about CCB; October: one 李沧区 complaint. One 李沧区 ticket overdue."""
    seed.ticket(bank=CCB, district=LICANG, created_at=sh(2026, 11, 3), verification=Verification.found_true,
                verified_at=sh(2026, 11, 10), state=TicketState.verified, result="已处理")
    seed.ticket(bank=CCB, district=LICANG, created_at=sh(2026, 11, 12), due=date(2026, 11, 19))
    seed.ticket(bank=ICBC, district=LICANG, created_at=sh(2026, 11, 5), case_kind=CaseKind.praise, intent="praise")
    for day in (4, 6, 8):
        seed.ticket(bank=CCB, district=SHINAN, created_at=sh(2026, 11, day), due=date(2026, 11, 20))
    seed.ticket(bank=BOC, district=LICANG, created_at=sh(2026, 10, 20))


def _figures(engine, knowledge, calendar, period="2026-11", scope=None, **kw):
    with Session(engine) as session:
        return figures(session, period=parse_period(period), scope=scope, knowledge=knowledge, calendar=calendar,
                       now=NOW, **kw)


def test_city_figures_are_the_monthly_report(engine, knowledge, calendar, ledger):
    result = _figures(engine, knowledge, calendar)
    with Session(engine) as session:
        report = month_report(session, month="2026-11", knowledge=knowledge, calendar=calendar, now=NOW)
    assert result.report is not None and result.report.as_dict() == report.as_dict()
    assert [(b.bank, b.complaints, b.praise, b.overdue_tickets) for b in result.banks] == \
        [(b.bank, b.complaints, b.praise, b.overdue_tickets) for b in report.banks]
    ccb = next(b for b in result.banks if b.bank == CCB)
    assert (ccb.complaints.total, ccb.complaints.found_true, ccb.overdue_tickets) == (5, 1, 4)


def test_a_district_counts_only_its_own_cases(engine, knowledge, calendar, ledger):
    result = _figures(engine, knowledge, calendar, scope=LICANG)
    assert result.report is None and result.scope == LICANG
    by_bank = {b.bank: b for b in result.banks}
    assert (by_bank[CCB].complaints.total, by_bank[CCB].complaints.found_true, by_bank[CCB].complaints.pending) == \
        (2, 1, 1)
    assert by_bank[ICBC].praise.total == 1 and by_bank[BOC].complaints.total == 0  # BOC's case is October's
    assert by_bank[CCB].overdue_tickets == 1  # 市南区's three overdue tickets are not counted
    assert result.totals["complaints"].total == 2 and result.totals["praise"].total == 1
    assert "李沧区" in result.title
    assert _figures(engine, knowledge, calendar, period="2026-10", scope=LICANG).totals["complaints"].total == 1


def test_a_year_adds_up_its_months(engine, knowledge, calendar, ledger):
    year = _figures(engine, knowledge, calendar, period="2026", scope=LICANG)
    assert year.totals["complaints"].total == 3
    assert year.banks[0].overdue_tickets is not None  # 2026 is the current year on this clock


def test_bad_periods_are_refused_in_chinese(knowledge):
    for bad in ("2026-13", "26", "", "2026-1-1", "<b>"):
        with pytest.raises(InvalidFilters) as caught:
            parse_period(bad)
        assert caught.value.explain_each(knowledge.messages) == {"period": "期间应为年份（如 2026）或年月（如 2026-11）"}


def test_grades_and_suspension_flags_are_the_yearly_reports(engine, knowledge, calendar, ledger, tmp_path):
    (tmp_path / "2026.yml").write_text(
        "year: 2026\nbanks:\n  建行:\n    automatic_fail: [serious_loss]\n  工行:\n"
        "    items: {outlet_construction: 100, card_service: 96, staff_training: 100, system_maintenance: 100,"
        " complaint_handling: 95, agreement: 100, annual_work: 100}\n", encoding="utf-8")
    with Session(engine) as session:
        result = grades(session, year=2026, scope=None, knowledge=knowledge, calendar=calendar, now=NOW,
                        assessment_dir=tmp_path)
        from bot.reports import load_assessment

        report = year_report(session, year=2026, knowledge=knowledge, calendar=calendar, now=NOW,
                             assessment=load_assessment(tmp_path / "2026.yml", knowledge))
    rows = {g.bank: g for g in result.rows}
    assert rows[CCB].grade_label == "不合格" and rows[CCB].suspended
    assert any("第四十二条" in s for s in rows[CCB].suspensions)
    assert rows[ICBC].score == pytest.approx(15 + 25 * 0.96 + 10 + 10 + 20 * 0.95 + 10 + 10)
    assert rows[ICBC].grade_label == "优" and not rows[ICBC].suspended
    # 中国银行 sent no Art. 38 summary: 一 is computed (0%), the other six items wait for the city
    assert rows[BOC].grade_label == "待评定" and rows[BOC].missing_items == 6
    assert [(g.bank, g.score, g.grade_label, g.suspended) for g in result.rows] == \
        [(a.bank, a.score, a.grade_label, a.suspended) for a in report.assessment]
    assert result.assessment_file == str(tmp_path / "2026.yml")


def test_a_district_sees_grades_but_not_the_city_ledger_behind_them(engine, knowledge, calendar, ledger, tmp_path):
    with Session(engine) as session:
        city = grades(session, year=2026, scope=None, knowledge=knowledge, calendar=calendar, now=NOW,
                      assessment_dir=tmp_path)
        district = grades(session, year=2026, scope=LICANG, knowledge=knowledge, calendar=calendar, now=NOW,
                          assessment_dir=tmp_path)
    assert [(g.bank, g.grade_label, g.suspended) for g in district.rows] == \
        [(g.bank, g.grade_label, g.suspended) for g in city.rows]
    assert all(g.assessment is None for g in district.rows)
    assert all(g.assessment is not None for g in city.rows)
    assert city.assessment_file is None


def _cells(path_or_bytes) -> dict[str, list[tuple]]:
    import io

    source = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else path_or_bytes
    book = load_workbook(source)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()] for ws in book.worksheets}


@pytest.mark.parametrize("period", ["2026-11", "2026"])
def test_the_workbook_is_the_report_commands(engine, knowledge, calendar, ledger, tmp_path, period):
    with Session(engine) as session:
        parsed = parse_month(period) if "-" in period else parse_year(period)
        build = month_report if "-" in period else year_report
        key = "month" if "-" in period else "year"
        report = build(session, **{key: parsed}, knowledge=knowledge, calendar=calendar, now=NOW)
        written = write_xlsx(report, tmp_path / "report.xlsx", knowledge=knowledge, charts=False)[0]
        mine = figures(session, period=parsed, scope=None, knowledge=knowledge, calendar=calendar, now=NOW,
                       assessment_dir=tmp_path).report
    assert _cells(workbook_bytes(mine, knowledge=knowledge)) == _cells(written)
