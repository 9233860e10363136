"""A cap on request bodies, checked before anything is parsed (413 beyond it)."""

from __future__ import annotations

import json
from collections.abc import Mapping

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024  # the largest valid body (4000 + 4000 characters of CJK text) is ~24 KiB


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuse bodies over `limit` bytes, by Content-Length or, without one, while reading; the paths
    of `wider` (an upload's, say) have their own limit instead."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES, wider: Mapping[str, int] | None = None) -> None:
        self.app, self.default_limit = app, limit
        self.wider = dict(wider or {})

    def limit_of(self, scope: Scope) -> int:
        return self.wider.get(scope.get("path", ""), self.default_limit)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        # Outside the routes, the application's knowledge is reached through the scope.
        message = scope["app"].state.knowledge.messages.render("api_body_over_limit", limit=self.limit_of(scope))
        body = json.dumps({"detail": {"message": message, "field": None}}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_of(scope)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_large = int(value) > limit
                except ValueError:
                    too_large = False
                if too_large:
                    await self._refuse(scope, send)
                    return

        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, send)
