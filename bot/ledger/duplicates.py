"""Duplicates (重复件): a new complaint about a matter an open transfer ticket already carries.

Checked by `record_case` in its own transaction, after the bank's lock, so two calls about one
matter arriving together cannot both open a ticket. A duplicate is recorded as a case of its own
(its citizen, channel and words are kept) with `duplicate_of` naming the first case; it gets no
ticket and no delivery, the open ticket's history notes the link, and the thresholds count the
matter once (Art. 50 counts matters, not calls). The rules are operator configuration
(knowledge/rules.yml ``duplicates``):

- the same citizen — the same contact phone or the same chat identity — about the same bank;
- or, from anyone, the same bank, outlet and complaint type with a similar description;

either within the window (days since the first case was received), and only while its transfer
ticket is open (no result reported yet): a matter already answered is a new one. Phone numbers
are compared as stored (normalised, `bot.ledger.phones`) inside the query; the link's
explanation names the rule and the first case, never the number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, or_, select

from bot.clock import as_utc
from bot.knowledge import Knowledge
from bot.ledger.models import Case, CaseCreate, CaseKind, Ticket, TicketKind
from bot.ledger.similarity import overlap, words_of
from bot.ledger.tickets import OPEN_STATES

SAME_CITIZEN = "same_citizen"
SIMILAR_TEXT = "similar_text"
# Candidates read per rule: a window of days holds few open tickets of one bank and outlet.
MAX_CANDIDATES = 200


@dataclass(frozen=True)
class DuplicateMatch:
    """The open ticket a new complaint joins, and why."""

    ticket: Ticket
    case: Case
    rule: str  # SAME_CITIZEN | SIMILAR_TEXT
    similarity: float | None  # for SIMILAR_TEXT

    def explanation(self) -> dict[str, Any]:
        """What the ticket's history keeps of the link (no personal data)."""
        detail: dict[str, Any] = {"rule": self.rule, "first_case": self.case.id}
        if self.similarity is not None:
            detail["similarity"] = round(self.similarity, 2)
        return detail


def _open_tickets(session: Session, *, data: CaseCreate, since: datetime, where: list[Any]) -> list[tuple[Case, Ticket]]:
    query = (select(Case, Ticket).join(Ticket, col(Ticket.case_id) == col(Case.id))
             .where(Case.bank == data.bank, Case.kind == CaseKind.complaint, Case.received_at >= since,
                    col(Case.duplicate_of).is_(None), Ticket.kind == TicketKind.transfer,
                    col(Ticket.state).in_(OPEN_STATES), *where)
             .order_by(col(Case.received_at).desc(), col(Case.id).desc()).limit(MAX_CANDIDATES))
    return [(case, ticket) for case, ticket in session.exec(query)]


def find_duplicate(session: Session, *, data: CaseCreate, knowledge: Knowledge,
                   now: datetime) -> DuplicateMatch | None:
    """The open ticket `data` (validated, about a bank) duplicates, or None: the same citizen first."""
    if data.kind is not CaseKind.complaint or not data.bank:
        return None
    rules = knowledge.rules.duplicates
    since = as_utc(now) - timedelta(days=rules.window_days)

    citizen = []
    if data.contact_phone:
        citizen.append(Case.contact_phone == data.contact_phone)
    if data.citizen_ref:
        citizen.append(Case.citizen_ref == data.citizen_ref)
    if citizen:
        where: list[Any] = [or_(*citizen)]
        if rules.same_citizen.same_type:
            where.append(Case.intent == data.intent)
        found = _open_tickets(session, data=data, since=since, where=where)
        if found:
            case, ticket = found[0]
            return DuplicateMatch(ticket=ticket, case=case, rule=SAME_CITIZEN, similarity=None)

    text_rule = rules.similar_text
    where = []
    if text_rule.same_outlet:
        if not data.outlet:
            return None  # "the same outlet" cannot be said of a complaint that names none
        where.append(Case.outlet == data.outlet)
    if text_rule.same_type:
        where.append(Case.intent == data.intent)
    best: DuplicateMatch | None = None
    candidates = _open_tickets(session, data=data, since=since, where=where)
    if not candidates:
        return None
    new, *earlier = words_of([data.description, *(case.description for case, _ in candidates)], knowledge)
    for (case, ticket), their_words in zip(candidates, earlier):
        score = overlap(new, their_words)
        if score >= text_rule.min_similarity and (best is None or score > (best.similarity or 0)):
            best = DuplicateMatch(ticket=ticket, case=case, rule=SIMILAR_TEXT, similarity=score)
    return best
