"""The assist page's routes: what an operator sees for the caller's words, the one-click ticket
and the caller's earlier tickets; roles, CSRF, bad input, escaping, audit.

The model is not the subject here, so most tests inject ``FakeParser`` (a fixed interpretation
built from knowledge/); that the real Rasa model understands the caller is tested in
tests/nlu/test_remote.py and tests/web/console/browser/test_assist.py. Where Rasa is down, the real
client is used against a port where nothing listens.
"""

from __future__ import annotations

import asyncio
import html
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, func, select

from bot.answers import render_guide
from bot.forwarding.models import Delivery
from bot.ledger.cases import record_case
from bot.ledger.models import Case, CaseCreate, Ticket
from bot.nlu.interpret import Interpretation
from bot.nlu.remote import RasaParser
from bot.one_time_notices import register_notice
from bot.reactions import ledger_reactions
from bot.web.console.models import AuditEntry
from bot.workdays import WorkdayCalendar
from tests.rasa_server import free_port
from tests.web.console.conftest import NOW

PHONE = "13912345678"
FRAGMENT = {"X-Assist-Fragment": "1"}


class FakeParser:
    """Stands in for Rasa: every text is a fee complaint about 建行李村支行 (or `interpretation`)."""

    def __init__(self, interpretation: Interpretation | None = None) -> None:
        self.interpretation = interpretation
        self.texts: list[str] = []

    async def parse(self, text: str) -> Interpretation:
        self.texts.append(text)
        return self.interpretation or Interpretation(
            text=text, category="complaint", intent="complaint/fees", confidence=0.82,
            ranking=(("complaint/fees", 0.82), ("complaint/attitude", 0.11), ("inquiry/fees", 0.04)),
            entities={"bank": "中国建设银行", "outlet": "李村支行"})


@pytest.fixture
def parser(app) -> FakeParser:
    fake = FakeParser()
    app.state.nlu_parser = fake
    return fake


@pytest.fixture
def operator(signed_in, parser):
    return signed_in("operator")


def analyze(browser, body, *, csrf=None):
    # As assist.js sends it: no text/html in Accept.
    return browser.client.post("/console/assist/analyze", json=body,
                               headers={"X-CSRF-Token": browser.csrf if csrf is None else csrf, "Accept": "*/*"})


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(model)).one()


def audit(engine, action):
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


# --------------------------------------------------------------------------- the page and access


def test_the_page_is_for_operators_only(signed_in, parser, client):
    page = signed_in("operator").get("/console/assist")
    assert page.status_code == 200 and "来电助手" in page.text and 'src="/console/static/assist.js"' in page.text
    supervisor = signed_in("city_supervisor")
    assert supervisor.get("/console/assist").status_code == 403
    assert analyze(supervisor, {"draft": "建行乱收费"}).status_code == 403
    assert client.get("/console/assist", headers={"accept": "text/html"}, follow_redirects=False).headers[
        "location"].startswith("/console/login")


def test_an_expired_session_tells_the_page_script_to_sign_in_again(operator, parser, clock):
    clock.advance(hours=13)
    response = analyze(operator, {"draft": "建行乱收费"})
    assert response.status_code == 401 and parser.texts == []
    assert response.json()["detail"]["message"] == "登录已过期，请重新登录"
    assert response.json()["detail"]["login"].startswith("/console/login")


@pytest.mark.parametrize("token", ["", "forged-token"])
def test_analysis_needs_the_sessions_csrf_token(operator, parser, token):
    response = analyze(operator, {"draft": "建行乱收费"}, csrf=token)
    assert response.status_code == 403 and parser.texts == []


# --------------------------------------------------------------------------- analysis


