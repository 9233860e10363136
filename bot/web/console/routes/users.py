"""User administration (administrators only): list, create, deactivate or reactivate, reset a
password, change a role, lift a sign-in lockout of a name or an address. Every change is audited
in the same transaction as the change itself.

A change of role (or district) ends every session of the user, so no open page keeps the old
role's rights; when administrators change their own role, the browser they did it from gets a
new session (new token, new CSRF token) instead of being signed out.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from bot.knowledge import Knowledge
from bot.web.console.audit import audit_trail, record_audit
from bot.web.console.deps import HOME_PATH, AdminUser, CsrfChecked, get_policy
from bot.web.console.errors import InvalidUser, UnknownUser
from bot.web.console.models import SUBJECT_MAX, ConsoleUser, Role, ThrottleSubject
from bot.web.console.sessions import set_session_cookie, start_session
from bot.web.console.templating import render
from bot.web.console.throttle import account_subject, active_lockout, active_lockouts, lift_lockouts
from bot.web.console.users import (
    change_role,
    create_user,
    get_user,
    list_users,
    reset_password,
    set_active,
    validate_role_change,
)
from bot.web.deps import KnowledgeDep, NowDep, SessionDep

router = APIRouter(prefix="/console/users", include_in_schema=False)

PAGE_SIZE = 50
# ?done=…&name=… after a change → the flash's catalogue key (a ${name} placeholder).
_DONE = {
    "created": "console_user_created",
    "deactivated": "console_user_deactivated",
    "activated": "console_user_activated",
    "password": "console_user_password_reset",
    "role": "console_user_role_changed",
    "unlocked": "console_user_unlocked",
    "address_unlocked": "console_address_unlocked",
}


def _done_message(knowledge: Knowledge, done: str, name: str) -> str | None:
    key = _DONE.get(done)
    return knowledge.messages.render(key, name=name[:32]) if key else None


def _redirect(path: str, done: str, name: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'done': done, 'name': name})}", status_code=303)


def _list_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, now: NowDep, *, page: int = 1,
               form: dict[str, str] | None = None, error: str | None = None, error_field: str | None = None,
               flash: str | None = None, address_error: str | None = None, status_code: int = 200) -> Response:
    page = max(1, page)
    users, total = list_users(session, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    locked = {lockout.subject: lockout.until for lockout in active_lockouts(
        session, now=now, kind=ThrottleSubject.account, subjects=[u.name for u in users])}
    return render(request, "users/list.html", {
        "users": users, "total": total, "page": page, "pages": pages, "locked": locked,
        "address_lockouts": active_lockouts(session, now=now, kind=ThrottleSubject.address),
        "address_error": address_error,
        "roles": list(Role), "districts": [d.name for d in knowledge.districts],
        "form": form or {"name": "", "role": "", "district": ""},
        "error": error, "error_field": error_field, "flash": flash, "flash_kind": "ok",
    }, status_code=status_code)


@router.get("")
def users_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, _admin: AdminUser, now: NowDep,
               page: int = 1, done: str = "", name: str = "") -> Response:
    return _list_page(request, session, knowledge, now, page=min(page, 10_000),
                      flash=_done_message(knowledge, done, name))


@router.post("")
def create(request: Request, session: SessionDep, knowledge: KnowledgeDep, admin: AdminUser, _csrf: CsrfChecked,
           now: NowDep, name: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "",
           district: Annotated[str, Form()] = "", password: Annotated[str, Form()] = "",
           password_again: Annotated[str, Form()] = "") -> Response:
    form = {"name": name[:64], "role": role[:32], "district": district[:16]}
    try:
        if password != password_again:
            raise InvalidUser("console_password_mismatch", field="password")
        user = create_user(session, name=name, role=role, password=password, now=now,
                           district=district if role == Role.district_supervisor.value else None,
                           knowledge=knowledge)
    except InvalidUser as exc:
        return _list_page(request, session, knowledge, now, form=form, error=knowledge.messages.explain(exc),
                          error_field=exc.field, status_code=422)
    record_audit(session, user=admin, action="create_user", at=now,
                 detail={"name": user.name, "role": user.role.value, "district": user.district})
    return _redirect("/console/users", "created", user.name)


# Declared before the /{user_id} routes, which would otherwise take "addresses" for an id.
@router.post("/addresses/unlock")
def unlock_address(request: Request, session: SessionDep, knowledge: KnowledgeDep, admin: AdminUser,
                   _csrf: CsrfChecked, now: NowDep, address: Annotated[str, Form()] = "") -> Response:
    address = address.strip()
    if not address or len(address) > SUBJECT_MAX or not lift_lockouts(
            session, kind=ThrottleSubject.address, subject=address, by=admin.name, now=now):
        return _list_page(request, session, knowledge, now,
                          address_error=knowledge.messages.render("console_address_not_locked"), status_code=409)
    record_audit(session, user=admin, action="sign_in_unlocked", at=now,
                 detail={"kind": ThrottleSubject.address.value, "address": address})
    return _redirect("/console/users", "address_unlocked", address)


def _user_or_404(session: SessionDep, user_id: int) -> ConsoleUser:
    from starlette.exceptions import HTTPException

    try:
        return get_user(session, user_id=user_id)
    except UnknownUser as exc:
        raise HTTPException(status_code=404) from exc


def _detail_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, now: NowDep, target: ConsoleUser,
                 *, error: str | None = None, flash: str | None = None, status_code: int = 200) -> Response:
    lockout = active_lockout(session, kind=ThrottleSubject.account, subject=account_subject(target.name), now=now)
    return render(request, "users/detail.html", {
        "target": target, "error": error, "flash": flash, "flash_kind": "ok",
        "locked_until": lockout.until if lockout else None,
        "roles": list(Role), "districts": [d.name for d in knowledge.districts],
        "trail": audit_trail(session, user_name=target.name, limit=20),
    }, status_code=status_code)


@router.get("/{user_id}")
def user_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, _admin: AdminUser, now: NowDep,
              user_id: int, done: str = "", name: str = "") -> Response:
    target = _user_or_404(session, user_id)
    return _detail_page(request, session, knowledge, now, target, flash=_done_message(knowledge, done, name))


@router.post("/{user_id}/active")
def change_active(request: Request, session: SessionDep, knowledge: KnowledgeDep, admin: AdminUser,
                  _csrf: CsrfChecked, now: NowDep, user_id: int, active: Annotated[str, Form()] = "") -> Response:
    target = _user_or_404(session, user_id)
    if active not in ("0", "1"):
        return _detail_page(request, session, knowledge, now, target,
                            error=knowledge.messages.render("console_user_request_incomplete"), status_code=422)
    make_active = active == "1"
    if not make_active and target.id == admin.id:
        return _detail_page(request, session, knowledge, now, target,
                            error=knowledge.messages.render("console_user_deactivate_self"), status_code=422)
    set_active(session, user=target, active=make_active)
    record_audit(session, user=admin, action="activate_user" if make_active else "deactivate_user", at=now,
                 detail={"name": target.name})
    return _redirect(f"/console/users/{target.id}", "activated" if make_active else "deactivated", target.name)


@router.post("/{user_id}/password")
def change_password(request: Request, session: SessionDep, knowledge: KnowledgeDep, admin: AdminUser,
                    _csrf: CsrfChecked, now: NowDep, user_id: int, password: Annotated[str, Form()] = "",
                    password_again: Annotated[str, Form()] = "") -> Response:
    target = _user_or_404(session, user_id)
    try:
        if password != password_again:
            raise InvalidUser("console_password_mismatch", field="password")
        reset_password(session, user=target, password=password)
    except InvalidUser as exc:
        return _detail_page(request, session, knowledge, now, target, error=knowledge.messages.explain(exc),
                            status_code=422)
    record_audit(session, user=admin, action="reset_password", at=now, detail={"name": target.name})
    return _redirect(f"/console/users/{target.id}", "password", target.name)


@router.post("/{user_id}/role")
def change_user_role(request: Request, session: SessionDep, knowledge: KnowledgeDep, admin: AdminUser,
                     _csrf: CsrfChecked, now: NowDep, user_id: int, role: Annotated[str, Form()] = "",
                     district: Annotated[str, Form()] = "") -> Response:
    target = _user_or_404(session, user_id)
    try:
        new_role, new_district = validate_role_change(
            session, user=target, role=role, district=district if role == Role.district_supervisor.value else None,
            knowledge=knowledge)
    except InvalidUser as exc:
        return _detail_page(request, session, knowledge, now, target, error=knowledge.messages.explain(exc),
                            status_code=422)
    # Before the change: administrators changing their own role are recorded with the role they acted in.
    record_audit(session, user=admin, action="change_role", at=now, detail={
        "name": target.name, "role": new_role.value, "district": new_district,
        "previous_role": target.role.value, "previous_district": target.district})
    change_role(session, user=target, role=new_role, district=new_district, knowledge=knowledge)
    if target.id != admin.id:
        return _redirect(f"/console/users/{target.id}", "role", target.name)
    # Their own role: every session ended with it, this one included; this browser goes on in a new one.
    _row, token = start_session(session, user=target, now=now, policy=get_policy(request))
    response = _redirect(HOME_PATH, "role", target.name)  # no longer an admin: the user pages are closed to them
    set_session_cookie(response, token, secure=bool(request.app.state.console_settings.console_cookie_secure))
    return response


@router.post("/{user_id}/unlock")
def unlock_user(request: Request, session: SessionDep, knowledge: KnowledgeDep, admin: AdminUser,
                _csrf: CsrfChecked, now: NowDep, user_id: int) -> Response:
    target = _user_or_404(session, user_id)
    if not lift_lockouts(session, kind=ThrottleSubject.account, subject=account_subject(target.name), by=admin.name,
                         now=now):
        return _detail_page(request, session, knowledge, now, target,
                            error=knowledge.messages.render("console_user_not_locked"), status_code=409)
    record_audit(session, user=admin, action="sign_in_unlocked", at=now,
                 detail={"kind": ThrottleSubject.account.value, "name": target.name})
    return _redirect(f"/console/users/{target.id}", "unlocked", target.name)
