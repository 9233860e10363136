"""Sign-in and sign-out pages over HTTP: cookies, the sign-in form's own CSRF check, session
rotation, where the user lands, and what is recorded."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import Session, select

from bot.web.console.models import AuditEntry, ConsoleSession
from bot.web.console.sessions import COOKIE_NAME
from tests.web.console.support import HTML, Browser, csrf_of


def _sessions(engine) -> int:
    with Session(engine) as session:
        return session.exec(select(func.count()).select_from(ConsoleSession)).one()


def _post_login(browser: Browser, name: str, password: str, next_path: str = ""):  # type: ignore[no-untyped-def]
    token = csrf_of(browser.get("/console/login").text)
    return browser.post("/console/login", {"name": name, "password": password, "csrf_token": token,
                                           "next": next_path}, csrf=False)


def test_sign_in_sets_an_httponly_samesite_cookie_for_the_console_only(client, engine):
    response = _post_login(Browser(client), "admin1", "admin-password-1")
    assert response.status_code == 303 and response.headers["location"] == "/console/"
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(f"{COOKIE_NAME}="))
    flags = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/console"} <= flags
    assert not any(flag.startswith(("max-age", "expires")) for flag in flags)  # gone when the browser closes
    assert "secure" not in flags
    assert _sessions(engine) == 1


def test_the_cookie_is_secure_when_the_console_is_served_over_https(app):
    from fastapi.testclient import TestClient

    app.state.console_settings = app.state.console_settings.model_copy(update={"console_cookie_secure": True})
    with TestClient(app, base_url="https://testserver") as client:
        response = _post_login(Browser(client), "admin1", "admin-password-1")
    assert response.status_code == 303
    cookie = next(c for c in response.headers.get_list("set-cookie") if c.startswith(f"{COOKIE_NAME}="))
    assert "secure" in cookie.lower()


def test_the_sign_in_form_without_its_token_signs_nobody_in(client, engine):
    Browser(client).get("/console/login")
    response = client.post("/console/login", data={"name": "admin1", "password": "admin-password-1"},
                           headers=HTML, follow_redirects=False)
    assert response.status_code == 403
    assert "页面已过期或请求无法验证，请刷新后重试" in response.text
    assert _sessions(engine) == 0


def test_a_token_from_another_browser_does_not_sign_in(app, client, engine):
    from fastapi.testclient import TestClient

    with TestClient(app) as attacker:
        planted = csrf_of(attacker.get("/console/login", headers=HTML).text)
    response = client.post("/console/login", data={"name": "admin1", "password": "admin-password-1",
                                                   "csrf_token": planted}, headers=HTML, follow_redirects=False)
    assert response.status_code == 403 and _sessions(engine) == 0


def test_a_wrong_password_keeps_the_name_escaped_and_says_only_that(client, engine):
    response = _post_login(Browser(client), '"><script>alert(1)</script>', "wrong-password")
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert "<script>alert(1)" not in response.text
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in response.text
    assert _sessions(engine) == 0


def test_empty_fields_are_asked_for(client):
    response = _post_login(Browser(client), "", "")
    assert response.status_code == 422 and "请输入用户名和密码" in response.text


def test_signing_in_with_a_session_cookie_already_set_replaces_that_session(client, engine):
    """Session fixation: a session cookie planted in the browser before sign-in opens nothing after it."""
    browser = Browser(client)
    _post_login(browser, "admin1", "admin-password-1")
    first = client.cookies.get(COOKIE_NAME)
    # The sign-in form, posted while that cookie is still set (the page itself would redirect home).
    client.cookies.set("sbk_console_login", "form-token", path="/console/login")
    browser.post("/console/login", {"name": "city1", "password": "city-password-1", "csrf_token": "form-token"},
                 csrf=False)
    second = client.cookies.get(COOKIE_NAME)
    assert first and second and first != second
    assert _sessions(engine) == 1
    client.cookies.set(COOKIE_NAME, first, path="/console")
    assert browser.get("/console/").status_code == 303  # the old token opens nothing


def test_after_sign_in_the_user_lands_on_the_page_asked_for(client):
    response = _post_login(Browser(client), "admin1", "admin-password-1", next_path="/console/users?page=1")
    assert response.headers["location"] == "/console/users?page=1"


def test_a_foreign_next_address_lands_on_the_home_page(client):
    response = _post_login(Browser(client), "admin1", "admin-password-1", next_path="https://evil.example/")
    assert response.headers["location"] == "/console/"


def test_the_sign_in_page_sends_a_signed_in_user_home(signed_in):
    response = signed_in("city_supervisor").get("/console/login")
    assert response.status_code == 303 and response.headers["location"] == "/console/"


def test_sign_out_deletes_the_session_and_both_are_recorded(signed_in, engine):
    browser = signed_in("operator")
    response = browser.post("/console/logout")
    assert response.status_code == 303 and response.headers["location"] == "/console/login?signed_out=1"
    assert _sessions(engine) == 0
    assert "您已退出登录" in browser.get(response.headers["location"]).text
    with Session(engine) as session:
        actions = session.exec(select(AuditEntry.action).where(AuditEntry.user_name == "operator1")
                               .order_by(AuditEntry.id)).all()
    assert actions == ["sign_in", "sign_out"]


def test_the_home_page_lists_only_what_the_role_may_use(signed_in):
    admin = signed_in("admin").get("/console/").text
    operator = signed_in("operator").get("/console/").text
    assert 'href="/console/users"' in admin
    assert 'href="/console/users"' not in operator
    assert "您好，operator1" in operator and "话务员" in operator


def test_sessions_left_behind_are_cleared_at_the_next_sign_in(app, client, clock, engine):
    from fastapi.testclient import TestClient

    with TestClient(app) as closed_browser:
        _post_login(Browser(closed_browser), "operator1", "operator-password-1")
    clock.advance(hours=1)
    _post_login(Browser(client), "admin1", "admin-password-1")
    assert _sessions(engine) == 1
