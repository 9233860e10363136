"""On-site inspections (现场督导, Art. 26 and 29): the week's count per district against the minimum,
the past weeks met or not, the latest records, the form a district supervisor records one with,
and a record's page. A district supervisor records for and sees their own district only; another
district's record is "not found" (404), an outlet of another district in the form is refused (403)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from bot.inspections import (
    DuplicateInspection,
    FindingInput,
    InspectionError,
    InspectionNotVisible,
    OutletInspection,
    OutletOutOfScope,
    get_inspection,
    list_inspections,
    record_inspection,
    weekly_compliance,
)
from bot.knowledge import Knowledge, Outlet
from bot.privacy.rules import apply_masks, scan
from bot.web.console.audit import record_audit
from bot.web.console.deps import CsrfChecked, SupervisorUser
from bot.web.console.models import ConsoleUser
from bot.web.console.routes.supervision.common import PREFIX, not_found, page, scope_of, today_of
from bot.web.deps import CalendarDep, KnowledgeDep, NowDep, SessionDep

router = APIRouter(prefix=f"{PREFIX}/inspections", include_in_schema=False)

# The form shows this many name fields; Art. 26 asks for at least two.
STAFF_FIELDS = 4
# What is kept of a typed value to show it again; the checks refuse long values before this.
_ECHO = 2100
RECENT_DAYS = 90


def outlet_key(outlet: Outlet, knowledge: Knowledge) -> str:
    """The form's value for an outlet: the bank's code and the outlet's name."""
    return f"{knowledge.bank(outlet.bank).code}/{outlet.name}"


@dataclass
class InspectionForm:
    """The fields of the recording form as typed (checked by bot.inspections, not here)."""

    inspected_on: str = ""
    outlet: str = ""
    staff: list[str] = field(default_factory=list)
    results: dict[str, str] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    rectification: str = ""
    recheck_on: str = ""

    def findings(self) -> dict[str, FindingInput]:
        return {code: FindingInput(result=self.results.get(code, ""), note=self.notes.get(code, ""))
                for code in {*self.results, *self.notes}}


async def read_inspection_form(request: Request, knowledge: KnowledgeDep) -> InspectionForm:
    """The posted form; a finding's fields are named after its item (finding_<code>, note_<code>)."""
    form = await request.form()

    def value(name: str) -> str:
        raw = form.get(name)
        return raw[:_ECHO] if isinstance(raw, str) else ""

    codes = [item.code for item in knowledge.inspections.items]
    return InspectionForm(
        inspected_on=value("inspected_on")[:40], outlet=value("outlet")[:200],
        staff=[raw[:_ECHO] for raw in form.getlist("staff") if isinstance(raw, str)][:STAFF_FIELDS * 3],
        results={code: value(f"finding_{code}")[:40] for code in codes if value(f"finding_{code}")},
        notes={code: value(f"note_{code}") for code in codes if value(f"note_{code}")},
        rectification=value("rectification"), recheck_on=value("recheck_on")[:40])


InspectionFormDep = Annotated[InspectionForm, Depends(read_inspection_form)]


def _outlet_choices(knowledge: Knowledge, scope: str | None) -> list[tuple[str, list[tuple[str, str]]]]:
    """(district, [(value, label)]) for the outlets the user may record, district by district."""
    return [(d.name, [(outlet_key(o, knowledge), o.full_name) for o in knowledge.outlets_in(d.name)])
            for d in knowledge.districts if scope is None or d.name == scope]


def _split_key(key: str) -> tuple[str, str]:
    """(bank, outlet) of a form value made by `outlet_key`; a value without the bank is an outlet alone."""
    bank, slash, outlet = key.strip().partition("/")
    return (bank, outlet) if slash else ("", bank)