def test_the_analysis_shows_intents_entities_answer_and_articles(operator, parser, knowledge):
    response = analyze(operator, {"draft": "柜员还乱收费", "utterances": ["建行李村支行的柜员态度很差"]})
    assert response.status_code == 200
    page = response.text
    assert "投诉举报" in page  # the category's label from knowledge
    for intent in ("complaint/fees", "complaint/attitude", "inquiry/fees"):
        assert html.escape(knowledge.intent(intent).label) in page
    assert "82%" in page
    assert '<dd class="entity-bank">中国建设银行</dd>' in page and '<dd class="entity-outlet">李村支行</dd>' in page
    assert '<dd class="entity-district">李沧区</dd>' in page  # the outlet's district, from knowledge
    assert "已收到您反映的问题" in page  # the complaint acknowledgement to read out
    article = knowledge.article(12)
    assert f"<summary>{article.label}</summary>" in page
    assert html.escape(article.text.splitlines()[0]) in page
    assert 'data-ticket-intent="complaint/fees"' in page
    # Every sentence is read on its own, the draft last.
    assert parser.texts == ["建行李村支行的柜员态度很差", "柜员还乱收费"]


def test_a_sentence_without_a_request_leaves_the_calls_request_in_place(app, signed_in, knowledge):
    class ByText(FakeParser):
        async def parse(self, text):
            small_talk = {"好的": "other/affirm"}.get(text) or ("other/out_of_scope" if "电话" in text else None)
            if small_talk is None:
                return await FakeParser.parse(self, text)
            self.texts.append(text)
            return Interpretation(text=text, category="other", intent=small_talk, confidence=0.6,
                                  ranking=((small_talk, 0.6), ("other/ticket_status", 0.2)))

    app.state.nlu_parser = ByText()
    operator = signed_in("operator")
    page = analyze(operator, {"utterances": ["建行李村支行乱收费", "好的", f"我的电话是{PHONE}"]}).text
    assert "按第 1 句识别" in page and 'data-intent="complaint/fees"' in page
    assert 'data-ticket-intent="complaint/fees"' in page and "已收到您反映的问题" in page
    alone = analyze(operator, {"utterances": [f"我的电话是{PHONE}"]}).text
    assert "句识别" not in alone and 'data-intent="other/out_of_scope"' in alone


def test_id_and_phone_numbers_are_masked_and_markup_is_escaped(operator, parser):
    response = analyze(operator, {"draft": f"我的电话{PHONE}，身份证370202199001011237",
                                  "utterances": ["<script>alert(1)</script>建行"]})
    page = response.text
    assert PHONE not in page and "139****5678" in page
    assert "370202199001011237" not in page and "370202********1237" in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_operators_choice_of_intent_decides_the_answer(operator, parser, knowledge):
    page = analyze(operator, {"draft": "照片的事", "intent": "inquiry/photo"}).text
    guide = knowledge.guide("inquiry/photo")
    assert f"【{guide.title}】" in page and "按您选择的事项" in page
    assert 'data-notice-case="no_photo"' in page  # the notice panel is suggested
    unknown = analyze(operator, {"draft": "照片的事", "intent": "inquiry/nonsense"}).text
    assert "按您选择的事项" not in unknown and "已收到您反映的问题" in unknown


def test_a_guide_is_shown_in_its_parts_with_what_the_citizen_reads(operator, parser, knowledge):
    """The operator reads out the same answer the citizen gets in Telegram, its parts under headings."""
    page = analyze(operator, {"draft": "照片的事", "intent": "inquiry/photo"}).text
    reply = render_guide(knowledge.guide("inquiry/photo"), knowledge)
    layout = page[page.index('<div class="answer-text answer-layout">'):page.index('<div class="articles">')]
    for section in reply.answer.sections:
        assert f"<h4>{html.escape(section.title)}</h4>" in layout
    assert 'data-part="notice_title"' in layout  # the one-time notice, whole, as a part of its own
    for line in reply.text.splitlines():
        assert not line.strip() or html.escape(line) in layout, line


