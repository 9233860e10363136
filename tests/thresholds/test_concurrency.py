"""Two complaints about one bank committed at the same moment: the rule fires exactly once.

Each writer does what the ledger does, in its own session and thread: lock the bank, insert
the case (found true straight away for the test), evaluate, commit. A barrier releases both
at the same moment. On PostgreSQL a second layout lets both cases be inserted (uncommitted)
before either evaluates; a third, without the lock, shows that these tests would see the
anomaly the lock prevents.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlmodel import select

from bot.db import new_session
from bot.ledger.locks import lock_bank
from bot.ledger.models import Case
from bot.thresholds import OFFICIAL, evaluate, firings, month_of

from .conftest import BANK, add_case, sh

RULE = "bank_same_type_complaints"
ROUNDS = 20


def _months(n: int) -> list[datetime]:
    return [sh(2030 + i // 12, i % 12 + 1, 15, 10, 0) for i in range(n)]


def _run(engine, kb, at: datetime, layout: str) -> list[list]:
    """Two writers in `layout`; returns what each one's evaluate returned for the rule."""
    barrier = threading.Barrier(2, timeout=30)
    results: list[list] = [[], []]
    errors: list[BaseException] = []

    def writer(slot: int) -> None:
        try:
            with new_session(engine) as session:
                if layout == "ledger":  # lock → insert → evaluate → commit, both released at once
                    barrier.wait()
                    lock_bank(session, BANK)
                    add_case(session, intent="complaint/fees", at=at)
                    fired = evaluate(session, bank=BANK, at=at, now=at, knowledge=kb)
                elif layout == "insert_first":  # both cases exist uncommitted before either evaluates
                    add_case(session, intent="complaint/fees", at=at)
                    barrier.wait()
                    lock_bank(session, BANK)
                    fired = evaluate(session, bank=BANK, at=at, now=at, knowledge=kb)
                else:  # "unlocked": both evaluate before either commits
                    add_case(session, intent="complaint/fees", at=at)
                    barrier.wait()
                    fired = evaluate(session, bank=BANK, at=at, now=at, knowledge=kb)
                    barrier.wait()
                session.commit()
                results[slot] = [f for f in fired if f.rule_id == RULE and f.level == OFFICIAL]
        except BaseException as exc:  # noqa: BLE001 - reported in the main thread
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=writer, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    if errors:
        raise errors[0]
    return results


def _prepare(engine, kb, at: datetime) -> list[int]:
    """threshold - 2 earlier complaints of the type, committed: the two concurrent ones complete it."""
    rule = kb.rules.threshold(RULE)
    assert rule.threshold >= 2
    with new_session(engine) as session:
        ids = [add_case(session, intent="complaint/fees", at=at.replace(day=1 + i)).id for i in range(rule.threshold - 2)]
        session.commit()
    return ids


def _check_fired_once(engine, kb, at: datetime, results: list[list]) -> None:
    rule = kb.rules.threshold(RULE)
    month = month_of(at)
    with new_session(engine) as session:
        stored = firings(session, bank=BANK, period=month.key, rule_id=RULE, level=OFFICIAL)
        all_ids = sorted(session.exec(select(Case.id).where(
            Case.bank == BANK, Case.received_at >= month.start, Case.received_at < month.end)))
    assert len(all_ids) == rule.threshold
    assert len(stored) == 1, f"fired {len(stored)} times"
    assert sorted(stored[0].case_ids) == all_ids and stored[0].count == rule.threshold
    assert sorted(len(r) for r in results) == [0, 1], "exactly one writer must report the firing"


def _fire_once_for_months(engine, kb, layout):
    for at in _months(ROUNDS):
        _prepare(engine, kb, at)
        results = _run(engine, kb, at, layout)
        _check_fired_once(engine, kb, at, results)


def test_two_complaints_at_the_same_moment_fire_the_rule_exactly_once(engine, kb):
    _fire_once_for_months(engine, kb, "ledger")


def test_two_complaints_inserted_before_either_evaluates_fire_once(pg_engine, kb):
    # PostgreSQL only: SQLite serialises writers at BEGIN IMMEDIATE, so a second insert
    # cannot happen before the first commit there.
    _fire_once_for_months(pg_engine, kb, "insert_first")


def test_without_the_lock_the_anomaly_would_be_seen(pg_engine, kb):
    """Both writers count only the committed cases and their own: the rule is missed.

    This is what `lock_bank` prevents; it shows the tests above can detect a missing lock.
    PostgreSQL only: SQLite cannot run two write transactions at once.
    """
    engine = pg_engine
    at = _months(1)[0]
    _prepare(engine, kb, at)
    results = _run(engine, kb, at, "unlocked")
    assert results == [[], []]
    with new_session(engine) as session:
        assert firings(session, bank=BANK, rule_id=RULE, level=OFFICIAL) == []
        # A later evaluation (the next write for the bank) does catch up.
        lock_bank(session, BANK)
        late = [f for f in evaluate(session, bank=BANK, at=at, now=at, knowledge=kb) if f.rule_id == RULE and f.level == OFFICIAL]
        assert len(late) == 1


def test_the_unique_constraint_keeps_a_second_insert_from_firing_again(engine, kb, monkeypatch):
    """Even when a writer does not see the existing firing, ON CONFLICT DO NOTHING keeps it single."""
    import bot.thresholds.evaluation as module

    at = _months(1)[0]
    _prepare(engine, kb, at)
    with new_session(engine) as session:
        for _ in range(2):
            add_case(session, intent="complaint/fees", at=at)
        rule = kb.rules.threshold(RULE)
        levels = 1 + (rule.warning is not None and rule.warning.threshold <= rule.threshold)
        assert len([f for f in evaluate(session, bank=BANK, at=at, now=at, knowledge=kb) if f.rule_id == RULE]) == levels
        session.commit()
    monkeypatch.setattr(module, "_existing", lambda session, **kw: set())
    with new_session(engine) as session:
        assert evaluate(session, bank=BANK, at=at, now=at, knowledge=kb) == []
        session.commit()

    # Two writers at once, neither seeing the other's firing (PostgreSQL: the second insert
    # waits for the first commit on the unique index, then does nothing).
    if engine.dialect.name == "postgresql":
        at = _months(2)[1]
        _prepare(engine, kb, at)
        with new_session(engine) as session:
            for _ in range(2):
                add_case(session, intent="complaint/fees", at=at)
            session.commit()
        barrier = threading.Barrier(2, timeout=30)
        results: list[list] = [[], []]
        errors: list[BaseException] = []

        def writer(slot: int) -> None:
            try:
                with new_session(engine) as session:
                    barrier.wait()
                    results[slot] = [f for f in evaluate(session, bank=BANK, at=at, now=at, knowledge=kb) if f.rule_id == RULE]
                    session.commit()
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=writer, args=(slot,)) for slot in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors
        assert sorted(len(r) for r in results) == [0, levels]  # by one writer only
        with new_session(engine) as session:
            assert len(firings(session, bank=BANK, period=month_of(at).key, rule_id=RULE)) == levels
