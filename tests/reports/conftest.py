"""A small ledger built with the models directly: two banks over September–November 2026.

Times are written in Asia/Shanghai and stored in UTC, as the ledger stores them. Several cases sit
on a month boundary where the UTC day differs from the Shanghai day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from bot.ledger.models import Case, CaseKind, Ticket, TicketKind, TicketState, Verification
from bot.thresholds.models import ThresholdFiring

SHANGHAI = ZoneInfo("Asia/Shanghai")
CCB, ICBC, BOC = "中国建设银行", "中国工商银行", "中国银行"

# Personal data that must never reach a report (valid formats, so the masker would recognise them).
PHONE = "13812345678"
ID_NUMBER = "370202199001011237"
CONTACT_PHONE = "13987654321"
CONTACT_NAME = "王小明"
OUTLET_PHONE = "13712345678"
SECRET_WORDS = "窗口人员把我的材料弄丢了"
PERSONAL = (PHONE, ID_NUMBER, CONTACT_PHONE, CONTACT_NAME, OUTLET_PHONE, SECRET_WORDS)


def sh(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    """A Shanghai wall time, as the aware UTC instant the ledger stores."""
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI).astimezone(timezone.utc)


@dataclass
class Ledger:
    cases: dict[str, Case] = field(default_factory=dict)
    tickets: dict[str, Ticket] = field(default_factory=dict)
    firings: dict[str, ThresholdFiring] = field(default_factory=dict)


def build_ledger(session: Session) -> Ledger:
    ledger = Ledger()

    def case(key, bank, outlet, kind, intent, verification, at, district=None):
        c = Case(kind=CaseKind(kind), intent=intent, bank=bank, outlet=outlet, district=district,
                 channel="hotline_12333", description=f"{SECRET_WORDS}，电话{PHONE}，身份证{ID_NUMBER}",
                 contact_name=CONTACT_NAME, contact_phone=CONTACT_PHONE, consent_to_contact=True,
                 citizen_ref="telegram:4242", received_at=at, verification=Verification(verification))
        session.add(c)
        session.flush()
        ledger.cases[key] = c
        return c

    # October 2026 (Shanghai)
    case("c1", CCB, "李村支行", "complaint", "complaint/fees", "found_true", sh(2026, 10, 5), "李沧区")
    case("c2", CCB, "李村支行", "complaint", "complaint/fees", "found_true", sh(2026, 10, 12), "李沧区")
    case("c3", CCB, "东海路支行", "complaint", "complaint/fees", "not_true", sh(2026, 10, 20))
    case("c4", CCB, "李村支行", "complaint", "complaint/attitude", "received", sh(2026, 10, 31, 23, 30))  # UTC 15:30
    case("c5", ICBC, "台东支行", "praise", "praise", "found_true", sh(2026, 10, 10))
    case("c6", None, None, "complaint", "complaint/privacy", "received", sh(2026, 10, 15))
    case("c11", CCB, None, "complaint", "complaint/refusal", "found_true", sh(2026, 10, 1, 0, 0))  # UTC Sep 30
    # November 2026
    case("c7", CCB, "李村支行", "complaint", "complaint/fees", "found_true", sh(2026, 11, 1, 0, 30))  # UTC Oct 31
    case("c8", ICBC, f"台东支行（电话{OUTLET_PHONE}）", "complaint", "complaint/refusal", "found_true",
         sh(2026, 11, 3))
    case("c9", ICBC, "台东支行", "praise", "praise", "not_true", sh(2026, 11, 4))
    # September 2026
    case("c10", CCB, "李村支行", "complaint", "complaint/fees", "found_true", sh(2026, 9, 30, 23, 59))  # UTC 15:59

    def ticket(key, number, case_key, due, created, state="created", kind="transfer", reported=None, parent=None):
        c = ledger.cases[case_key]
        t = Ticket(kind=TicketKind(kind), bank=c.bank, outlet=c.outlet, due_date=due, number=number, case_id=c.id,
                   parent_id=ledger.tickets[parent].id if parent else None, state=TicketState(state),
                   created_at=created, result_reported_at=reported,
                   result_report="已处理" if reported else None)
        session.add(t)
        session.flush()
        ledger.tickets[key] = t
        return t

    ticket("t1", "ZB-20261005-0001", "c1", date(2026, 10, 12), sh(2026, 10, 5))  # open: overdue since Oct 13
    ticket("t2", "ZB-20261012-0001", "c2", date(2026, 10, 19), sh(2026, 10, 12), "result_reported",
           reported=sh(2026, 10, 18))  # on time
    ticket("t3", "ZB-20261020-0001", "c3", date(2026, 10, 27), sh(2026, 10, 20), "result_reported",
           reported=sh(2026, 11, 5))  # late: overdue at the end of October, done in November
    ticket("t4", "ZB-20261010-0001", "c5", date(2026, 10, 31), sh(2026, 10, 10), "acknowledged")  # due Oct 31, open
    ticket("t5", "ZB-20261113-0001", "c8", date(2026, 11, 20), sh(2026, 11, 13))  # open, due in November
    ticket("t6", "DB-20261020-0001", "c1", date(2026, 10, 23), sh(2026, 10, 20), kind="supervision", parent="t1")

    def firing(key, rule_id, level, bank, subject, period, fired, articles, case_keys, count):
        f = ThresholdFiring(rule_id=rule_id, level=level, subject=subject, bank=bank, period=period, fired_at=fired,
                            count=count, articles=articles, case_ids=[ledger.cases[k].id for k in case_keys],
                            consequence=f"规则{rule_id}的后果", next_steps=["第一步", "第二步"])
        session.add(f)
        session.flush()
        ledger.firings[key] = f

    firing("f1", "bank_same_type_complaints", "official", CCB, f"{CCB}/complaint/fees", "2026-10",
           sh(2026, 10, 20), [45], ["c1", "c2", "c3"], 3)
    firing("f2", "bank_complaint_volume", "warning", CCB, CCB, "2026-10", sh(2026, 10, 31, 23, 40), [46],
           ["c1", "c2", "c3", "c4", "c11"], 5)
    firing("f3", "forced_selling", "official", ICBC, ICBC, str(ledger.cases["c8"].id), sh(2026, 11, 3), [47],
           ["c8"], 1)
    firing("f4", "outlet_praise_commendation", "official", ICBC, f"{ICBC}/台东支行（电话{OUTLET_PHONE}）", "2026",
           sh(2026, 10, 10), [43], ["c5"], 3)
    # A September rule confirmed in October belongs to September (its period key), not October.
    firing("f5", "bank_same_type_complaints", "official", CCB, f"{CCB}/complaint/refusal", "2026-09",
           sh(2026, 10, 2), [45], ["c10"], 3)
    session.commit()
    return ledger


@pytest.fixture
def ledger(engine) -> Ledger:
    with Session(engine, expire_on_commit=False) as session:
        return build_ledger(session)


@pytest.fixture
def session(engine, ledger):
    with Session(engine, expire_on_commit=False) as s:
        yield s


@pytest.fixture
def calendar():
    from bot.workdays import get_calendar

    return get_calendar()


# "Today" for a report of a finished period, and one inside November.
AFTER = datetime(2026, 12, 15, 10, 0, tzinfo=SHANGHAI)
IN_NOVEMBER = datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
