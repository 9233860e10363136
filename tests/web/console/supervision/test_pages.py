"""The supervision pages through the app: roles, districts (404, never 403, for another
district's ticket), audit entries, the finding form, bad filters, the downloads."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select

from bot.ledger.models import Case, CaseKind, Ticket, TicketState, Verification
from bot.settings import PROJECT_ROOT
from bot.web.console.models import AuditEntry
from tests.supervision.conftest import CCB, ICBC, LICANG, NOW, PHONE, SHINAN, TODAY
from tests.web.console.supervision.html import table, text

PAGES = ("/console/supervision", "/console/supervision/tickets", "/console/supervision/rules",
         "/console/supervision/figures", "/console/supervision/grades", "/console/supervision/tickets.csv",
         "/console/supervision/figures/export.xlsx")


# The bare 查实/不实 form is praise's; a complaint's finding is its investigation report's verdict.
PRAISE = {"intent": "praise", "case_kind": CaseKind.praise}


def _audit(engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def _case(engine, number: str) -> Case:
    with Session(engine) as session:
        return session.exec(select(Case).join(Ticket, Ticket.case_id == Case.id).where(Ticket.number == number)).one()


def test_operators_cannot_open_supervision_pages(signed_in, seed):
    number = seed.ticket(state=TicketState.result_reported, result="已处理")
    operator = signed_in("operator")
    for path in (*PAGES, f"/console/supervision/tickets/{number}"):
        page = operator.get(path)
        assert page.status_code == 403, path
        assert "您没有权限查看此页面" in page.text and number not in page.text
    refused = operator.post(f"/console/supervision/tickets/{number}/verify", {"finding": "found_true"})
    assert refused.status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client):
    page = client.get("/console/supervision/tickets?bank=建行", headers={"accept": "text/html"},
                      follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/console/login?next=")


def test_another_districts_ticket_is_not_found_like_a_ticket_that_does_not_exist(signed_in, seed, engine):
    theirs = seed.ticket(district=SHINAN, state=TicketState.result_reported, result="已处理")
    licang = signed_in("district_supervisor")
    hidden = licang.get(f"/console/supervision/tickets/{theirs}")
    missing = licang.get("/console/supervision/tickets/ZB-20990101-0001")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace(theirs, "N") == missing.text.replace("ZB-20990101-0001", "N")
    assert licang.post(f"/console/supervision/tickets/{theirs}/verify", {"finding": "found_true"}).status_code == 404
    assert _case(engine, theirs).verification is Verification.received
    assert _audit(engine, "view_ticket") == [] and _audit(engine, "verify_case") == []
    assert signed_in("district_supervisor_shinan").get(f"/console/supervision/tickets/{theirs}").status_code == 200


def test_a_district_supervisor_never_sees_another_districts_tickets(signed_in, seed):
    november = NOW - timedelta(days=5)
    mine = seed.ticket(district=LICANG, bank=CCB, due=TODAY - timedelta(days=1), created_at=november)
    theirs = [seed.ticket(district=SHINAN, bank=CCB, due=TODAY - timedelta(days=d), created_at=november)
              for d in (1, 2, 3)]
    licang = signed_in("district_supervisor")
    pages = {path: licang.get(path) for path in (
        "/console/supervision", "/console/supervision/tickets", "/console/supervision/tickets?overdue=1",
        "/console/supervision/tickets?bank=建行&sort=due", "/console/supervision/figures",
        "/console/supervision/rules", "/console/supervision/tickets.csv")}
    for path, page in pages.items():
        assert page.status_code == 200, path
        assert not any(n in page.text for n in theirs), path
    assert mine in pages["/console/supervision/tickets"].text
    assert "共 1 件" in text(pages["/console/supervision/tickets?overdue=1"].text)
    ccb = next(r for r in table(pages["/console/supervision/figures"].text, "bank-figures") if r and r[0] == CCB)
    assert ccb[1] == "1" and ccb[9] == "1"  # one complaint received, one ticket overdue: 李沧区's only
    asked_for_theirs = licang.get("/console/supervision/tickets?district=市南区")
    assert asked_for_theirs.status_code == 400 and "您只能查看李沧区的工单" in asked_for_theirs.text


def test_the_warning_counts_of_a_district_are_its_own(signed_in, seed):
    seed.ticket(district=LICANG, due=TODAY - timedelta(days=1))
    for _ in range(3):
        seed.ticket(district=SHINAN, due=TODAY - timedelta(days=1))
    city, licang = signed_in("city_supervisor"), signed_in("district_supervisor")
    assert "3 已逾期" not in text(licang.get("/console/supervision").text)
    assert "1 已逾期" in text(licang.get("/console/supervision").text)
    assert "4 已逾期" in text(city.get("/console/supervision").text)


def test_viewing_a_ticket_is_audited_and_contacts_are_masked(signed_in, seed, engine):
    number = seed.ticket(district=LICANG)
    page = signed_in("district_supervisor").get(f"/console/supervision/tickets/{number}")
    assert page.status_code == 200
    assert PHONE not in page.text and "139****5678" in page.text and "王**" in page.text
    entries = _audit(engine, "view_ticket")
    assert [(e.user_name, e.role, e.ticket_number) for e in entries] == [("licang1", "district_supervisor", number)]


def test_a_finding_is_refused_before_the_banks_report(signed_in, seed, engine):
    number = seed.ticket(district=LICANG, state=TicketState.acknowledged, **PRAISE)
    city = signed_in("city_supervisor")
    page = city.get(f"/console/supervision/tickets/{number}")
    assert "银行尚未反馈处理结果" in page.text
    refused = city.post(f"/console/supervision/tickets/{number}/verify", {"finding": "found_true"})
    assert refused.status_code == 409 and "尚未反馈" in text(refused.text)
    assert _case(engine, number).verification is Verification.received
    assert _audit(engine, "verify_case") == []


def test_a_finding_on_praise_after_the_report_is_saved_and_audited(signed_in, seed, engine):
    number = seed.ticket(district=LICANG, state=TicketState.result_reported, result="已当面致谢", **PRAISE)
    city = signed_in("city_supervisor")
    done = city.post(f"/console/supervision/tickets/{number}/verify", {"finding": "not_true"})
    assert done.status_code == 303 and done.headers["location"].endswith(f"/tickets/{number}?done=not_true")
    case = _case(engine, number)
    assert case.verification is Verification.not_true and case.verified_by == "city1"
    entries = _audit(engine, "verify_case")
    assert [(e.user_name, e.ticket_number, e.detail) for e in entries] == [("city1", number, {"finding": "not_true"})]
    after = city.get(done.headers["location"])
    assert "已记录核查结论：不实" in after.text and 'id="verify-form"' not in after.text
    again = city.post(f"/console/supervision/tickets/{number}/verify", {"finding": "found_true"})
    assert again.status_code == 409 and "不能重复核查" in again.text
    assert _case(engine, number).verification is Verification.not_true


def test_a_complaints_finding_comes_only_from_its_investigation_report(signed_in, seed, engine):
    number = seed.ticket(district=LICANG, state=TicketState.result_reported, result="已退还工本费")
    city = signed_in("city_supervisor")
    page = city.get(f"/console/supervision/tickets/{number}")
    assert 'id="investigation-form"' in page.text and 'id="verify-form"' not in page.text
    refused = city.post(f"/console/supervision/tickets/{number}/verify", {"finding": "found_true"})
    assert refused.status_code == 409 and "调查报告书" in text(refused.text)
    assert _case(engine, number).verification is Verification.received
    assert _audit(engine, "verify_case") == []


def test_a_finding_without_a_valid_csrf_token_changes_nothing(signed_in, seed, engine):
    number = seed.ticket(state=TicketState.result_reported, result="已处理", **PRAISE)
    city = signed_in("city_supervisor")
    for token in ("", "forged-token"):
        refused = city.post(f"/console/supervision/tickets/{number}/verify",
                            {"finding": "found_true", "csrf_token": token}, csrf=False)
        assert refused.status_code == 403 and "页面已过期或请求无法验证" in refused.text
    missing_choice = city.post(f"/console/supervision/tickets/{number}/verify", {"finding": "maybe"})
    assert missing_choice.status_code == 422 and "请选择核查结论" in missing_choice.text
    assert _case(engine, number).verification is Verification.received
    assert _audit(engine, "verify_case") == []


def test_bad_filters_are_explained_and_escaped(signed_in, seed):
    seed.ticket()
    city = signed_in("city_supervisor")
    page = city.get("/console/supervision/tickets", params={"bank": "<script>alert(1)</script>", "due_within": "x",
                                                            "page": "0"})
    assert page.status_code == 400
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    words = text(page.text)
    assert "不是本市社保卡合作银行" in words and "页码无效" in words and "0 到 30" in words
    for path in ("/console/supervision/rules?period=2026-13", "/console/supervision/figures?period=abc",
                 "/console/supervision/grades?year=1800"):
        bad = city.get(path)
        assert bad.status_code == 400, path
        assert "期间应为年份" in bad.text or "请选择年份" in bad.text


def test_the_list_filters_by_bank_and_pages_through_a_bookmarkable_url(signed_in, seed):
    ccb = [seed.ticket(bank=CCB) for _ in range(3)]
    seed.ticket(bank=ICBC)
    page = signed_in("city_supervisor").get("/console/supervision/tickets?bank=建行")
    rows = table(page.text, "ticket-table")[1:]
    assert sorted(r[0] for r in rows) == sorted(ccb) and {r[2] for r in rows} == {CCB}


def test_the_csv_holds_every_ticket_of_the_list_and_is_audited(signed_in, seed, engine):
    mine = [seed.ticket(district=LICANG, bank=CCB) for _ in range(3)] + [seed.ticket(district=LICANG, bank=ICBC)]
    seed.ticket(district=SHINAN, bank=CCB)
    download = signed_in("district_supervisor").get("/console/supervision/tickets.csv?bank=建行")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert download.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["工单号", "类型", "合作银行"]
    assert sorted(r[0] for r in rows[1:]) == sorted(mine[:3]) and {r[4] for r in rows[1:]} == {LICANG}
    [entry] = _audit(engine, "export_csv")
    assert entry.user_name == "licang1" and entry.detail["scope"] == LICANG


def test_district_supervisors_are_refused_the_citys_workbook(signed_in, engine):
    refused = signed_in("district_supervisor").get("/console/supervision/figures/export.xlsx?period=2026-11")
    assert refused.status_code == 403 and "市社会保险经办机构导出" in refused.text
    assert _audit(engine, "export_xlsx") == []
    assert "export-xlsx" not in signed_in("district_supervisor").get("/console/supervision/figures").text


def _cells(source) -> dict[str, list[tuple]]:
    book = load_workbook(source)
    return {ws.title: [tuple(c.value for c in row) for row in ws.iter_rows()
                       if row[0].value != "生成时间"] for ws in book.worksheets}


@pytest.mark.commands
def test_the_workbook_is_the_one_sbk_report_writes(signed_in, seed, engine, clock, db_url, tmp_path):
    # The command reads the real clock; the console is set to it, so both look at the same day.
    clock.set(datetime.now(UTC))
    today = clock.now().date()
    seed.ticket(district=LICANG, bank=CCB, created_at=clock.now() - timedelta(hours=1), due=today - timedelta(days=1))
    seed.ticket(district=SHINAN, bank=ICBC, created_at=clock.now() - timedelta(hours=2),
                verification=Verification.found_true, verified_at=clock.now() - timedelta(minutes=30),
                state=TicketState.verified, result="已处理")
    month = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    download = signed_in("city_supervisor").get(f"/console/supervision/figures/export.xlsx?period={month}")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    command = subprocess.run([str(Path(sys.executable).with_name("sbk")), "report", "month", month, "--xlsx",
                              str(tmp_path / "report.xlsx")], capture_output=True, text=True, cwd=PROJECT_ROOT,
                             env={**os.environ, "DATABASE_URL": db_url}, timeout=300, check=False)
    assert command.returncode == 0, command.stderr
    assert _cells(io.BytesIO(download.content)) == _cells(tmp_path / "report.xlsx")
    [entry] = _audit(engine, "export_xlsx")
    assert entry.user_name == "city1" and entry.detail == {"period": month}


@pytest.mark.parametrize("role", ["city_supervisor", "district_supervisor", "admin"])
def test_every_page_renders_for_every_supervising_role(signed_in, seed, role):
    number = seed.ticket(district=LICANG, state=TicketState.result_reported, result="已处理")
    user = signed_in(role)
    for path in PAGES[:5] + (f"/console/supervision/tickets/{number}", "/console/supervision/figures?period=2026"):
        assert user.get(path).status_code == 200, path


def test_the_home_and_rules_pages_show_bursts_with_their_cases_and_baseline(signed_in, seed):
    licang = [seed.ticket(district=LICANG, outlet="李村支行", intent=intent, created_at=NOW - timedelta(days=d))
              for intent, d in (("complaint/fees", 1), ("complaint/attitude", 2))]
    shinan = [seed.ticket(district=SHINAN, outlet="香港中路支行", bank=ICBC, intent=intent,
                          created_at=NOW - timedelta(days=d)) for intent, d in (("complaint/fees", 1), ("complaint/attitude", 3))]
    steady = [seed.ticket(district=SHINAN, outlet="台东支行", created_at=NOW - timedelta(days=d)) for d in
              (1, 8, 15, 22, 29)]  # one a week: no burst
    city, district = signed_in("city_supervisor"), signed_in("district_supervisor")
    home = city.get("/console/supervision")
    assert home.status_code == 200
    section = text(home.text).split("投诉突增", 1)[1]
    assert all(n in home.text for n in licang + shinan) and not any(n in home.text for n in steady)
    assert "中国建设银行李村支行：近7天投诉 2 件" in section and "0、0、0、0" in section
    assert "这是突增预警，不是规则触发" in section
    own = district.get("/console/supervision").text
    assert all(n in own for n in licang) and not any(n in own for n in shinan)
    rules = city.get("/console/supervision/rules")
    assert rules.status_code == 200 and all(n in rules.text for n in licang + shinan)
