"""The agencies' supervision pages in headless Chromium: a city supervisor filters tickets by bank; a
district supervisor files a complaint's investigation report, the city approves it and it prints on
one A4 sheet; an operator cannot open the pages; a 李沧区 supervisor neither sees nor opens a 市南区
ticket. Screenshots of the list, a ticket, the warnings, the rules fired and the charts."""

from __future__ import annotations

import itertools
import random
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.db import make_engine, new_session
from bot.knowledge import get_knowledge
from bot.ledger.cases import record_case, verify_case
from bot.ledger.models import Case, CaseCreate, CaseKind, Ticket, TicketState
from bot.ledger.tickets import get_ticket, report
from bot.reactions import ledger_reactions
from bot.workdays import get_calendar
from tests.matters import fee_complaint

CCB, ICBC = "中国建设银行", "中国工商银行"
SHANGHAI = ZoneInfo("Asia/Shanghai")
# The console server shares its database between tests: every outlet name here is this module's own.
_run = itertools.count(random.randrange(1000, 9000))


@pytest.fixture
def engine(console_server):
    engine = make_engine(console_server.database_url)
    yield engine
    engine.dispose()


def complaint(engine, *, bank: str, district: str, outlet: str, reported: bool = False,
              intent: str = "complaint/fees") -> str:
    """A complaint recorded as the assistant records one, optionally with the bank's result report."""
    knowledge, now = get_knowledge(), datetime.now(UTC)
    n = next(_run)  # each complaint another citizen's matter, else it joins an open ticket
    with new_session(engine) as session:
        _, ticket = record_case(session, reactions=ledger_reactions(), data=CaseCreate(
            kind=CaseKind.complaint, intent=intent, bank=bank, outlet=outlet, district=district,
            channel="hotline_12333", description=f"{fee_complaint(n)}电话13912345678。", contact_name="王先生",
            contact_phone=f"139{n % 10000:04d}5678", consent_to_contact=True), knowledge=knowledge, calendar=get_calendar(), now=now)
        if reported:
            report(session, ticket, reactions=ledger_reactions(),
                   process="已调查", result="已退还工本费", actor=bank, now=now, knowledge=knowledge)
        session.commit()
        return ticket.number


def outlet_name() -> str:
    return f"测试{next(_run)}支行"


def test_a_city_supervisor_filters_tickets_by_bank(page, console_server, sign_in, screenshot, engine):
    outlet = outlet_name()
    ccb = [complaint(engine, bank=CCB, district="李沧区", outlet=outlet) for _ in range(2)]
    icbc = complaint(engine, bank=ICBC, district="市南区", outlet=outlet)
    sign_in(page, "city_supervisor")
    page.click("nav.site-nav >> text=监管")
    page.click("nav.sv-tabs >> text=工单")
    page.fill("#f-outlet", outlet)
    page.select_option("#f-bank", CCB)
    page.click("#ticket-filters button[type=submit]")
    page.wait_for_url("**/console/supervision/tickets?*")
    assert "bank=" in page.url and "outlet=" in page.url  # a bookmarkable address
    rows = page.locator("#ticket-table tbody tr")
    assert rows.count() == 2
    assert sorted(rows.locator("td:first-child").all_inner_texts()) == sorted(ccb)
    assert set(rows.locator("td:nth-child(3)").all_inner_texts()) == {CCB}
    assert icbc not in page.content()
    screenshot(page, "supervision-tickets")
    page.goto(page.url)  # the same address gives the same list
    assert page.locator("#ticket-table tbody tr").count() == 2
    assert page.locator("#f-bank").input_value() == CCB


def test_a_district_files_the_investigation_report_and_the_city_approves_it(page, console_server, sign_in,
                                                                            screenshot, engine, tmp_path):
    number = complaint(engine, bank=CCB, district="李沧区", outlet=outlet_name(), reported=True)
    sign_in(page, "district_supervisor")
    page.goto(f"{console_server.url}/console/supervision/tickets/{number}")
    assert "139****5678" in page.inner_text("#case-facts") and "13912345678" not in page.content()
    assert page.inner_text("#verification").startswith("待核查")
    page.fill("#inv-investigators", "张明、李华")
    page.fill("#inv-facts", "经现场核查，网点补卡时收取工本费20元属实。")
    page.check("#investigation-form input[value=found_true]")
    page.fill("#inv-responsibility", "柜员违规收费。")
    page.click("#investigation-form button[type=submit]")  # the day is missing: the browser's own check stops it
    assert page.url.endswith(f"/tickets/{number}")
    page.fill("#inv-investigated_on", datetime.now(SHANGHAI).date().isoformat())
    page.evaluate("document.querySelector('#investigation-form').noValidate = true")
    page.click("#investigation-form button[type=submit]")  # the handling proposal is missing: the server says so
    assert "请提出对银行网点及责任人的处理建议" in page.inner_text("#inv-outlet_handling-error")
    assert page.input_value("#inv-facts") == "经现场核查，网点补卡时收取工本费20元属实。"
    page.fill("#inv-outlet_handling", "责令退还费用，通报批评。")
    screenshot(page, "supervision-investigation-form")
    page.click("#investigation-form button[type=submit]")
    page.wait_for_url(f"**/tickets/{number}?done=filed")
    assert page.inner_text("#verification").startswith("查实")
    assert page.inner_text("#investigation-review").startswith("待市级审核")

    page.context.clear_cookies()  # another person, at another desk
    sign_in(page, "city_supervisor")
    page.goto(f"{console_server.url}/console/supervision/investigations")
    page.click(f"#investigation-table >> text={number}")
    page.check("#review-form input[value=approve]")
    page.click("#review-form button[type=submit]")
    page.wait_for_url(f"**/tickets/{number}?done=approved")
    assert page.inner_text("#investigation-review").startswith("审核通过")
    with new_session(engine) as session:
        case = session.exec(select(Case).join(Ticket, Ticket.case_id == Case.id).where(Ticket.number == number)).one()
        ticket = get_ticket(session, number)
    assert case.verification.value == "found_true" and case.verified_by == "licang1"
    assert ticket.state is TicketState.verified

    page.click("#investigation-print")
    assert "卡经办服务调查报告书" in page.inner_text("#investigation-sheet")
    screenshot(page, "supervision-investigation-sheet")
    pdf = page.pdf(format="A4", print_background=False)
    sizes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf))
    assert sizes and all(abs(float(w) - 595.9) < 2 and abs(float(h) - 842) < 2 for w, h in sizes)  # A4 in points
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # one sheet
    (tmp_path / "report.pdf").write_bytes(pdf)


