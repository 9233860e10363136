"""The console benchmark: its ledger is what it claims to be, it lands in both databases, and a
small run times every page a role may open and writes its section."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from benchmarks import console as benchmark
from benchmarks import supervision_year
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
    seeded = report.seeds[0]
    assert seeded.inspections > 0 and seeded.submissions > 0 and seeded.callbacks > 0 and seeded.reports > 0
    output = tmp_path / "BENCHMARKS.md"
    output.write_text("# Benchmarks\n\n<!-- backoffice:start -->\nkept\n<!-- backoffice:end -->\n", encoding="utf-8")
    body = benchmark.write_section(report, output)
    written = output.read_text(encoding="utf-8")
    assert "kept" in written and "<!-- console:start -->" in written and body in written
    assert f"| SQLite | {seeded.inspections:,} | {seeded.submissions:,} | {seeded.callbacks:,} | {seeded.reports:,} |" \
        in body
    header = next(line for line in body.splitlines() if line.startswith("| page |"))
    assert header == "| page | SQLite 市级 | SQLite 区级（李沧区） | SQLite 话务员 | SQLite 管理员 |"
    detail = next(line for line in body.splitlines() if line.startswith("| 监管 · 工单详情 |"))
    assert detail.split(" | ")[3] == "—"  # operators may not open it


def _year(knowledge, tickets: int = 3000):
    ledger = benchmark.build_ledger(tickets, now=NOW, months=24, knowledge=knowledge, calendar=WorkdayCalendar(),
                                    escalated_share=0.03)
    return ledger, supervision_year.build_year(ledger.cases, ledger.tickets, now=NOW, knowledge=knowledge,
                                               calendar=WorkdayCalendar())


def test_the_year_of_supervision_records_is_at_the_scale_the_measures_ask(knowledge):
    ledger, year = _year(knowledge)
    first = NOW - timedelta(days=365)
    today = NOW.astimezone(supervision_year.SHANGHAI).date()
    # Art. 29: every district inspects at least 3 of its outlets in most weeks, on days in the year.
    days = [row[4] for row in year.inspections]
    assert min(days) >= first.astimezone(supervision_year.SHANGHAI).date() and max(days) <= today
    weekly = Counter((row[1], row[4].isocalendar()[:2]) for row in year.inspections)
    districts = {d.name for d in knowledge.districts}
    assert {district for district, _ in weekly} == districts
    full_weeks = [n for (_, week), n in weekly.items() if week != today.isocalendar()[:2]]
    assert sum(n >= 3 for n in full_weeks) > 0.9 * len(full_weeks)
    assert len(year.inspections) >= 3 * 50 * len(districts)
    assert len({(row[2], row[3], row[4]) for row in year.inspections}) == len(year.inspections)  # one a day
    assert all(len(row[7]) >= 2 for row in year.inspections)  # Art. 26: two staff or more
    assert all(row[5] for row in year.inspections if any(not f["compliant"] for f in row[8]))
    # Art. 38: every bank, every kind of period, each summary's bytes and hash agree.
    kinds = Counter((row[1], row[3]) for row in year.submissions if row[6] == 1)
    for bank in knowledge.banks:
        assert kinds[(bank.name, "month")] == 12 and kinds[(bank.name, "quarter")] == 4
        assert kinds[(bank.name, "half_year")] == 2 and kinds[(bank.name, "year")] == 1
    assert all(hashlib.sha256(row[9]).hexdigest() == row[8] and row[7] == len(row[9]) for row in year.submissions)
    assert all(row[13] == (row[10] > row[11]) for row in year.submissions)
    # A callback per verified complaint with consent, a report per verified complaint, in the year.
    cases = {c[0]: c for c in ledger.cases}
    tickets = {t[0]: t for t in ledger.tickets}
    verified = {c[0] for c in ledger.cases
                if c[1] == "complaint" and c[14] is not None and c[13] != "received" and c[14] >= first}
    assert {row[8] for row in year.reports} == verified
    assert all(row[4] == cases[row[8]][13] and tickets[row[9]][7] == row[8] for row in year.reports)
    asked = {cases[tickets[row[1]][7]][0] for row in year.callbacks}
    assert asked == {c for c in verified if cases[c][10]}
    assert {row[3] for row in year.callbacks} == {"telegram", "phone"}
    assert all(row[3] == "telegram" or cases[tickets[row[1]][7]][11] is None for row in year.callbacks)
    states = Counter(row[5] for row in year.callbacks)
    assert states["answered"] > 0.7 * len(year.callbacks) and states["no_answer"] > 0
    assert all((row[5] == "answered") == (row[9] is not None) for row in year.callbacks)
    assert len({row[4] for row in year.callbacks}) == len(year.callbacks)  # tokens unique


def test_the_year_lands_in_the_database_and_the_models_read_it(engine, knowledge):
    from sqlmodel import Session, select

    from bot.inspections.models import OutletInspection
    from bot.investigations.models import InvestigationReport, ReviewState
    from bot.satisfaction.models import Answer, SatisfactionCallback
    from bot.self_inspections.models import SelfInspection

    ledger, year = _year(knowledge, tickets=600)
    benchmark.bulk_insert(engine, "ledger_case", benchmark.CASE_COLUMNS, ledger.cases)
    benchmark.bulk_insert(engine, "ticket", benchmark.TICKET_COLUMNS, ledger.tickets)
    for table, columns, rows in (("outlet_inspection", supervision_year.INSPECTION_COLUMNS, year.inspections),
                                 ("self_inspection", supervision_year.SUBMISSION_COLUMNS, year.submissions),
                                 ("satisfaction_callback", supervision_year.CALLBACK_COLUMNS, year.callbacks),
                                 ("investigation_report", supervision_year.REPORT_COLUMNS, year.reports)):
        benchmark.bulk_insert(engine, table, columns, rows)
    with Session(engine) as session:
        inspection = session.exec(select(OutletInspection).order_by(OutletInspection.id)).first()
        assert inspection.finding_items[0].code == knowledge.inspections.items[0].code
        assert inspection.recorded_at.tzinfo is not None and len(inspection.staff) >= 2
        summary = session.exec(select(SelfInspection).order_by(SelfInspection.id)).first()
        assert summary.content.startswith(b"%PDF-") and summary.period_kind.value == "month"
        answered = session.exec(select(SatisfactionCallback).where(SatisfactionCallback.answer.is_not(None))).all()
        assert answered and all(isinstance(c.answer, Answer) for c in answered)
        report = session.exec(select(InvestigationReport).order_by(InvestigationReport.id)).first()
        assert isinstance(report.review, ReviewState) and report.investigators
        assert len(session.exec(select(InvestigationReport)).all()) == len(year.reports)
