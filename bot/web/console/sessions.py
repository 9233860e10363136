"""Server-side sign-in sessions.

The browser holds only an opaque random token in an HttpOnly, SameSite=Lax cookie; the table
keeps its SHA-256, the user, a per-session CSRF token and three instants. A session ends after
`idle` without a request or `absolute` after sign-in, whichever comes first, and when the user
signs out (the row is deleted). Signing in always starts a new session, so a token planted in a
browser before sign-in is worthless after it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, delete, select
from starlette.responses import Response

from bot.settings import Settings
from bot.web.console.errors import SessionExpired, SessionInvalid
from bot.web.console.models import ConsoleSession, ConsoleUser

COOKIE_NAME = "sbk_console"
_TOKEN_BYTES = 32
# Writing last_seen_at on every request would turn every page view into a write; a minute of
# slack on a 30-minute idle limit is invisible to the user.
_TOUCH_EVERY = timedelta(seconds=60)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    absolute: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        return cls(idle=timedelta(minutes=settings.console_session_idle_minutes),
                   absolute=timedelta(hours=settings.console_session_absolute_hours))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def start_session(session: Session, *, user: ConsoleUser, now: datetime, policy: SessionPolicy,
                  replaces: str | None = None) -> tuple[ConsoleSession, str]:
    """A new session for `user` and the token for its cookie. `replaces` is the token the browser
    sent before signing in, if any: that session ends (rotation at sign-in)."""
    if replaces:
        end_session(session, token=replaces)
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    row = ConsoleSession(token_hash=hash_token(token), user_id=user.id, csrf_token=secrets.token_urlsafe(_TOKEN_BYTES),
                         created_at=now, last_seen_at=now, expires_at=now + policy.absolute)
    session.add(row)
    session.flush()
    return row, token


def set_session_cookie(response: Response, token: str, *, secure: bool) -> None:
    """Give the browser its session token. No max_age: the cookie goes when the browser closes; the
    server-side limits apply regardless."""
    response.set_cookie(COOKIE_NAME, token, path="/console", httponly=True, samesite="lax", secure=secure)


def load_session(session: Session, *, token: str | None, now: datetime,
                 policy: SessionPolicy) -> tuple[ConsoleSession, ConsoleUser]:
    """The live session of `token` and its active user, with last_seen_at moved to `now`.

    SessionInvalid without a token; SessionExpired for a token that no longer opens anything
    (idle or absolute limit passed, signed out elsewhere, user deactivated): the browser holds a
    cookie, so its user did sign in once and should be told the session ended.
    """
    if not token:
        raise SessionInvalid("console_sign_in_required")
    row = session.exec(select(ConsoleSession).where(ConsoleSession.token_hash == hash_token(token))).first()
    if row is None:
        raise SessionExpired("console_session_expired")
    user = session.get(ConsoleUser, row.user_id)
    if now >= row.expires_at or now - row.last_seen_at >= policy.idle or user is None or not user.active:
        session.delete(row)
        session.flush()
        raise SessionExpired("console_session_expired")
    if now - row.last_seen_at >= _TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
        session.flush()
    return row, user


def end_session(session: Session, *, token: str) -> bool:
    """Sign out: delete the session of `token`; True if there was one."""
    result = session.exec(delete(ConsoleSession).where(  # type: ignore[call-overload]
        ConsoleSession.token_hash == hash_token(token)))
    return bool(result.rowcount)


def purge_expired(session: Session, *, now: datetime, policy: SessionPolicy) -> int:
    """Delete sessions past either limit (they would be refused anyway); how many went."""
    result = session.exec(delete(ConsoleSession).where(  # type: ignore[call-overload]
        (ConsoleSession.expires_at <= now) | (ConsoleSession.last_seen_at <= now - policy.idle)))
    return int(result.rowcount or 0)
