"""Bursts: an outlet or a complaint type rising well above its own recent weeks is shown with its
cases and its baseline, before any rule of Art. 43–48 is reached; a steady outlet raises none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.ledger.cases import record_case
from bot.ledger.models import Case, CaseCreate, CaseKind, Verification
from bot.reactions import ledger_reactions
from bot.supervision.bursts import COMPLAINT_TYPE, OUTLET, bursts, describe
from bot.thresholds.models import ThresholdFiring
from tests.matters import fee_complaint, phone
from tests.supervision.conftest import CCB, ICBC, LICANG, NOW, SHINAN

pytestmark = pytest.mark.db


def add(session: Session, *, days_ago: float, bank: str = CCB, outlet: str | None = "李村支行",
        intent: str = "complaint/fees", district: str = LICANG,
        verification: Verification = Verification.received) -> Case:
    case = Case(kind=CaseKind.complaint, intent=intent, bank=bank, outlet=outlet, district=district,
                channel="hotline_12345", description="测试", received_at=NOW - timedelta(days=days_ago),
                verification=verification)
    session.add(case)
    session.flush()
    return case


def weekly(session: Session, counts: list[int], **kw) -> None:
    """`counts[i]` complaints in the i-th 7-day span before the last 7 days (i = 0: the span just before)."""
    for i, n in enumerate(counts):
        for j in range(n):
            add(session, days_ago=7 * (i + 1) + 1 + j * 0.5, **kw)


def test_a_quiet_outlet_with_a_busy_week_raises_a_burst_that_explains_itself(engine, knowledge):
    with Session(engine) as session:
        weekly(session, [0, 1, 0, 0], outlet="李村支行", intent="complaint/attitude")
        recent = [add(session, days_ago=d, intent=i).id for d, i in
                  ((0.5, "complaint/fees"), (2, "complaint/refusal"), (3, "complaint/attitude"))]
        session.commit()
        found = bursts(session, now=NOW, knowledge=knowledge)
    [burst] = [b for b in found if b.subject == OUTLET]
    assert (burst.bank, burst.key, burst.count) == (CCB, "李村支行", 3)
    assert burst.weekly == (0, 0, 1, 0)  # oldest first
    assert burst.mean == pytest.approx(0.25) and burst.spread == pytest.approx(0.5)  # √0.25 over 0.433
    assert [c.id for c in burst.cases] == recent  # newest first
    title, baseline = describe(burst, knowledge)
    assert "李村支行" in title and "3" in title
    assert "0、0、1、0" in baseline and "平均 0.2 件" in baseline and "超过 1.8 件" in baseline
    assert "突增预警" in baseline
    # One complaint of each type: no type is bursting.
    assert [b for b in found if b.subject == COMPLAINT_TYPE] == []


def test_a_steady_outlet_raises_none(engine, knowledge):
    with Session(engine) as session:
        weekly(session, [3, 3, 3, 3], outlet="香港中路支行", district=SHINAN)
        for d in (1, 3, 5):
            add(session, days_ago=d, outlet="香港中路支行", district=SHINAN)
        session.commit()
        assert bursts(session, now=NOW, knowledge=knowledge) == []


def test_an_outlet_that_varies_a_lot_needs_more_to_burst(engine, knowledge):
    with Session(engine) as session:
        weekly(session, [0, 4, 0, 4], bank=ICBC, outlet="台东支行")  # mean 2, spread 2: the limit is 2 + 3 × 2
        for d in range(8):
            add(session, days_ago=d * 0.8 + 0.5, bank=ICBC, outlet="台东支行", intent=f"complaint/{'fees' if d % 2 else 'attitude'}")
        session.commit()
        assert [b for b in bursts(session, now=NOW, knowledge=knowledge) if b.subject == OUTLET] == []
        add(session, days_ago=0.1, bank=ICBC, outlet="台东支行", intent="complaint/refusal")
        session.commit()
        [burst] = [b for b in bursts(session, now=NOW, knowledge=knowledge) if b.subject == OUTLET]
    assert burst.count == 9 and burst.limit == pytest.approx(8.0)


def test_a_busy_outlet_is_measured_against_at_least_the_spread_of_chance(engine, knowledge):
    with Session(engine) as session:
        weekly(session, [4, 4, 3, 5], outlet="香港中路支行", district=SHINAN)  # looks steady: spread 0.7
        for d in range(8):  # 8 in a week is within 4 + 3 × √4: chance, not a burst
            add(session, days_ago=d * 0.8 + 0.1, outlet="香港中路支行", district=SHINAN,
                intent=("complaint/fees", "complaint/attitude", "complaint/refusal", "complaint/overdue")[d % 4])
        session.commit()
        assert [b for b in bursts(session, now=NOW, knowledge=knowledge) if b.subject == OUTLET] == []


def test_untrue_and_duplicate_complaints_and_other_districts_do_not_count(engine, knowledge):
    with Session(engine) as session:
        first = add(session, days_ago=1)
        add(session, days_ago=2, verification=Verification.not_true)
        second = add(session, days_ago=3)
        second.duplicate_of = first.id
        session.add(second)
        add(session, days_ago=4, district=SHINAN)
        session.commit()
        assert [b for b in bursts(session, now=NOW, knowledge=knowledge, scope=LICANG)] == []
        add(session, days_ago=5)
        session.commit()
        assert {b.subject for b in bursts(session, now=NOW, knowledge=knowledge, scope=LICANG)} == {
            OUTLET, COMPLAINT_TYPE}
        assert bursts(session, now=NOW, knowledge=knowledge, scope=SHINAN) == []


def test_a_burst_comes_before_the_first_rule_of_art_43_to_48(engine, knowledge, calendar):
    # Service attitude is not a violation of operating rules (taxonomy.yml cites no Art. 44), so the
    # first rule it can reach is Art. 45's: three of one type about one bank in a month.
    def file(n: int) -> None:
        with Session(engine) as session:
            record_case(session, reactions=ledger_reactions(), data=CaseCreate(
                kind="complaint", intent="complaint/attitude", bank="建行", outlet="李村支行", district=LICANG,
                channel="hotline_12345", description=fee_complaint(n), contact_phone=phone(n)),
                knowledge=knowledge, calendar=calendar, now=NOW - timedelta(hours=10 - n))
            session.commit()

    def fired() -> list[str]:
        with Session(engine) as session:
            return sorted(session.exec(select(ThresholdFiring.rule_id).where(ThresholdFiring.bank == CCB)).all())

    file(0)
    file(1)
    with Session(engine) as session:
        raised = bursts(session, now=NOW, knowledge=knowledge)
    assert {(b.subject, b.key, b.count) for b in raised} == {(OUTLET, "李村支行", 2), (COMPLAINT_TYPE, "complaint/attitude", 2)}
    assert fired() == []  # nothing of Art. 43-48 yet
    file(2)
    assert fired() == ["bank_same_type_complaints"]  # Art. 45's early warning comes a complaint later
