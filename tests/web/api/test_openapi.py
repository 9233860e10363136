"""The service serves its OpenAPI document and docs; the app is built only by the factory."""

from __future__ import annotations

import importlib
import sys

from fastapi import FastAPI

URL = "/api/bank/tickets"


def test_openapi_document_describes_the_bank_api(client):
    doc = client.get("/openapi.json").json()
    assert doc["info"]["title"] == "青岛社保卡合作银行工单接口" and doc["info"]["version"]
    assert "Bearer" in doc["info"]["description"]
    assert set(doc["paths"]) == {URL, f"{URL}/{{number}}", f"{URL}/{{number}}/acknowledge",
                                 f"{URL}/{{number}}/report", f"{URL}/{{number}}/extension",
                                 f"{URL}/{{number}}/objection", "/api/bank/self-inspections",
                                 "/api/bank/self-inspections/{submission_id}",
                                 "/api/bank/self-inspections/{submission_id}/content"}
    scheme = doc["components"]["securitySchemes"]["BankApiKey"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    assert all(op["security"] == [{"BankApiKey": []}] for path in doc["paths"].values() for op in path.values())
    extension = doc["paths"][f"{URL}/{{number}}/extension"]["post"]
    assert {"200", "401", "404", "409", "422"} <= set(extension["responses"])
    assert extension["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorPublic")
    report = doc["components"]["schemas"]["ReportCreate"]
    assert report["properties"]["process"]["maxLength"] == 4000
    assert report["additionalProperties"] is False
    detail = doc["components"]["schemas"]["BankTicketDetail"]["properties"]
    assert "contact_phone" not in detail and "citizen_ref" not in detail


def test_docs_page_is_served(client):
    response = client.get("/docs")
    assert response.status_code == 200 and "openapi.json" in response.text


def test_no_app_is_created_at_import_and_the_factory_builds_one(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    sys.modules.pop("bot.web.app", None)
    module = importlib.import_module("bot.web.app")
    assert not any(isinstance(v, FastAPI) for v in vars(module).values())
    import bot.db.engine
    import bot.settings
    bot.settings.get_settings.cache_clear()
    bot.db.engine.get_engine.cache_clear()
    try:
        assert isinstance(module.app(), FastAPI)
        assert str(bot.db.engine.get_engine().url).endswith("x.db")
    finally:
        bot.settings.get_settings.cache_clear()
        bot.db.engine.get_engine.cache_clear()