def test_with_rasa_down_the_page_says_so_and_knowledge_still_answers(app, signed_in, knowledge):
    async_client = httpx.AsyncClient()
    app.state.nlu_parser = RasaParser(async_client, f"http://127.0.0.1:{free_port()}", 1.0)
    try:
        operator = signed_in("operator")
        nlu_down = knowledge.messages.text("console_nlu_unavailable")
        down = analyze(operator, {"draft": f"建行乱收费 {PHONE}"})
        assert down.status_code == 200 and nlu_down in down.text
        assert "139****5678" in down.text and PHONE not in down.text  # the rest of the panel still works
        looked_up = analyze(operator, {"draft": "照片", "intent": "inquiry/photo"})
        assert nlu_down in looked_up.text and f"【{knowledge.guide('inquiry/photo').title}】" in looked_up.text
    finally:
        with ThreadPoolExecutor(max_workers=1) as pool:  # a loop of its own, whatever this thread runs
            pool.submit(asyncio.run, async_client.aclose()).result()


def test_overlong_utterances_are_cut_and_the_operator_told(operator, parser):
    page = analyze(operator, {"draft": "乱" * 700}).text
    assert "只分析了前 500 个字" in page and parser.texts == ["乱" * 500]
    assert analyze(operator, {"draft": "乱" * 2001}).status_code == 422


# --------------------------------------------------------------------------- one-click ticket


def ticket_form(**overrides):
    return {"contact_phone": "139 1234 5678", "consent": "1", "contact_name": "李先生", "bank": "中国建设银行",
            "outlet": "李村支行", "district": "李沧区", "intent": "complaint/fees",
            "description": "柜员态度很差，还收了 20 元工本费", **overrides}


def test_a_ticket_is_created_and_shown_with_number_and_due_date(operator, engine, knowledge):
    response = operator.post("/console/assist/ticket", ticket_form(), headers=FRAGMENT)
    assert response.status_code == 200
    with Session(engine) as session:
        ticket = session.exec(select(Ticket)).one()
        case = session.get(Case, ticket.case_id)
    due = WorkdayCalendar().add_working_days(NOW.date(), knowledge.rules.ticket_due.transfer.working_days).due
    assert ticket.number == "ZB-20261127-0001" and ticket.due_date == due
    assert ticket.number in response.text and due.isoformat() in response.text
    assert (case.channel, case.contact_phone, case.consent_to_contact) == ("hotline_12333", PHONE, True)
    assert (case.bank, case.outlet, case.intent, case.kind.value) == ("中国建设银行", "李村支行", "complaint/fees",
                                                                        "complaint")
    entry = audit(engine, "create_ticket")
    assert [(e.user_name, e.ticket_number) for e in entry] == [("operator1", ticket.number)]


def test_without_script_the_ticket_form_returns_the_whole_page(operator, engine):
    response = operator.post("/console/assist/ticket", ticket_form())
    assert response.status_code == 200 and "<html" in response.text and "ZB-20261127-0001" in response.text


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"bank": ""}, "bank", "请选择本市社保卡合作银行"),
    ({"bank": "花旗银行"}, "bank", "不是本市社保卡合作银行"),
    ({"contact_phone": "12345"}, "contact_phone", "请填写正确的联系电话"),
    ({"contact_phone": "", "consent": "1"}, "contact_phone", "市民同意回访的，请填写联系电话"),
    ({"intent": "inquiry/photo"}, "intent", "请选择投诉或表扬的类型"),
    ({"description": "   "}, "description", "请填写事情经过"),
    ({"description": "乱" * 4001}, "description", "事情经过不能超过 4000 个字"),
    ({"outlet": "网" * 65}, "outlet", "网点名称不能超过 64 个字"),
    ({"district": "北京市"}, "district", "不是青岛市的区（市）"),
])
def test_a_bad_field_comes_back_with_its_message_and_nothing_is_saved(operator, engine, overrides, field, message):
    form = ticket_form(**overrides)
    response = operator.post("/console/assist/ticket", form, headers=FRAGMENT)
    assert response.status_code == 422
    page = response.text
    error = page[page.index(f'id="ticket-{field}-error"'):]
    assert message in error[:200]
    assert f'aria-describedby="ticket-{field}-error"' in page
    assert html.escape(form["contact_name"]) in page  # what was typed is kept
    assert count(engine, Case) == 0 and count(engine, Ticket) == 0 and audit(engine, "create_ticket") == []


