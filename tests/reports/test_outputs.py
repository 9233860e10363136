"""Markdown, JSON, the XLSX workbook and PNG charts; no personal data anywhere; bounded queries."""

from __future__ import annotations

import json
import re
import warnings
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import event

from bot.reports import (
    AssessmentInput,
    BankFindings,
    month_report,
    render_json,
    render_markdown,
    write_xlsx,
    year_report,
)
from bot.reports import xlsx as xlsx_module
from tests.reports.conftest import AFTER, CCB, ICBC, OUTLET_PHONE, PERSONAL


@pytest.fixture
def october(session, knowledge, calendar):
    return month_report(session, month="2026-10", knowledge=knowledge, calendar=calendar, now=AFTER)


@pytest.fixture
def year(session, knowledge, calendar):
    given = AssessmentInput(banks={CCB: BankFindings(items={w.code: 92 for w in knowledge.rules.score_weights.items})})
    return year_report(session, year=2026, knowledge=knowledge, calendar=calendar, assessment=given, now=AFTER)


def workbook_text(path) -> str:
    """Every string and number stored in the workbook's XML parts (cells, shared strings, charts)."""
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))


def test_markdown_has_chinese_headings_and_the_figures(october, knowledge):
    md = render_markdown(october, knowledge=knowledge)
    assert md.startswith("# 青岛市社会保障卡经办服务监督月报（2026年10月）")
    for heading in ("## 一、汇总（按合作银行）", "## 二、投诉分类", "## 五、规则触发", "## 七、自查报告上报时间（第三十八条）"):
        assert heading in md
    assert "| 中国建设银行 | 5 | 3 | 1 | 1 |" in md
    assert "2026-11-03 17:00" in md
    assert "ZB-20261005-0001" in md and "第四十五条" in md
    assert "年度综合考评" not in md


def test_json_has_stable_english_keys_and_chinese_labels(october, year):
    data = json.loads(render_json(october))
    assert list(data)[:4] == ["schema", "kind", "period", "period_label"]
    assert data["period"] == "2026-10" and data["kind"] == "month" and data["assessment"] is None
    ccb = next(b for b in data["banks"] if b["bank"] == CCB)
    assert ccb["complaints"] == {"total": 5, "found_true": 3, "not_true": 1, "pending": 1}
    fees = next(t for t in ccb["complaint_types"] if t["intent"] == "complaint/fees")
    assert fees == {"intent": "complaint/fees", "label": "乱收费", "total": 3, "found_true": 2, "not_true": 1, "pending": 0}
    due = data["self_inspection"][0]
    assert due["due_at"] == "2026-11-03T17:00:00+08:00" and due["period_kind_label"] == "月"
    assert render_json(october) == render_json(october)  # same report, same bytes
    yearly = json.loads(render_json(year))
    ccb_grade = next(a for a in yearly["assessment"] if a["bank"] == CCB)
    assert (ccb_grade["score"], ccb_grade["grade"], ccb_grade["grade_code"]) == (92, "良", "good")
    assert list(ccb_grade)[:4] == ["bank", "code", "score", "grade"]


def test_xlsx_has_the_sheets_values_and_charts(october, knowledge, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no CJK font on this machine is fine here
        written = write_xlsx(october, tmp_path / "out" / "2026-10.xlsx", knowledge=knowledge)
    path = written[0]
    wb = load_workbook(path)
    for sheet in ("汇总", "投诉分类", "褒奖", "规则触发", "逾期工单", "自查报告"):
        assert sheet in wb.sheetnames
    assert "年度考评" not in wb.sheetnames
    summary = wb["汇总"]
    assert summary.freeze_panes == "A2" and summary["A1"].font.bold
    rows = {r[0]: r for r in summary.iter_rows(min_row=2, values_only=True)}
    assert rows[CCB][2:6] == (5, 3, 1, 1)
    assert rows["合计"][2] == 6
    assert summary.column_dimensions["A"].width >= 12
    overdue = [r[0] for r in wb["逾期工单"].iter_rows(min_row=2, values_only=True)]
    assert "ZB-20261005-0001" in overdue and "ZB-20261012-0001" not in overdue
    assert wb["自查报告"]["C2"].value == "2026-11-03 17:00"
    assert len(wb["汇总"]._charts) == 1 and len(wb["投诉分类"]._charts) == 1
    with zipfile.ZipFile(path) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 2 and all("barChart" in z.read(c).decode() for c in charts)
    pngs = [p for p in written if p.suffix == ".png"]
    assert [p.name for p in pngs] == ["2026-10-complaints-by-bank.png", "2026-10-complaints-by-type.png"]
    for png in pngs:
        assert png.parent == path.parent and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_year_workbook_has_the_assessment_sheet(year, knowledge, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = write_xlsx(year, tmp_path / "2026.xlsx", knowledge=knowledge, charts=False)[0]
    wb = load_workbook(path)
    assert "年度考评" in wb.sheetnames
    rows = {r[0]: r for r in wb["年度考评"].iter_rows(min_row=2, values_only=True)}
    assert rows[CCB][1:3] == (92, "良") and rows[ICBC][2] == "待评定"


def test_png_charts_fall_back_with_a_warning_without_a_cjk_font(october, knowledge, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_module, "cjk_font", lambda: None)
    with pytest.warns(RuntimeWarning, match="CJK font"):
        paths = xlsx_module.write_charts(october, tmp_path, "m", knowledge=knowledge)
    assert all(p.stat().st_size > 1000 for p in paths)


def test_png_charts_use_a_cjk_font_without_warning_when_one_is_found(october, knowledge, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_module, "cjk_font", lambda: "DejaVu Sans")  # stands in for an installed CJK font
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", message="Glyph .* missing")
        paths = xlsx_module.write_charts(october, tmp_path, "m", knowledge=knowledge)
    assert len(paths) == 2


def test_no_personal_data_in_any_output(october, year, knowledge, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        files = (write_xlsx(october, tmp_path / "m.xlsx", knowledge=knowledge)
                 + write_xlsx(year, tmp_path / "y.xlsx", knowledge=knowledge))
    outputs = [render_markdown(october, knowledge=knowledge), render_json(october),
               render_markdown(year, knowledge=knowledge), render_json(year)]
    outputs += [workbook_text(p) for p in files if p.suffix == ".xlsx"]
    for text in outputs:
        for secret in PERSONAL:
            assert secret not in text
    # the outlet that carried a phone number is still reported, masked
    assert "台东支行（电话137****5678）" in render_markdown(year, knowledge=knowledge)
    assert OUTLET_PHONE[-4:] in render_json(year)


def test_cases_are_counted_in_the_database_within_the_period(engine, session, knowledge, calendar, ledger):
    statements: list[str] = []

    def capture(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", capture)
    try:
        month_report(session, month="2026-10", knowledge=knowledge, calendar=calendar, now=AFTER)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    on_cases = [s for s in statements if re.search(r"\bFROM ledger_case\b", s)]
    assert on_cases, statements
    for statement in on_cases:
        where = statement.split("WHERE", 1)[1]
        assert "ledger_case.received_at >=" in where and "ledger_case.received_at <" in where
        assert "GROUP BY" in statement
    for statement in statements:
        for column in ("description", "contact_name", "contact_phone", "citizen_ref"):
            assert column not in statement
    on_tickets = [s for s in statements if re.search(r"\bFROM ticket\b", s)]
    assert on_tickets and all("ticket.due_date" in s.split("WHERE", 1)[1] for s in on_tickets)
