"""The reports' satisfaction section: each bank's callbacks answered in the month or year, with
its rate, in Markdown and JSON; banks without answers listed without a rate."""

from __future__ import annotations

import json
import warnings

from openpyxl import load_workbook
from sqlmodel import Session

from bot.reactions import ledger_reactions
from bot.reports import month_report, render_json, render_markdown, write_xlsx, year_report
from bot.satisfaction import answer_by_citizen
from bot.workdays import WorkdayCalendar
from tests.satisfaction.conftest import CCB, ICBC, LICANG, SHINAN, Ledger, sh


def _answered(engine, knowledge, calendar) -> None:
    ledger = Ledger(engine, knowledge, calendar)
    for n, (answer, at) in enumerate([("satisfied", sh(2026, 12, 1)), ("basically_satisfied", sh(2026, 12, 2)),
                                      ("dissatisfied", sh(2026, 12, 3)), ("satisfied", sh(2026, 11, 30))]):
        ref = f"telegram:{800 + n}"
        number = ledger.handled(ledger.complaint(citizen_ref=ref))
        token = ledger.callbacks(number)[0].token
        with Session(engine) as session:
            answer_by_citizen(session, token=token, citizen_ref=ref, answer=answer, knowledge=knowledge,
                              calendar=calendar, now=at, reactions=ledger_reactions())
            session.commit()


def test_the_month_and_year_reports_carry_each_banks_satisfaction(engine, knowledge):
    calendar = WorkdayCalendar()
    _answered(engine, knowledge, calendar)
    with Session(engine) as session:
        december = month_report(session, month="2026-12", knowledge=knowledge, calendar=calendar, now=sh(2027, 1, 5))
        year = year_report(session, year=2026, knowledge=knowledge, calendar=calendar, now=sh(2027, 1, 5))
    md = render_markdown(december, knowledge=knowledge)
    assert "群众满意度（第二十五条、第四十条）" in md
    assert f"| {CCB} | 3 | 1 | 1 | 1 | 66.7% |" in md  # the November answer is not December's
    assert f"| {ICBC} | 0 | 0 | 0 | 0 | — |" in md
    data = json.loads(render_json(year))
    ccb = next(r for r in data["satisfaction"] if r["bank"] == CCB)
    assert (ccb["answered"], ccb["satisfied"], ccb["rate"]) == (4, 2, 0.75)


# (bank, outlet, district, answer, answered at): the facts the workbook's satisfaction sheet must read back.
WORKBOOK_ANSWERS = [
    (CCB, "李村支行", LICANG, "satisfied", sh(2026, 12, 1)),
    (CCB, "李村支行", LICANG, "dissatisfied", sh(2026, 12, 2)),
    (ICBC, "台东支行", "市北区", "basically_satisfied", sh(2026, 12, 3)),
    (ICBC, "台东支行", "市北区", "satisfied", sh(2026, 12, 31, 23, 30)),  # 15:30 UTC: still December in Qingdao
    (ICBC, "香港中路支行", SHINAN, "dissatisfied", sh(2026, 12, 4)),
    (ICBC, "香港中路支行", SHINAN, "satisfied", sh(2026, 11, 30)),  # November's, not December's
]


def _workbook_facts(engine, knowledge, calendar) -> None:
    ledger = Ledger(engine, knowledge, calendar)
    for n, (bank, outlet, district, answer, at) in enumerate(WORKBOOK_ANSWERS):
        ref = f"telegram:{900 + n}"
        number = ledger.handled(ledger.complaint(citizen_ref=ref, bank=bank, outlet=outlet, district=district))
        token = ledger.callbacks(number)[0].token
        with Session(engine) as session:
            answer_by_citizen(session, token=token, citizen_ref=ref, answer=answer, knowledge=knowledge,
                              calendar=calendar, now=at, reactions=ledger_reactions())
            session.commit()
    ledger.handled(ledger.complaint(citizen_ref="telegram:999", bank=CCB))  # asked, never answered: not counted


def test_the_workbook_has_a_satisfaction_sheet_per_bank_outlet_and_district(engine, knowledge, tmp_path):
    calendar = WorkdayCalendar()
    _workbook_facts(engine, knowledge, calendar)
    with Session(engine) as session:
        december = month_report(session, month="2026-12", knowledge=knowledge, calendar=calendar, now=sh(2027, 1, 5))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no CJK font for the PNG charts is fine here
        path = write_xlsx(december, tmp_path / "2026-12.xlsx", knowledge=knowledge, charts=False)[0]
    wb = load_workbook(path)
    assert wb.sheetnames.index("满意度") == wb.sheetnames.index("现场督导") + 1
    ws = wb["满意度"]
    header = [c.value for c in ws[1]]
    assert header == ["层级", "合作银行", "网点", "区（市）", "已回访", "满意", "基本满意", "不满意", "满意度"]
    assert ws.freeze_panes == "A2" and ws["A1"].font.bold
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    by_tier: dict[tuple, tuple] = {}
    for row in rows:
        by_tier[row[:4]] = row[4:]
    assert by_tier[("合作银行", CCB, None, None)] == (2, 1, 0, 1, 0.5)
    icbc = by_tier[("合作银行", ICBC, None, None)]
    assert icbc[:4] == (3, 1, 1, 1) and abs(icbc[4] - 2 / 3) < 1e-9
    assert by_tier[("合作银行", "中国银行", None, None)] == (0, 0, 0, 0, "—")
    assert by_tier[("网点", CCB, "李村支行", LICANG)] == (2, 1, 0, 1, 0.5)
    assert by_tier[("网点", ICBC, "台东支行", "市北区")] == (2, 1, 1, 0, 1.0)
    assert by_tier[("网点", ICBC, "香港中路支行", SHINAN)] == (1, 0, 0, 1, 0.0)
    assert by_tier[("区（市）", None, None, LICANG)] == (2, 1, 0, 1, 0.5)
    assert by_tier[("区（市）", None, None, "市北区")] == (2, 1, 1, 0, 1.0)
    assert by_tier[("区（市）", None, None, SHINAN)] == (1, 0, 0, 1, 0.0)
    assert by_tier[("区（市）", None, None, "莱西市")] == (0, 0, 0, 0, "—")
    assert [r[0] for r in rows].count("合作银行") == len(knowledge.banks)
    assert [r[0] for r in rows].count("区（市）") == len(knowledge.districts)
    assert rows[-1] == ("合计", None, None, None, 5, 2, 1, 2, 0.6)
    last = ws.max_row
    assert ws.cell(row=last, column=1).font.bold and ws.cell(row=last, column=9).number_format == "0.0%"
    assert ws.cell(row=2, column=9).number_format == "0.0%"  # 中国建设银行 first: 50.0%
    body = ws.cell(row=2, column=2)
    assert body.border.left.style == "thin" and body.alignment.wrap_text and not body.font.bold
    # The Markdown of the same report still reads the same bank figures.
    assert f"| {CCB} | 2 | 1 | 0 | 1 | 50.0% |" in render_markdown(december, knowledge=knowledge)
