"""The back-office benchmark at a tiny size on SQLite: its figures come from work that really
happened (tickets stored, deliveries arrived at a receiver that checks signatures). No timing
thresholds: the machine running the tests decides how fast things are."""

from __future__ import annotations

import json
import math

import httpx
import pytest
from sqlmodel import func, select

from benchmarks import backoffice as benchmark
from bot.cli.main import build_parser
from bot.db import new_session
from bot.forwarding.models import Delivery, DeliveryState
from bot.ledger.models import Case, Ticket
from bot.thresholds.models import ThresholdFiring
from bot.workdays import WorkdayCalendar

TINY = benchmark.Sizes("tiny", tickets=20, ledger_rows=(1_000, 2_000), repeats=5, deliveries=10,
                       current_per_bank=10, warmup_tickets=2)


@pytest.fixture
def calendar():
    return WorkdayCalendar()


@pytest.fixture
def engine(tmp_path):
    with benchmark.sqlite_database(tmp_path, "bench") as eng:
        yield eng


def count(engine, model, *where) -> int:
    with new_session(engine) as session:
        return session.exec(select(func.count()).select_from(model).where(*where)).one()


def positive(value: float) -> bool:
    return value > 0 and math.isfinite(value)


def test_ticket_creation_records_real_forwarded_tickets(engine, knowledge, calendar):
    figures = benchmark.bench_tickets(engine, count=20, knowledge=knowledge, calendar=calendar, database="SQLite",
                                      warmup=2)
    assert figures.tickets == 20
    assert all(positive(v) for v in (figures.rate, figures.seconds, figures.p50_ms, figures.p95_ms))
    assert figures.p50_ms <= figures.p95_ms
    # The 20 timed tickets and the 2 warm-up ones, each with its case and ticket.created delivery.
    assert figures.stored_cases == figures.stored_tickets == figures.pending_deliveries == 22
    with new_session(engine) as session:
        tickets = session.exec(select(Ticket)).all()
        deliveries = session.exec(select(Delivery)).all()
    assert len({t.number for t in tickets}) == 22 and all(t.number.startswith("ZB-") for t in tickets)
    assert {d.ticket_id for d in deliveries} == {t.id for t in tickets}
    assert {json.loads(d.body)["ticket"]["number"] for d in deliveries} == {t.number for t in tickets}
    assert {t.bank for t in tickets} <= {b.name for b in knowledge.banks}


def test_threshold_evaluation_grows_the_ledger_and_times_both_instants(engine, knowledge):
    results = benchmark.bench_evaluation(engine, sizes=(1_000, 2_000), repeats=5, knowledge=knowledge,
                                        database="SQLite", current_per_bank=10)
    assert [r.rows for r in results] == [1_000, 2_000]
    assert count(engine, Case) == 2_000
    for r in results:
        assert r.skipped is None
        assert len(r.current_ms) == len(r.busy_ms) == 5
        assert all(positive(ms) for ms in r.current_ms + r.busy_ms)
        assert positive(r.insert_rate)
        # The current month and its year hold the same cases of a bank at every size …
        assert r.current_month_cases == r.current_year_cases == 10
    # … while the month inside the history fills up as the ledger grows.
    assert results[1].busy_year_cases > results[0].busy_year_cases > 0
    # evaluate ran for real: the busy months' cases reach some rules (e.g. one forced-selling warning).
    assert count(engine, ThresholdFiring) > 0


def test_a_too_slow_insert_is_skipped_with_a_reason(engine, knowledge):
    results = benchmark.bench_evaluation(engine, sizes=(500, 50_000_000), repeats=2, knowledge=knowledge,
                                        database="SQLite", current_per_bank=5, insert_budget=1.0)
    assert results[0].skipped is None and results[1].skipped and "budget" in results[1].skipped
    assert count(engine, Case) == 500


def test_deliveries_arrive_signed_at_a_real_receiver(engine, knowledge, calendar):
    with benchmark.Receiver() as receiver:
        for dispatchers in (1, 2):
            figures = benchmark.bench_deliveries(engine, count=10, dispatchers=dispatchers, receiver=receiver,
                                                 knowledge=knowledge, calendar=calendar, database="SQLite")
            assert figures.delivered == figures.arrived == 10
            assert figures.duplicates == 0 and figures.bad_signatures == 0
            assert positive(figures.rate)
        # The receiver really checks the signature: a forged request is refused and counted.
        receiver.reset()
        forged = httpx.post(receiver.url, content=b'{"delivery_id":"x"}',
                            headers={"X-SBK-Signature": "sha256=00", "X-SBK-Delivery": "x"}, timeout=5)
        assert forged.status_code == 401
        assert receiver.stats() == {"accepted": [], "bad_signature": 1}
    assert receiver.proc is None
    assert count(engine, Delivery, Delivery.state == DeliveryState.delivered) == 20
    assert count(engine, Delivery) == 20


def test_a_whole_tiny_run_writes_its_section(tmp_path, knowledge, calendar):
    target = tmp_path / "BENCHMARKS.md"
    target.write_text("# Benchmarks\n\n<!-- nlu:start -->\nkept\n<!-- nlu:end -->\n", encoding="utf-8")
    report = benchmark.run(TINY, knowledge=knowledge, calendar=calendar, postgres_url=None)
    body = benchmark.write_section(report, target)
    text = target.read_text(encoding="utf-8")
    assert "<!-- backoffice:start -->" in text and "<!-- backoffice:end -->" in text and "kept" in text
    assert body in text and "## Back office" in body and "not asked for" in body
    assert [t.tickets for t in report.tickets] == [20]
    assert [(d.dispatchers, d.arrived) for d in report.deliveries] == [(1, 10), (2, 10)]
    assert positive(report.peak_rss_mb) and "ratio of p50" in body


def test_the_command_is_registered():
    args = build_parser().parse_args(["bench", "backoffice", "--quick", "--no-postgres"])
    assert args.quick and args.no_postgres and args.handler.__name__ == "run_backoffice"
