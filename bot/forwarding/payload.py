"""What a partner bank receives about one ticket, and the exact bytes it is sent as.

The payload is part of the external contract for banks (docs/bank-integration.md): add fields if
needed, never rename or remove one.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import object_session

from bot.clock import SHANGHAI, as_utc
from bot.knowledge import Knowledge
from bot.ledger.models import Case, Ticket, TicketKind

#: Version of the envelope and payload layout; raised only on an incompatible change.
SCHEMA_VERSION = 1

#: Articles every ticket of a kind rests on besides those of its intent: transfer tickets and the
#: bank's duty to report back (Art. 9, 27); supervision of overdue ones (Art. 27, 48).
KIND_ARTICLES: dict[TicketKind, tuple[int, ...]] = {
    TicketKind.transfer: (9, 27),
    TicketKind.supervision: (9, 27, 48),
}
KIND_CODES = {TicketKind.transfer: "ZB", TicketKind.supervision: "DB"}


def iso_shanghai(moment: datetime) -> str:
    """ISO 8601 in Asia/Shanghai time with its offset, e.g. 2026-11-27T10:15:00+08:00."""
    return as_utc(moment).astimezone(SHANGHAI).isoformat(timespec="seconds")


def canonical_json(value: Any) -> str:
    """The one text form of a JSON value: sorted keys, no spaces, UTF-8 characters kept as they are."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)


def _mask(text: str) -> str:
    from bot.privacy import mask  # owned by the privacy module; imported late so it can be replaced

    return mask(text)


def _masked_phone(phone: str | None) -> str | None:
    """The phone with its digits masked, or None when the masker does not recognise it as a phone.

    Without consent the bank must never see the number; a number the masker leaves unchanged
    (an unusual format) is therefore dropped rather than sent in clear.
    """
    if not phone or not phone.strip():
        return None
    masked = _mask(phone)
    return None if masked == phone else masked


def _label(lookup: Any, code: str | None) -> dict[str, str | None] | None:
    if code is None:
        return None
    try:
        item = lookup(code)
    except KeyError:
        return {"code": code, "label": code}
    return {"code": code, "label": getattr(item, "label", None) or getattr(item, "name", code)}


def _parent_number(ticket: Ticket, parent: Ticket | None) -> str | None:
    if ticket.parent_id is None:
        return None
    if parent is None:
        session = object_session(ticket)
        parent = session.get(Ticket, ticket.parent_id) if session is not None else None
    return parent.number if parent is not None else None


def summary_line(ticket: Ticket, case: Case, knowledge: Knowledge, parent_number: str | None = None) -> str:
    """One short Chinese line: 【转办单】投诉举报·乱收费：中国建设银行李村支行（李沧区）."""
    kind_label = _kind_label(ticket, knowledge)
    intent = _label(knowledge.intent, case.intent)
    category = _label(knowledge.category, case.kind.value if hasattr(case.kind, "value") else str(case.kind))
    where = f"{ticket.bank}{ticket.outlet or ''}"
    if case.district:
        where += f"（{case.district}）"
    what = category["label"] if category else ""
    if intent and intent["code"] != (category or {}).get("code"):
        what = f"{what}·{intent['label']}"
    line = f"【{kind_label}】{what}：{where}"
    if ticket.kind == TicketKind.supervision and parent_number:
        line += knowledge.messages.render("payload_summary_overdue_parent", number=parent_number)
    return line


def _kind_label(ticket: Ticket, knowledge: Knowledge) -> str:
    due = knowledge.rules.ticket_due
    return due.transfer.label if ticket.kind == TicketKind.transfer else due.supervision.label


def ticket_payload(ticket: Ticket, case: Case, knowledge: Knowledge, *, parent: Ticket | None = None) -> dict[str, Any]:
    """The ticket as a bank receives it (a JSON-ready dict; see docs/bank-integration.md).

    The citizen's name and phone and an unmasked description are included only when the citizen
    agreed to be contacted (Art. 9, 51); otherwise the description is masked, the phone masked
    and the name left out. `parent` is the overdue transfer ticket of a supervision ticket; when
    not given it is read through the ticket's session.
    """
    kind = TicketKind(ticket.kind)
    category_code = case.kind.value if hasattr(case.kind, "value") else str(case.kind)
    intent = _label(knowledge.intent, case.intent)
    intent_articles: tuple[int, ...] = ()
    try:
        intent_articles = knowledge.intent(case.intent).articles
    except KeyError:
        pass
    numbers = sorted(set(KIND_ARTICLES[kind]) | set(intent_articles))
    articles = []
    for number in numbers:
        try:
            label = knowledge.article(number).label
        except KeyError:
            label = knowledge.messages.render("article_cited", number=number)
        articles.append({"number": number, "label": label})

    consent = bool(case.consent_to_contact)
    if consent:
        contact = {"consent": True, "name": case.contact_name, "phone": case.contact_phone}
        description = case.description
    else:
        contact = {"consent": False, "name": None, "phone": _masked_phone(case.contact_phone)}
        description = _mask(case.description)

    parent_number = _parent_number(ticket, parent)
    state = ticket.state.value if hasattr(ticket.state, "value") else str(ticket.state)
    return {
        "number": ticket.number,
        "kind": {"code": kind.value, "label": _kind_label(ticket, knowledge), "prefix": KIND_CODES[kind]},
        "bank": ticket.bank,
        "outlet": ticket.outlet,
        "district": case.district,
        "category": _label(knowledge.category, category_code),
        "intent": intent,
        "summary": summary_line(ticket, case, knowledge, parent_number),
        "description": description,
        "channel": _label(knowledge.channel, case.channel),
        "created_at": iso_shanghai(ticket.created_at),
        "due": {"date": ticket.due_date.isoformat(), "provisional": bool(ticket.due_provisional)},
        "articles": articles,
        "state": state,
        "contact": contact,
        "parent_number": parent_number,
        "case_received_at": iso_shanghai(case.received_at) if case.received_at else None,
    }
