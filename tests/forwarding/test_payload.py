"""What a bank receives: the ticket payload, personal data only with consent, the stored body."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone

import pytest

from bot.db import new_session
from bot.forwarding import (
    EVENTS,
    TICKET_CREATED,
    TICKET_ESCALATED,
    canonical_json,
    enqueue,
    event_for_state,
    sign,
    ticket_payload,
    verify,
)
from bot.forwarding.models import Delivery, DeliveryState
from bot.ledger.models import Case, CaseKind, Ticket, TicketKind, TicketState

from .conftest import BANK, SECRET, add_ticket, make_case

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
PHONE = "13812345678"
ID_NUMBER = "370202199001011234"


def _ticket(case: Case, **kw) -> Ticket:
    return Ticket(id=7, kind=TicketKind.transfer, bank=BANK, outlet="李村支行", due_date=datetime(2026, 12, 4).date(),
                  due_provisional=True, number="ZB-20261127-0001", case_id=1, state=TicketState.created,
                  created_at=datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc), **kw)


def test_payload_fields_and_labels(knowledge):
    case = make_case(consent=True)
    payload = ticket_payload(_ticket(case), case, knowledge)

    assert payload["number"] == "ZB-20261127-0001"
    assert payload["kind"] == {"code": "transfer", "label": "转办单", "prefix": "ZB"}
    assert (payload["bank"], payload["outlet"], payload["district"]) == (BANK, "李村支行", "李沧区")
    assert payload["category"] == {"code": "complaint", "label": "投诉举报"}
    assert payload["intent"] == {"code": "complaint/fees", "label": "乱收费"}
    assert payload["channel"] == {"code": "hotline_12333", "label": "12333"}
    assert payload["created_at"] == "2026-11-27T10:00:00+08:00"
    assert payload["due"] == {"date": "2026-12-04", "provisional": True}
    assert payload["state"] == "created"
    assert payload["parent_number"] is None
    # The intent's articles (taxonomy.yml: Art. 12 for fees) plus Art. 9 and 27 (transfer tickets, reporting back).
    numbers = sorted({9, 27} | set(knowledge.intent("complaint/fees").articles))
    assert 12 in numbers
    assert payload["articles"] == [{"number": n, "label": knowledge.article(n).label} for n in numbers]
    assert {"number": 12, "label": "第十二条"} in payload["articles"]
    assert payload["summary"] == "【转办单】投诉举报·乱收费：中国建设银行李村支行（李沧区）"
    json.dumps(payload)  # JSON-ready as it is


def test_praise_and_product_channel_labels(knowledge):
    case = make_case(consent=True, intent="praise", kind=CaseKind.praise, channel="telegram")
    payload = ticket_payload(_ticket(case), case, knowledge)
    assert payload["category"] == {"code": "praise", "label": "褒奖"}
    assert payload["intent"] == {"code": "praise", "label": "表扬"}
    assert payload["channel"] == {"code": "telegram", "label": "Telegram"}
    assert {a["number"] for a in payload["articles"]} == {9, 27} | set(knowledge.intent("praise").articles) >= {43}
    assert payload["summary"] == "【转办单】褒奖：中国建设银行李村支行（李沧区）"


def test_contact_and_description_masked_without_consent(knowledge):
    case = make_case(consent=False)
    payload = ticket_payload(_ticket(case), case, knowledge)

    assert payload["contact"]["consent"] is False
    assert payload["contact"]["name"] is None
    assert payload["contact"]["phone"] is not None and "*" in payload["contact"]["phone"]
    text = json.dumps(payload, ensure_ascii=False)
    for secret in (PHONE, ID_NUMBER, "张三"):
        assert secret not in text
    assert "20元" in payload["description"]  # the matter itself stays readable


def test_contact_present_with_consent(knowledge):
    case = make_case(consent=True)
    payload = ticket_payload(_ticket(case), case, knowledge)
    assert payload["contact"] == {"consent": True, "name": "张三", "phone": PHONE}
    assert PHONE in payload["description"]


def test_unrecognised_phone_is_dropped_not_sent_in_clear(knowledge):
    case = make_case(consent=False, phone="ext. 42")
    payload = ticket_payload(_ticket(case), case, knowledge)
    assert payload["contact"]["phone"] is None


@sqlite_only
def test_supervision_ticket_names_its_parent(engine, knowledge, clock):
    with new_session(engine) as session:
        case = make_case()
        parent = add_ticket(session, case)
        child = add_ticket(session, make_case(), kind=TicketKind.supervision, parent=parent)
        payload = ticket_payload(child, case, knowledge)  # parent found through the session
        assert payload["parent_number"] == parent.number
        assert payload["kind"]["label"] == "督办单"
        assert 48 in {a["number"] for a in payload["articles"]}
        assert payload["summary"].startswith("【督办单】") and parent.number in payload["summary"]

        delivery = enqueue(session, ticket=child, case=case, event=TICKET_ESCALATED, knowledge=knowledge, now=clock())
        assert json.loads(delivery.body)["ticket"]["parent_number"] == parent.number


def test_enqueue_stores_canonical_body_in_callers_transaction(engine, knowledge, clock):
    with new_session(engine) as session:
        case = make_case(consent=False)
        ticket = add_ticket(session, case)
        delivery = enqueue(session, ticket=ticket, case=case, event=TICKET_CREATED, knowledge=knowledge, now=clock())
        delivery_id = delivery.id
        session.rollback()  # the caller decides: nothing stays without the ticket change
    with new_session(engine) as session:
        assert session.get(Delivery, delivery_id) is None

    with new_session(engine) as session:
        case = make_case(consent=False)
        ticket = add_ticket(session, case)
        delivery = enqueue(session, ticket=ticket, case=case, event=TICKET_CREATED, knowledge=knowledge, now=clock())
        session.commit()
        delivery_id = delivery.id

    with new_session(engine) as session:
        stored = session.get(Delivery, delivery_id)
        assert stored.state == DeliveryState.pending and stored.attempts == 0
        assert stored.bank == BANK and stored.event == TICKET_CREATED
        body = json.loads(stored.body)
        assert body["event"] == TICKET_CREATED
        assert body["delivery_id"] == str(delivery_id)
        assert body["occurred_at"] == "2026-11-27T10:00:00+08:00"
        assert body["ticket"]["number"] == ticket.number
        # canonical: re-encoding gives the very same text, Chinese kept as UTF-8
        assert stored.body == canonical_json(body)
        assert "中国建设银行" in stored.body and ", " not in stored.body
        assert PHONE not in stored.body
        raw = stored.body.encode("utf-8")
        assert verify(raw, SECRET, sign(raw, SECRET))


@sqlite_only
def test_one_row_per_event_with_distinct_ids(engine, knowledge, clock):
    with new_session(engine) as session:
        case = make_case()
        ticket = add_ticket(session, case)
        ids = {enqueue(session, ticket=ticket, case=case, event=e, knowledge=knowledge, now=clock()).id for e in EVENTS}
        session.commit()
    assert len(ids) == len(EVENTS) == 4
    assert all(isinstance(i, uuid.UUID) for i in ids)


@sqlite_only
def test_unknown_event_is_refused(engine, knowledge, clock):
    with new_session(engine) as session:
        case = make_case()
        ticket = add_ticket(session, case)
        with pytest.raises(ValueError, match="unknown event"):
            enqueue(session, ticket=ticket, case=case, event="ticket.deleted", knowledge=knowledge, now=clock())


def test_event_for_state():
    assert event_for_state(TicketState.closed) == "ticket.closed"
    assert event_for_state(TicketState.acknowledged) == "ticket.updated"
