"""Warnings for supervisors, before a deadline is missed as well as after (Art. 9, 27, 48, 50, 53).

Groups, each counted in full and listed up to a few rows (the ticket list shows the rest):

- overdue: open tickets past their due date (the ledger's definition, `bot.ledger.tickets.overdue`);
  a transfer ticket becomes a supervision ticket and counts toward Art. 48;
- due today: open tickets due today with no result report — overdue tomorrow;
- due on the next working day: the bank's last day to ask for an extension is today (Art. 9,
  `bot.ledger.tickets.last_extension_day`);
- extended: tickets whose extension the ledger granted (Art. 9), with the new date and reason;
- objection window open: findings the bank may still object to (Art. 53, days from rules.yml);
- objections raised: the banks' objections of the last days, for the city agency to answer;
- early warnings: threshold rules reached by received-but-unverified cases this month (Art. 50).

Days are Asia/Shanghai days and working days follow the official calendar.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from bot.knowledge import Knowledge
from bot.ledger.models import Case, Ticket, TicketEvent, TicketState
from bot.ledger.tickets import OPEN_STATES, last_extension_day, local_day
from bot.reports import labels
from bot.reports.periods import as_local
from bot.supervision.masking import mask_free_text
from bot.thresholds import WARNING, month_of
from bot.thresholds.periods import day_start
from bot.workdays import WorkdayCalendar

ROWS_PER_GROUP = 20
OBJECTIONS_LOOKBACK_DAYS = 30


@dataclass(frozen=True)
class AlertRow:
    number: str
    kind_label: str
    bank: str
    outlet: str | None
    district: str | None
    state_label: str
    due_date: date
    note: str


@dataclass
class AlertGroup:
    key: str
    title: str
    explanation: str
    level: str  # danger | warning | info
    total: int
    rows: list[AlertRow] = field(default_factory=list)
    list_query: dict[str, str] | None = None  # ticket-list filters showing the whole group
    link: str | None = None  # another page showing the whole group


@dataclass
class Alerts:
    today: date
    next_working_day: date
    groups: list[AlertGroup]

    def group(self, key: str) -> AlertGroup:
        return next(g for g in self.groups if g.key == key)


def _value(x: Any) -> Any:
    return getattr(x, "value", x)


_COLUMNS = (Ticket.number, Ticket.kind, Ticket.bank, Ticket.outlet, Ticket.state, Ticket.due_date, Ticket.id,
            Case.district, Case.verified_at)


def _scoped(stmt: Any, scope: str | None) -> Any:
    return stmt.where(Case.district == scope) if scope is not None else stmt


def _row(r: Any, knowledge: Knowledge, note: str) -> AlertRow:
    return AlertRow(number=r.number, kind_label=labels.ticket_kind(knowledge, _value(r.kind)), bank=r.bank,
                    outlet=mask_free_text(r.outlet) if r.outlet else None, district=r.district,
                    state_label=labels.ticket_state(knowledge, _value(r.state)), due_date=r.due_date, note=note)


def _group_rows(session: Session, where: list[Any], *, scope: str | None, order: tuple[Any, ...],
                note: Any, limit: int, knowledge: Knowledge) -> tuple[int, list[AlertRow], list[Any]]:
    base = select(func.count()).select_from(Ticket).join(Case, Case.id == Ticket.case_id)  # type: ignore[arg-type]
    total = int(session.exec(_scoped(base.where(*where), scope)).one())
    stmt = select(*_COLUMNS).join(Case, Case.id == Ticket.case_id).where(*where)  # type: ignore[arg-type]
    raw = list(session.exec(_scoped(stmt, scope).order_by(*order).limit(limit)))
    rows = [_row(r, knowledge, note(r)) for r in raw]
    return total, rows, raw


def deadline_alerts(session: Session, *, scope: str | None, now: datetime, calendar: WorkdayCalendar,
                    knowledge: Knowledge, limit: int = ROWS_PER_GROUP) -> Alerts:
    """Every warning group for the supervisor's scope (a district, or None for the whole city)."""
    today = local_day(now)
    next_day = calendar.add_working_days(today, 1).due
    is_open = Ticket.state.in_(OPEN_STATES)  # type: ignore[attr-defined]
    m = knowledge.messages
    groups: list[AlertGroup] = []

    total, rows, _ = _group_rows(
        session, [is_open, Ticket.due_date < today], scope=scope, order=(Ticket.due_date, Ticket.id), limit=limit,
        note=lambda r: m.render("alert_overdue_note", days=(today - r.due_date).days), knowledge=knowledge)
    groups.append(AlertGroup(
        "overdue", m.text("alert_overdue_title"), m.text("alert_overdue_explanation"),
        "danger", total, rows, list_query={"overdue": "1", "sort": "due"}))

    total, rows, _ = _group_rows(
        session, [is_open, Ticket.due_date == today], scope=scope, order=(Ticket.id,), limit=limit,
        note=lambda r: m.text("alert_due_today_note"), knowledge=knowledge)
    groups.append(AlertGroup(
        "due_today", m.text("alert_due_today_title"), m.text("alert_due_today_explanation"),
        "warning", total, rows, list_query={"due_within": "0", "sort": "due"}))

    def last_extension_note(r: Any) -> str:
        last = last_extension_day(r.due_date, calendar)
        if last == today:
            return m.text("alert_last_extension_today")
        return m.render("alert_last_extension_on", day=last.isoformat())

    total, rows, _ = _group_rows(
        session, [is_open, Ticket.due_date > today, Ticket.due_date <= next_day], scope=scope,
        order=(Ticket.due_date, Ticket.id), limit=limit, note=last_extension_note, knowledge=knowledge)
    groups.append(AlertGroup(
        "due_next", m.render("alert_due_next_title", day=next_day.isoformat()), m.text("alert_due_next_explanation"),
        "warning", total, rows, list_query={"due_within": "1", "sort": "due"}))

    total, rows, raw = _group_rows(
        session, [Ticket.state == TicketState.extended], scope=scope, order=(Ticket.due_date, Ticket.id),
        limit=limit, note=lambda r: "", knowledge=knowledge)
    rows = _extension_notes(session, raw, rows, knowledge)
    groups.append(AlertGroup(
        "extended", m.text("alert_extended_title"), m.text("alert_extended_explanation"),
        "info", total, rows, list_query={"state": "extended", "sort": "due"}))

    groups.append(_objection_windows(session, scope=scope, today=today, knowledge=knowledge, limit=limit))
    groups.append(_objections(session, scope=scope, now=now, limit=limit, knowledge=knowledge))
    groups.append(_early_warnings(session, scope=scope, now=now, knowledge=knowledge))
    return Alerts(today=today, next_working_day=next_day, groups=groups)


