"""Threshold rules fired (Art. 43–48), with the cases behind them and the next steps."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from bot.reports import labels
from bot.supervision import InvalidFilters, fired_rules, parse_rule_filters
from bot.supervision.bursts import burst_panel
from bot.supervision.rules import LEVELS
from bot.thresholds import month_of
from bot.web.console.deps import SupervisorUser
from bot.web.console.routes.supervision.common import PREFIX, page, scope_of
from bot.web.deps import KnowledgeDep, NowDep, SessionDep

router = APIRouter(prefix=f"{PREFIX}/rules", include_in_schema=False)
_RAW_FIELDS = ("period", "bank", "rule", "level")


@router.get("")
def rules_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, now: NowDep,
               user: SupervisorUser) -> Response:
    context: dict[str, object] = {
        "form": {name: request.query_params.get(name, "")[:100] for name in _RAW_FIELDS},
        "banks": [b.name for b in knowledge.banks],
        "rules": [(r.id, labels.rule_label(knowledge, r.id)) for r in knowledge.rules.thresholds],
        "levels": [(level, labels.firing_level(knowledge, level)) for level in LEVELS],
    }
    try:
        filters = parse_rule_filters(request.query_params, knowledge=knowledge, default_period=month_of(now).key)
    except InvalidFilters as exc:
        errors = exc.explain_each(knowledge.messages)
        return page(request, "supervision/rules.html", "rules", user, {**context, "errors": errors, "result": None},
                    status_code=400)
    result = fired_rules(session, filters=filters, scope=scope_of(user), knowledge=knowledge)
    context["form"] = {**context["form"], "period": filters.period}  # type: ignore[dict-item]
    return page(request, "supervision/rules.html", "rules", user, {
        **context, "errors": {}, "result": result,
        "bursts": burst_panel(session, now=now, knowledge=knowledge, scope=scope_of(user)),
        "page_link": lambda n: "?" + urlencode(filters.query(page=n)),
    })