def _form_page(request: Request, knowledge: Knowledge, user: ConsoleUser, now: datetime, form: InspectionForm, *,
               errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    scope = scope_of(user)
    staff = [*form.staff, *[""] * STAFF_FIELDS][:max(STAFF_FIELDS, len(form.staff))]
    return page(request, "supervision/inspection_new.html", "inspections", user, {
        "form": form, "staff": staff, "errors": errors or {}, "today": today_of(now),
        "outlets": _outlet_choices(knowledge, scope), "items": knowledge.inspections.items,
        "article_label": lambda n: knowledge.article(n).label,
        "min_staff": knowledge.inspections.staff.min_staff,
        "limit": knowledge.rules.deadlines.district_inspection,
    }, status_code=status_code)


@router.get("")
def inspections_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, now: NowDep,
                     user: SupervisorUser) -> Response:
    scope = scope_of(user)
    today = today_of(now)
    compliance = weekly_compliance(session, scope=scope, today=today, knowledge=knowledge)
    recent = list_inspections(session, scope=scope, since=today - timedelta(days=RECENT_DAYS))
    return page(request, "supervision/inspections.html", "inspections", user, {
        "compliance": compliance, "recent": recent, "recent_days": RECENT_DAYS,
        "limit": knowledge.rules.deadlines.district_inspection,
    })


@router.get("/new")
def new_inspection(request: Request, knowledge: KnowledgeDep, now: NowDep, user: SupervisorUser) -> Response:
    return _form_page(request, knowledge, user, now, InspectionForm(inspected_on=today_of(now).isoformat()))


_STATUS = {OutletOutOfScope: 403, DuplicateInspection: 409}


@router.post("")
def record(request: Request, session: SessionDep, knowledge: KnowledgeDep, calendar: CalendarDep, now: NowDep,
           user: SupervisorUser, _csrf: CsrfChecked, form: InspectionFormDep) -> Response:
    bank, outlet = _split_key(form.outlet)
    try:
        inspection = record_inspection(
            session, scope=scope_of(user), bank=bank, outlet=outlet, inspected_on=form.inspected_on,
            staff=form.staff, findings=form.findings(), rectification=form.rectification,
            recheck_on=form.recheck_on, recorded_by=user.name, knowledge=knowledge, calendar=calendar, now=now)
    except InspectionError as exc:
        session.rollback()
        return _form_page(request, knowledge, user, now, form,
                          errors={exc.field or "outlet": knowledge.messages.explain(exc)},
                          status_code=_STATUS.get(type(exc), 422))
    record_audit(session, user=user, action="record_inspection", at=now, detail={
        "inspection": inspection.id, "district": inspection.district, "outlet": f"{inspection.bank}{inspection.outlet}",
        "inspected_on": inspection.inspected_on.isoformat(), "late": inspection.late})
    return RedirectResponse(f"{PREFIX}/inspections/{inspection.id}?done=1", status_code=303)


def _done_flash(knowledge: Knowledge, inspection: OutletInspection) -> tuple[str, str]:
    values: dict[str, Any] = {"outlet": f"{inspection.bank}{inspection.outlet}",
                              "date": inspection.inspected_on.isoformat(), "due": inspection.record_due.isoformat(),
                              "days": knowledge.rules.deadlines.district_inspection.record_within_working_days}
    if inspection.late:
        return knowledge.messages.render("console_inspection_recorded_late", **values), "warn"
    return knowledge.messages.render("console_inspection_recorded", **values), "ok"


def masked(text: str | None) -> str:
    """A supervisor's note with any ID, phone or card number in it masked (Art. 51): the regular
    expressions only, as the audit log does, since a note is a line or two and not a citizen's account."""
    if not text:
        return ""
    findings = scan(text)
    return apply_masks(text, findings) if findings else text


def _visible(session: Session, inspection_id: int, user: ConsoleUser) -> OutletInspection | None:
    try:
        return get_inspection(session, inspection_id=inspection_id, scope=scope_of(user))
    except InspectionNotVisible:
        return None


@router.get("/{inspection_id}")
def inspection_page(request: Request, session: SessionDep, knowledge: KnowledgeDep, user: SupervisorUser,
                    inspection_id: str, done: str = "") -> Response:
    # Ids are positive integers of the database's range; anything else is no record.
    valid = inspection_id.isdigit() and len(inspection_id) <= 9
    inspection = _visible(session, int(inspection_id), user) if valid else None
    if inspection is None:
        return not_found(request, knowledge.messages.render("inspection_not_found"))
    flash, kind = _done_flash(knowledge, inspection) if done == "1" else (None, "ok")
    return page(request, "supervision/inspection.html", "inspections", user, {
        "i": inspection, "flash": flash, "flash_kind": kind, "masked": masked,
        "article_label": lambda n: knowledge.article(n).label,
        "limit": knowledge.rules.deadlines.district_inspection,
    })
