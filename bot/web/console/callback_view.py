"""What the console shows of satisfaction callbacks (bot.satisfaction): the operators' phone list, a
ticket's callbacks and the supervisors' decision list, with the citizen's contact masked (Art. 9, 51)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from bot.knowledge import Knowledge
from bot.ledger.models import Case, Ticket
from bot.reports.periods import as_local
from bot.satisfaction.errors import CallbackNotFound
from bot.satisfaction.models import OPEN_STATES, CallbackState, SatisfactionCallback, Via
from bot.supervision.masking import mask_free_text, mask_name, mask_phone

LIST_LIMIT = 200  # rows of one list page: the oldest first, the rest after these are done


@dataclass(frozen=True)
class CallbackRow:
    id: int
    number: str
    bank: str
    outlet: str | None
    district: str | None
    round: int
    via: str
    via_label: str
    state: str
    state_label: str
    answer_label: str | None
    comment: str | None
    created_at: datetime  # Asia/Shanghai
    answered_at: datetime | None
    recorded_by: str | None
    attempts: int
    contact_name: str | None  # masked
    phone: str | None  # masked
    reopened: bool
    needs_decision: bool
    decision: str | None
    decided_by: str | None


def _row(callback: SatisfactionCallback, ticket: Ticket, case: Case, knowledge: Knowledge) -> CallbackRow:
    text = knowledge.messages.text
    return CallbackRow(
        id=callback.id or 0, number=ticket.number, bank=ticket.bank, outlet=ticket.outlet, district=case.district,
        round=callback.round, via=callback.via.value, via_label=text(f"satisfaction_via_{callback.via.value}"),
        state=callback.state.value, state_label=text(f"satisfaction_state_{callback.state.value}"),
        answer_label=text(f"satisfaction_answer_{callback.answer.value}") if callback.answer else None,
        comment=mask_free_text(callback.comment) if callback.comment else None, created_at=as_local(callback.created_at),
        answered_at=as_local(callback.answered_at) if callback.answered_at else None,
        recorded_by=callback.recorded_by, attempts=callback.attempts, contact_name=mask_name(case.contact_name),
        phone=mask_phone(case.contact_phone), reopened=callback.reopened, needs_decision=callback.needs_decision,
        decision=callback.decision, decided_by=callback.decided_by)


def _joined():  # type: ignore[no-untyped-def]
    return (select(SatisfactionCallback, Ticket, Case)
            .join(Ticket, col(Ticket.id) == col(SatisfactionCallback.ticket_id))
            .join(Case, col(Case.id) == col(Ticket.case_id)))


def phone_list(session: Session, *, knowledge: Knowledge, limit: int = LIST_LIMIT) -> list[CallbackRow]:
    """Callbacks an operator still has to make by phone, oldest first."""
    query = (_joined().where(SatisfactionCallback.via == Via.phone, col(SatisfactionCallback.state).in_(OPEN_STATES))
             .order_by(col(SatisfactionCallback.created_at), col(SatisfactionCallback.id)).limit(limit))
    return [_row(c, t, k, knowledge) for c, t, k in session.exec(query).all()]


def recent_phone_answers(session: Session, *, knowledge: Knowledge, limit: int = 20) -> list[CallbackRow]:
    """The latest phone callbacks that ended (answered or unanswered), newest first."""
    query = (_joined().where(SatisfactionCallback.via == Via.phone,
                             col(SatisfactionCallback.state).in_((CallbackState.answered, CallbackState.no_answer)))
             .order_by(col(SatisfactionCallback.id).desc()).limit(limit))
    return [_row(c, t, k, knowledge) for c, t, k in session.exec(query).all()]


def phone_callback(session: Session, *, callback_id: int, knowledge: Knowledge) -> tuple[CallbackRow, str | None]:
    """One phone callback's row and the citizen's phone in full (the caller shows it only on request)."""
    found = session.exec(_joined().where(SatisfactionCallback.id == callback_id,
                                         SatisfactionCallback.via == Via.phone)).first()
    if found is None:
        raise CallbackNotFound("callback_not_found")
    callback, ticket, case = found
    return _row(callback, ticket, case, knowledge), case.contact_phone


def ticket_callbacks(session: Session, *, ticket_id: int, knowledge: Knowledge) -> list[CallbackRow]:
    """A ticket's callbacks, first handling first."""
    query = _joined().where(SatisfactionCallback.ticket_id == ticket_id).order_by(col(SatisfactionCallback.round))
    return [_row(c, t, k, knowledge) for c, t, k in session.exec(query).all()]


def decision_list(session: Session, *, scope: str | None, knowledge: Knowledge,
                  limit: int = LIST_LIMIT) -> list[CallbackRow]:
    """Tickets still 不满意 after their reopening, waiting for a supervisor's decision, within `scope`."""
    query = _joined().where(SatisfactionCallback.needs_decision == True,  # noqa: E712
                            SatisfactionCallback.decided_at == None)  # noqa: E711
    if scope is not None:
        query = query.where(Case.district == scope)
    query = query.order_by(col(SatisfactionCallback.answered_at), col(SatisfactionCallback.id)).limit(limit)
    return [_row(c, t, k, knowledge) for c, t, k in session.exec(query).all()]
