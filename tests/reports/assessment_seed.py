"""A year of one bank's facts for the computed assessment, with a second bank's facts beside them.

中国建设银行 in 2026: five tickets due (four answered by their due date, one five days late), three
callbacks answered (满意, 基本满意, 不满意), two complaints and two praise found true, two on-site
inspections (24 checklist items, 2 不符合), and of the 19 Art. 38 summaries due, 15 on time, 2 late
and 2 missing. 中国工商银行 has a late ticket, an unhappy callback, a found-true complaint and a
failed inspection that must not count for 中国建设银行; facts outside 2026 must not count either.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.inspections import OutletInspection
from bot.knowledge import Knowledge
from bot.ledger.models import Case, CaseKind, Ticket, TicketKind, TicketState, Verification
from bot.satisfaction.models import Answer, CallbackState, SatisfactionCallback, Via
from bot.self_inspections import due_of
from bot.self_inspections.models import SelfInspection
from bot.self_inspections.periods import periods_of_year
from bot.self_inspections.due import required_kinds

SHANGHAI = ZoneInfo("Asia/Shanghai")
CCB, ICBC, BOC = "中国建设银行", "中国工商银行", "中国银行"
YEAR = 2026
# After every 2026 deadline, the annual summary's included.
AFTER_YEAR = datetime(2027, 2, 1, 10, 0, tzinfo=SHANGHAI)

# 中国建设银行's counts, by hand from what is seeded below.
TICKETS_DUE, TICKETS_ON_TIME = 5, 4
ANSWERED, SATISFIED = 3, 2
COMPLAINTS_TRUE, PRAISE_TRUE = 2, 2
ITEMS_CHECKED, ITEMS_COMPLIANT = 24, 22
SUMMARIES_DUE, SUMMARIES_ON_TIME = 19, 15
LATE_TICKET = "ZB-20261013-0005"


def sh(y: int, m: int, d: int, hh: int = 10) -> datetime:
    return datetime(y, m, d, hh, tzinfo=SHANGHAI).astimezone(timezone.utc)


def seed_year(session: Session, knowledge: Knowledge) -> None:
    def case(bank, kind, verification, at, outlet="李村支行"):
        c = Case(kind=CaseKind(kind), intent="complaint/fees" if kind == "complaint" else "praise", bank=bank,
                 outlet=outlet, district="李沧区", channel="hotline_12333", description="窗口态度", received_at=at,
                 verification=Verification(verification), consent_to_contact=True, citizen_ref="telegram:1")
        session.add(c)
        session.flush()
        return c

    def ticket(number, c, due, *, reported=None, closed=None, kind="transfer"):
        state = TicketState.result_reported if reported else TicketState.closed if closed else TicketState.created
        t = Ticket(kind=TicketKind(kind), bank=c.bank, outlet=c.outlet, due_date=due, number=number, case_id=c.id,
                   state=state, created_at=sh(due.year, due.month, 1) - timedelta(days=7), result_reported_at=reported,
                   closed_at=closed, result_report="已处理" if reported else None)
        session.add(t)
        session.flush()
        return t

    def callback(t, answer, at, n):
        session.add(SatisfactionCallback(ticket_id=t.id, via=Via.phone, token=f"tok-{t.number}-{n}",
                                         state=CallbackState.answered, created_at=at - timedelta(days=1),
                                         answer=Answer(answer), answered_at=at, recorded_by="op1"))

    c1 = case(CCB, "complaint", "found_true", sh(2026, 3, 1))
    c2 = case(CCB, "complaint", "found_true", sh(2026, 4, 20))
    c3 = case(CCB, "complaint", "not_true", sh(2026, 6, 20))
    c4 = case(CCB, "complaint", "received", sh(2026, 9, 1))
    c5 = case(CCB, "complaint", "received", sh(2026, 10, 5))
    case(CCB, "praise", "found_true", sh(2026, 2, 2))
    case(CCB, "praise", "found_true", sh(2026, 11, 2), outlet="东海路支行")
    case(CCB, "praise", "not_true", sh(2026, 11, 3))
    old = case(CCB, "complaint", "found_true", sh(2025, 12, 1))  # another year

    t1 = ticket("ZB-20260301-0001", c1, date(2026, 3, 10), reported=sh(2026, 3, 9))
    t2 = ticket("ZB-20260420-0002", c2, date(2026, 5, 10), closed=sh(2026, 5, 10, 16))
    t3 = ticket("ZB-20260620-0003", c3, date(2026, 7, 1), reported=sh(2026, 6, 30))
    t4 = ticket("DB-20260901-0004", c4, date(2026, 9, 15), reported=sh(2026, 9, 14), kind="supervision")
    ticket(LATE_TICKET, c5, date(2026, 10, 20), reported=sh(2026, 10, 25))
    ticket("ZB-20251201-0006", old, date(2025, 12, 20))  # due in 2025: not this year's

    callback(t1, "satisfied", sh(2026, 3, 12), 1)
    callback(t2, "basically_satisfied", sh(2026, 5, 12), 1)
    callback(t3, "dissatisfied", sh(2026, 7, 3), 1)
    callback(t4, "satisfied", sh(2027, 1, 5), 1)  # answered in 2027

    # The other bank: a late ticket, an unhappy callback, a found-true complaint, a failed inspection.
    c7 = case(ICBC, "complaint", "found_true", sh(2026, 3, 20), outlet="台东支行")
    t7 = ticket("ZB-20260320-0007", c7, date(2026, 4, 1))
    callback(t7, "dissatisfied", sh(2026, 4, 3), 1)

    items = knowledge.inspections.items

    def inspection(bank, outlet, district, day, failing):
        findings = [{"code": i.code, "article": i.article, "label": i.label, "compliant": i.code not in failing,
                     "note": ""} for i in items]
        session.add(OutletInspection(district=district, bank=bank, outlet=outlet, inspected_on=day, staff=["甲", "乙"],
                                     findings=findings, rectification="限期整改" if failing else None,
                                     recorded_by="district1", recorded_at=sh(day.year, day.month, day.day, 18),
                                     record_due=day + timedelta(days=2), late=False))

    inspection(CCB, "李村支行", "李沧区", date(2026, 4, 7), set())
    inspection(CCB, "东海路支行", "市南区", date(2026, 8, 11), {items[0].code, items[3].code})
    inspection(CCB, "李村支行", "李沧区", date(2025, 12, 30), {i.code for i in items})  # another year
    inspection(ICBC, "台东支行", "市北区", date(2026, 5, 5), {i.code for i in items})

    from bot.workdays import get_calendar

    calendar = get_calendar()
    for period in periods_of_year(YEAR, required_kinds(knowledge)):
        due = due_of(period, knowledge=knowledge, calendar=calendar).due_at
        key = period.key
        if key in ("2026-12", "2026"):
            continue  # missing
        late = key in ("2026-11", "2026-H2")
        at = due + timedelta(hours=3) if late else due - timedelta(days=1)
        session.add(SelfInspection(bank=CCB, period=key, period_kind=period.kind, filename="自查总结.pdf",
                                   media_type="application/pdf", version=1, size_bytes=4, sha256="0" * 64,
                                   content=b"%PDF", submitted_at=at, due_at=due, late=late))
    session.commit()
