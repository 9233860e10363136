"""Helpers for the threshold tests: cases and tickets written straight into the ledger tables."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, delete

from bot.db import new_session
from bot.knowledge import Knowledge
from bot.ledger.models import Case, CaseKind, Ticket, TicketEvent, TicketKind, Verification
from bot.thresholds.models import ThresholdFiring

SH = ZoneInfo("Asia/Shanghai")
UTC = timezone.utc
BANK = "中国建设银行"
OTHER_BANK = "中国工商银行"
OUTLET = "李村支行"
OTHER_OUTLET = "香港中路支行"
COUNTED = "hotline_12333"
# Intents the tests' operator marks as violations of operating rules (Art. 44).
VIOLATIONS = ("complaint/refusal", "complaint/no_notice")

_numbers = itertools.count(1)


def sh(*args: int) -> datetime:
    """An instant given as Shanghai wall-clock time, converted to UTC as the ledger stores it."""
    return datetime(*args, tzinfo=SH).astimezone(UTC)


def add_case(session: Session, *, intent: str, at: datetime, bank: str = BANK, outlet: str | None = None,
             verification: Verification = Verification.found_true, channel: str = COUNTED) -> Case:
    kind = CaseKind.praise if intent == "praise" else CaseKind.complaint
    case = Case(kind=kind, intent=intent, bank=bank, outlet=outlet, channel=channel, description="测试",
                received_at=at, verification=verification)
    session.add(case)
    session.flush()
    return case


def add_ticket(session: Session, *, case: Case, due: date, result_at: datetime | None = None,
               kind: TicketKind = TicketKind.transfer, outlet: str | None = None) -> Ticket:
    n = next(_numbers)
    ticket = Ticket(kind=kind, bank=case.bank, outlet=outlet or case.outlet, due_date=due,
                    number=f"ZB-{due:%Y%m%d}-{n:04d}", case_id=case.id, created_at=case.received_at,
                    result_reported_at=result_at, result_report="办结" if result_at else None)
    session.add(ticket)
    session.flush()
    return ticket


def wipe(session: Session) -> None:
    for model in (ThresholdFiring, TicketEvent, Ticket, Case):
        session.exec(delete(model))  # type: ignore[call-overload]
    session.commit()


def with_articles(knowledge: Knowledge, extra: dict[str, tuple[int, ...]]) -> Knowledge:
    """The knowledge base with more articles cited by some intents (taxonomy.yml data)."""
    intents = tuple(i.model_copy(update={"articles": tuple(sorted({*i.articles, *extra.get(i.name, ())}))})
                    for i in knowledge.intents)
    return knowledge.model_copy(update={"intents": intents})


def without_article(knowledge: Knowledge, article: int) -> Knowledge:
    intents = tuple(i.model_copy(update={"articles": tuple(a for a in i.articles if a != article)})
                    for i in knowledge.intents)
    return knowledge.model_copy(update={"intents": intents})


def with_thresholds(knowledge: Knowledge, thresholds: dict[str, tuple[int, int | None]]) -> Knowledge:
    """The knowledge base with other (official, warning) thresholds for some rules."""
    rules = []
    for rule in knowledge.rules.thresholds:
        if rule.id in thresholds:
            official, warning = thresholds[rule.id]
            update: dict[str, object] = {"threshold": official}
            if rule.warning is not None and warning is not None:
                update["warning"] = rule.warning.model_copy(update={"threshold": warning})
            rule = rule.model_copy(update=update)
        rules.append(rule)
    return knowledge.model_copy(update={"rules": knowledge.rules.model_copy(update={"thresholds": tuple(rules)})})


@pytest.fixture
def kb(knowledge: Knowledge) -> Knowledge:
    """The shipped knowledge base, with the tests' violation intents citing Art. 44."""
    return with_articles(without_article(knowledge, 44), {name: (44,) for name in VIOLATIONS})


@pytest.fixture
def session(engine):
    with new_session(engine) as s:
        yield s
