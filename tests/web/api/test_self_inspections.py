"""/api/bank/self-inspections: a bank uploads its Art. 38 summaries as multipart and lists and
downloads its own; every refusal says why, with the right status, and saves nothing."""

from __future__ import annotations

import hashlib
from datetime import datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from bot.clock import FixedClock
from bot.self_inspections import SelfInspection
from bot.web.app import create_app
from tests.self_inspections import documents
from tests.web.api.conftest import NOW

URL = "/api/bank/self-inspections"
PDF_TYPE = "application/pdf"


def upload(client, headers, *, period="2026-09", content=documents.PDF, filename="2026年9月自查总结.pdf",
           content_type=PDF_TYPE):
    return client.post(URL, headers=headers, data={"period": period}, files={"file": (filename, content, content_type)})


def stored(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(SelfInspection)).one()


def refusal(response, status: int, field: str | None = "file") -> str:
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert detail["field"] == field
    return detail["message"]


def test_a_bank_uploads_a_summary_and_downloads_it_back(client, banks, engine):
    response = upload(client, banks.a)
    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in ("bank", "period", "period_kind", "version", "filename", "media_type", "size_bytes",
                                 "late", "due_provisional")} == {
        "bank": "中国建设银行", "period": "2026-09", "period_kind": "month", "version": 1,
        "filename": "2026年9月自查总结.pdf", "media_type": PDF_TYPE, "size_bytes": len(documents.PDF),
        "late": True, "due_provisional": False}  # sent on 2026-11-27, due 2026-10-08 17:00
    assert body["sha256"] == hashlib.sha256(documents.PDF).hexdigest()
    assert body["due_at"] == "2026-10-08T09:00:00Z"
    assert datetime.fromisoformat(body["submitted_at"]) == NOW
    assert "content" not in body

    download = client.get(f"{URL}/{body['id']}/content", headers=banks.a)
    assert download.status_code == 200
    assert download.content == documents.PDF and download.headers["content-type"] == PDF_TYPE
    assert "filename*=UTF-8''2026%E5%B9%B49%E6%9C%88" in download.headers["content-disposition"]
    assert download.headers["x-content-sha256"] == body["sha256"]
    listed = client.get(URL, headers=banks.a).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == body["id"]
    assert client.get(f"{URL}/{body['id']}", headers=banks.a).json() == body


