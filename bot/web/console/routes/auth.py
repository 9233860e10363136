"""Sign-in, sign-out and the home page.

The sign-in form has its own CSRF protection (there is no session yet): a random token in a
short-lived cookie scoped to the sign-in path and the same token in the form (double submit), so
another site cannot sign a browser into an account of its choosing.
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from bot.web.console.audit import record_audit
from bot.web.console.deps import (
    LOGIN_PATH,
    ConsoleSessionDep,
    CsrfChecked,
    CurrentUser,
    get_policy,
    safe_next,
    tokens_match,
)
from bot.web.console.errors import SessionInvalid, SignInFailed
from bot.web.console.sessions import COOKIE_NAME, SessionPolicy, load_session, purge_expired, start_session
from bot.web.console.templating import navigation, render
from bot.web.console.users import authenticate
from bot.web.deps import KnowledgeDep, NowDep, SessionDep

router = APIRouter(include_in_schema=False)

LOGIN_COOKIE = "sbk_console_login"
_NEXT_MAX = 500
PolicyDep = Annotated[SessionPolicy, Depends(get_policy)]


def _secure(request: Request) -> bool:
    return bool(request.app.state.console_settings.console_cookie_secure)


def _login_page(request: Request, *, next_path: str, name: str = "", error: str | None = None,
                notice: str | None = None, status_code: int = 200) -> Response:
    login_token = secrets.token_urlsafe(32)
    response = render(request, "login.html", {
        "login_token": login_token, "next_path": next_path, "name": name[:64], "error": error, "notice": notice,
    }, status_code=status_code)
    response.set_cookie(LOGIN_COOKIE, login_token, max_age=3600, path=LOGIN_PATH, httponly=True, samesite="lax",
                        secure=_secure(request))
    return response


@router.get("/console/login")
def login_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, now: NowDep, policy: PolicyDep,
               next: str = "", expired: str = "", signed_out: str = "") -> Response:
    next_path = safe_next(next[:_NEXT_MAX])
    token = request.cookies.get(COOKIE_NAME)
    if token:
        try:
            load_session(session, token=token, now=now, policy=policy)
            return RedirectResponse(next_path, status_code=303)  # already signed in
        except SessionInvalid:
            pass
    notice = knowledge.messages.render("console_session_expired") if expired \
        else knowledge.messages.render("console_signed_out") if signed_out else None
    return _login_page(request, next_path=next_path, notice=notice)


@router.post("/console/login")
def login(request: Request, session: SessionDep, knowledge: KnowledgeDep, now: NowDep, policy: PolicyDep,
          name: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
          csrf_token: Annotated[str, Form()] = "", next: Annotated[str, Form()] = "") -> Response:
    next_path = safe_next(next[:_NEXT_MAX])
    if not tokens_match(csrf_token, request.cookies.get(LOGIN_COOKIE, "")):
        return _login_page(request, next_path=next_path, name=name,
                           error=knowledge.messages.render("console_csrf_failed"), status_code=403)
    if not name.strip() or not password:
        return _login_page(request, next_path=next_path, name=name,
                           error=knowledge.messages.render("console_sign_in_incomplete"), status_code=422)
    try:
        user = authenticate(session, name=name, password=password)
    except SignInFailed as exc:
        return _login_page(request, next_path=next_path, name=name, error=knowledge.messages.explain(exc),
                           status_code=401)
    purge_expired(session, now=now, policy=policy)  # sessions left behind by closed browsers go at the next sign-in
    _row, token = start_session(session, user=user, now=now, policy=policy, replaces=request.cookies.get(COOKIE_NAME))
    record_audit(session, user=user, action="sign_in", at=now)
    response = RedirectResponse(next_path, status_code=303)
    # No max_age: the cookie goes when the browser closes; the server-side limits apply regardless.
    response.set_cookie(COOKIE_NAME, token, path="/console", httponly=True, samesite="lax", secure=_secure(request))
    response.delete_cookie(LOGIN_COOKIE, path=LOGIN_PATH, httponly=True, samesite="lax")
    return response


@router.post("/console/logout")
def logout(session: SessionDep, console_session: ConsoleSessionDep, user: CurrentUser, _csrf: CsrfChecked,
           now: NowDep) -> Response:
    session.delete(console_session)
    record_audit(session, user=user, action="sign_out", at=now)
    response = RedirectResponse(f"{LOGIN_PATH}?signed_out=1", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/console", httponly=True, samesite="lax")
    return response


@router.get("/console/")
def home(request: Request, user: CurrentUser) -> Response:
    return render(request, "home.html", {"areas": navigation(request, user)})
