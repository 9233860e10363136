"""The reports' on-site inspection section (Art. 29): per district, the weeks of the period with at
least 3 outlets inspected, the inspections and the late recordings, in the report, its Markdown and
its workbook. A week belongs to the month its Sunday falls in and counts once it has ended."""

from __future__ import annotations

import warnings
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import Session

from bot.inspections import period_compliance
from bot.reports import month_report, render_markdown, write_xlsx
from tests.inspections.conftest import record
from tests.reports.conftest import AFTER, CCB, ICBC, sh

LICANG = [(CCB, "李村支行"), (ICBC, "李沧支行"), ("中国邮政储蓄银行", "李沧区支行")]


@pytest.fixture
def inspected(engine, calendar):
    """李沧区 in November 2026: the week ending Sunday 11-01 met (its days are October's), the week of
    11-09 short by one, the week of 11-16 met with one late recording; 市南区 nothing."""
    with Session(engine) as session:
        def visit(outlet, day, at=None):
            bank, name = outlet
            record(session, calendar, scope=None, bank=bank, outlet=name, inspected_on=day,
                   now=at or sh(int(day[:4]), int(day[5:7]), int(day[8:])))
        for outlet, day in zip(LICANG, ("2026-10-27", "2026-10-28", "2026-10-30")):
            visit(outlet, day)
        for outlet, day in zip(LICANG[:2], ("2026-11-10", "2026-11-11")):
            visit(outlet, day)
        visit(LICANG[0], "2026-11-16", sh(2026, 11, 20))  # due Wednesday 11-18: late
        visit(LICANG[1], "2026-11-17")
        visit(LICANG[2], "2026-11-22")  # Sunday, the week's last day
        session.commit()


def test_weeks_met_inspections_and_late_recordings_per_district(engine, inspected, knowledge, calendar):
    with Session(engine) as session:
        report = month_report(session, month="2026-11", knowledge=knowledge, calendar=calendar, now=AFTER)
    rows = {r.district: r for r in report.district_inspections}
    assert list(rows) == [d.name for d in knowledge.districts]
    # Sundays 11-01, 11-08, 11-15, 11-22, 11-29: five weeks, all ended by 12-15.
    licang = rows["李沧区"]
    assert (licang.weeks, licang.weeks_met, licang.inspections, licang.late) == (5, 2, 5, 1)
    assert (rows["市南区"].weeks, rows["市南区"].weeks_met, rows["市南区"].inspections) == (5, 0, 0)


def test_the_week_still_running_is_not_counted(engine, inspected, knowledge):
    with Session(engine) as session:
        rows = period_compliance(session, first_day=date(2026, 11, 1), last_day=date(2026, 11, 30),
                                 today=date(2026, 11, 22), knowledge=knowledge)
    licang = next(r for r in rows if r.district == "李沧区")
    # On Sunday 11-22 that week has not ended: three weeks counted, one met.
    assert (licang.weeks, licang.weeks_met) == (3, 1)


def test_markdown_and_workbook_show_the_section(engine, inspected, knowledge, calendar, tmp_path):
    with Session(engine) as session:
        report = month_report(session, month="2026-11", knowledge=knowledge, calendar=calendar, now=AFTER)
    markdown = render_markdown(report, knowledge=knowledge)
    assert "## 八、区（市）现场督导（第二十九条）" in markdown
    assert "| 李沧区 | 2/5 周 | 5 | 1 |" in markdown
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no CJK font for the charts is fine here
        path = write_xlsx(report, tmp_path / "2026-11.xlsx", knowledge=knowledge, charts=False)[0]
    sheet = load_workbook(path)["现场督导"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["李沧区"] == ("李沧区", 2, 5, 5, 1)
