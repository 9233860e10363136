"""Page rendering: ``render(request, template_name, context)`` → a TemplateResponse from
``bot/web/console/templates/`` with the signed-in user (``user``: name, role, district — a plain
copy, readable on error pages too), the CSRF token (``csrf_token``) and the role's navigation (``nav``)
added to the context, and the product's name (``product_name``).

Sentences come from the message catalogue (knowledge/console.yml) of the app's knowledge
(``app.state.knowledge``): the filters ``role_label`` and ``action_label`` read it there.

Templates extend ``base.html`` and fill ``title`` and ``content`` (and ``scripts`` for a page's own
JS file; inline scripts are refused by the Content-Security-Policy). Autoescaping is on for every
template, so values are shown as text even if they hold markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from fastapi import Request
from fastapi.routing import iter_route_contexts
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from bot.clock import SHANGHAI
from bot.knowledge import Knowledge
from bot.web.console.access import AREAS, Area
from bot.web.console.audit import action_label
from bot.web.console.models import ConsoleUser, Role

if TYPE_CHECKING:
    from bot.web.console.deps import SignedIn

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    description: str
    active: bool


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as Qingdao's wall-clock time (the database keeps UTC)."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(SHANGHAI).strftime(fmt)


def role_label(role: Role | str | None, knowledge: Knowledge) -> str:
    """The role's name as shown to people; a value that is no role, as it is."""
    try:
        return knowledge.messages.text(Role(role).label_key) if role is not None else ""
    except ValueError:
        return str(role)


def knowledge_of(request: Request) -> Knowledge:
    return request.app.state.knowledge


@jinja2.pass_context
def _role_label_filter(context: jinja2.runtime.Context, role: Role | str | None) -> str:
    return role_label(role, knowledge_of(context["request"]))


@jinja2.pass_context
def _action_label_filter(context: jinja2.runtime.Context, action: str) -> str:
    return action_label(action, knowledge_of(context["request"]))


@cache
def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,  # every template, whatever its extension
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["local_time"] = local_time
    env.filters["role_label"] = _role_label_filter
    env.filters["action_label"] = _action_label_filter
    return Jinja2Templates(env=env)


def _route_paths(request: Request) -> frozenset[str]:
    """Paths the app serves with GET (computed once per app): the navigation lists only areas
    whose page exists."""
    state = request.app.state
    paths = getattr(state, "console_get_paths", None)
    if paths is None:
        # Included routers are kept nested (not flattened) by FastAPI; this walks them all.
        paths = frozenset(r.path or "" for r in iter_route_contexts(request.app.routes) if "GET" in (r.methods or ()))
        state.console_get_paths = paths
    return paths


def _entry(area: Area, paths: frozenset[str]) -> str | None:
    for candidate in (area.prefix, area.prefix + "/"):
        if candidate in paths:
            return candidate
    return None


def navigation(request: Request, user: SignedIn | ConsoleUser | None) -> list[NavItem]:
    """The areas `user`'s role may open and the app serves, in a fixed order."""
    if user is None:
        return []
    paths = _route_paths(request)
    messages = knowledge_of(request).messages
    items = []
    for area in AREAS:
        href = _entry(area, paths)
        if area.nav and user.role in area.roles and href is not None:
            here = request.url.path
            items.append(NavItem(messages.text(area.label), href,
                                 messages.text(area.description) if area.description else "",
                                 active=here == area.prefix or here.startswith(area.prefix + "/")))
    return items


def render(request: Request, template_name: str, context: dict[str, Any] | None = None, *,
           status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    user: SignedIn | None = getattr(request.state, "console_identity", None)
    full: dict[str, Any] = {
        "product_name": knowledge_of(request).messages.render("console_product_name"),
        "user": user,
        "csrf_token": user.csrf_token if user is not None else "",
        "nav": navigation(request, user),
        "flash": None,
        "flash_kind": "info",
        **(context or {}),
    }
    return _templates().TemplateResponse(request, template_name, full, status_code=status_code, headers=headers)
