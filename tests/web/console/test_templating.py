"""Page rendering: escaping, the navigation built from the role and the pages that exist, times."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, FastAPI, Request
from fastapi.testclient import TestClient

import bot.web.console.templating
from bot.web.api.errors import install_error_handlers
from bot.web.console.access import AREAS, SUPERVISORS, Area
from bot.web.console.app import mount_console
from bot.web.console.deps import SupervisorUser
from bot.web.console.templating import local_time, render, role_label
from tests.web.console.support import sign_in


def _app_with(engine, clock, knowledge, router: APIRouter | None = None) -> FastAPI:
    """A bare app with the console and, optionally, one extra page router."""
    app = FastAPI()
    app.state.engine = engine
    app.state.clock = clock
    app.state.knowledge = knowledge
    install_error_handlers(app)
    if router is not None:
        app.include_router(router)
    mount_console(app)
    return app


def test_the_navigation_lists_an_area_once_its_page_exists_and_only_for_its_roles(engine, clock, accounts,
                                                                                  knowledge, monkeypatch):
    # An area of its own path, named with sentences the catalogue has.
    example = Area("/console/example", "console_area_users", SUPERVISORS, "console_area_users_description")
    label, description = (knowledge.messages.text(example.label), knowledge.messages.text(example.description))
    monkeypatch.setattr(bot.web.console.templating, "AREAS", (*AREAS, example))
    with TestClient(_app_with(engine, clock, knowledge)) as client:
        assert "/console/example" not in sign_in(client, "city1", "city-password-1").get("/console/").text

    router = APIRouter(prefix="/console/example")

    @router.get("")
    def example_page(request: Request, user: SupervisorUser):  # type: ignore[no-untyped-def]
        return render(request, "home.html", {"areas": []})

    with_page = _app_with(engine, clock, knowledge, router)
    with TestClient(with_page) as client:
        city = sign_in(client, "city1", "city-password-1")
        home = city.get("/console/").text
        assert f'<a href="/console/example">{label}</a>' in home and description in home
        assert f'class="active" aria-current="page">{label}</a>' in city.get("/console/example").text
    with TestClient(with_page) as client:
        operator = sign_in(client, "operator1", "operator-password-1")
        assert "/console/example" not in operator.get("/console/").text
        assert operator.get("/console/example").status_code == 403


def test_the_header_shows_the_user_role_and_district_in_chinese(signed_in):
    page = signed_in("district_supervisor").get("/console/").text
    assert "青岛社保卡服务热线助手" in page
    assert '<span class="who-name">licang1</span>' in page
    assert "区级监管人员（李沧区）" in page
    assert 'action="/console/logout"' in page


def test_times_are_shown_in_qingdao_time():
    assert local_time(datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == "2027-01-01 00:30"
    assert local_time(None) == ""


def test_roles_read_in_chinese(knowledge):
    assert [role_label(r, knowledge) for r in ("operator", "district_supervisor", "city_supervisor", "admin")] == \
        ["话务员", "区级监管人员", "市级监管人员", "系统管理员"]
