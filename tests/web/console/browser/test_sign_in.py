"""Signing in and out of the console in a real browser."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session

from bot.clock import SystemClock
from bot.db import make_engine
from bot.web.console.models import ConsoleSession


def test_sign_in_lands_on_the_home_page_with_name_role_and_what_the_role_may_use(page, console_server, sign_in,
                                                                                screenshot):
    page.goto(f"{console_server.url}/")
    assert page.url.startswith(f"{console_server.url}/console/login")
    screenshot(page, "login")
    account = sign_in(page, "admin")
    header = page.locator("header").inner_text()
    assert "青岛社保卡服务热线助手" in header
    assert account.name in header and "系统管理员" in header
    assert page.locator("nav a", has_text="用户管理").count() == 1
    screenshot(page, "home_admin")


def test_operator_home_page_does_not_offer_user_administration(page, sign_in):
    sign_in(page, "operator")
    assert "话务员" in page.locator("header").inner_text()
    assert page.locator("a[href='/console/users']").count() == 0


def test_wrong_password_is_refused_with_the_same_message_as_an_unknown_name(page, console_server):
    messages = []
    for name, password in (("admin1", "not-the-password"), ("nobody-here", "not-the-password")):
        page.goto(f"{console_server.url}/console/login")
        page.fill("#name", name)
        page.fill("#password", password)
        page.click("form.stacked button[type=submit]")
        messages.append(page.locator(".flash-error").inner_text())
        assert page.url.startswith(f"{console_server.url}/console/login")
    assert messages == ["用户名或密码错误", "用户名或密码错误"]
    assert page.input_value("#name") == "nobody-here"  # kept for a retry; the password is not


def test_sign_out_ends_the_session_and_the_back_button_shows_no_page(page, console_server, sign_in):
    sign_in(page, "city_supervisor")
    page.click("text=退出登录")
    page.wait_for_url(f"{console_server.url}/console/login?signed_out=1")
    assert "您已退出登录" in page.content()
    page.goto(f"{console_server.url}/console/")
    assert page.url.startswith(f"{console_server.url}/console/login")


def test_an_expired_session_leads_back_to_sign_in_with_a_message_then_to_the_page_asked_for(
        page, console_server, sign_in):
    account = sign_in(page, "admin")
    # Half an hour passes without a request: the session's last request moves 31 minutes back.
    engine = make_engine(console_server.database_url)
    try:
        with Session(engine) as session:
            session.exec(update(ConsoleSession).values(last_seen_at=SystemClock().now() - timedelta(minutes=31)))
            session.commit()
    finally:
        engine.dispose()
    page.goto(f"{console_server.url}/console/users")
    assert page.url.startswith(f"{console_server.url}/console/login")
    assert page.locator(".flash").inner_text() == "登录已过期，请重新登录"
    page.fill("#name", account.name)
    page.fill("#password", account.password)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"{console_server.url}/console/users")


def test_admin_creates_a_user_who_can_then_sign_in(browser, page, console_server, sign_in, screenshot):
    sign_in(page, "admin")
    page.click("nav >> text=用户管理")
    page.fill("#new-name", "新话务员")
    page.select_option("#new-role", "operator")
    page.fill("#new-password", "brand-new-pass-1")
    page.fill("#new-password-again", "brand-new-pass-1")
    page.click("#create-user button[type=submit]")
    assert page.locator(".flash").inner_text() == "已创建用户 新话务员"
    assert page.locator("table.data td", has_text="新话务员").count() == 1
    screenshot(page, "users")

    other = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        newcomer = other.new_page()
        newcomer.goto(f"{console_server.url}/console/login")
        newcomer.fill("#name", "新话务员")
        newcomer.fill("#password", "brand-new-pass-1")
        newcomer.click("form.stacked button[type=submit]")
        newcomer.wait_for_url(f"{console_server.url}/console/")
        assert "话务员" in newcomer.locator("header").inner_text()
    finally:
        other.close()


def test_five_wrong_passwords_lock_the_account_until_the_admin_lifts_it(browser, page, console_server, sign_in,
                                                                       screenshot):
    from tests.web.console.browser.conftest import ConsoleAccount, add_user

    account = ConsoleAccount("locked1", "locked-password-1", "operator")
    add_user(console_server.database_url, account)

    def attempt(password: str) -> str:
        page.goto(f"{console_server.url}/console/login")
        page.fill("#name", account.name)
        page.fill("#password", password)
        page.click("form.stacked button[type=submit]")
        return page.locator(".flash-error").inner_text()

    assert [attempt("not-the-password") for _ in range(4)] == ["用户名或密码错误"] * 4
    assert attempt("not-the-password").startswith("登录失败次数过多，该账号已暂时锁定。请于 ")
    assert attempt(account.password).startswith("登录失败次数过多")  # the right password is refused too
    screenshot(page, "login_locked")

    admin = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        admin_page = admin.new_page()
        sign_in(admin_page, "admin")
        admin_page.goto(f"{console_server.url}/console/users")
        row = admin_page.locator("#user-list tr", has_text=account.name)
        assert "已锁定至" in row.inner_text()
        row.locator("a", has_text="管理").click()
        admin_page.click("text=解除锁定")
        assert admin_page.locator(".flash").inner_text() == "已解除用户 locked1 的登录锁定"
        assert admin_page.locator("#lockout").inner_text() == "未锁定"
    finally:
        admin.close()

    page.goto(f"{console_server.url}/console/login")
    page.fill("#name", account.name)
    page.fill("#password", account.password)
    page.click("form.stacked button[type=submit]")
    page.wait_for_url(f"{console_server.url}/console/")
