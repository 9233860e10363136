"""The banks' self-inspection summaries in the console (Art. 38): a city supervisor or an
administrator sees, per bank and period, on time / late / missing / not due with the due instant
and the first submission, and downloads a summary (audit-logged); other roles are refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from bot.self_inspections import SelfInspectionCreate, submit
from bot.web.console.models import AuditEntry
from bot.workdays import get_calendar
from tests.self_inspections import documents

PAGE = "/console/self-inspections"
CCB, ICBC = "中国建设银行", "中国工商银行"
# 2026-10-08 17:00 in Qingdao: September's and the third quarter's due instant (after the National Day holidays)
SEPTEMBER_DUE = datetime(2026, 10, 8, 9, 0, tzinfo=UTC)


def send(engine, knowledge, *, bank=CCB, period, at, content=documents.PDF, filename="自查总结.pdf") -> int:
    with Session(engine) as session:
        row = submit(session, bank=bank, data=SelfInspectionCreate(period=period, filename=filename, content=content),
                     max_bytes=1024 * 1024, now=at, knowledge=knowledge, calendar=get_calendar())
        session.commit()
        return row.id


def row_of(page: str, bank: str, period: str) -> str:
    table = re.search(rf'<table class="data inspections" data-bank="{bank}">(.*?)</table>', page, re.S)
    assert table, f"no table for {bank}"
    row = re.search(rf'<tr data-period="{period}">(.*?)</tr>', table.group(1), re.S)
    assert row, f"no row {period} for {bank}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row.group(1))).strip()


@pytest.fixture
def seeded(engine, knowledge, clock):
    """CCB: August on time (17:00 sharp), September late by a second, Q3 on time; ICBC: nothing.
    The clock stands at 2026-11-02 10:00: October has ended but is due tomorrow 17:00."""
    send(engine, knowledge, period="2026-08", at=datetime(2026, 9, 3, 9, 0, tzinfo=UTC))
    send(engine, knowledge, period="2026-09", at=SEPTEMBER_DUE + timedelta(seconds=1))
    first_q3 = send(engine, knowledge, period="2026-Q3", at=SEPTEMBER_DUE - timedelta(days=3))
    latest_q3 = send(engine, knowledge, period="2026-Q3", at=SEPTEMBER_DUE + timedelta(days=20),
                     content=documents.docx(), filename="修订版.docx")
    clock.set(datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
    return {"first_q3": first_q3, "latest_q3": latest_q3}


@pytest.mark.parametrize("role", ["city_supervisor", "admin"])
def test_the_city_sees_each_banks_periods_with_their_status(signed_in, seeded, role):
    page = signed_in(role).get(PAGE)
    assert page.status_code == 200
    text = page.text
    assert row_of(text, CCB, "2026-08") == "2026年8月 月 2026-09-03 17:00 已按时提交 2026-09-03 17:00 下载"
    assert row_of(text, CCB, "2026-09").startswith("2026年9月 月 2026-10-08 17:00 （遇节假日顺延） 逾期提交 2026-10-08 17:00")
    # Q3: the first submission decides; the link is to the latest version
    assert row_of(text, CCB, "2026-Q3") == \
        "2026年第三季度 季 2026-10-08 17:00 （遇节假日顺延） 已按时提交 2026-10-05 17:00 下载 第2版"
    assert f'href="{PAGE}/{seeded["latest_q3"]}/download"' in text
    assert row_of(text, CCB, "2026-10") == "2026年10月 月 2026-11-03 17:00 未到期 — —"
    assert row_of(text, CCB, "2026-01") == "2026年1月 月 2026-02-03 17:00 未提交（已逾期） — —"
    assert row_of(text, ICBC, "2026-H1") == "2026年上半年 半年 2026-07-03 17:00 未提交（已逾期） — —"
    assert "2026-11" not in re.findall(r'data-period="([^"]+)"', text)  # November is still running
    # punctuality: due so far 13 (Jan–Sep, Q1–Q3, H1), on time 2 (Aug, Q3), late 1 (Sep), missing 10
    summary = re.search(rf'<tr data-bank="{CCB}">(.*?)</tr>', text, re.S).group(1)
    assert re.sub(r"<[^>]+>", " ", summary).split() == [CCB, "13", "2", "1", "10", "15%"]


def test_a_year_whose_december_is_due_in_an_unknown_year_is_marked_provisional(signed_in, engine, knowledge, clock):
    clock.set(datetime(2027, 1, 2, 2, 0, tzinfo=UTC))  # the year 2026 just ended; 2027's calendar is not known
    page = signed_in("city_supervisor").get(PAGE).text
    assert re.search(r'<option value="2026" selected>', page)
    assert "暂定" in row_of(page, CCB, "2026") and "未到期" in row_of(page, CCB, "2026")
    assert "暂按周一至周五计算" in page


def test_a_download_is_the_file_as_sent_and_is_in_the_audit_log(signed_in, seeded, engine):
    response = signed_in("city_supervisor").get(f"{PAGE}/{seeded['latest_q3']}/download")
    assert response.status_code == 200
    assert response.headers["content-type"] == \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response.content.startswith(b"PK\x03\x04")
    assert "attachment" in response.headers["content-disposition"]
    with Session(engine) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "download_self_inspection")).one()
    assert (entry.user_name, entry.detail["bank"], entry.detail["period"], entry.detail["version"]) == \
        ("city1", CCB, "2026-Q3", 2)


def test_a_summary_that_does_not_exist_is_not_found_and_not_logged(signed_in, seeded, engine):
    assert signed_in("admin").get(f"{PAGE}/999/download").status_code == 404
    with Session(engine) as session:
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "download_self_inspection")).all() == []


@pytest.mark.parametrize("role", ["operator", "district_supervisor"])
def test_other_roles_are_refused_the_page_and_the_downloads(signed_in, seeded, engine, role):
    browser = signed_in(role)
    assert browser.get(PAGE).status_code == 403
    assert browser.get(f"{PAGE}/{seeded['first_q3']}/download").status_code == 403
    assert "自查总结" not in browser.get("/console/").text  # not offered in the navigation
    with Session(engine) as session:
        assert session.exec(select(AuditEntry).where(AuditEntry.action == "download_self_inspection")).all() == []


def test_the_city_finds_the_page_in_the_navigation(signed_in, seeded):
    assert f'href="{PAGE}"' in signed_in("city_supervisor").get("/console/").text


@pytest.mark.parametrize("year", ["abc", "1999", "２０２６"])
def test_a_year_that_is_no_year_is_refused_on_the_page(signed_in, seeded, year):
    page = signed_in("city_supervisor").get(PAGE, params={"year": year})
    assert page.status_code == 400
    assert "请选择 2000 年至 9999 年之间的年度" in page.text


def test_an_earlier_year_can_be_chosen(signed_in, seeded):
    page = signed_in("city_supervisor").get(PAGE, params={"year": "2025"}).text
    assert row_of(page, CCB, "2025") == "2025年度 年度 2026-01-04 17:00 （遇节假日顺延） 未提交（已逾期） — —"
