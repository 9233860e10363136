"""Fixtures of the satisfaction tests: the real ledger, its reactions and the official calendar at a
fixed instant, and helpers taking a complaint through report and finding."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from bot.ledger.cases import record_case
from bot.ledger.models import CaseCreate, CaseKind, Ticket
from bot.ledger.tickets import get_ticket, report
from bot.reactions import ledger_reactions
from bot.satisfaction.models import SatisfactionCallback
from bot.supervision import verify_ticket_case
from bot.workdays import WorkdayCalendar
from tests.matters import fee_complaint
from tests.matters import phone as matter_phone
from tests.web.api.support import _drop_private_postgres, db_url  # noqa: F401 - fixtures

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Friday 2026-11-27, 10:00 in Qingdao.
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI).astimezone(UTC)
CCB, ICBC = "中国建设银行", "中国工商银行"
LICANG, SHINAN = "李沧区", "市南区"
PHONE = "13912345678"


def sh(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture(scope="session")
def calendar() -> WorkdayCalendar:
    return WorkdayCalendar()


class Ledger:
    """A complaint taken, reported and verified through the ledger's own functions and reactions."""

    def __init__(self, engine, knowledge, calendar) -> None:
        self.engine, self.knowledge, self.calendar = engine, knowledge, calendar
        self._matters = itertools.count()

    def complaint(self, *, citizen_ref: str | None = "telegram:77", consent: bool = True, phone: str | None = "",
                  channel: str = "telegram", kind: CaseKind = CaseKind.complaint, bank: str = CCB,
                  outlet: str = "李村支行", district: str = LICANG, at: datetime = NOW - timedelta(days=7)) -> str:
        intent = "complaint/fees" if kind is CaseKind.complaint else "praise"
        # Each call is another citizen's matter (else it would join an open ticket, bot.ledger.duplicates).
        n = next(self._matters)
        phone = matter_phone(n) if phone == "" else phone
        with Session(self.engine) as session:
            _, ticket = record_case(session, reactions=ledger_reactions(), data=CaseCreate(
                kind=kind, intent=intent, bank=bank, outlet=outlet, district=district, channel=channel,
                description=fee_complaint(n), contact_name="王先生", contact_phone=phone,
                consent_to_contact=consent, citizen_ref=citizen_ref),
                knowledge=self.knowledge, calendar=self.calendar, now=at)
            session.commit()
            return ticket.number

    def report(self, number: str, *, at: datetime = NOW - timedelta(days=2), result: str = "已退还工本费") -> None:
        with Session(self.engine) as session:
            ticket = get_ticket(session, number)
            report(session, ticket, reactions=ledger_reactions(), process="已核实情况", result=result,
                   actor=CCB, now=at, knowledge=self.knowledge)
            session.add(ticket)
            session.commit()

    def verify(self, number: str, *, at: datetime = NOW, found_true: bool = True) -> None:
        with Session(self.engine) as session:
            verify_ticket_case(session, number=number, found_true=found_true, by="city1", scope=None,
                               reactions=ledger_reactions(), knowledge=self.knowledge, now=at)
            session.commit()

    def handled(self, number: str, **kw) -> str:
        self.report(number)
        self.verify(number, **kw)
        return number

    def callbacks(self, number: str) -> list[SatisfactionCallback]:
        with Session(self.engine) as session:
            rows = session.exec(select(SatisfactionCallback).join(Ticket, Ticket.id == SatisfactionCallback.ticket_id)
                                .where(Ticket.number == number).order_by(SatisfactionCallback.round)).all()
            for row in rows:
                session.expunge(row)
            return list(rows)

    def ticket(self, number: str) -> Ticket:
        with Session(self.engine) as session:
            ticket = get_ticket(session, number)
            session.expunge(ticket)
            return ticket


@pytest.fixture
def ledger(engine, knowledge, calendar) -> Ledger:
    return Ledger(engine, knowledge, calendar)
