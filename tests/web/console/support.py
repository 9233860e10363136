"""Helpers of the console tests: a settable clock, users of every role, and a signed-in test client."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from fastapi.testclient import TestClient

from bot.clock import FixedClock

PASSWORDS = {
    "operator": "operator-password-1",
    "district_supervisor": "licang-password-1",
    "district_supervisor_shinan": "shinan-password-1",
    "city_supervisor": "city-password-1",
    "admin": "admin-password-1",
}
# name, role, district of each test account (the key is what tests call the account)
ACCOUNTS = {
    "operator": ("operator1", "operator", None),
    "district_supervisor": ("licang1", "district_supervisor", "李沧区"),
    "district_supervisor_shinan": ("shinan1", "district_supervisor", "市南区"),
    "city_supervisor": ("city1", "city_supervisor", None),
    "admin": ("admin1", "admin", None),
}
HTML = {"accept": "text/html,application/xhtml+xml"}
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


class Clock(FixedClock):
    """The app's clock, moved by the test: ``clock.advance(minutes=31)``."""

    def advance(self, delta: timedelta | None = None, **parts: float) -> None:
        super().advance(delta if delta is not None else timedelta(**parts))


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


@dataclass
class Browser:
    """A TestClient that keeps cookies like a browser and knows the page's CSRF token."""

    client: TestClient
    csrf: str = ""

    def get(self, path: str, **kw):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers={**HTML, **kw.pop("headers", {})}, follow_redirects=False, **kw)

    def post(self, path: str, data: dict[str, str] | None = None, *, csrf: bool = True, **kw):  # type: ignore[no-untyped-def]
        form = dict(data or {})
        if csrf:
            form.setdefault("csrf_token", self.csrf)
        return self.client.post(path, data=form, headers={**HTML, **kw.pop("headers", {})}, follow_redirects=False,
                                **kw)


def sign_in(client: TestClient, name: str, password: str) -> Browser:
    """Sign in through the form, as a browser would; the returned Browser holds the session's CSRF token."""
    browser = Browser(client)
    page = browser.get("/console/login")
    assert page.status_code == 200
    done = browser.post("/console/login", {"name": name, "password": password, "csrf_token": csrf_of(page.text)},
                        csrf=False)
    assert done.status_code == 303, done.text
    home = browser.get("/console/")
    assert home.status_code == 200
    browser.csrf = csrf_of(home.text)
    return browser
