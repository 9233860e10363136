"""Security headers of console responses, and templates that the Content-Security-Policy lets work."""

from __future__ import annotations

import re

import pytest

from bot.web.console.security import CONTENT_SECURITY_POLICY
from bot.web.console.templating import TEMPLATES_DIR


def _directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_the_policy_allows_scripts_and_styles_from_this_site_only_and_no_framing():
    directives = _directives(CONTENT_SECURITY_POLICY)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY and "'unsafe-eval'" not in CONTENT_SECURITY_POLICY


@pytest.mark.parametrize("path, signed", [("/console/login", False), ("/console/", True), ("/console/users", True),
                                          ("/console/nowhere", True)])
def test_console_pages_carry_the_headers_and_are_never_cached(signed_in, client, path, signed):
    response = signed_in("admin").get(path) if signed else client.get(path)
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"


def test_a_redirect_to_sign_in_is_not_cached_either(client):
    response = client.get("/console/users", headers={"accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["cache-control"] == "no-store"


def test_the_stylesheet_is_served_with_its_type_and_may_be_cached_briefly(client):
    response = client.get("/console/static/console.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert response.headers["cache-control"] == "private, max-age=300"
    assert "@media print" in response.text


def test_the_bank_api_keeps_its_own_responses(client):
    response = client.get("/api/bank/tickets")
    assert response.status_code == 401
    assert "content-security-policy" not in response.headers
    assert response.json()["detail"]["message"].startswith("缺少 API 密钥")


def test_the_site_root_leads_to_the_console(client):
    response = client.get("/", follow_redirects=False)
    assert response.status_code in (303, 307) and response.headers["location"] == "/console/"


TEMPLATES = sorted(TEMPLATES_DIR.rglob("*.html"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES_DIR)))
def test_no_template_relies_on_inline_script_or_style_the_policy_would_block(template):
    html = template.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>: put it in a static .js file"
    assert not re.search(r"\son[a-z]+\s*=", html, re.I), "inline event handler: attach it from a static .js file"
    assert not re.search(r"\sstyle\s*=", html, re.I), "style attribute: use a class in a static .css file"
    assert "<style" not in html, "<style> block: use a static .css file"
    addresses = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", html)  # a namespace name is not fetched
    assert "http://" not in addresses and "https://" not in addresses, "nothing may be fetched from the internet"
