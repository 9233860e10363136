"""The monthly report's 三率 table: each bank's and district's response, on-time completion and
satisfaction rates with their counts, in Markdown and JSON; no tickets, no rate ("—")."""

from __future__ import annotations

import json

from sqlmodel import Session

from bot.reports import month_report, render_json, render_markdown
from tests.board.conftest import AS_OF, CCB, ICBC, LICANG, SHINAN, calendar, seeded  # noqa: F401 - fixtures


def test_the_month_report_carries_the_three_rates(engine, knowledge, calendar, seeded):  # noqa: F811
    with Session(engine) as session:
        december = month_report(session, month="2026-12", knowledge=knowledge, calendar=calendar, now=AS_OF)
        october = month_report(session, month="2026-10", knowledge=knowledge, calendar=calendar, now=AS_OF)
    md = render_markdown(december, knowledge=knowledge)
    assert "三率：响应率、按时办结率、满意率" in md
    assert f"| {CCB} | 3/4（75.0%） | 2/4（50.0%） | 0/1（0.0%） |" in md
    assert f"| {ICBC} | — | — | — |" in md
    assert f"| {LICANG} | 2/3（66.7%） | 2/3（66.7%） | 0/1（0.0%） |" in md
    assert f"| {SHINAN} | 1/1（100.0%） | 0/1（0.0%） | — |" in md
    data = json.loads(render_json(december))
    ccb = next(r for r in data["three_rates_banks"] if r["name"] == CCB)
    assert ccb["completion"] == {"count": 2, "of": 4, "rate": 0.5}
    empty = render_markdown(october, knowledge=knowledge)
    section = empty.split("三率：")[1]
    assert "%）" not in section  # no bank has a rate in a month without tickets


def test_the_workbook_has_the_three_rates_sheet(engine, knowledge, calendar, seeded, tmp_path):  # noqa: F811
    import warnings

    from openpyxl import load_workbook

    from bot.reports import write_xlsx

    with Session(engine) as session:
        december = month_report(session, month="2026-12", knowledge=knowledge, calendar=calendar, now=AS_OF)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # no CJK font on this machine is fine here
        path = write_xlsx(december, tmp_path / "2026-12.xlsx", knowledge=knowledge)[0]
    rows = [tuple(r) for r in load_workbook(path)["三率"].iter_rows(values_only=True)]
    assert rows[0] == ("分组", "名称", "响应率", "按时办结率", "满意度")
    assert ("合作银行", CCB, "3/4（75.0%）", "2/4（50.0%）", "0/1（0.0%）") in rows
    assert ("区（市）", SHINAN, "1/1（100.0%）", "0/1（0.0%）", "—") in rows
