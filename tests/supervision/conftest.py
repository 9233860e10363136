"""Fixtures of the supervision tests: a fixed clock, the real working-day calendar, and a helper
writing cases and tickets straight into the ledger tables (districts, due dates and states chosen
by each test)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.forwarding.models import Delivery
from bot.ledger.models import Case, CaseKind, Ticket, TicketEvent, TicketKind, TicketState, Verification
from bot.workdays import WorkdayCalendar
from tests.web.api.support import _drop_private_postgres, db_url  # noqa: F401 - fixtures

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Friday 2026-11-27, 10:00 in Qingdao: the next working day is Monday 2026-11-30.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)
TODAY = date(2026, 11, 27)
CCB, ICBC, BOC = "中国建设银行", "中国工商银行", "中国银行"
LICANG, SHINAN = "李沧区", "市南区"
PHONE = "13912345678"
ID_NUMBER = "370202199001011237"


@pytest.fixture(scope="session")
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar()


def sh(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    """A Qingdao wall time as the UTC instant the ledger stores."""
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI).astimezone(UTC)


class Seed:
    """Writes cases and tickets with the models, as the ledger would have left them."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self._n = itertools.count(1)

    def ticket(self, *, bank: str = CCB, district: str | None = LICANG, outlet: str | None = "李村支行",
               due: date = TODAY + timedelta(days=10), state: TicketState = TicketState.acknowledged,
               kind: TicketKind = TicketKind.transfer, created_at: datetime | None = None,
               intent: str = "complaint/fees", case_kind: CaseKind = CaseKind.complaint,
               verification: Verification = Verification.received, verified_at: datetime | None = None,
               result: str | None = None, number: str | None = None, case_id: int | None = None,
               parent: str | None = None, description: str | None = None) -> str:
        n = next(self._n)
        prefix = "ZB" if kind is TicketKind.transfer else "DB"
        number = number or f"{prefix}-20261120-{n:04d}"
        created = created_at or NOW - timedelta(days=30) + timedelta(minutes=n)
        with Session(self.engine) as session:
            if case_id is None:
                case = Case(kind=case_kind, intent=intent, bank=bank, outlet=outlet, district=district,
                            channel="hotline_12333",
                            description=description or f"网点收取补卡费20元，我的电话{PHONE}，身份证{ID_NUMBER}。",
                            contact_name="王先生", contact_phone=PHONE, consent_to_contact=True,
                            received_at=created, verification=verification, verified_at=verified_at,
                            verified_by="市社保中心" if verified_at else None)
                session.add(case)
                session.flush()
                case_id = case.id
            parent_id = None
            if parent is not None:
                parent_id = session.exec(select(Ticket.id).where(Ticket.number == parent)).one()
            ticket = Ticket(kind=kind, bank=bank, outlet=outlet, due_date=due, number=number, case_id=case_id,
                            state=state, created_at=created, parent_id=parent_id, result_report=result,
                            result_reported_at=created + timedelta(days=2) if result else None)
            session.add(ticket)
            session.flush()
            session.add(TicketEvent(ticket_id=ticket.id, at=created, type="created", actor="system",
                                    detail={"due": due.isoformat()}))
            session.commit()
        return number

    def event(self, number: str, *, type: str, at: datetime, actor: str = "中国建设银行", **detail: Any) -> None:
        with Session(self.engine) as session:
            ticket_id = session.exec(select(Ticket.id).where(Ticket.number == number)).one()
            session.add(TicketEvent(ticket_id=ticket_id, at=at, type=type, actor=actor, detail=detail))
            session.commit()

    def delivery(self, number: str, *, event: str = "ticket.created") -> None:
        with Session(self.engine) as session:
            ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
            session.add(Delivery(ticket_id=ticket.id, bank=ticket.bank, event=event, body="{}", created_at=NOW,
                                 next_attempt_at=NOW))
            session.commit()

    def case_of(self, number: str) -> Case:
        with Session(self.engine) as session:
            case = session.exec(select(Case).join(Ticket, Ticket.case_id == Case.id)
                                .where(Ticket.number == number)).one()
            session.expunge(case)
            return case

    def get(self, number: str) -> Ticket:
        with Session(self.engine) as session:
            ticket = session.exec(select(Ticket).where(Ticket.number == number)).one()
            session.expunge(ticket)
            return ticket


@pytest.fixture
def seed(engine) -> Seed:
    return Seed(engine)
