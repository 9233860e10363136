"""User administration (administrators only): list, create, deactivate or reactivate, reset a
password. Every change is audited in the same transaction as the change itself."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from bot.knowledge import Knowledge
from bot.web.console.audit import audit_trail, record_audit
from bot.web.console.deps import AdminUser, CsrfChecked
from bot.web.console.errors import InvalidUser, UnknownUser
from bot.web.console.models import ConsoleUser, Role
from bot.web.console.templating import render
from bot.web.console.users import create_user, get_user, list_users, reset_password, set_active
from bot.web.deps import KnowledgeDep, NowDep, SessionDep

router = APIRouter(prefix="/console/users", include_in_schema=False)

PAGE_SIZE = 50
# ?done=…&name=… after a change → the flash's catalogue key (a ${name} placeholder).
_DONE = {
    "created": "console_user_created",
    "deactivated": "console_user_deactivated",
    "activated": "console_user_activated",
    "password": "console_user_password_reset",
}


def _done_message(knowledge: Knowledge, done: str, name: str) -> str | None:
    key = _DONE.get(done)
    return knowledge.messages.render(key, name=name[:32]) if key else None


def _redirect(path: str, done: str, name: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?{urlencode({'done': done, 'name': name})}", status_code=303)


def _list_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, *, page: int = 1,
               form: dict[str, str] | None = None, error: str | None = None, error_field: str | None = None,
               flash: str | None = None, status_code: int = 200) -> Response:
    page = max(1, page)
    users, total = list_users(session, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return render(request, "users/list.html", {
        "users": users, "total": total, "page": page, "pages": pages,
        "roles": list(Role), "districts": [d.name for d in knowledge.districts],
        "form": form or {"name": "", "role": "", "district": ""},
        "error": error, "error_field": error_field, "flash": flash, "flash_kind": "ok",
    }, status_code=status_code)


@router.get("")
def users_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, _admin: AdminUser,
               page: int = 1, done: str = "", name: str = "") -> Response:
    return _list_page(request, session, knowledge, page=min(page, 10_000), flash=_done_message(knowledge, done, name))


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
        return _list_page(request, session, knowledge, form=form, error=knowledge.messages.explain(exc),
                          error_field=exc.field, status_code=422)
    record_audit(session, user=admin, action="create_user", at=now,
                 detail={"name": user.name, "role": user.role.value, "district": user.district})
    return _redirect("/console/users", "created", user.name)


def _user_or_404(session: SessionDep, user_id: int) -> ConsoleUser:
    from starlette.exceptions import HTTPException

    try:
        return get_user(session, user_id=user_id)
    except UnknownUser as exc:
        raise HTTPException(status_code=404) from exc


def _detail_page(request: Request, session: SessionDep, target: ConsoleUser, *, error: str | None = None,
                 flash: str | None = None, status_code: int = 200) -> Response:
    return render(request, "users/detail.html", {
        "target": target, "error": error, "flash": flash, "flash_kind": "ok",
        "trail": audit_trail(session, user_name=target.name, limit=20),
    }, status_code=status_code)


@router.get("/{user_id}")
def user_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, _admin: AdminUser, user_id: int,
              done: str = "", name: str = "") -> Response:
    target = _user_or_404(session, user_id)
    return _detail_page(request, session, target, flash=_done_message(knowledge, done, name))


@router.post("/{user_id}/active")
def change_active(request: Request, session: SessionDep, knowledge: KnowledgeDep, admin: AdminUser,
                  _csrf: CsrfChecked, now: NowDep, user_id: int, active: Annotated[str, Form()] = "") -> Response:
    target = _user_or_404(session, user_id)
    if active not in ("0", "1"):
        return _detail_page(request, session, target,
                            error=knowledge.messages.render("console_user_request_incomplete"), status_code=422)
    make_active = active == "1"
    if not make_active and target.id == admin.id:
        return _detail_page(request, session, target,
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
        return _detail_page(request, session, target, error=knowledge.messages.explain(exc), status_code=422)
    record_audit(session, user=admin, action="reset_password", at=now, detail={"name": target.name})
    return _redirect(f"/console/users/{target.id}", "password", target.name)
