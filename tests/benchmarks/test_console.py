"""The console benchmark: its ledger is what it claims to be, it lands in both databases, and a
small run times every page a role may open and writes its section."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

from sqlalchemy import text

from benchmarks import console as benchmark
from bot.workdays import WorkdayCalendar

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def test_the_generated_ledger_is_consistent(knowledge):
    ledger = benchmark.build_ledger(3000, now=NOW, months=24, knowledge=knowledge, calendar=WorkdayCalendar(),
                                    escalated_share=0.03)
    numbers = [t[6] for t in ledger.tickets]
    assert len(set(numbers)) == len(numbers) == len(ledger.tickets)
    case_ids = {c[0] for c in ledger.cases}
    assert all(t[7] in case_ids for t in ledger.tickets)
    kinds = Counter(t[1] for t in ledger.tickets)
    assert 0 < kinds["supervision"] < kinds["transfer"] * 0.1
    assert all(t[8] is not None for t in ledger.tickets if t[1] == "supervision")  # each has its transfer ticket
    assert all(c[12] <= NOW for c in ledger.cases)
    assert {c[5] for c in ledger.cases} <= {d.name for d in knowledge.districts}
    intents = Counter(c[2] for c in ledger.cases if c[1] == "complaint")
    assert intents["complaint/attitude"] > 5 * intents["complaint/forced_selling"] > 0
    open_states = {"created", "delivered", "acknowledged", "extended"}
    late = [t for t in ledger.tickets if t[9] in open_states and t[4] < NOW.date()]
    assert len(late) == ledger.open_overdue > 0


def test_bulk_insert_lands_in_the_database(engine, knowledge):
    ledger = benchmark.build_ledger(200, now=NOW, months=3, knowledge=knowledge, calendar=WorkdayCalendar(),
                                    escalated_share=0.03)
    benchmark.bulk_insert(engine, "ledger_case", benchmark.CASE_COLUMNS, ledger.cases)
    benchmark.bulk_insert(engine, "ticket", benchmark.TICKET_COLUMNS, ledger.tickets)
    benchmark.bulk_insert(engine, "ticket_event", benchmark.EVENT_COLUMNS, ledger.events)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM ticket")).scalar_one() == len(ledger.tickets)
        assert conn.execute(text("SELECT count(*) FROM ticket_event WHERE type = 'created'")).scalar_one() == \
            len(ledger.tickets)
    from sqlmodel import Session, select

    from bot.ledger.models import Ticket, TicketEvent

    with Session(engine) as session:  # the models read the rows back: types, enums, JSON and times
        ticket = session.exec(select(Ticket).order_by(Ticket.id)).first()
        assert ticket.created_at.tzinfo is not None and ticket.number.startswith("ZB-")
        event = session.exec(select(TicketEvent).order_by(TicketEvent.id)).first()
        assert event.detail["due"] == ticket.due_date.isoformat()


def test_a_small_run_times_every_page_and_writes_its_section(knowledge, tmp_path):
    sizes = benchmark.Sizes("quick", tickets=400, repeats=2, months=3)
    report = benchmark.run(sizes, knowledge=knowledge, calendar=WorkdayCalendar(), postgres_url=None, now=NOW)
    pages = {(p.role, p.path) for p in report.pages}
    assert ("city_supervisor", "/console/supervision/tickets") in pages
    assert ("district_supervisor", "/console/supervision/tickets/{number}") in pages
    assert not any(role == "district_supervisor" and "export.xlsx" in path for role, path in pages)
    assert not any(role == "operator" and path.startswith("/console/supervision") for role, path in pages)
    assert all(p.status == 200 and len(p.times_ms) == 2 for p in report.pages)
    output = tmp_path / "BENCHMARKS.md"
    output.write_text("# Benchmarks\n\n<!-- backoffice:start -->\nkept\n<!-- backoffice:end -->\n", encoding="utf-8")
    body = benchmark.write_section(report, output)
    written = output.read_text(encoding="utf-8")
    assert "kept" in written and "<!-- console:start -->" in written and body in written
    header = next(line for line in body.splitlines() if line.startswith("| page |"))
    assert header == "| page | SQLite 市级 | SQLite 区级（李沧区） | SQLite 话务员 | SQLite 管理员 |"
    detail = next(line for line in body.splitlines() if line.startswith("| 监管 · 工单详情 |"))
    assert detail.split(" | ")[3] == "—"  # operators may not open it
