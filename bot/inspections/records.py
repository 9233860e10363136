"""Recording on-site inspections (Art. 29) and reading them back, within a supervisor's district.

Every function works in the caller's transaction and raises the typed refusals of
`bot.inspections.errors` with a code of knowledge/errors.yml; nothing is added to the session
unless every check passed. The checklist comes from knowledge/inspections.yml, the weekly
minimum and the recording limit from rules.yml (deadlines.district_inspection), the working
days from the official calendar.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.clock import local_day
from bot.inspections.errors import DuplicateInspection, InspectionNotVisible, InvalidInspection, OutletOutOfScope
from bot.inspections.models import InspectionFinding, OutletInspection, OutletInspectionCreate
from bot.knowledge import Knowledge, Outlet
from bot.workdays import WorkdayCalendar

COMPLIANT = "compliant"
NON_COMPLIANT = "non_compliant"
RESULTS = (COMPLIANT, NON_COMPLIANT)
MAX_STAFF_NAME = 32
MAX_STAFF = 10
MAX_NOTE = 500
MAX_RECTIFICATION = 2000
LIST_LIMIT = 100
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class FindingInput:
    """What the supervisor chose for one checklist item: a result of RESULTS (or nothing) and a note."""

    result: str = ""
    note: str = ""


def parse_day(text: str | date | None, *, field: str, invalid_code: str) -> date | None:
    """A day typed as YYYY-MM-DD (a date passes as it is); None when blank."""
    if isinstance(text, date):
        return text
    value = (text or "").strip()
    if not value:
        return None
    if not _DAY.fullmatch(value):
        raise InvalidInspection(invalid_code, field=field, value=value[:20])
    try:
        return date.fromisoformat(value)
    except ValueError:  # 2026-02-30
        raise InvalidInspection(invalid_code, field=field, value=value[:20]) from None


def find_outlet(*, bank: str, outlet: str, knowledge: Knowledge) -> Outlet:
    """The configured outlet `outlet` of `bank` (name, alias or code), or the refusal saying it is unknown."""
    bank, outlet = (bank or "").strip(), (outlet or "").strip()
    if not outlet:
        raise InvalidInspection("inspection_outlet_missing", field="outlet")
    canonical = knowledge.canonical_bank(bank)
    found = knowledge.bank(canonical).outlet(outlet) if canonical else None
    if found is None:
        raise InvalidInspection("inspection_outlet_unknown", field="outlet", outlet=f"{canonical or bank}{outlet}"[:80])
    return found


def _staff(names: Sequence[str], *, knowledge: Knowledge) -> list[str]:
    staff = [name.strip() for name in names if name and name.strip()]
    for name in staff:
        if len(name) > MAX_STAFF_NAME:
            raise InvalidInspection("inspection_staff_name_too_long", field="staff", limit=MAX_STAFF_NAME)
    seen: set[str] = set()
    for name in staff:
        if name in seen:
            raise InvalidInspection("inspection_staff_repeated", field="staff", name=name)
        seen.add(name)
    minimum = knowledge.inspections.staff.min_staff
    if len(staff) < minimum:
        # Art. 26: an inspection by fewer than two staff is not one the Measures recognise.
        raise InvalidInspection("inspection_staff_too_few", field="staff", min=minimum)
    if len(staff) > MAX_STAFF:
        raise InvalidInspection("inspection_staff_too_many", field="staff", limit=MAX_STAFF)
    return staff


def _findings(chosen: Mapping[str, FindingInput], *, knowledge: Knowledge) -> list[InspectionFinding]:
    findings = []
    for item in knowledge.inspections.items:
        given = chosen.get(item.code, FindingInput())
        where = {"item": item.label, "article": knowledge.article(item.article).label}
        if given.result not in RESULTS:
            raise InvalidInspection("inspection_finding_missing", field=f"finding_{item.code}", **where)
        note = given.note.strip()
        if len(note) > MAX_NOTE:
            raise InvalidInspection("inspection_note_too_long", field=f"note_{item.code}", limit=MAX_NOTE, **where)
        if given.result == NON_COMPLIANT and not note:
            raise InvalidInspection("inspection_finding_note_missing", field=f"note_{item.code}", **where)
        findings.append(InspectionFinding(code=item.code, article=item.article, label=item.label,
                                          compliant=given.result == COMPLIANT, note=note))
    return findings


def record_due(inspected_on: date, *, knowledge: Knowledge, calendar: WorkdayCalendar) -> date:
    """The last day to record an inspection: the 2nd working day after it (Art. 29), the day itself not counted."""
    days = knowledge.rules.deadlines.district_inspection.record_within_working_days
    return calendar.add_working_days(inspected_on, days).due


def _existing(session: Session, *, bank: str, outlet: str, day: date) -> OutletInspection | None:
    return session.exec(select(OutletInspection).where(
        OutletInspection.bank == bank, OutletInspection.outlet == outlet,
        OutletInspection.inspected_on == day)).first()


def record_inspection(session: Session, *, scope: str | None, bank: str, outlet: str, inspected_on: str | date,
                      staff: Sequence[str], findings: Mapping[str, FindingInput], rectification: str = "",
                      recheck_on: str | date | None = None, recorded_by: str, knowledge: Knowledge,
                      calendar: WorkdayCalendar, now: datetime) -> OutletInspection:
    """Record one on-site inspection of an outlet; `scope` is the recorder's district (None: any district).

    Late (more than 2 working days after `inspected_on`, by the Asia/Shanghai day of `now`) is
    stored with the row, not refused: Art. 29 asks for the record all the same.
    """
    today = local_day(now)
    day = parse_day(inspected_on, field="inspected_on", invalid_code="inspection_date_invalid")
    if day is None:
        raise InvalidInspection("inspection_date_missing", field="inspected_on")
    if day > today:
        raise InvalidInspection("inspection_date_future", field="inspected_on", date=day.isoformat(),
                                today=today.isoformat())
    found = find_outlet(bank=bank, outlet=outlet, knowledge=knowledge)
    if scope is not None and found.district != scope:
        raise OutletOutOfScope("inspection_outlet_out_of_scope", field="outlet", outlet=found.full_name,
                               district=scope)
    names = _staff(staff, knowledge=knowledge)
    items = _findings(findings, knowledge=knowledge)
    demand = (rectification or "").strip()
    if len(demand) > MAX_RECTIFICATION:
        raise InvalidInspection("inspection_rectification_too_long", field="rectification", limit=MAX_RECTIFICATION)
    if not demand and any(not item.compliant for item in items):
        raise InvalidInspection("inspection_rectification_missing", field="rectification")
    recheck = parse_day(recheck_on, field="recheck_on", invalid_code="inspection_recheck_invalid")
    if recheck is not None and recheck <= day:
        raise InvalidInspection("inspection_recheck_not_after", field="recheck_on", date=day.isoformat())
    duplicate = _existing(session, bank=found.bank, outlet=found.name, day=day)
    if duplicate is not None:
        raise DuplicateInspection("inspection_duplicate", field="outlet", outlet=found.full_name,
                                  date=day.isoformat(), by=duplicate.recorded_by)
    data = OutletInspectionCreate(district=found.district, bank=found.bank, outlet=found.name, inspected_on=day,
                                  rectification=demand or None, recheck_on=recheck, staff=names, findings=items)
    due = record_due(day, knowledge=knowledge, calendar=calendar)
    inspection = OutletInspection.model_validate(data, update={
        "findings": [item.model_dump() for item in items],
        "recorded_by": recorded_by, "recorded_at": now, "record_due": due, "late": today > due,
    })
    session.add(inspection)
    try:
        session.flush()
    except IntegrityError as exc:  # the same visit recorded at the same moment by a colleague
        raise DuplicateInspection("inspection_duplicate_now", field="outlet", outlet=found.full_name,
                                  date=day.isoformat()) from exc
    return inspection


def get_inspection(session: Session, *, inspection_id: int, scope: str | None) -> OutletInspection:
    """One inspection, if `scope` (a district, or None for all) may see it."""
    inspection = session.get(OutletInspection, inspection_id)
    if inspection is None or (scope is not None and inspection.district != scope):
        raise InspectionNotVisible("inspection_not_found", id=inspection_id)
    return inspection


def list_inspections(session: Session, *, scope: str | None, since: date | None = None,
                     limit: int = LIST_LIMIT) -> list[OutletInspection]:
    """The latest inspections within `scope`, newest inspection day first."""
    query = select(OutletInspection)
    if scope is not None:
        query = query.where(OutletInspection.district == scope)
    if since is not None:
        query = query.where(OutletInspection.inspected_on >= since)
    query = query.order_by(OutletInspection.inspected_on.desc(), OutletInspection.id.desc())  # type: ignore[attr-defined]
    return list(session.exec(query.limit(limit)))