def _extension_notes(session: Session, raw: list[Any], rows: list[AlertRow], knowledge: Knowledge) -> list[AlertRow]:
    """The latest extension of each listed ticket: the new date and the bank's reason."""
    if not raw:
        return rows
    events = session.exec(select(TicketEvent.ticket_id, TicketEvent.detail)
                          .where(TicketEvent.ticket_id.in_([r.id for r in raw]),  # type: ignore[attr-defined]
                                 TicketEvent.type == "extended")
                          .order_by(TicketEvent.at, TicketEvent.id))  # type: ignore[arg-type]
    latest = {ticket_id: detail for ticket_id, detail in events}
    out = []
    for r, row in zip(raw, rows):
        detail = latest.get(r.id) or {}
        m = knowledge.messages
        reason = (mask_free_text(str(detail.get("reason", ""))) if detail.get("reason")
                  else m.text("alert_reason_not_recorded"))
        previous = detail.get("previous_due")
        note = (m.render("alert_extension_note_with_previous", previous=previous, reason=reason) if previous
                else m.render("alert_extension_note", reason=reason))
        out.append(AlertRow(**{**row.__dict__, "note": note}))
    return out


def _objection_windows(session: Session, *, scope: str | None, today: date, knowledge: Knowledge,
                       limit: int) -> AlertGroup:
    rule = knowledge.rules.deadlines.objection
    # A finding made on day D may be objected to up to day D + days (bot.ledger.tickets.object_to_finding).
    since = day_start(today - timedelta(days=rule.days))
    where = [Case.verified_at >= since]  # type: ignore[operator]
    total, rows, _ = _group_rows(session, where, scope=scope, order=(Case.verified_at, Ticket.id), limit=limit,
                                 note=lambda r: _window_note(r.verified_at, rule.days, today, knowledge),
                                 knowledge=knowledge)
    m = knowledge.messages
    return AlertGroup(
        "objection_window", m.text("alert_objection_window_title"),
        m.render("alert_objection_window_explanation", days=rule.days), "info", total, rows)


def _window_note(verified_at: datetime | None, days: int, today: date, knowledge: Knowledge) -> str:
    if verified_at is None:
        return ""
    verified_day = as_local(verified_at).date()
    ends = verified_day + timedelta(days=days)
    key = "alert_window_note_last_day" if ends == today else "alert_window_note"
    return knowledge.messages.render(key, verified=verified_day.isoformat(), ends=ends.isoformat())


def _objections(session: Session, *, scope: str | None, now: datetime, limit: int, knowledge: Knowledge) -> AlertGroup:
    since = now - timedelta(days=OBJECTIONS_LOOKBACK_DAYS)
    where = [TicketEvent.type == "objection", TicketEvent.at >= since]
    base = (select(func.count()).select_from(TicketEvent).join(Ticket, Ticket.id == TicketEvent.ticket_id)  # type: ignore[arg-type]
            .join(Case, Case.id == Ticket.case_id).where(*where))  # type: ignore[arg-type]
    total = int(session.exec(_scoped(base, scope)).one())
    stmt = (select(*_COLUMNS, TicketEvent.at, TicketEvent.detail).join(Ticket, Ticket.id == TicketEvent.ticket_id)  # type: ignore[arg-type]
            .join(Case, Case.id == Ticket.case_id).where(*where))  # type: ignore[arg-type]
    raw = session.exec(_scoped(stmt, scope).order_by(TicketEvent.at.desc()).limit(limit))  # type: ignore[attr-defined]
    m = knowledge.messages
    rows = [_row(r, knowledge, m.render("alert_objection_note", at=f"{as_local(r.at):%Y-%m-%d %H:%M}",
                                        reason=mask_free_text(str((r.detail or {}).get("reason", "")))))
            for r in raw]
    return AlertGroup(
        "objections", m.render("alert_objections_title", days=OBJECTIONS_LOOKBACK_DAYS),
        m.text("alert_objections_explanation"), "warning", total, rows)


def _early_warnings(session: Session, *, scope: str | None, now: datetime, knowledge: Knowledge) -> AlertGroup:
    from bot.supervision.rules import warning_count

    month = month_of(now)
    total = warning_count(session, period=month.key, scope=scope, knowledge=knowledge)
    m = knowledge.messages
    return AlertGroup(
        "early_warnings", m.render("alert_early_warnings_title", month=month.key),
        m.text("alert_early_warnings_explanation"), "info", total, [], link=f"rules?level={WARNING}&period={month.key}")
