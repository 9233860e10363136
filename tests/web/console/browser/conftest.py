"""Shared fixtures of the console's browser tests (headless Debian Chromium driven by Playwright).

What a test gets:

- ``console_server``: the console served by a real ``uvicorn bot.web.app:app --factory``
  process on a free loopback port, over a migrated SQLite database of its own, with one user
  per role created by ``sbk user add`` (see ``ACCOUNTS``). Attributes: ``.url``
  (``http://127.0.0.1:PORT``), ``.database_url``, ``.accounts``, ``.output()`` (its log). One
  per test session; tests share it, so they must not depend on the database being empty.
- ``start_console_server(env=None)``: a fresh server (own database, same accounts) with extra
  environment, e.g. ``start_console_server({"RASA_URL": fake_rasa.url})``. Stopped at the end
  of the session.
- ``browser``: one Chromium for the session; ``page``: a new 1366×768 zh-CN page (own cookies)
  per test.
- ``sign_in(page, role, server=None)``: signs in as ``ACCOUNTS[role]`` on `server` (default
  ``console_server``) and returns the account; the page is then on ``/console/``. Roles:
  operator, district_supervisor (李沧区), district_supervisor_shinan (市南区),
  city_supervisor, admin.
- ``screenshot(page, name)``: a full-page PNG at ``tests/artifacts/screenshots/<name>.png``
  (git-ignored); returns its path.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from bot.db import upgrade
from bot.settings import PROJECT_ROOT
from tests.e2e.conftest import free_port, stop_process, wait_for_port

CHROMIUM = "/usr/bin/chromium"
SBK = Path(sys.executable).with_name("sbk")
SCREENSHOTS = PROJECT_ROOT / "tests" / "artifacts" / "screenshots"
VIEWPORT = {"width": 1366, "height": 768}


@dataclass(frozen=True)
class ConsoleAccount:
    name: str
    password: str
    role: str
    district: str | None = None


ACCOUNTS: dict[str, ConsoleAccount] = {
    "operator": ConsoleAccount("operator1", "operator-password-1", "operator"),
    "district_supervisor": ConsoleAccount("licang1", "licang-password-1", "district_supervisor", "李沧区"),
    "district_supervisor_shinan": ConsoleAccount("shinan1", "shinan-password-1", "district_supervisor", "市南区"),
    "city_supervisor": ConsoleAccount("city1", "city-password-1", "city_supervisor"),
    "admin": ConsoleAccount("admin1", "admin-password-1", "admin"),
}


def add_user(database_url: str, account: ConsoleAccount) -> None:
    """``sbk user add`` for `account`, the password on standard input (docs/contracts.md)."""
    command = [str(SBK), "user", "add", account.name, "--role", account.role]
    if account.district:
        command += ["--district", account.district]
    run = subprocess.run(command, input=account.password + "\n", capture_output=True, text=True, timeout=120,
                         cwd=PROJECT_ROOT, env={**os.environ, "DATABASE_URL": database_url}, check=False)
    assert run.returncode == 0, f"sbk user add {account.name} failed: {run.stderr}"


@dataclass
class ConsoleServer:
    url: str
    database_url: str
    log: Path
    process: subprocess.Popen
    accounts: dict[str, ConsoleAccount] = field(default_factory=lambda: dict(ACCOUNTS))

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        stop_process(self.process)


def _start(directory: Path, env: dict[str, str]) -> ConsoleServer:
    directory.mkdir(parents=True, exist_ok=True)
    database_url = f"sqlite:///{directory / 'sbk.db'}"
    upgrade(database_url)  # once, before the parallel user creations below
    with ThreadPoolExecutor(max_workers=len(ACCOUNTS)) as pool:
        list(pool.map(lambda account: add_user(database_url, account), ACCOUNTS.values()))
    port = free_port()
    log = directory / "server.log"
    server_env = {**os.environ, "DATABASE_URL": database_url, "PYTHONUNBUFFERED": "1", **env}
    with open(log, "ab") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "bot.web.app:app", "--factory", "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=PROJECT_ROOT, env=server_env, stdout=out, stderr=subprocess.STDOUT)
    server = ConsoleServer(url=f"http://127.0.0.1:{port}", database_url=database_url, log=log, process=process)
    try:
        wait_for_port(port, timeout=60, process=process)
        assert httpx.get(f"{server.url}/console/login", timeout=10).status_code == 200, server.output()
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def start_console_server(tmp_path_factory) -> Iterator[Callable[..., ConsoleServer]]:
    servers: list[ConsoleServer] = []

    def start(env: dict[str, str] | None = None) -> ConsoleServer:
        server = _start(tmp_path_factory.mktemp("console"), dict(env or {}))
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(scope="session")
def console_server(start_console_server) -> ConsoleServer:
    return start_console_server()


def _fontconfig_with_cjk(directory: Path) -> dict[str, str]:
    """Environment for Chromium that adds the Noto CJK fonts shipped with mplfonts (a dependency) to the
    system's fonts: a machine without CJK fonts would otherwise screenshot every Chinese character as a box.
    Operators' PCs have their own Chinese fonts; this is only for the screenshots."""
    import mplfonts

    fonts = Path(mplfonts.__file__).resolve().parent / "fonts"
    config = directory / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f'  <dir>{fonts}</dir>\n'
        f'  <cachedir>{directory / "cache"}</cachedir>\n'
        '</fontconfig>\n', encoding="utf-8")
    return {**os.environ, "FONTCONFIG_FILE": str(config)}


# Package scope, not session: Playwright's sync API keeps an event loop running in the main thread
# while it is open, and every later test that calls asyncio.run() would fail.
@pytest.fixture(scope="package")
def browser(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "the browser tests need Debian's chromium package (/usr/bin/chromium)"
    env = _fontconfig_with_cjk(tmp_path_factory.mktemp("fonts"))
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"],
                                              env=env)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def sign_in(request) -> Callable[..., ConsoleAccount]:
    def sign_in(page, role: str, server: ConsoleServer | None = None) -> ConsoleAccount:
        server = server or request.getfixturevalue("console_server")
        account = server.accounts[role]
        page.goto(f"{server.url}/console/login")
        page.fill("#name", account.name)
        page.fill("#password", account.password)
        page.click("form.stacked button[type=submit]")
        page.wait_for_url(f"{server.url}/console/")
        return account

    return sign_in


@pytest.fixture(scope="session")
def screenshot() -> Callable[..., Path]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def screenshot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{re.sub(r'[^0-9A-Za-z_.-]+', '_', name)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return screenshot
