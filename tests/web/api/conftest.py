"""Fixtures of the bank API tests: an app over the `engine` fixture with a fixed clock, two
registered banks and a helper that writes tickets straight into the ledger tables."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

import bot.banks.keys
from bot.banks import register_bank
from bot.clock import FixedClock
from bot.ledger.models import Case, CaseKind, Ticket, TicketEvent, TicketKind, TicketState, Verification
from bot.web.app import create_app
from bot.workdays import WorkdayCalendar
from tests.web.api.support import _drop_private_postgres, db_url, fast_hasher  # noqa: F401 - fixtures

REGISTERED_AT = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Friday 2026-11-27, 10:00 in Qingdao (02:00 UTC; the ledger stores UTC): a working day inside
# chinese_calendar's known years.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)
TODAY = NOW.astimezone(SHANGHAI).date()
BANK_A, BANK_B = "中国建设银行", "中国工商银行"


@pytest.fixture(autouse=True)
def _fast_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot.banks.keys, "_hasher", fast_hasher)
    monkeypatch.setattr(bot.banks.keys, "_verified", {})


@dataclass
class Banks:
    a_key: str
    b_key: str

    @property
    def a(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.a_key}"}

    @property
    def b(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.b_key}"}


@pytest.fixture
def banks(engine, knowledge) -> Banks:
    with Session(engine) as session:
        _, a_key, _ = register_bank(session, bank=BANK_A, webhook_url="https://ccb.example/sbk", knowledge=knowledge, now=REGISTERED_AT)
        _, b_key, _ = register_bank(session, bank=BANK_B, webhook_url="https://icbc.example/sbk", knowledge=knowledge, now=REGISTERED_AT)
        session.commit()
    return Banks(a_key, b_key)


@pytest.fixture
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar()


@pytest.fixture
def app(engine, knowledge, calendar):
    return create_app(engine=engine, calendar=calendar, knowledge=knowledge, clock=FixedClock(NOW))


@pytest.fixture
def client(app) -> TestClient:
    with TestClient(app) as c:
        yield c


class Ledger:
    """Writes cases and tickets directly with the models, and reads them back fresh."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self._seq = itertools.count(1)

    def ticket(self, *, bank: str = BANK_A, due: date = TODAY + timedelta(days=14),
               state: TicketState = TicketState.created, kind: TicketKind = TicketKind.transfer,
               created_at: datetime | None = None, verified_days_ago: int | None = None,
               description: str = "网点收取了补卡费20元。", consent: bool = False,
               contact_phone: str | None = "13912345678", contact_name: str | None = "王先生",
               intent: str = "complaint/fees") -> str:
        n = next(self._seq)
        number = f"{'ZB' if kind is TicketKind.transfer else 'DB'}-20261120-{n:04d}"
        created = created_at or NOW - timedelta(days=7) + timedelta(minutes=n)
        with Session(self.engine) as session:
            case = Case(kind=CaseKind.complaint, intent=intent, bank=bank, outlet="李村支行", district="李沧区",
                        channel="hotline_12333", description=description, contact_name=contact_name,
                        contact_phone=contact_phone, consent_to_contact=consent, citizen_ref=f"telegram:{n}",
                        received_at=created)
            if verified_days_ago is not None:
                case.verification = Verification.found_true
                case.verified_at = NOW - timedelta(days=verified_days_ago)
                case.verified_by = "city"
            session.add(case)
            session.flush()
            session.add(Ticket(kind=kind, bank=bank, outlet="李村支行", due_date=due, number=number,
                               case_id=case.id, state=state, created_at=created))
            session.commit()
        return number

    def get(self, number: str) -> Ticket:
        with Session(self.engine) as session:
            ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
            session.expunge(ticket)
            return ticket

    def snapshot(self, number: str) -> dict[str, Any]:
        return self.get(number).model_dump()

    def events(self, number: str) -> list[TicketEvent]:
        with Session(self.engine) as session:
            ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
            events = list(session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                                       .order_by(TicketEvent.id)))
            for e in events:
                session.expunge(e)
            return events


@pytest.fixture
def ledger(engine) -> Ledger:
    return Ledger(engine)
