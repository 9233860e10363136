"""What every supervision page shares: the scope of the user, the Shanghai day, error pages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import Request
from starlette.responses import Response

from bot.knowledge import Knowledge
from bot.ledger.tickets import local_day
from bot.thresholds import month_of
from bot.web.console.deps import district_scope
from bot.web.console.models import ConsoleUser
from bot.web.console.templating import knowledge_of, render

PREFIX = "/console/supervision"
# (tab, href); its label is console_tab_<tab> of the catalogue.
TABS = (
    ("overview", PREFIX),
    ("tickets", f"{PREFIX}/tickets"),
    ("investigations", f"{PREFIX}/investigations"),
    ("rules", f"{PREFIX}/rules"),
    ("figures", f"{PREFIX}/figures"),
    ("grades", f"{PREFIX}/grades"),
    ("inspections", f"{PREFIX}/inspections"),
    ("satisfaction", f"{PREFIX}/satisfaction"),
    ("board", f"{PREFIX}/board"),
)


def scope_of(user: ConsoleUser) -> str | None:
    return district_scope(user)


def today_of(now: datetime) -> date:
    return local_day(now)


def page(request: Request, template: str, tab: str, user: ConsoleUser, context: dict[str, Any], *,
         status_code: int = 200) -> Response:
    """A supervision page: the tabs, and the scope the figures are limited to."""
    scope = scope_of(user)
    messages = knowledge_of(request).messages
    tabs = [(name, messages.text(f"console_tab_{name}"), href) for name, href in TABS]
    return render(request, template, {"tabs": tabs, "tab": tab, "scope": scope, "prefix": PREFIX, **context},
                  status_code=status_code)


def not_found(request: Request, message: str) -> Response:
    """The console's 404 page: the same for a ticket that does not exist and one of another district."""
    title = knowledge_of(request).messages.render("console_title_not_found")
    return render(request, "errors/error.html", {"title": title, "message": message, "status": 404},
                  status_code=404)


def refused(request: Request, title: str, message: str) -> Response:
    return render(request, "errors/error.html", {"title": title, "message": message, "status": 403},
                  status_code=403)


def period_choices(now: datetime, knowledge: Knowledge) -> list[tuple[str, str]]:
    """The last twelve months and the last three years, newest first."""
    messages = knowledge.messages
    month = month_of(now)
    year, m = month.first_day.year, month.first_day.month
    months = []
    for _ in range(12):
        months.append((f"{year:04d}-{m:02d}", messages.render("console_period_month", year=year, month=m)))
        year, m = (year, m - 1) if m > 1 else (year - 1, 12)
    this_year = month.first_day.year
    return months + [(str(y), messages.render("console_period_year", year=y))
                     for y in range(this_year, this_year - 3, -1)]