def test_a_report_before_the_banks_answer_cannot_be_submitted(page, console_server, sign_in, engine):
    number = complaint(engine, bank=CCB, district="李沧区", outlet=outlet_name())
    sign_in(page, "city_supervisor")
    page.goto(f"{console_server.url}/console/supervision/tickets/{number}")
    assert "反馈后才能填报调查报告书" in page.inner_text("main")
    assert page.locator("#investigation-form button[type=submit]").is_disabled()


def test_an_operator_cannot_open_supervision_pages(page, console_server, sign_in):
    sign_in(page, "operator")
    assert page.locator("nav.site-nav >> text=监管").count() == 0
    for path in ("/console/supervision", "/console/supervision/tickets", "/console/supervision/figures"):
        response = page.goto(f"{console_server.url}{path}")
        assert response.status == 403
        assert "您没有权限查看此页面" in page.inner_text("main")


def test_a_district_supervisor_does_not_see_another_districts_ticket(page, console_server, sign_in, screenshot,
                                                                     engine):
    outlet = outlet_name()
    mine = complaint(engine, bank=CCB, district="李沧区", outlet=outlet)
    theirs = complaint(engine, bank=CCB, district="市南区", outlet=outlet)
    sign_in(page, "district_supervisor")
    page.goto(f"{console_server.url}/console/supervision/tickets")
    assert page.inner_text(".sv-scope") == "仅显示李沧区"
    page.fill("#f-outlet", outlet)
    page.click("#ticket-filters button[type=submit]")
    page.wait_for_url("**/tickets?*")
    assert page.locator("#ticket-table tbody td:first-child").all_inner_texts() == [mine]
    assert theirs not in page.content()
    response = page.goto(f"{console_server.url}/console/supervision/tickets/{theirs}")
    assert response.status == 404
    assert "没有找到" in page.inner_text("main") and "市南区" not in page.inner_text("main")


def test_warnings_rules_and_charts(page, console_server, sign_in, screenshot, engine):
    # Three found-true fee complaints about one bank this month: the Art. 45 rule fires.
    outlet = outlet_name()
    knowledge = get_knowledge()
    numbers = [complaint(engine, bank=ICBC, district="李沧区", outlet=outlet, reported=True) for _ in range(3)]
    with new_session(engine) as session:
        for number in numbers:
            case_id = get_ticket(session, number).case_id
            verify_case(session, reactions=ledger_reactions(),
                        case_id=case_id, found_true=True, by="city1", knowledge=knowledge,
                        now=datetime.now(UTC))
        session.commit()
    sign_in(page, "city_supervisor")
    page.goto(f"{console_server.url}/console/supervision")
    assert page.locator(".sv-summary li").count() >= 6
    screenshot(page, "supervision-warnings")

    page.goto(f"{console_server.url}/console/supervision/rules?rule=bank_same_type_complaints&level=official"
              f"&bank={ICBC}")
    firing = page.locator("article.sv-firing").first
    assert "同类投诉" in firing.inner_text() and "约谈" in firing.inner_text()
    for number in numbers:
        assert firing.locator(f"a:text-is('{number}')").count() == 1
    screenshot(page, "supervision-rules")

    month = datetime.now(SHANGHAI).strftime("%Y-%m")
    page.goto(f"{console_server.url}/console/supervision/figures?period={month}")
    assert page.locator("figure.sv-chart svg rect").count() > 8
    icbc = page.locator("#bank-figures tbody tr", has_text=ICBC)
    assert int(icbc.locator("td").nth(2).inner_text()) >= 3  # found true
    screenshot(page, "supervision-charts")
    with page.expect_download() as download:
        page.click("#export-xlsx")
    assert download.value.suggested_filename == f"sbk-report-{month}.xlsx"

    page.goto(f"{console_server.url}/console/supervision/grades")
    assert page.locator("#grades tbody tr").count() == len(knowledge.banks)
    screenshot(page, "supervision-grades")

