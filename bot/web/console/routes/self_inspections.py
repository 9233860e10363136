"""/console/self-inspections: the banks' self-inspection summaries (Art. 38) for the city agency.

Per partner bank, every period of the chosen year that has ended, with its due instant, whether
the summary came on time, late or not at all, and the latest version to download (each download
is in the audit log); the punctuality figure (on time / due) heads each bank.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from bot.knowledge import Knowledge
from bot.self_inspections import (
    BankInspections,
    InspectionStatus,
    SubmissionNotFound,
    bank_inspections,
    get_submission,
    kind_label,
    period_label,
)
from bot.self_inspections.periods import MAX_YEAR, MIN_YEAR
from bot.thresholds import month_of
from bot.web.console.audit import record_audit
from bot.web.console.deps import CitySupervisorUser
from bot.web.console.templating import local_time, render
from bot.web.deps import CalendarDep, KnowledgeDep, NowDep, SessionDep
from bot.web.documents import MAX_ROW_ID, self_inspection_response

PREFIX = "/console/self-inspections"
YEARS_SHOWN = 3
# How each status is marked on the page (console.css badges).
_BADGES = {InspectionStatus.on_time: "badge", InspectionStatus.late: "badge badge-warn",
           InspectionStatus.missing: "badge badge-error", InspectionStatus.not_due: ""}

router = APIRouter(prefix=PREFIX, include_in_schema=False)


@dataclass(frozen=True)
class Row:
    """One period of one bank, as the page shows it."""

    period: str
    label: str
    kind: str
    due: str
    provisional: bool
    moved: bool
    status: str
    badge: str
    submitted_at: str
    download_id: int | None
    versions: int


def _last_ended_year(now: datetime) -> int:
    """The year of the last month that has ended: in early January, the year just closed."""
    month = month_of(now)
    first = month.first_day
    return first.year if first.month > 1 else first.year - 1


def _rows(bank: BankInspections, knowledge: Knowledge) -> list[Row]:
    status_label = {s: knowledge.messages.text(f"inspection_status_{s.value}") for s in InspectionStatus}
    return [Row(period=p.period.key, label=period_label(p.period, knowledge), kind=kind_label(p.period.kind, knowledge),
                due=local_time(p.due.due_at), provisional=p.due.provisional, moved=p.due.moved,
                status=status_label[p.status], badge=_BADGES[p.status],
                submitted_at=local_time(p.received.first_submitted_at) if p.received else "",
                download_id=p.received.latest_id if p.received else None,
                versions=p.received.latest_version if p.received else 0)
            for p in bank.periods]


def _year(raw: str, default: int) -> int | None:
    if not raw:
        return default
    return int(raw) if raw.isascii() and raw.isdigit() and MIN_YEAR <= int(raw) <= MAX_YEAR else None


@router.get("")
def list_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep, now: NowDep,
              user: CitySupervisorUser) -> Response:
    default = _last_ended_year(now)
    raw = request.query_params.get("year", "")[:8].strip()
    years = [str(y) for y in range(default, default - YEARS_SHOWN, -1)]
    year = _year(raw, default)
    context: dict[str, object] = {"years": years, "form": {"year": raw or str(default)}, "prefix": PREFIX,
                                  "rule": knowledge.rules.deadlines.self_inspection}
    if year is None:
        message = knowledge.messages.render("console_self_inspections_year_invalid", first=MIN_YEAR, last=MAX_YEAR)
        return render(request, "self_inspections/list.html", {**context, "error": message, "banks": None},
                      status_code=400)
    banks = bank_inspections(session, year=year, now=now, knowledge=knowledge, calendar=calendar)
    return render(request, "self_inspections/list.html", {
        **context, "error": None, "year": year,
        "banks": [(b.bank, b.punctuality, _rows(b, knowledge)) for b in banks],
        "provisional": any(p.due.provisional for b in banks for p in b.periods),
    })


@router.get("/{submission_id}/download")
def download(request: Request, session: SessionDep, knowledge: KnowledgeDep, now: NowDep, user: CitySupervisorUser,
             submission_id: Annotated[int, Path(ge=1, le=MAX_ROW_ID)]) -> Response:
    try:
        row = get_submission(session, submission_id=submission_id, bank=None, with_content=True)
    except SubmissionNotFound:
        title = knowledge.messages.render("console_title_not_found")
        return render(request, "errors/error.html", {
            "title": title, "message": knowledge.messages.render("console_self_inspections_not_found"), "status": 404},
            status_code=404)
    record_audit(session, user=user, action="download_self_inspection", at=now,
                 detail={"bank": row.bank, "period": row.period, "version": row.version, "sha256": row.sha256,
                         "filename": row.filename})
    return self_inspection_response(row)
