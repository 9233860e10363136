"""Investigation reports through the console: a district supervisor files one from the ticket page and
its verdict becomes the finding; every refusal shows the form again, says why and saves nothing; the
city reviews (a district cannot); a returned report is completed; the A4 sheet and the list keep to
the district; every step is audited."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from bot.investigations import InvestigationReport, ReviewState
from bot.ledger.models import Case, Ticket, TicketState, Verification
from bot.web.console.models import AuditEntry
from tests.supervision.conftest import LICANG, SHINAN, TODAY
from tests.web.console.supervision.html import table, text

REPORT = {"investigated_on": (TODAY - timedelta(days=1)).isoformat(), "investigators": "张明、李华",
          "facts": "经现场核查，网点补卡时收取工本费20元属实。", "verdict": "found_true",
          "responsibility": "柜员违规收费，网点负责人负管理责任。", "outlet_handling": "责令退还费用，通报批评。",
          "staff_handling": ""}


def _audit(engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def _verification(engine, number: str) -> Verification:
    with Session(engine) as session:
        return session.exec(select(Case.verification).join(Ticket, Ticket.case_id == Case.id)
                            .where(Ticket.number == number)).one()


def _reports(engine) -> list[InvestigationReport]:
    with Session(engine) as session:
        return list(session.exec(select(InvestigationReport)))


def _answered(seed, **kw) -> str:
    return seed.ticket(state=TicketState.result_reported, result="已退还工本费", **kw)


def test_a_district_files_a_report_and_its_verdict_is_the_finding(signed_in, seed, engine):
    number = _answered(seed, district=LICANG)
    licang = signed_in("district_supervisor")
    done = licang.post(f"/console/supervision/tickets/{number}/investigation", REPORT)
    assert done.status_code == 303 and done.headers["location"].endswith(f"/tickets/{number}?done=filed")
    after = licang.get(done.headers["location"])
    assert "已填报调查报告书" in text(after.text) and "待市级审核" in text(after.text)
    assert 'id="investigation-form"' not in after.text and 'id="review-form"' not in after.text  # not theirs to review
    assert _verification(engine, number) is Verification.found_true
    assert [(e.user_name, e.ticket_number, e.detail) for e in _audit(engine, "file_investigation")] == [
        ("licang1", number, {"verdict": "found_true"})]


def test_every_problem_is_shown_next_to_its_field_and_nothing_is_saved(signed_in, seed, engine):
    number = _answered(seed, district=LICANG)
    licang = signed_in("district_supervisor")
    typed = {**REPORT, "investigated_on": (TODAY + timedelta(days=2)).isoformat(), "investigators": " ",
             "outlet_handling": "", "facts": "<script>alert(1)</script>"}
    refused = licang.post(f"/console/supervision/tickets/{number}/investigation", typed)
    assert refused.status_code == 422
    page = text(refused.text)
    assert "晚于今天" in page and "请填写参加核查的工作人员姓名" in page and "请提出对银行网点及责任人的处理建议" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in refused.text and "<script>alert(1)" not in refused.text
    assert 'value="found_true" checked' in refused.text  # the form comes back as typed
    assert _reports(engine) == [] and _verification(engine, number) is Verification.received
    assert _audit(engine, "file_investigation") == []


def test_a_report_before_the_banks_answer_or_a_second_one_is_refused(signed_in, seed, engine):
    waiting = seed.ticket(district=LICANG, state=TicketState.acknowledged)
    licang = signed_in("district_supervisor")
    page = licang.get(f"/console/supervision/tickets/{waiting}")
    assert "反馈后才能填报调查报告书" in text(page.text)
    early = licang.post(f"/console/supervision/tickets/{waiting}/investigation", REPORT)
    assert early.status_code == 409 and "尚未反馈" in text(early.text)
    answered = _answered(seed, district=LICANG)
    assert licang.post(f"/console/supervision/tickets/{answered}/investigation", REPORT).status_code == 303
    again = licang.post(f"/console/supervision/tickets/{answered}/investigation", {**REPORT, "verdict": "not_true"})
    assert again.status_code == 409 and "不能重复填报" in text(again.text)
    assert len(_reports(engine)) == 1 and _verification(engine, answered) is Verification.found_true


def test_another_districts_complaint_is_not_found(signed_in, seed, engine):
    theirs = _answered(seed, district=SHINAN)
    licang = signed_in("district_supervisor")
    assert licang.post(f"/console/supervision/tickets/{theirs}/investigation", REPORT).status_code == 404
    assert licang.get(f"/console/supervision/tickets/{theirs}/investigation").status_code == 404
    assert _reports(engine) == [] and _verification(engine, theirs) is Verification.received


def test_csrf_and_roles(signed_in, seed, engine):
    number = _answered(seed, district=LICANG)
    licang, operator = signed_in("district_supervisor"), signed_in("operator")
    forged = licang.post(f"/console/supervision/tickets/{number}/investigation", {**REPORT, "csrf_token": "x"},
                         csrf=False)
    assert forged.status_code == 403 and _reports(engine) == []
    assert operator.post(f"/console/supervision/tickets/{number}/investigation", REPORT).status_code == 403
    assert operator.get("/console/supervision/investigations").status_code == 403
    assert _reports(engine) == []


def test_the_city_returns_the_district_completes_the_city_approves(signed_in, seed, engine):
    number = _answered(seed, district=LICANG)
    licang, city = signed_in("district_supervisor"), signed_in("city_supervisor")
    licang.post(f"/console/supervision/tickets/{number}/investigation", REPORT)
    queue = city.get("/console/supervision/investigations")
    assert [row[0] for row in table(queue.text, "investigation-table")[1:] if row] == [number]

    by_district = licang.post(f"/console/supervision/tickets/{number}/investigation/review", {"decision": "approve"})
    assert by_district.status_code == 403 and "由市社会保险经办机构审核" in text(by_district.text)
    no_reason = city.post(f"/console/supervision/tickets/{number}/investigation/review", {"decision": "return"})
    assert no_reason.status_code == 422 and "请写明需要补充或更正的内容" in text(no_reason.text)
    no_choice = city.post(f"/console/supervision/tickets/{number}/investigation/review", {"comment": "好"})
    assert no_choice.status_code == 422 and "请选择审核意见" in text(no_choice.text)
    assert _reports(engine)[0].review is ReviewState.submitted

    returned = city.post(f"/console/supervision/tickets/{number}/investigation/review",
                         {"decision": "return", "comment": "请补充调阅监控的情况。"})
    assert returned.status_code == 303
    page = licang.get(f"/console/supervision/tickets/{number}")
    assert 'id="amend-form"' in page.text and "请补充调阅监控的情况。" in text(page.text)
    assert REPORT["facts"] in page.text  # the returned report fills the form
    blank = licang.post(f"/console/supervision/tickets/{number}/investigation/amend", {**REPORT, "facts": ""})
    assert blank.status_code == 422 and _reports(engine)[0].facts == REPORT["facts"]
    completed = licang.post(f"/console/supervision/tickets/{number}/investigation/amend",
                            {**REPORT, "facts": REPORT["facts"] + "监控显示收费过程。", "verdict": "not_true"})
    assert completed.status_code == 303
    report = _reports(engine)[0]
    assert report.review is ReviewState.submitted and report.revision == 2 and report.verdict.value == "found_true"

    assert city.post(f"/console/supervision/tickets/{number}/investigation/review",
                     {"decision": "approve"}).status_code == 303
    assert _reports(engine)[0].review is ReviewState.approved
    assert [e.detail for e in _audit(engine, "review_investigation")] == [{"decision": "return"},
                                                                          {"decision": "approve"}]
    assert [e.user_name for e in _audit(engine, "amend_investigation")] == ["licang1"]


def test_the_a4_sheet_holds_the_report_and_is_audited(signed_in, seed, engine):
    number = _answered(seed, district=LICANG)
    licang = signed_in("district_supervisor")
    assert licang.get(f"/console/supervision/tickets/{number}/investigation").status_code == 404  # none yet
    licang.post(f"/console/supervision/tickets/{number}/investigation", REPORT)
    sheet = licang.get(f"/console/supervision/tickets/{number}/investigation")
    assert sheet.status_code == 200
    body = text(sheet.text)
    assert "卡经办服务调查报告书" in body and "张明、李华" in body and REPORT["outlet_handling"] in body
    assert "查实" in body and "13912345678" not in sheet.text  # the citizen's contacts are not on it
    assert [e.ticket_number for e in _audit(engine, "print_investigation")] == [number]
    mine = licang.get("/console/supervision/investigations")
    assert [row[0] for row in table(mine.text, "investigation-table")[1:] if row] == [number]
    shinan = signed_in("district_supervisor_shinan").get("/console/supervision/investigations")
    assert number not in shinan.text
