"""The banks' self-inspection summaries in headless Chromium: a city supervisor opens 自查总结 from the
navigation, reads each period's status and downloads a summary; an operator is refused the page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.db import make_engine, new_session
from bot.knowledge import get_knowledge
from bot.self_inspections import SelfInspectionCreate, submit
from bot.workdays import get_calendar
from tests.self_inspections import documents

CCB = "中国建设银行"


@pytest.fixture
def engine(console_server):
    engine = make_engine(console_server.database_url)
    yield engine
    engine.dispose()


def send(engine, *, period: str, at: datetime, content: bytes, filename: str) -> None:
    with new_session(engine) as session:
        submit(session, bank=CCB, data=SelfInspectionCreate(period=period, filename=filename, content=content),
               max_bytes=1024 * 1024, now=at, knowledge=get_knowledge(), calendar=get_calendar())
        session.commit()


def test_a_city_supervisor_reads_the_statuses_and_downloads_a_summary(page, console_server, sign_in, screenshot,
                                                                     engine):
    # September is due 2026-10-08 17:00 (after the National Day holidays), October 2026-11-03 17:00.
    send(engine, period="2026-09", at=datetime(2026, 10, 5, 2, 0, tzinfo=UTC), content=documents.PDF,
         filename="2026年9月自查总结.pdf")
    send(engine, period="2026-10", at=datetime(2026, 11, 10, 2, 0, tzinfo=UTC), content=documents.xlsx(),
         filename="2026年10月自查总结.xlsx")
    sign_in(page, "city_supervisor")
    page.click("nav.site-nav >> text=自查总结")
    page.select_option("#f-year", "2026")
    page.click("form.sv-filters button[type=submit]")
    page.wait_for_url("**/console/self-inspections?year=2026")
    table = page.locator(f'table.inspections[data-bank="{CCB}"]')
    september = table.locator('tr[data-period="2026-09"]')
    assert september.locator("td.status").inner_text() == "已按时提交"
    assert "2026-10-08 17:00" in september.inner_text()
    assert table.locator('tr[data-period="2026-10"] td.status').inner_text() == "逾期提交"
    assert table.locator('tr[data-period="2026-01"] td.status').inner_text() == "未提交（已逾期）"
    screenshot(page, "self-inspections")
    with page.expect_download() as download:
        september.locator("text=下载").click()
    assert download.value.suggested_filename == "2026年9月自查总结.pdf"
    with open(download.value.path(), "rb") as saved:
        assert saved.read() == documents.PDF


def test_an_operator_is_refused_the_page(page, console_server, sign_in):
    sign_in(page, "operator")
    assert page.locator("nav.site-nav >> text=自查总结").count() == 0
    response = page.goto(f"{console_server.url}/console/self-inspections")
    assert response.status == 403
    assert "您没有权限查看此页面" in page.inner_text("main")
