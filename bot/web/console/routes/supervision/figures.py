"""Monthly and yearly figures per bank with their charts, the report workbook, annual grades and
suspension flags — the data of `sbk report`.

The workbook is the city's report (every district, every bank's outlets and overdue ticket
numbers): a district supervisor is refused it and downloads their district's tickets from the
ticket list instead, which is limited to their district.
"""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from starlette.responses import Response

from bot.knowledge.catalogue import Refusal
from bot.reports import Period
from bot.reports.render import articles_label
from bot.supervision import (
    FIGURES_SECTIONS,
    InvalidFilters,
    SupervisionError,
    city_report,
    figures,
    grades,
    parse_period,
    workbook_bytes,
)
from bot.thresholds import month_of
from bot.web.console.audit import record_audit
from bot.web.console.deps import SupervisorUser
from bot.web.console.routes.supervision.charts import bank_chart
from bot.web.console.routes.supervision.common import PREFIX, page, period_choices, refused, scope_of
from bot.web.deps import CalendarDep, KnowledgeDep, NowDep, SessionDep

router = APIRouter(prefix=PREFIX, include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _period(request: Request, now: datetime) -> Period:
    return parse_period(request.query_params.get("period", "") or month_of(now).key)


@router.get("/figures")
def figures_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep,
                 now: NowDep, user: SupervisorUser) -> Response:
    context: dict[str, object] = {"choices": period_choices(now, knowledge),
                                  "form": {"period": request.query_params.get("period", "")[:20]}}
    try:
        period = _period(request, now)
        result = figures(session, period=period, scope=scope_of(user), knowledge=knowledge, calendar=calendar,
                         now=now, sections=FIGURES_SECTIONS)
    except InvalidFilters as exc:
        return page(request, "supervision/figures.html", "figures", user,
                    {**context, "errors": exc.explain_each(knowledge.messages), "result": None}, status_code=400)
    except SupervisionError as exc:
        return page(request, "supervision/figures.html", "figures", user,
                    {**context, "errors": {"period": knowledge.messages.explain(exc)}, "result": None}, status_code=500)
    banks = [b.bank for b in result.banks]
    messages = knowledge.messages
    received, found_true = messages.render("console_series_received"), messages.render("console_series_found_true")
    charts = [
        bank_chart(messages.render("console_chart_complaints"), banks,
                   [(received, [b.complaints.total for b in result.banks]),
                    (found_true, [b.complaints.found_true for b in result.banks])]),
        bank_chart(messages.render("console_chart_praise"), banks,
                   [(received, [b.praise.total for b in result.banks]),
                    (found_true, [b.praise.found_true for b in result.banks])]),
    ]
    context["form"] = {"period": period.key}
    return page(request, "supervision/figures.html", "figures", user, {
        **context, "errors": {}, "result": result, "charts": charts, "period": period,
        "export_allowed": scope_of(user) is None,
    })


@router.get("/figures/export.xlsx")
def export_xlsx(request: Request, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep,
                      now: NowDep, user: SupervisorUser) -> Response:
    messages = knowledge.messages
    if scope_of(user) is not None:
        return refused(request, messages.render("console_title_export_refused"),
                       messages.render("console_export_district_refused"))
    try:
        period = _period(request, now)
    except InvalidFilters as exc:
        return refused(request, messages.render("console_title_export_failed"),
                       exc.explain_each(knowledge.messages)["period"])

    report = city_report(session, period=period, knowledge=knowledge, calendar=calendar, now=now)
    body = workbook_bytes(report, knowledge=knowledge)
    record_audit(session, user=user, action="export_xlsx", at=now, detail={"period": period.key})
    return Response(body, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="sbk-report-{period.key}.xlsx"'})


@router.get("/grades")
def grades_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep, now: NowDep,
                user: SupervisorUser) -> Response:
    this_year = month_of(now).first_day.year
    raw = request.query_params.get("year", "")[:20] or str(this_year)
    context: dict[str, object] = {"years": [str(y) for y in range(this_year, this_year - 5, -1)],
                                  "form": {"year": raw}, "items": knowledge.rules.score_weights.items,
                                  "bands": knowledge.rules.grades.bands,
                                  "suspension_rules": [(s.effect, s.trigger, articles_label(knowledge, [s.article]))
                                                       for s in knowledge.rules.suspensions]}
    try:
        period = parse_period(raw)
        if period.kind != "year":
            raise InvalidFilters({"year": Refusal("filter_year_missing")})
        result = grades(session, year=period.year, scope=scope_of(user), knowledge=knowledge, calendar=calendar,
                        now=now)
    except InvalidFilters:
        return page(request, "supervision/grades.html", "grades", user,
                    {**context, "errors": {"year": knowledge.messages.render("console_grades_year_missing")},
                     "result": None}, status_code=400)
    except SupervisionError as exc:
        return page(request, "supervision/grades.html", "grades", user,
                    {**context, "errors": {"year": knowledge.messages.explain(exc)}, "result": None}, status_code=500)
    return page(request, "supervision/grades.html", "grades", user, {**context, "errors": {}, "result": result})
