"""User administration pages: create, deactivate, reset a password; bad input shown back
escaped with nothing saved; every change in the audit log."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from bot.web.console.models import AuditEntry, ConsoleUser
from bot.web.console.sessions import COOKIE_NAME
from tests.web.console.conftest import NOW
from tests.web.console.support import csrf_of, sign_in


def _users(engine) -> dict[str, ConsoleUser]:
    with Session(engine) as session:
        return {u.name: u for u in session.exec(select(ConsoleUser))}


def _audit(engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action)))


def _new_user(**fields: str) -> dict[str, str]:
    form = {"name": "newop", "role": "operator", "district": "", "password": "new-password-1",
            "password_again": "new-password-1"}
    form.update(fields)
    return form


def test_the_admin_creates_a_user_who_can_then_sign_in(signed_in, app, engine):
    admin = signed_in("admin")
    response = admin.post("/console/users", _new_user(name="新监管", role="district_supervisor", district="崂山区"))
    assert response.status_code == 303
    page = admin.get(response.headers["location"])
    assert "已创建用户 新监管" in page.text
    created = _users(engine)["新监管"]
    assert (created.role.value, created.district, created.active) == ("district_supervisor", "崂山区", True)
    (entry,) = _audit(engine, "create_user")
    assert entry.user_name == "admin1"
    assert entry.detail == {"name": "新监管", "role": "district_supervisor", "district": "崂山区"}

    from fastapi.testclient import TestClient

    with TestClient(app) as other:
        assert "区级监管人员" in sign_in(other, "新监管", "new-password-1").get("/console/").text


@pytest.mark.parametrize("fields, message", [
    ({"name": "<script>alert(1)</script>"}, "用户名须为 2–32 个字符"),
    ({"name": "x" * 5000}, "用户名不能超过 32 个字符"),
    ({"password": "short", "password_again": "short"}, "密码至少需要 10 个字符"),
    ({"password_again": "another-password"}, "两次输入的密码不一致"),
    ({"role": "district_supervisor"}, "区级监管人员须指定所属区（市）"),
    ({"role": "district_supervisor", "district": "<b>朝阳区</b>"}, "没有这个区（市）：&lt;b&gt;朝阳区&lt;/b&gt;"),
    ({"role": "superuser"}, "未知的角色 superuser"),
    ({"name": "admin1"}, "用户名 admin1 已存在"),
])
def test_bad_input_is_shown_back_escaped_and_nothing_is_saved(signed_in, engine, fields, message):
    admin = signed_in("admin")
    before = set(_users(engine))
    response = admin.post("/console/users", _new_user(**fields))
    assert response.status_code == 422
    assert message in response.text
    assert "<script>alert" not in response.text and "<b>朝阳区" not in response.text
    assert set(_users(engine)) == before
    assert _audit(engine, "create_user") == []


def test_a_name_typed_with_markup_comes_back_in_the_form_as_text(signed_in):
    response = signed_in("admin").post("/console/users", _new_user(name='"><img src=x onerror=alert(1)>'))
    assert 'value="&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in response.text
    assert "<img src=x" not in response.text


def test_a_district_chosen_for_another_role_is_ignored_by_the_form(signed_in, engine):
    # The district list stays filled when the admin switches the role back; only supervisors keep it.
    response = signed_in("admin").post("/console/users", _new_user(role="operator", district="李沧区"))
    assert response.status_code == 303
    assert _users(engine)["newop"].district is None


def test_deactivation_signs_the_user_out_and_keeps_them_out(signed_in, engine):
    admin, operator = signed_in("admin"), signed_in("operator")
    target = _users(engine)["operator1"]
    response = admin.post(f"/console/users/{target.id}/active", {"active": "0"})
    assert response.status_code == 303
    assert "已停用用户 operator1" in admin.get(response.headers["location"]).text
    assert operator.get("/console/").status_code == 303
    assert _users(engine)["operator1"].active is False
    assert [e.detail for e in _audit(engine, "deactivate_user")] == [{"name": "operator1"}]

    response = admin.post(f"/console/users/{target.id}/active", {"active": "1"})
    assert response.status_code == 303 and _users(engine)["operator1"].active is True


def test_the_admin_cannot_deactivate_their_own_account(signed_in, engine):
    admin = signed_in("admin")
    me = _users(engine)["admin1"]
    response = admin.post(f"/console/users/{me.id}/active", {"active": "0"})
    assert response.status_code == 422 and "不能停用自己的账号" in response.text
    assert _users(engine)["admin1"].active is True


def test_a_password_reset_ends_the_users_sessions_and_only_the_new_password_works(signed_in, app, engine):
    admin, city = signed_in("admin"), signed_in("city_supervisor")
    target = _users(engine)["city1"]
    bad = admin.post(f"/console/users/{target.id}/password", {"password": "abc", "password_again": "abc"})
    assert bad.status_code == 422 and "密码至少需要 10 个字符" in bad.text
    assert city.get("/console/").status_code == 200  # a refused reset changes nothing

    response = admin.post(f"/console/users/{target.id}/password",
                          {"password": "replaced-password-9", "password_again": "replaced-password-9"})
    assert response.status_code == 303
    assert city.get("/console/").status_code == 303
    assert len(_audit(engine, "reset_password")) == 1

    from fastapi.testclient import TestClient

    with TestClient(app) as other:
        sign_in(other, "city1", "replaced-password-9")


def test_an_unknown_user_is_a_chinese_404_page(signed_in):
    response = signed_in("admin").get("/console/users/999999")
    assert response.status_code == 404 and "没有这个页面" in response.text


def test_the_detail_page_shows_what_the_user_did(signed_in, engine):
    signed_in("operator")
    target = _users(engine)["operator1"]
    page = signed_in("admin").get(f"/console/users/{target.id}").text
    assert re.search(r"<td>登录</td>", page)


def test_the_list_is_paged_and_never_shows_password_hashes(signed_in, engine, knowledge):
    from bot.web.console.users import create_user

    with Session(engine) as session:
        for n in range(55):
            create_user(session, name=f"bulk{n:03d}", role="operator", now=NOW, password="p" * 10,
                        knowledge=knowledge)
        session.commit()
    admin = signed_in("admin")
    first, second = admin.get("/console/users").text, admin.get("/console/users?page=2").text
    assert "共 60 个" in first and "第 1 / 2 页" in first
    names = set(re.findall(r"<td>(bulk\d+|[a-z]+1)</td>", first)) | set(re.findall(r"<td>(bulk\d+|[a-z]+1)</td>", second))
    assert len(names) == 60
    assert "$argon2" not in first + second
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(ConsoleUser)).one() == 60


# --------------------------------------------------------------------------- sign-in lockouts

def _lock(app, name: str, *, address: str = "testclient") -> None:
    """Five wrong passwords for `name`, from `address`, through the sign-in form."""
    from fastapi.testclient import TestClient

    from tests.web.console.support import Browser, csrf_of

    with TestClient(app, client=(address, 5000)) as guesser:
        browser = Browser(guesser)
        for _ in range(5):
            token = csrf_of(browser.get("/console/login").text)
            last = browser.post("/console/login", {"name": name, "password": "wrong-password", "csrf_token": token},
                                csrf=False)
    assert last.status_code == 429


def _can_sign_in(app, name: str, password: str, *, address: str = "testclient") -> bool:
    from fastapi.testclient import TestClient

    from tests.web.console.support import Browser, csrf_of

    with TestClient(app, client=(address, 5000)) as other:
        browser = Browser(other)
        token = csrf_of(browser.get("/console/login").text)
        return browser.post("/console/login", {"name": name, "password": password, "csrf_token": token},
                            csrf=False).status_code == 303


def test_a_locked_account_shows_as_locked_and_the_admin_lifts_it(signed_in, app, engine):
    admin = signed_in("admin")
    _lock(app, "operator1", address="10.0.0.9")
    target = _users(engine)["operator1"]
    assert "已锁定至 2026-11-27 10:15" in admin.get("/console/users").text
    page = admin.get(f"/console/users/{target.id}").text
    assert "已锁定至 2026-11-27 10:15" in page and "解除锁定" in page

    forged = admin.post(f"/console/users/{target.id}/unlock", {"csrf_token": "forged"})
    assert forged.status_code == 403
    assert not _can_sign_in(app, "operator1", "operator-password-1")  # still locked

    response = admin.post(f"/console/users/{target.id}/unlock")
    assert response.status_code == 303
    page = admin.get(response.headers["location"]).text
    assert "已解除用户 operator1 的登录锁定" in page and "未锁定" in page
    assert [e.detail for e in _audit(engine, "sign_in_unlocked")] == [{"kind": "account", "name": "operator1"}]
    assert _audit(engine, "sign_in_unlocked")[0].user_name == "admin1"
    assert _can_sign_in(app, "operator1", "operator-password-1")


def test_unlocking_an_account_that_is_not_locked_says_so_and_records_nothing(signed_in, engine):
    target = _users(engine)["city1"]
    response = signed_in("admin").post(f"/console/users/{target.id}/unlock")
    assert response.status_code == 409 and "该用户当前没有被锁定" in response.text
    assert _audit(engine, "sign_in_unlocked") == []


@pytest.mark.parametrize("role", ["operator", "city_supervisor", "district_supervisor"])
def test_no_other_role_can_lift_a_lockout(signed_in, app, engine, role):
    _lock(app, "admin1", address="10.0.0.9")
    target = _users(engine)["admin1"]
    other = signed_in(role)
    assert other.post(f"/console/users/{target.id}/unlock").status_code == 403
    assert other.post("/console/users/addresses/unlock", {"address": "10.0.0.9"}).status_code == 403
    assert _audit(engine, "sign_in_unlocked") == []
    assert not _can_sign_in(app, "admin1", "admin-password-1")


def test_the_admin_lifts_an_address_lockout_from_the_user_list(signed_in, app, engine):
    from dataclasses import replace

    app.state.console_throttle = replace(app.state.console_throttle, address_failures=5)
    _lock(app, "ghost1", address="198.51.100.23")
    admin = signed_in("admin")
    page = admin.get("/console/users").text
    assert "198.51.100.23" in page and "解除限制" in page
    assert not _can_sign_in(app, "city1", "city-password-1", address="198.51.100.23")

    nothing = admin.post("/console/users/addresses/unlock", {"address": "203.0.113.1"})
    assert nothing.status_code == 409 and "该地址当前没有登录限制" in nothing.text
    response = admin.post("/console/users/addresses/unlock", {"address": "198.51.100.23"})
    assert response.status_code == 303
    assert "已解除地址 198.51.100.23 的登录限制" in admin.get(response.headers["location"]).text
    assert [e.detail for e in _audit(engine, "sign_in_unlocked")] == [{"kind": "address",
                                                                      "address": "198.51.100.23"}]
    assert _can_sign_in(app, "city1", "city-password-1", address="198.51.100.23")


# --------------------------------------------------------------------------- role changes end sessions


def test_a_role_change_ends_the_users_sessions_and_the_new_role_applies_at_the_next_sign_in(signed_in, app, engine):
    admin, operator = signed_in("admin"), signed_in("operator")
    old_cookie = operator.client.cookies.get(COOKIE_NAME)
    target = _users(engine)["operator1"]
    response = admin.post(f"/console/users/{target.id}/role", {"role": "district_supervisor", "district": "崂山区"})
    assert response.status_code == 303
    assert "已更改用户 operator1 的角色，其登录已失效" in admin.get(response.headers["location"]).text
    assert operator.get("/console/").status_code == 303
    operator.client.cookies.set(COOKIE_NAME, old_cookie, path="/console")
    assert operator.get("/console/assist").status_code == 303  # the old cookie opens nothing
    changed = _users(engine)["operator1"]
    assert (changed.role.value, changed.district) == ("district_supervisor", "崂山区")
    (entry,) = _audit(engine, "change_role")
    assert entry.user_name == "admin1"
    assert entry.detail == {"name": "operator1", "role": "district_supervisor", "district": "崂山区",
                            "previous_role": "operator", "previous_district": None}

    from fastapi.testclient import TestClient

    with TestClient(app) as again:
        home = sign_in(again, "operator1", "operator-password-1").get("/console/").text
    assert "区级监管人员" in home


@pytest.mark.parametrize("fields, message", [
    ({"role": "operator"}, "角色和所属区（市）与原来相同"),
    ({"role": "district_supervisor"}, "区级监管人员须指定所属区（市）"),
    ({"role": "superuser"}, "未知的角色 superuser"),
])
def test_a_refused_role_change_changes_nothing_and_keeps_the_user_signed_in(signed_in, engine, fields, message):
    admin, operator = signed_in("admin"), signed_in("operator")
    target = _users(engine)["operator1"]
    response = admin.post(f"/console/users/{target.id}/role", fields)
    assert response.status_code == 422 and message in response.text
    assert _users(engine)["operator1"].role.value == "operator"
    assert operator.get("/console/").status_code == 200
    assert _audit(engine, "change_role") == []


def test_the_only_active_admin_cannot_give_up_the_role(signed_in, engine):
    admin = signed_in("admin")
    me = _users(engine)["admin1"]
    response = admin.post(f"/console/users/{me.id}/role", {"role": "operator"})
    assert response.status_code == 422 and "这是唯一启用的系统管理员" in response.text
    assert _users(engine)["admin1"].role.value == "admin"
    assert admin.get("/console/users").status_code == 200


def test_an_admin_changing_their_own_role_gets_a_new_session_and_the_old_one_dies(signed_in, engine, knowledge):
    from bot.web.console.users import create_user

    with Session(engine) as session:
        create_user(session, name="admin2", role="admin", password="second-admin-1", now=NOW, knowledge=knowledge)
        session.commit()
    admin = signed_in("admin")
    old_cookie, old_csrf = admin.client.cookies.get(COOKIE_NAME), admin.csrf
    me = _users(engine)["admin1"]
    response = admin.post(f"/console/users/{me.id}/role", {"role": "city_supervisor"})
    assert response.status_code == 303 and response.headers["location"].startswith("/console/?")
    assert _users(engine)["admin1"].role.value == "city_supervisor"
    new_cookie = admin.client.cookies.get(COOKIE_NAME)
    assert new_cookie and new_cookie != old_cookie
    home = admin.get("/console/")
    assert home.status_code == 200 and "市级监管人员" in home.text
    assert csrf_of(home.text) != old_csrf
    assert admin.get("/console/users").status_code == 403  # an admin no more
    (entry,) = _audit(engine, "change_role")
    assert (entry.user_name, entry.role) == ("admin1", "admin")  # the role the change was made with
    assert (entry.detail["previous_role"], entry.detail["role"]) == ("admin", "city_supervisor")

    admin.client.cookies.set(COOKIE_NAME, old_cookie, path="/console")
    assert admin.get("/console/").status_code == 303