@pytest.mark.parametrize("make, filename, media_type", [
    (documents.docx, "总结.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (documents.xlsx, "总结.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_word_and_excel_files_are_accepted_by_content(client, banks, make, filename, media_type):
    # The client's Content-Type is wrong on purpose: the content decides.
    response = upload(client, banks.a, content=make(), filename=filename, content_type="application/octet-stream")
    assert response.status_code == 201, response.text
    assert response.json()["media_type"] == media_type


def test_sending_a_period_again_adds_a_version(client, banks):
    first = upload(client, banks.a, period="2026-Q3").json()
    second = upload(client, banks.a, period="2026-q3", content=documents.docx(), filename="修订.docx").json()
    assert (first["version"], second["version"], second["period"]) == (1, 2, "2026-Q3")
    assert client.get(f"{URL}/{first['id']}/content", headers=banks.a).content == documents.PDF
    listed = client.get(URL, params={"period": "2026-Q3"}, headers=banks.a).json()["data"]
    assert [r["version"] for r in listed] == [2, 1]


def test_a_file_over_the_limit_is_refused_with_413(client, banks, engine):
    limit = 10 * 1024 * 1024
    message = refusal(upload(client, banks.a, content=documents.PDF.ljust(limit + 1, b" ")), 413)
    assert message == "文件过大：自查总结文件不能超过 10 MB"
    assert stored(engine) == 0
    assert upload(client, banks.a, content=documents.PDF.ljust(limit, b" ")).status_code == 201  # at the limit


def test_a_body_far_over_the_limit_is_refused_before_it_is_read(engine, knowledge, calendar, banks):
    app = create_app(engine=engine, calendar=calendar, knowledge=knowledge, clock=FixedClock(NOW),
                     self_inspection_max_bytes=2048)
    with TestClient(app) as client:
        response = upload(client, banks.a, content=documents.PDF.ljust(200 * 1024, b" "))
        assert response.status_code == 413 and "字节" in response.json()["detail"]["message"]
        message = refusal(upload(client, banks.a, content=documents.PDF.ljust(2049, b" ")), 413)
        assert message == "文件过大：自查总结文件不能超过 2 KB"
    assert stored(engine) == 0


@pytest.mark.parametrize("content, filename", [
    (documents.PNG, "自查总结.pdf"),  # a picture named .pdf
    (documents.plain_zip(), "自查总结.docx"),  # a zip that is no Word document
    (b"%PDF", "short.pdf"),  # not even the header
])
def test_content_that_is_no_pdf_docx_or_xlsx_is_refused_with_415(client, banks, engine, content, filename):
    message = refusal(upload(client, banks.a, content=content, filename=filename), 415)
    assert message == "自查总结只接受 PDF、Word（DOCX）或 Excel（XLSX）文件；上传文件的内容不是这几种格式"
    assert stored(engine) == 0


def test_a_name_that_contradicts_the_content_is_refused(client, banks, engine):
    message = refusal(upload(client, banks.a, content=documents.docx(), filename="总结.pdf"), 415)
    assert "DOCX" in message and ".pdf" in message
    assert stored(engine) == 0


def test_an_empty_file_is_refused(client, banks, engine):
    assert refusal(upload(client, banks.a, content=b""), 422) == "上传的文件是空的，请选择自查总结文件"
    assert stored(engine) == 0


@pytest.mark.parametrize("period, expected", [
    ("2026-13", "没有这个月份：2026-13（月份为 01 至 12）"),
    ("2026-Q5", "没有这个季度：2026-Q5（季度为 Q1 至 Q4）"),
    ("2026-H3", "没有这个半年：2026-H3（上半年为 H1，下半年为 H2）"),
    ("十一月", None),
])
def test_a_period_that_does_not_exist_is_refused_with_422(client, banks, engine, period, expected):
    message = refusal(upload(client, banks.a, period=period), 422, field="period")
    assert message == expected if expected else "2026-Q3" in message
    assert stored(engine) == 0


def test_a_period_not_ended_yet_is_refused_with_409(client, banks, engine):
    # Now is 2026-11-27: November, the fourth quarter, the second half and the year are still running.
    for period in ("2026-11", "2026-Q4", "2026-H2", "2026", "2027-01"):
        message = refusal(upload(client, banks.a, period=period), 409, field="period")
        assert "尚未结束" in message
    assert stored(engine) == 0


@pytest.mark.parametrize("data, files, field", [
    ({}, {"file": ("a.pdf", documents.PDF, PDF_TYPE)}, "period"),
    ({"period": "2026-09"}, None, "file"),
])
def test_a_missing_field_is_named(client, banks, engine, data, files, field):
    response = client.post(URL, headers=banks.a, data=data, files=files)
    assert refusal(response, 422, field=field) == f"缺少必填字段 {field}"
    assert stored(engine) == 0


def test_a_broken_multipart_body_is_refused_with_400(client, banks, engine):
    response = client.post(URL, headers={**banks.a, "Content-Type": "multipart/form-data; boundary=xyz"},
                           content=b"--xyz\r\n4254675--xyz--\r\n")
    assert refusal(response, 400, field=None) == "请求体不是有效的 multipart/form-data，无法读取上传的文件"
    assert stored(engine) == 0


def test_the_list_answers_405_with_every_method_of_the_resource(client, banks):
    response = client.delete(URL, headers=banks.a)
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST"}


def test_an_unknown_query_parameter_of_the_list_is_refused(client, banks):
    response = client.get(URL, params={"perod": "2026-09"}, headers=banks.a)
    assert refusal(response, 422, field="perod") == "不认识的字段 perod"


def test_a_json_body_is_not_an_upload(client, banks, engine):
    response = client.post(URL, headers=banks.a, json={"period": "2026-09", "file": "JVBERi0="})
    assert response.status_code == 422
    assert stored(engine) == 0


@pytest.mark.parametrize("header", [None, "Bearer sbk_00000000_" + "a" * 43])
def test_without_a_valid_key_nothing_is_accepted_or_shown(client, banks, engine, header):
    headers = {"Authorization": header} if header else {}
    response = upload(client, headers)
    assert response.status_code == 401 and response.headers["www-authenticate"].startswith("Bearer")
    assert "密钥" in response.json()["detail"]["message"]
    assert client.get(URL, headers=headers).status_code == 401
    assert stored(engine) == 0


def test_a_bank_sees_only_its_own_summaries(client, banks):
    mine = upload(client, banks.a).json()
    theirs = upload(client, banks.b, content=documents.xlsx(), filename="工行.xlsx").json()
    assert [r["id"] for r in client.get(URL, headers=banks.a).json()["data"]] == [mine["id"]]
    for path in (f"{URL}/{theirs['id']}", f"{URL}/{theirs['id']}/content"):
        foreign = client.get(path, headers=banks.a)
        absent = client.get(path.replace(str(theirs["id"]), "999"), headers=banks.a)
        assert foreign.status_code == absent.status_code == 404
        # the same sentence as for a summary that does not exist, but for the number asked about
        assert foreign.json()["detail"]["message"].replace(str(theirs["id"]), "N") == \
            absent.json()["detail"]["message"].replace("999", "N")
    own = client.get(f"{URL}/{theirs['id']}/content", headers=banks.b)
    assert own.status_code == 200 and hashlib.sha256(own.content).hexdigest() == theirs["sha256"]


def test_an_id_out_of_range_is_a_validation_error_not_a_crash(client, banks):
    assert client.get(f"{URL}/99999999999", headers=banks.a).status_code == 422
    assert client.get(f"{URL}/0/content", headers=banks.a).status_code == 422


def test_the_operations_are_in_the_openapi_contract(client):
    spec = client.get("/openapi.json").json()
    post = spec["paths"][URL]["post"]
    assert "multipart/form-data" in post["requestBody"]["content"]
    assert {"201", "401", "409", "413", "415", "422"} <= set(post["responses"])
    assert {"get"} <= set(spec["paths"][f"{URL}/{{submission_id}}/content"])
    assert "自查总结" in spec["info"]["description"]
