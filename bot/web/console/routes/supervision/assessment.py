"""One bank's annual assessment, item by item, and the city's findings entered for it (Art. 39–42).

The page shows how the score was reached: each Art. 40 item's weight, percent and points and where
they came from (the city's entry, or the ledger), the bonus and automatic-fail events, the ledger's
facts with the tickets behind them, and the grade and suspensions that follow. The city (city
supervisors and administrators) enters the findings the system cannot know on the same page;
districts see only the grades list.
"""

from __future__ import annotations

from typing import Annotated
from datetime import datetime
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from bot.assessments import EntryDraft, EntryInvalid, entry_for, parse_entry, save_entry
from bot.knowledge import Knowledge
from bot.reports.periods import parse_year
from bot.supervision import SupervisionError
from bot.supervision.figures import GRADES_SECTIONS, city_report
from bot.thresholds import month_of
from bot.web.console.audit import record_audit
from bot.web.console.deps import CitySupervisorUser, CsrfChecked
from bot.web.console.models import ConsoleUser
from bot.web.console.routes.supervision.common import PREFIX, not_found, page
from bot.web.deps import CalendarDep, KnowledgeDep, NowDep, SessionDep
from bot.workdays import WorkdayCalendar

router = APIRouter(prefix=f"{PREFIX}/assessment", include_in_schema=False)
# How many past years the page offers, as the grades list does.
YEARS_BACK = 5


async def _form(request: Request) -> FormData:
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]


def _bank_and_year(knowledge: Knowledge, now: datetime, year: str, bank: str) -> tuple[int, str] | None:
    """The canonical bank and the year, if both can be assessed now (a past or the current year)."""
    canonical = knowledge.canonical_bank(bank[:32])
    this_year = month_of(now).first_day.year
    if canonical is None or not year.isdigit() or not this_year - YEARS_BACK < int(year) <= this_year:
        return None
    return int(year), canonical


def _page(request: Request, session: Session, knowledge: Knowledge, calendar: WorkdayCalendar, now: datetime,
          user: ConsoleUser, year: int, bank: str, *, draft: EntryDraft | None = None,
          errors: dict[str, str] | None = None, flash: str | None = None, status_code: int = 200) -> Response:
    try:
        report = city_report(session, period=parse_year(year), knowledge=knowledge, calendar=calendar, now=now,
                             sections=GRADES_SECTIONS)
        problem = None
    except SupervisionError as exc:
        report, problem = None, knowledge.messages.explain(exc)
    row = next((a for a in (report.assessment or []) if a.bank == bank), None) if report else None
    entry = entry_for(session, year=year, bank=bank)
    rules = knowledge.rules
    return page(request, "supervision/assessment.html", "grades", user, {
        "year": year, "bank": bank, "row": row, "entry": entry, "draft": draft or EntryDraft.of(entry),
        "errors": errors or {}, "flash": flash, "flash_kind": "ok", "problem": problem,
        "weights": rules.score_weights.items, "bonus_events": rules.grades.bonus_events,
        "fail_events": rules.grades.automatic_fail,
        "tickets_link": f"{PREFIX}/tickets?" + urlencode({"bank": bank}),
    }, status_code=status_code)


@router.get("/{year}/{bank}")
def assessment_page(request: Request, year: str, bank: str, session: SessionDep, knowledge: KnowledgeDep,
                    calendar: CalendarDep, now: NowDep, user: CitySupervisorUser, done: str = "") -> Response:
    """How a bank's score was reached, and the city's entry form."""
    found = _bank_and_year(knowledge, now, year, bank)
    if found is None:
        return not_found(request, knowledge.messages.render("assessment_bank_year_unknown"))
    flash = knowledge.messages.text("console_assessment_saved") if done else None
    return _page(request, session, knowledge, calendar, now, user, *found, flash=flash)


@router.post("/{year}/{bank}")
def enter(request: Request, year: str, bank: str, session: SessionDep, knowledge: KnowledgeDep,
          calendar: CalendarDep, now: NowDep, user: CitySupervisorUser, _csrf: CsrfChecked, form: FormDep) -> Response:
    """Save the city's findings for the bank and year (replacing its earlier entry)."""
    found = _bank_and_year(knowledge, now, year, bank)
    if found is None:
        return not_found(request, knowledge.messages.render("assessment_bank_year_unknown"))
    the_year, the_bank = found
    draft = EntryDraft(
        items={key.removeprefix("item_"): str(value)[:20] for key, value in form.multi_items()
               if key.startswith("item_")},
        bonus_events=tuple(str(v) for v in form.getlist("bonus_events")),
        automatic_fail=tuple(str(v) for v in form.getlist("automatic_fail")),
        refusal_to_act=form.get("refusal_to_act") == "1", note=str(form.get("note") or ""))
    try:
        findings = parse_entry(draft, knowledge=knowledge)
    except EntryInvalid as exc:
        return _page(request, session, knowledge, calendar, now, user, the_year, the_bank, draft=draft,
                     errors=exc.explain_each(knowledge.messages), status_code=422)
    save_entry(session, year=the_year, bank=the_bank, findings=findings, by=user.name, now=now)
    record_audit(session, user=user, action="enter_assessment", at=now,
                 detail={"year": the_year, "bank": the_bank, "items": dict(findings.items),
                         "bonus_events": list(findings.bonus_events), "automatic_fail": list(findings.automatic_fail),
                         "refusal_to_act": findings.refusal_to_act})
    return RedirectResponse(f"{PREFIX}/assessment/{the_year}/{quote(the_bank)}?done=1", status_code=303)
