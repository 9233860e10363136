"""The console on an office screen and on paper."""

from __future__ import annotations


def test_pages_fit_a_1366_pixel_screen_without_sideways_scrolling(page, console_server, sign_in):
    sign_in(page, "admin")
    for path in ("/console/", "/console/users"):
        page.goto(f"{console_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366, path


def test_printing_leaves_out_navigation_and_buttons_but_keeps_the_content(page, console_server, sign_in,
                                                                          screenshot):
    sign_in(page, "admin")
    page.goto(f"{console_server.url}/console/users")
    assert page.locator("nav.site-nav").is_visible()
    page.emulate_media(media="print")
    assert not page.locator("nav.site-nav").is_visible()
    assert not page.locator("text=退出登录").is_visible()
    assert not page.locator("#create-user").is_visible()
    assert page.locator("#user-list").is_visible()
    assert page.locator("#user-list td", has_text="admin1").is_visible()
    screenshot(page, "users_print")
