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


# --------------------------------------------------------------------------- throttling (bot/web/console/throttle.py)

LOCKED = "登录失败次数过多，该账号已暂时锁定"
ADDRESS_LOCKED = "已暂停从该地址登录"


def _throttle(app, **changes):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    app.state.console_throttle = replace(app.state.console_throttle, **changes)


def _audit(engine, action: str) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_the_fifth_wrong_password_locks_the_account_and_says_until_when(client, engine):
    browser = Browser(client)
    for _ in range(4):
        assert _post_login(browser, "operator1", "wrong-password").status_code == 401
    fifth = _post_login(browser, "operator1", "wrong-password")
    assert fifth.status_code == 429
    assert f"{LOCKED}。请于 2026-11-27 10:15 后再试，或联系系统管理员解除锁定。" in fifth.text
    assert fifth.headers["retry-after"] == "900"
    (entry,) = _audit(engine, "sign_in_locked")
    assert (entry.user_name, entry.role) == ("console sign-in", "system")
    assert entry.detail == {"kind": "account", "name": "operator1", "address": "testclient",
                            "until": "2026-11-27T02:15:00+00:00"}


def test_while_locked_even_the_right_password_is_refused_and_later_it_works(client, engine, clock):
    browser = Browser(client)
    for _ in range(5):
        _post_login(browser, "operator1", "wrong-password")
    clock.advance(minutes=14)
    refused = _post_login(browser, "operator1", "operator-password-1")
    assert refused.status_code == 429 and LOCKED in refused.text
    assert refused.headers["retry-after"] == "60"
    assert _sessions(engine) == 0
    clock.advance(minutes=1)
    assert _post_login(browser, "operator1", "operator-password-1").status_code == 303
    assert _sessions(engine) == 1


def test_an_unknown_name_is_answered_exactly_like_a_known_one(app, client):
    from fastapi.testclient import TestClient

    def attempts(name: str) -> list[tuple[int, str]]:
        with TestClient(app, client=(f"10.0.0.{len(name)}", 5000)) as other:
            browser = Browser(other)
            answers = []
            for _ in range(6):
                response = _post_login(browser, name, "wrong-password")
                error = response.text.split('role="alert">')[1].split("<")[0]
                answers.append((response.status_code, error, response.headers.get("retry-after")))
            return answers

    known, unknown = attempts("city1"), attempts("nosuchuser")  # from two addresses, to keep the counts apart
    assert known == unknown
    assert [status for status, _error, _retry in known] == [401, 401, 401, 401, 429, 429]


def test_a_successful_sign_in_clears_the_accounts_failures(client):
    browser = Browser(client)
    for _ in range(4):
        _post_login(browser, "admin1", "wrong-password")
    assert _post_login(browser, "admin1", "admin-password-1").status_code == 303
    client.cookies.clear()
    for _ in range(4):  # four more: the earlier four no longer count
        assert _post_login(browser, "admin1", "wrong-password").status_code == 401


def test_one_address_guessing_at_many_names_is_refused_for_every_name(app, client, engine):
    _throttle(app, address_failures=6)
    browser = Browser(client)
    for name in ("a1", "b1", "c1", "d1", "e1"):
        assert _post_login(browser, name, "wrong-password").status_code == 401
    sixth = _post_login(browser, "f1", "wrong-password")
    assert sixth.status_code == 429 and ADDRESS_LOCKED in sixth.text
    refused = _post_login(browser, "admin1", "admin-password-1")  # a real account with its right password
    assert refused.status_code == 429 and ADDRESS_LOCKED in refused.text
    assert _audit(engine, "sign_in_locked")[0].detail["kind"] == "address"

    from fastapi.testclient import TestClient

    with TestClient(app, client=("10.20.30.40", 5000)) as elsewhere:
        assert _post_login(Browser(elsewhere), "admin1", "admin-password-1").status_code == 303


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(app, engine):
    from ipaddress import ip_network

    from fastapi.testclient import TestClient

    _throttle(app, address_failures=2, trusted_proxies=(ip_network("10.0.0.1/32"),))
    with TestClient(app, client=("10.0.0.1", 5000)) as proxied:
        browser = Browser(proxied)

        def attempt(forwarded: str):  # type: ignore[no-untyped-def]
            token = csrf_of(browser.get("/console/login").text)
            return browser.post("/console/login", {"name": "x1", "password": "wrong-password", "csrf_token": token},
                                csrf=False, headers={"X-Forwarded-For": forwarded})

        assert attempt("198.51.100.7").status_code == 401
        assert attempt("198.51.100.8").status_code == 401  # another client behind the same proxy
        assert attempt("198.51.100.7").status_code == 429
    assert _audit(engine, "sign_in_locked")[0].detail["address"] == "198.51.100.7"


