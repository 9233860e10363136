"""Roles on the server: every route under /console, for every role, against the table in
bot/web/console/access.py. The routes are read from the app, so pages added later (assist, handoff,
supervision …) are checked without touching this file."""

from __future__ import annotations

import re

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import inspect, text

from bot.web.app import create_app
from bot.web.console.access import AREAS, PUBLIC_PATHS, area_of, may_open
from bot.web.console.models import Role
from tests.web.console.support import HTML

ROLES = ("operator", "district_supervisor", "city_supervisor", "admin")
# Routes that only send the browser elsewhere.
REDIRECTS = {"/console"}


def console_routes(app) -> list[tuple[str, str]]:
    found = set()
    for route in iter_route_contexts(app.routes):
        path = route.path or ""
        if (path == "/console" or path.startswith("/console/")) and route.methods:
            found.update((method, path) for method in route.methods if method != "HEAD")
    return sorted(found)


def concrete(path: str) -> str:
    """A path with each {parameter} filled (a row that need not exist: the role check comes first)."""
    return re.sub(r"\{[^}]+\}", "1", path)


def _public(path: str) -> bool:
    return any(path == p or path.startswith(p + "/") for p in PUBLIC_PATHS)


def row_counts(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {name: conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in inspect(conn).get_table_names() if name != "alembic_version"}


def test_every_console_route_belongs_to_a_declared_area(engine):
    routes = console_routes(create_app(engine=engine))
    assert ("GET", "/console/users") in routes  # the walk finds routes of included routers
    undeclared = [(m, p) for m, p in routes if p not in REDIRECTS and may_open(Role.admin, p) is None]
    assert undeclared == [], "declare these routes' area in bot/web/console/access.py"


def test_the_table_gives_each_area_to_the_roles_of_the_contract():
    assert area_of("/console/users/7/password").roles == {Role.admin}
    assert area_of("/console/supervision/tickets").roles == {Role.district_supervisor, Role.city_supervisor,
                                                             Role.admin}
    assert area_of("/console/assist").roles == area_of("/console/handoff/3").roles == {Role.operator, Role.admin}
    assert area_of("/console/usersettings") is None  # a prefix matches whole path segments only
    assert all(Role.admin in area.roles for area in AREAS)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_opens_exactly_the_pages_its_areas_allow(app, signed_in, role):
    browser = signed_in(role)
    wrong = []
    for method, path in console_routes(app):
        if method != "GET" or _public(path) or path in REDIRECTS:
            continue
        response = browser.get(concrete(path))
        allowed = may_open(Role(role), path)
        refused = response.status_code == 403
        to_login = response.status_code in (303, 307) and "/console/login" in response.headers.get("location", "")
        if allowed and (refused or to_login or response.status_code >= 500 or
                        ("{" not in path and response.status_code != 200)):
            wrong.append((path, "should open", response.status_code))
        if not allowed and not refused:
            wrong.append((path, "should be refused", response.status_code))
    assert wrong == []


@pytest.mark.parametrize("role", ROLES)
def test_a_role_outside_an_area_changes_nothing_there_even_with_a_valid_token(app, engine, signed_in, role):
    browser = signed_in(role)
    before = row_counts(engine)
    wrong = []
    for method, path in console_routes(app):
        if method == "POST" and not _public(path) and may_open(Role(role), path) is False:
            response = browser.post(concrete(path), {"name": "x" * 12, "password": "y" * 12})
            if response.status_code != 403:
                wrong.append((path, response.status_code))
    assert wrong == []
    assert row_counts(engine) == before


@pytest.mark.parametrize("token", [None, "", "forged-token"])
def test_every_change_without_the_sessions_csrf_token_is_refused_and_nothing_is_saved(app, engine, signed_in, token):
    browser = signed_in("admin")  # allowed everywhere: only the token can stop the request
    before = row_counts(engine)
    wrong = []
    for method, path in console_routes(app):
        if method in ("POST", "PUT", "PATCH", "DELETE") and not _public(path):
            form = {"name": "csrf-victim", "role": "operator", "password": "p" * 12, "password_again": "p" * 12,
                    "active": "0"}
            if token is not None:
                form["csrf_token"] = token
            response = browser.client.request(method, concrete(path), data=form, headers=HTML,
                                              follow_redirects=False)
            if response.status_code != 403 or "页面已过期或请求无法验证，请刷新后重试" not in response.text:
                wrong.append((method, path, response.status_code))
    assert wrong == []
    assert row_counts(engine) == before
    assert browser.get("/console/").status_code == 200  # still signed in: sign-out needs the token too


def test_without_signing_in_every_page_leads_to_the_sign_in_page(app, client):
    wrong = []
    for method, path in console_routes(app):
        if _public(path) or path in REDIRECTS:
            continue
        response = client.request(method, concrete(path), headers=HTML, follow_redirects=False)
        location = response.headers.get("location", "")
        if response.status_code != 303 or not location.startswith("/console/login"):
            wrong.append((method, path, response.status_code, location))
    assert wrong == []
