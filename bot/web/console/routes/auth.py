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

from bot.web.console.audit import record_audit, record_system_audit
from bot.web.console.deps import (
    LOGIN_PATH,
    ClientAddress,
    ConsoleSessionDep,
    CsrfChecked,
    CurrentUser,
    ThrottleDep,
    get_policy,
    safe_next,
    tokens_match,
)
from bot.web.console.errors import AccountDisabled, SessionInvalid, SignInFailed, SignInLocked
from bot.web.console.models import SignInLockout, ThrottleSubject
from bot.web.console.sessions import (
    COOKIE_NAME,
    SessionPolicy,
    load_session,
    purge_expired,
    set_session_cookie,
    start_session,
)
from bot.web.console.templating import local_time, navigation, render
from bot.web.console.throttle import (
    account_subject,
    check_sign_in,
    clear_account_failures,
    purge_failures,
    record_failure,
    retry_after,
)
from bot.web.console.users import authenticate
from bot.web.deps import KnowledgeDep, NowDep, SessionDep

router = APIRouter(include_in_schema=False)

LOGIN_COOKIE = "sbk_console_login"
# The actor of the audit entries the sign-in form writes on its own (a lockout): nobody is signed in.
SIGN_IN_ACTOR = "console sign-in"
_LOCKED_CODES = {ThrottleSubject.account: "console_sign_in_locked",
                 ThrottleSubject.address: "console_sign_in_address_locked"}
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


def _locked_page(request: Request, knowledge: KnowledgeDep, *, code: str, lockout: SignInLockout, now: NowDep,
                 next_path: str, name: str) -> Response:
    error = knowledge.messages.render(code, until=local_time(lockout.until))
    response = _login_page(request, next_path=next_path, name=name, error=error, status_code=429)
    response.headers["Retry-After"] = str(retry_after(lockout, now=now))
    return response


def _audit_lockouts(session: SessionDep, lockouts: list[SignInLockout], *, name: str, address: str,
                    now: NowDep) -> None:
    # The whole address is kept: the entry exists to find where the guessing came from and to lift
    # the right address; it is a staff workstation's or an attacker's, not a citizen's (Art. 51).
    for lockout in lockouts:
        record_system_audit(session, actor=SIGN_IN_ACTOR, action="sign_in_locked", at=now, detail={
            "kind": lockout.kind.value, "name": account_subject(name), "address": address,
            "until": lockout.until.isoformat()})


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
          throttle: ThrottleDep, address: ClientAddress,
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
        check_sign_in(session, name=name, address=address, now=now)
        user = authenticate(session, name=name, password=password)
    except SignInLocked as exc:
        return _locked_page(request, knowledge, code=exc.code, lockout=exc.lockout, now=now, next_path=next_path,
                            name=name)
    except AccountDisabled as exc:
        return _login_page(request, next_path=next_path, name=name, error=knowledge.messages.explain(exc),
                           status_code=401)
    except SignInFailed as exc:
        lockouts = record_failure(session, name=name, address=address, now=now, policy=throttle)
        if lockouts:  # this very mistake was one too many: say so now, not at the next attempt
            _audit_lockouts(session, lockouts, name=name, address=address, now=now)
            return _locked_page(request, knowledge, code=_LOCKED_CODES[lockouts[0].kind], lockout=lockouts[0],
                                now=now, next_path=next_path, name=name)
        return _login_page(request, next_path=next_path, name=name, error=knowledge.messages.explain(exc),
                           status_code=401)
    clear_account_failures(session, name=user.name)
    purge_expired(session, now=now, policy=policy)  # sessions left behind by closed browsers go at the next sign-in
    purge_failures(session, now=now, policy=throttle)  # and failures too old to count
    _row, token = start_session(session, user=user, now=now, policy=policy, replaces=request.cookies.get(COOKIE_NAME))
    record_audit(session, user=user, action="sign_in", at=now)
    response = RedirectResponse(next_path, status_code=303)
    set_session_cookie(response, token, secure=_secure(request))
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
