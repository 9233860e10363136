"""One-time notices in the console: issued for a 12333 caller, shown as an A4 sheet with what
knowledge/ says, found again, marked done; bad input saves nothing; operators only."""

from __future__ import annotations

import html

import pytest
from sqlmodel import Session, func, select

from bot.one_time_notices import OneTimeNotice
from bot.web.console.models import AuditEntry

PHONE = "13912345678"


@pytest.fixture
def operator(signed_in):
    return signed_in("operator")


def count(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(OneTimeNotice)).one()


def issue(browser, **fields):
    return browser.post("/console/notices", {"matter": "no_photo", "contact_name": "张女士",
                                             "contact_phone": PHONE, **fields})


def test_an_issued_notice_opens_as_a_printable_sheet(operator, engine, knowledge):
    response = issue(operator)
    assert response.status_code == 303 and response.headers["location"] == "/console/notices/GZ-20261127-0001"
    sheet = operator.get(response.headers["location"])
    assert sheet.status_code == 200
    page = sheet.text
    case = knowledge.notices["no_photo"]
    assert "GZ-20261127-0001" in page and "2026年11月27日" in page
    assert html.escape(case.reason) in page
    assert all(html.escape(s.text) in page for s in (*case.missing, *case.procedure))
    assert knowledge.operator.service_phone in page and case.citation in page
    assert "2026年12月4日" in page  # 7 calendar days, the day of issue not counted
    assert "经办人（签字）" in page and 'href="/console/static/assist.css"' in page
    with Session(engine) as session:
        notice = session.exec(select(OneTimeNotice)).one()
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "issue_notice")).one()
    assert (notice.channel, notice.contact_phone, notice.contact_name) == ("hotline_12333", PHONE, "张女士")
    assert entry.detail["notice"] == notice.number and entry.user_name == "operator1"


@pytest.mark.parametrize(("fields", "message"), [
    ({"contact_phone": "12"}, "请填写正确的联系电话"),
    ({"contact_phone": ""}, "第十九条要求登记联系电话"),
    ({"matter": "inquiry/apply"}, "没有需要出具一次性告知单的情形"),
])
def test_bad_input_comes_back_with_the_message_and_saves_nothing(operator, engine, fields, message):
    response = issue(operator, contact_name="<script>x</script>", **fields)
    assert response.status_code == 422 and message in response.text
    assert "<script>x" not in response.text and "&lt;script&gt;x&lt;/script&gt;" in response.text
    assert count(engine) == 0


def test_a_forged_csrf_token_issues_nothing(operator, engine):
    assert issue(operator, csrf_token="forged").status_code == 403 and count(engine) == 0


def test_notices_are_for_operators(signed_in):
    supervisor = signed_in("district_supervisor")
    assert supervisor.get("/console/notices").status_code == 403
    assert issue(supervisor).status_code == 403


def test_an_unknown_number_is_not_found(operator):
    assert operator.get("/console/notices/GZ-20200101-0001").status_code == 404
    assert operator.get("/console/notices/%3Cscript%3E").status_code == 404


def test_marking_done_once(operator, engine):
    issue(operator)
    done = operator.post("/console/notices/GZ-20261127-0001/complete")
    assert done.status_code == 303
    page = operator.get(done.headers["location"]).text
    assert "已登记办结" in page and "登记已办结</button>" not in page
    again = operator.post("/console/notices/GZ-20261127-0001/complete")
    assert again.status_code == 409 and "已于 2026-11-27 办结" in again.text


def test_the_list_finds_notices_by_number_and_by_phone(operator):
    issue(operator)
    issue(operator, matter="insurance_record", contact_phone="13800000000")
    everything = operator.get("/console/notices").text
    assert "GZ-20261127-0001" in everything and "GZ-20261127-0002" in everything
    by_phone = operator.get("/console/notices", params={"q": "138 0000 0000"}).text
    assert "GZ-20261127-0002" in by_phone and "GZ-20261127-0001" not in by_phone
    by_number = operator.get("/console/notices", params={"q": "gz-20261127-0001"}).text
    assert "GZ-20261127-0001</a>" in by_number and "GZ-20261127-0002" not in by_number
    nonsense = operator.get("/console/notices", params={"q": "<i>x</i>"})
    assert nonsense.status_code == 422 and "<i>x" not in nonsense.text
