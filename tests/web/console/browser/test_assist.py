"""The assist page in a real browser against the real NLU: a Rasa server with the trained model
(tests/rasa_server.py, shared by the run) behind a served console. What the operator types is
understood as they type, a ticket is created with its number and due date shown at once, the
caller's earlier tickets appear for their phone, and the one-time notice prints on one A4 page.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlmodel import Session, select

from bot.db import make_engine
from bot.ledger.models import Case, Ticket
from tests.rasa_server import free_port
from tests.web.console.browser.conftest import SCREENSHOTS

CALLER = "13912345678"
COMPLAINT = "建行李村支行柜员态度很差还乱收费"


@pytest.fixture(scope="module")
def assist_server(start_console_server, rasa_url):
    return start_console_server({"RASA_URL": rasa_url})


@pytest.fixture
def operator_page(page, assist_server, sign_in):
    sign_in(page, "operator", assist_server)
    page.goto(f"{assist_server.url}/console/assist")
    return page


def rows(database_url: str, model):
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return list(session.exec(select(model)))
    finally:
        engine.dispose()


def type_utterance(page, text: str) -> None:
    """Type as an operator would (the analysis follows the typing), then add it with Enter."""
    page.click("#utterance")
    page.keyboard.type(text, delay=20)
    page.locator(".focus-text", has_text=text[-4:]).wait_for()
    page.keyboard.press("Enter")
    page.locator(".utterance-text", has_text=text[-4:]).last.wait_for()


def test_typed_words_are_understood_and_a_ticket_is_created_at_once(operator_page, assist_server, knowledge,
                                                                     screenshot):
    page = operator_page
    type_utterance(page, COMPLAINT)
    guesses = page.locator(".guess-label").all_inner_texts()
    complaint_labels = {knowledge.intent(i.name).label for i in knowledge.intents_in("complaint")}
    assert len(guesses) == 3 and guesses[0] in complaint_labels, guesses
    assert page.locator(".category strong").inner_text() == knowledge.category("complaint").label
    assert page.locator(".entity-bank").inner_text() == "中国建设银行"
    assert page.locator(".entity-outlet").inner_text() == "李村支行"
    assert re.fullmatch(r"\d+%", page.locator(".confidence").first.inner_text())
    wanted = page.get_attribute(".guess.chosen", "data-intent")

    # A sentence that is only a phone number: masked, and the call's request stays in place.
    type_utterance(page, f"我的电话是{CALLER}")
    assert "139****5678" in page.locator(".utterances").inner_text()
    assert CALLER not in page.locator("#analysis").inner_text()
    assert page.locator(".category strong").inner_text() == knowledge.category("complaint").label
    assert page.get_attribute(".guess.chosen", "data-intent") == wanted

    # The answer rests on articles; a click shows the article's own text.
    article = page.locator("details.article").first
    article.locator("summary").click()
    assert article.locator(".article-text").is_visible()
    assert len(article.locator(".article-text").inner_text()) > 10

    # The caller's phone: earlier matters (none yet) and the forms' phone fields.
    page.fill("#caller-phone", CALLER)
    page.press("#caller-phone", "Enter")
    page.locator("#caller-history", has_text="没有以往").wait_for()

    # The ticket form was filled in from what was understood.
    assert page.input_value("#ticket-bank") == "中国建设银行"
    assert page.input_value("#ticket-outlet") == "李村支行"
    assert page.input_value("#ticket-district") == "李沧区"
    assert page.input_value("#ticket-intent") == wanted
    assert page.input_value("#ticket-phone") == CALLER
    description = page.input_value("#ticket-description")
    assert COMPLAINT in description and "139****5678" in description and CALLER not in description
    page.check("#ticket-consent")
    screenshot(page, "assist_analysis")

    page.click("#ticket-form button[type=submit]")
    created = page.locator(".ticket-created")
    created.wait_for()
    number = created.locator(".ticket-number").inner_text()
    due = created.locator(".ticket-due").inner_text()
    assert re.fullmatch(r"ZB-\d{8}-\d{4}", number), number
    tickets = {t.number: t for t in rows(assist_server.database_url, Ticket)}
    assert number in tickets and due.startswith(tickets[number].due_date.isoformat())
    assert tickets[number].due_date > date.today()
    case = next(c for c in rows(assist_server.database_url, Case) if c.id == tickets[number].case_id)
    assert (case.channel, case.contact_phone, case.consent_to_contact, case.bank) == (
        "hotline_12333", CALLER, True, "中国建设银行")
    # The caller's list now shows the new ticket.
    page.locator("#caller-history .ticket-number", has_text=number).wait_for()
    screenshot(page, "assist_ticket_created")


def test_a_bad_ticket_form_comes_back_with_messages_and_nothing_is_saved(operator_page, assist_server, screenshot):
    page = operator_page
    before = len(rows(assist_server.database_url, Case))
    page.fill("#ticket-phone", "12345")
    page.fill("#ticket-outlet", "<script>alert(1)</script>")
    page.click("#ticket-form button[type=submit]")
    page.locator("#ticket-bank-error").wait_for()
    assert page.locator("#ticket-bank-error").inner_text() == "请选择本市社保卡合作银行"
    assert "联系电话" in page.locator("#ticket-contact_phone-error").inner_text()
    assert page.locator("#ticket-description-error").inner_text() == "请填写事情经过"
    assert page.input_value("#ticket-outlet") == "<script>alert(1)</script>"  # kept, as text
    assert page.input_value("#ticket-phone") == "12345"
    assert len(rows(assist_server.database_url, Case)) == before
    screenshot(page, "assist_ticket_errors")


def test_the_one_time_notice_is_issued_and_prints_on_one_a4_page(operator_page, assist_server, knowledge,
                                                                  screenshot):
    page = operator_page
    type_utterance(page, "没有照片办不了社保卡怎么办")
    page.locator("#notice-panel.suggested").wait_for()
    assert page.input_value("#notice-matter") == "no_photo"
    page.fill("#caller-phone", CALLER)
    page.press("#caller-phone", "Enter")
    page.fill("#notice-name", "张女士")
    assert page.input_value("#notice-phone") == CALLER

    with page.context.expect_page() as opened:
        page.click("#notice-form button[type=submit]")
    sheet = opened.value
    sheet.wait_for_load_state()
    assert re.search(r"/console/notices/GZ-\d{8}-\d{4}$", sheet.url), sheet.url
    number = sheet.locator(".notice-number").inner_text()
    assert sheet.url.endswith(number)
    case = knowledge.notices["no_photo"]
    assert sheet.locator(".notice-reason").inner_text() == case.reason
    assert sheet.locator(".notice-missing li").count() == len(case.missing)
    assert sheet.locator(".notice-procedure li").count() == len(case.procedure)
    assert sheet.locator(".notice-phone").inner_text() == knowledge.operator.service_phone
    screenshot(sheet, "notice_screen")

    sheet.emulate_media(media="print")
    assert not sheet.locator(".site-header").is_visible()
    assert not sheet.locator("#print-sheet").is_visible()
    assert sheet.locator(".signatures").is_visible()
    screenshot(sheet, "notice_print")
    pdf = sheet.pdf(prefer_css_page_size=True, print_background=False)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "notice_print.pdf").write_bytes(pdf)
    assert pdf.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page(?!s)", pdf)
    assert len(pages) == 1, f"the notice takes {len(pages)} pages"
    box = re.search(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert box and (round(float(box.group(1))), round(float(box.group(2)))) == (595, 842)  # A4 in points


def test_with_rasa_down_the_page_says_so_and_the_knowledge_base_still_answers(page, start_console_server, sign_in,
                                                                               knowledge, screenshot):
    server = start_console_server({"RASA_URL": f"http://127.0.0.1:{free_port()}"})
    sign_in(page, "operator", server)
    page.goto(f"{server.url}/console/assist")
    page.click("#utterance")
    page.keyboard.type(COMPLAINT, delay=20)
    message = page.locator(".nlu-error")
    message.wait_for()
    assert message.inner_text() == "语义理解服务暂时不可用，请直接查阅知识库"
    page.select_option("#intent-choice", "inquiry/photo")
    page.locator(".answer-text", has_text=knowledge.guide("inquiry/photo").title).wait_for()
    screenshot(page, "assist_nlu_down")

    # The ticket still goes through, filled in by hand.
    page.select_option("#ticket-intent", "complaint/fees")
    page.select_option("#ticket-bank", "中国建设银行")
    page.fill("#ticket-description", "乱收费")
    page.click("#ticket-form button[type=submit]")
    assert re.fullmatch(r"ZB-\d{8}-\d{4}", page.locator(".ticket-created .ticket-number").inner_text())
