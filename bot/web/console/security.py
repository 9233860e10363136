"""Security headers on every console response (and the site root that leads to it).

Content-Security-Policy allows scripts, styles, images, fonts and connections from this origin
only: no inline script or style, nothing from the internet, and no framing (clickjacking). Pages
and redirects are never cached (a shared office PC's back button must not show a signed-in
page after sign-out); static files may be cached briefly.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
STATIC_PREFIX = "/console/static/"

_COMMON = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
_NO_STORE = [(b"cache-control", b"no-store"), (b"pragma", b"no-cache")]
_STATIC_CACHE = [(b"cache-control", b"private, max-age=300")]


def _is_console(path: str) -> bool:
    return path == "/" or path == "/console" or path.startswith("/console/")


class ConsoleSecurityHeaders:
    """Pure ASGI middleware (streams untouched) adding the headers above to console paths."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _is_console(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        extra = _COMMON + (_STATIC_CACHE if scope["path"].startswith(STATIC_PREFIX) else _NO_STORE)
        names = {name for name, _ in extra}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message = {**message, "headers": kept + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)