def test_every_bad_field_is_named_at_once_and_script_is_shown_as_text(operator, engine):
    form = ticket_form(bank="", contact_phone="abc", description="", outlet="<img src=x onerror=alert(1)>")
    page = operator.post("/console/assist/ticket", form, headers=FRAGMENT).text
    for field in ("bank", "contact_phone", "description"):
        assert f'id="ticket-{field}-error"' in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert count(engine, Case) == 0


def test_a_forged_csrf_token_creates_no_ticket(operator, engine):
    response = operator.post("/console/assist/ticket", {**ticket_form(), "csrf_token": "forged"})
    assert response.status_code == 403 and "页面已过期" in response.text
    assert count(engine, Case) == 0


# --------------------------------------------------------------------------- the caller's earlier matters


def test_the_callers_earlier_tickets_and_notices_are_listed_and_each_view_audited(operator, engine, knowledge):
    calendar = WorkdayCalendar()
    with Session(engine) as session:
        _, by_phone = record_case(session, reactions=ledger_reactions(), data=CaseCreate(
            kind="complaint", intent="complaint/attitude", bank="农行", channel="telegram", description="态度差",
            contact_phone=PHONE, citizen_ref="telegram:1"), knowledge=knowledge, calendar=calendar, now=NOW)
        _, other = record_case(session, reactions=ledger_reactions(), data=CaseCreate(
            kind="complaint", intent="complaint/fees", bank="工行", channel="hotline_12333", description="收费",
            contact_phone="13800000000"), knowledge=knowledge, calendar=calendar, now=NOW)
        notice = register_notice(session, matter="inquiry/photo", channel="hotline_12333", contact_phone=PHONE,
                                 knowledge=knowledge, now=NOW)
        numbers = (by_phone.number, other.number, notice.number)
        session.commit()
    created = operator.post("/console/assist/ticket", ticket_form(), headers=FRAGMENT)
    assert created.status_code == 200

    response = operator.post("/console/assist/caller", {"phone": "139-1234-5678"}, headers=FRAGMENT)
    assert response.status_code == 200
    page = response.text
    assert numbers[0] in page and "ZB-20261127-0003" in page and numbers[2] in page
    assert numbers[1] not in page  # another caller's ticket
    assert "中国农业银行" in page and "已创建" in page
    viewed = audit(engine, "view_ticket")
    assert sorted(e.ticket_number for e in viewed) == sorted([numbers[0], "ZB-20261127-0003"])
    assert all(e.detail == {"via": "lookup_caller"} and e.user_name == "operator1" for e in viewed)


def test_a_lookup_with_something_that_is_not_a_phone_says_so(operator, engine):
    response = operator.post("/console/assist/caller", {"phone": "<b>abc</b>"}, headers=FRAGMENT)
    assert response.status_code == 422 and "请填写正确的联系电话" in response.text
    assert "<b>abc" not in response.text
    assert audit(engine, "view_ticket") == []


def test_a_second_call_about_the_same_matter_gets_the_open_tickets_number(operator, engine, knowledge):
    calendar = WorkdayCalendar()
    with Session(engine) as session:  # the same caller complained in Telegram an hour ago
        _, first = record_case(session, reactions=ledger_reactions(), data=CaseCreate(
            kind="complaint", intent="complaint/fees", bank="建行", outlet="李村支行", channel="telegram",
            description="补卡收了20元工本费", contact_phone=PHONE, citizen_ref="telegram:1"),
            knowledge=knowledge, calendar=calendar, now=NOW - timedelta(hours=1))
        session.commit()
        number = first.number
    response = operator.post("/console/assist/ticket", ticket_form(), headers=FRAGMENT)
    assert response.status_code == 200
    assert number in response.text and "同一件事" in response.text and "不再另行转办" in response.text
    assert (count(engine, Ticket), count(engine, Delivery)) == (1, 1)
    [entry] = audit(engine, "create_ticket")
    assert entry.ticket_number == number and entry.detail["duplicate_of"] is not None
