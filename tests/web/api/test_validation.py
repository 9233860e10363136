"""Malformed requests: 4xx naming the field, and nothing changed in the database."""

from __future__ import annotations

import pytest

URL = "/api/bank/tickets"
LONG = "长" * 4001


@pytest.mark.parametrize(("op", "body", "field", "word"), [
    ("report", {}, "process", "缺少"),
    ("report", {"result": "已退费"}, "process", "缺少"),
    ("report", {"process": 123}, "process", "类型"),
    ("report", {"process": ["a"]}, "process", "类型"),
    ("report", {"process": LONG}, "process", "4000"),
    ("report", {"process": "处理中", "result": LONG}, "result", "4000"),
    ("report", {"process": "处理中", "result": ""}, "result", "不能为空"),
    ("report", {"process": "处理中", "status": "done"}, "status", "不认识"),
    ("extension", {"reason": "需调查"}, "until", "缺少"),
    ("extension", {"until": "2026-13-01", "reason": "需调查"}, "until", "日期"),
    ("extension", {"until": 20261218, "reason": "需调查"}, "until", "日期"),
    ("extension", {"until": "2026-12-18"}, "reason", "缺少"),
    ("extension", {"until": "2026-12-18", "reason": "长" * 2001}, "reason", "2000"),
    ("objection", {}, "reason", "缺少"),
    ("objection", {"reason": None}, "reason", ""),
    ("objection", {"reason": ""}, "reason", "不能为空"),
])
def test_invalid_body_is_422_naming_the_field(client, banks, ledger, op, body, field, word):
    number = ledger.ticket(verified_days_ago=1)
    before = ledger.snapshot(number)
    response = client.post(f"{URL}/{number}/{op}", json=body, headers=banks.a)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail["field"] == field
    assert field in detail["message"] and word in detail["message"]
    assert ledger.snapshot(number) == before and ledger.events(number) == []


@pytest.mark.parametrize("raw", [b'{"process": "x"', b"not json", b'{"process": "\xff"}'])
def test_malformed_json_is_422(client, banks, ledger, raw):
    number = ledger.ticket()
    before = ledger.snapshot(number)
    response = client.post(f"{URL}/{number}/report", content=raw,
                           headers={**banks.a, "Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    assert "JSON" in response.json()["detail"]["message"]
    assert ledger.snapshot(number) == before


@pytest.mark.parametrize("body", [[], "text", 5])
def test_body_that_is_not_an_object_is_422(client, banks, ledger, body):
    number = ledger.ticket()
    response = client.post(f"{URL}/{number}/report", json=body, headers=banks.a)
    assert response.status_code == 422, response.text
    assert response.json()["detail"]["message"]


def test_missing_body_is_422(client, banks, ledger):
    number = ledger.ticket()
    response = client.post(f"{URL}/{number}/report", headers=banks.a)
    assert response.status_code == 422
    assert response.json()["detail"]["message"]


def test_oversized_body_is_413_before_parsing(client, banks, ledger):
    number = ledger.ticket()
    before = ledger.snapshot(number)
    response = client.post(f"{URL}/{number}/report", json={"process": "x" * 100_000}, headers=banks.a)
    assert response.status_code == 413
    assert response.json()["detail"]["field"] is None
    assert ledger.snapshot(number) == before


def test_unknown_path_and_method_use_the_same_error_shape(client, banks):
    response = client.get("/api/bank/nothing", headers=banks.a)
    assert response.status_code == 404 and set(response.json()["detail"]) == {"message", "field"}
    response = client.delete(f"{URL}/ZB-20261120-0001", headers=banks.a)
    assert response.status_code == 405 and set(response.json()["detail"]) == {"message", "field"}


def test_refusals_before_parsing_say_the_catalogues_sentences(client, banks, ledger, knowledge):
    from bot.web.api.middleware import MAX_BODY_BYTES

    number = ledger.ticket()
    response = client.post(f"{URL}/{number}/report", json={"process": "x" * 100_000}, headers=banks.a)
    assert response.json()["detail"]["message"] == knowledge.messages.render("api_body_over_limit",
                                                                             limit=MAX_BODY_BYTES)
    assert client.get("/api/bank/nothing", headers=banks.a).json()["detail"]["message"] == \
        knowledge.messages.render("api_not_found")


def test_every_status_and_error_type_names_a_sentence(knowledge):
    """The keys chosen at run time, which the catalogue's scan of literal keys cannot see."""
    from bot.web.api import errors

    keys = {*errors.HTTP_MESSAGES.values(), *errors._FIELD_MESSAGES.values(), *errors._BOUND_MESSAGES.values()}
    assert keys - set(knowledge.messages.keys()) == set()
    assert all(knowledge.messages.placeholders(key) <= {"field", "bound"} for key in keys)
