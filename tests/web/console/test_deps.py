"""The console's request guards: who is signed in, expiry as the user meets it, roles, CSRF,
and the district a supervisor is limited to."""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import func
from sqlmodel import Session, select

from bot.web.console.deps import district_scope, safe_next
from bot.web.console.models import ConsoleSession, Role
from bot.web.console.sessions import COOKIE_NAME


def test_thirty_one_idle_minutes_lead_to_sign_in_with_the_expiry_message(signed_in, clock):
    browser = signed_in("admin")
    clock.advance(minutes=29)
    assert browser.get("/console/users").status_code == 200
    clock.advance(minutes=31)
    response = browser.get("/console/users?page=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login?next=%2Fconsole%2Fusers%3Fpage%3D1&expired=1"
    assert f'{COOKIE_NAME}=""' in response.headers["set-cookie"]  # the dead cookie goes too
    login = browser.get(response.headers["location"])
    assert "登录已过期，请重新登录" in login.text
    assert 'name="next" value="/console/users?page=1"' in login.text


def test_twelve_hours_after_sign_in_even_a_busy_user_signs_in_again(signed_in, clock):
    browser = signed_in("operator")
    for _ in range(35):  # a request every 20 minutes for 11 h 40 min
        clock.advance(minutes=20)
        assert browser.get("/console/").status_code == 200
    clock.advance(minutes=20)
    response = browser.get("/console/")
    assert response.status_code == 303 and "expired=1" in response.headers["location"]


def test_a_page_script_gets_401_json_instead_of_a_redirect(client):
    response = client.get("/console/users", headers={"accept": "*/*"}, follow_redirects=False)
    assert response.status_code == 401
    assert response.json()["detail"] == {"message": "请先登录", "login": "/console/login?next=%2Fconsole%2Fusers"}


def test_a_wrong_role_gets_a_chinese_403_page_that_still_shows_who_is_signed_in(signed_in):
    browser = signed_in("operator")
    response = browser.get("/console/users")
    assert response.status_code == 403
    assert "您没有权限查看此页面" in response.text
    assert "operator1" in response.text and "话务员" in response.text


def test_the_csrf_token_may_come_in_a_header_for_page_scripts(signed_in, engine):
    browser = signed_in("admin")
    response = browser.client.post("/console/logout", headers={"X-CSRF-Token": browser.csrf},
                                   follow_redirects=False)
    assert response.status_code == 303
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ConsoleSession)).one() == 0


def test_another_sessions_csrf_token_does_not_pass(signed_in):
    first, second = signed_in("admin"), signed_in("admin")
    assert first.csrf != second.csrf
    response = first.post("/console/users", {"name": "viaother", "role": "operator", "password": "p" * 12,
                                             "password_again": "p" * 12, "csrf_token": second.csrf})
    assert response.status_code == 403
    assert "viaother" not in first.get("/console/users").text


def test_a_district_supervisor_is_limited_to_their_district_and_nobody_else_is():
    def user(role: Role, district: str | None = None) -> SimpleNamespace:
        return SimpleNamespace(role=role, district=district)

    assert district_scope(user(Role.district_supervisor, "李沧区")) == "李沧区"
    assert district_scope(user(Role.city_supervisor)) is None
    assert district_scope(user(Role.admin)) is None
    assert district_scope(user(Role.operator)) is None


def test_after_sign_in_only_console_pages_of_this_site_are_followed():
    assert safe_next("/console/supervision?bank=建行") == "/console/supervision?bank=建行"
    for hostile in ("https://evil.example/", "//evil.example/console/", "/console/\\evil", "/api/bank/tickets",
                    "/console/login?next=/x", "/console/x\r\nSet-Cookie: a=b", ""):
        assert safe_next(hostile) == "/console/"