def test_with_the_defaults_twenty_failures_from_one_address_refuse_it_for_fifteen_minutes(app, client, engine, clock):
    """Twenty names tried once each from one address: no name reaches its own limit (five), the
    address reaches its limit (twenty) and is refused, the lockout in the audit log, until it ends."""
    from fastapi.testclient import TestClient

    browser = Browser(client)
    statuses = [_post_login(browser, f"guess{n:02d}", "wrong-password").status_code for n in range(20)]
    assert statuses == [401] * 19 + [429]
    refused = _post_login(browser, "city1", "city-password-1")  # a real account, its right password
    assert refused.status_code == 429 and refused.headers["retry-after"] == "900"
    assert ("从您所在网络地址登录失败的次数过多，已暂停从该地址登录。请于 2026-11-27 10:15 后再试，"
            "或联系系统管理员解除限制。") in refused.text
    assert _sessions(engine) == 0
    (entry,) = _audit(engine, "sign_in_locked")  # one entry: the address's; no name was locked
    assert (entry.user_name, entry.role) == ("console sign-in", "system")
    assert entry.detail == {"kind": "address", "name": "guess19", "address": "testclient",
                            "until": "2026-11-27T02:15:00+00:00"}

    with TestClient(app, client=("10.20.30.41", 5000)) as elsewhere:  # another address signs in as usual
        assert _post_login(Browser(elsewhere), "city1", "city-password-1").status_code == 303
    clock.advance(minutes=15)
    assert _post_login(browser, "city1", "city-password-1").status_code == 303


# --------------------------------------------------------------------------- session id rotation at sign-in


def _set_cookies(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {c.split("=", 1)[0]: c for c in response.headers.get_list("set-cookie")}


def test_sign_in_issues_a_session_id_of_its_own_and_the_ids_from_before_open_nothing(app, client, engine):
    """Session fixation: whatever ids the browser held before signing in — one planted by someone
    else, the sign-in form's own token, the session of an earlier sign-in of the same user — the
    sign-in answers with a new one, and none of the earlier ones opens the console afterwards."""
    browser = Browser(client)
    earlier = _post_login(browser, "operator1", "operator-password-1")
    assert earlier.status_code == 303
    earlier_id = client.cookies.get(COOKIE_NAME)
    planted = "attacker-chosen-session-id-0123456789abcdef"
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, planted, path="/console")
    assert browser.get("/console/").status_code == 303  # a planted id is nobody's session
    client.cookies.clear()
    client.cookies.set(COOKIE_NAME, earlier_id, path="/console")

    # The same user signs in again, the earlier session's cookie still in the browser.
    client.cookies.set("sbk_console_login", "form-token", path="/console/login")
    again = browser.post("/console/login", {"name": "operator1", "password": "operator-password-1",
                                            "csrf_token": "form-token"}, csrf=False)
    assert again.status_code == 303
    cookies = _set_cookies(again)
    new_id = cookies[COOKIE_NAME].split(";")[0].split("=", 1)[1]
    assert new_id not in (earlier_id, planted, "form-token")
    assert "max-age=0" in cookies["sbk_console_login"].lower()  # the form's token is spent
    assert _sessions(engine) == 1

    def opens(session_id: str) -> bool:
        client.cookies.clear()  # one cookie of that name in the jar, whatever the server set before
        client.cookies.set(COOKIE_NAME, session_id, path="/console")
        return browser.get("/console/").status_code == 200

    assert opens(new_id)  # the new id opens the console, and nothing from before does
    assert [opens(old) for old in (earlier_id, planted, "form-token")] == [False, False, False]
    assert opens(new_id)


def test_a_planted_session_id_is_not_adopted_by_the_sign_in(app, engine):
    """A fresh browser holding only an id someone chose gets a session id the server made."""
    from fastapi.testclient import TestClient

    planted = "attacker-chosen-session-id-0123456789abcdef"
    with TestClient(app) as victim:
        victim.cookies.set(COOKIE_NAME, planted, path="/console")
        browser = Browser(victim)
        response = _post_login(browser, "city1", "city-password-1")
        assert response.status_code == 303
        issued = _set_cookies(response)[COOKIE_NAME].split(";")[0].split("=", 1)[1]
        assert issued != planted and len(issued) >= 32
        with TestClient(app) as attacker:
            attacker.cookies.set(COOKIE_NAME, planted, path="/console")
            assert Browser(attacker).get("/console/").status_code == 303  # the victim's session is not his
    assert _sessions(engine) == 1
