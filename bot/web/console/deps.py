"""Dependencies of the console's routes, as ``Annotated`` aliases.

- ``CurrentUser``: the signed-in user. Not signed in → 303 to ``/console/login?next=<path>``; a
  session that ran out → the same, with ``console_session_expired`` on the sign-in page. Requests
  that do not ask for HTML (``fetch`` from page scripts) get 401 JSON ``{"detail": {"message",
  "login"}}`` instead of a redirect they could not show.
- ``OperatorUser`` (operator, admin), ``SupervisorUser`` (district and city supervisors, admin),
  ``CitySupervisorUser`` (city supervisors, admin), ``AdminUser`` (admin): any other role gets the
  403 page ``console_forbidden``.
- ``CsrfChecked``: declared by every state-changing route. Compares the form field ``csrf_token``
  or the header ``X-CSRF-Token`` with the session's token in constant time; missing or forged →
  403 ``console_csrf_failed``, before the route runs, so nothing is saved.
- ``district_scope(user)``: the district a district supervisor is limited to; None for all.
- ``ThrottleDep``: the sign-in throttling policy; ``ClientAddress``: the address a sign-in is counted
  against (the peer, or what a trusted proxy says in X-Forwarded-For; see ``throttle.client_address``).

The refusals here (`ConsoleRedirect`, `ConsoleForbidden`) carry a code of knowledge/console.yml;
the console's error handlers (``bot.web.console.app``) say it.

The database session is ``bot.web.deps.SessionDep`` (one transaction per request); the user
returned here belongs to it. The instant is ``bot.web.deps.NowDep``, from the app's clock.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Depends, Request

from bot.web.console.errors import ConsoleError, SessionExpired, SessionInvalid
from bot.web.console.models import ConsoleSession, ConsoleUser, Role
from bot.web.console.sessions import COOKIE_NAME, SessionPolicy, load_session
from bot.web.console.throttle import ThrottlePolicy, client_address
from bot.web.deps import NowDep, SessionDep

LOGIN_PATH = "/console/login"
HOME_PATH = "/console/"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in, as the templates see it (``user`` in every page's context)."""

    id: int
    name: str
    role: Role
    district: str | None
    csrf_token: str


class ConsoleRedirect(ConsoleError):
    """Send the browser to `location` (303); `clear_cookie` drops a session cookie that no longer works.
    A page script, which cannot follow it, is told why (the code) and where to sign in."""

    def __init__(self, code: str, *, location: str, clear_cookie: bool = False, **params: object) -> None:
        super().__init__(code, **params)
        self.location = location
        self.clear_cookie = clear_cookie


class ConsoleForbidden(ConsoleError):
    """A 403 page saying why (``console_forbidden``: the role may not open it)."""

    def __init__(self, code: str = "console_forbidden", **params: object) -> None:
        super().__init__(code, **params)


def wants_html(request: Request) -> bool:
    """A browser navigation (or form post), as opposed to a script's fetch."""
    return "text/html" in request.headers.get("accept", "")


def safe_next(path: str | None) -> str:
    """`path` if it is a console page of this site, else the home page (no open redirects)."""
    if not path or not path.startswith("/console/") or path.startswith("//") or "\\" in path \
            or any(ch in path for ch in "\r\n\t") or path.startswith(LOGIN_PATH):
        return HOME_PATH
    return path


def login_url(request: Request | None = None, *, expired: bool = False) -> str:
    query: dict[str, str] = {}
    if request is not None and request.method == "GET":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if safe_next(target) != HOME_PATH:
            query["next"] = target
    if expired:
        query["expired"] = "1"
    return LOGIN_PATH + (f"?{urlencode(query)}" if query else "")


def get_policy(request: Request) -> SessionPolicy:
    return request.app.state.console_policy


def get_throttle(request: Request) -> ThrottlePolicy:
    return request.app.state.console_throttle


ThrottleDep = Annotated[ThrottlePolicy, Depends(get_throttle)]


def get_client_address(request: Request, throttle: ThrottleDep) -> str:
    peer = request.client.host if request.client else None
    return client_address(peer, request.headers.get("x-forwarded-for"), trusted_proxies=throttle.trusted_proxies)


ClientAddress = Annotated[str, Depends(get_client_address)]


def get_console_session(request: Request, session: SessionDep, now: NowDep,
                        policy: Annotated[SessionPolicy, Depends(get_policy)]) -> ConsoleSession:
    """The live session of the request's cookie; also kept on ``request.state`` for the templates."""
    try:
        row, user = load_session(session, token=request.cookies.get(COOKIE_NAME), now=now, policy=policy)
    except SessionExpired as exc:
        raise ConsoleRedirect(exc.code, location=login_url(request, expired=True), clear_cookie=True,
                              **exc.params) from exc
    except SessionInvalid as exc:
        raise ConsoleRedirect(exc.code, location=login_url(request), **exc.params) from exc
    request.state.console_user = user
    # Plain copies for the page templates: an error page is rendered after the request's
    # transaction rolled back, when the ORM objects can no longer be read.
    request.state.console_identity = SignedIn(id=user.id, name=user.name, role=user.role,  # type: ignore[arg-type]
                                              district=user.district, csrf_token=row.csrf_token)
    return row


ConsoleSessionDep = Annotated[ConsoleSession, Depends(get_console_session)]


def get_current_user(request: Request, _session: ConsoleSessionDep) -> ConsoleUser:
    return request.state.console_user


CurrentUser = Annotated[ConsoleUser, Depends(get_current_user)]


def require_roles(*roles: Role):  # type: ignore[no-untyped-def]
    """A dependency that lets only `roles` through (403 page otherwise)."""
    allowed = frozenset(roles)

    def dependency(user: CurrentUser) -> ConsoleUser:
        if user.role not in allowed:
            raise ConsoleForbidden("console_forbidden")
        return user

    dependency.__name__ = "require_" + "_or_".join(sorted(r.value for r in allowed))
    return dependency


OperatorUser = Annotated[ConsoleUser, Depends(require_roles(Role.operator, Role.admin))]
SupervisorUser = Annotated[ConsoleUser, Depends(require_roles(Role.district_supervisor, Role.city_supervisor,
                                                              Role.admin))]
# The city agency's decisions and documents: not a district's to see or make.
CitySupervisorUser = Annotated[ConsoleUser, Depends(require_roles(Role.city_supervisor, Role.admin))]
AdminUser = Annotated[ConsoleUser, Depends(require_roles(Role.admin))]


def tokens_match(sent: object, expected: str) -> bool:
    return isinstance(sent, str) and bool(sent) and hmac.compare_digest(sent.encode("utf-8", "surrogatepass"),
                                                                       expected.encode())


async def check_csrf(request: Request, console_session: ConsoleSessionDep) -> None:
    sent: object = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
            ("application/x-www-form-urlencoded", "multipart/form-data")):
        sent = (await request.form()).get(CSRF_FIELD)
    if not tokens_match(sent, console_session.csrf_token):
        raise ConsoleForbidden("console_csrf_failed")


CsrfChecked = Annotated[None, Depends(check_csrf)]


def district_scope(user: ConsoleUser) -> str | None:
    """The only district `user` may see, or None for every district."""
    return user.district if user.role is Role.district_supervisor else None
